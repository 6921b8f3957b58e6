// csv_file.h — the one CSV writer of the simulation outputs (--events-csv,
// --requests-csv, --iterations-csv): a header line, then one line per row,
// written whole through AtomicFile (temporary file + rename) by Commit().
// traces/README.md lists every file's columns and units.
// Usage: CsvFile f(path, "time_s,kind"); f.Row(absl::StrFormat("%.6f,%s", t, k)); f.Commit();
#ifndef MLSYSIM_TRACES_CSV_FILE_H_
#define MLSYSIM_TRACES_CSV_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "traces/atomic_file.h"

namespace mlsysim {

class CsvFile {
 public:
  CsvFile(const std::string& path, const std::string& header);
  // One row: comma-separated fields, no newline.
  void Row(const std::string& fields);
  int64_t rows() const { return rows_; }
  absl::Status Commit();

 private:
  AtomicFile file_;
  int64_t rows_ = 0;
};

}  // namespace mlsysim

#endif  // MLSYSIM_TRACES_CSV_FILE_H_
