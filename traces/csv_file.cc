// csv_file.cc — see csv_file.h.
#include "traces/csv_file.h"

namespace mlsysim {

CsvFile::CsvFile(const std::string& path, const std::string& header) : file_(path) {
  file_.stream() << header << "\n";
}

void CsvFile::Row(const std::string& fields) {
  file_.stream() << fields << "\n";
  ++rows_;
}

absl::Status CsvFile::Commit() { return file_.Commit(); }

}  // namespace mlsysim
