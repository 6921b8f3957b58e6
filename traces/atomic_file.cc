// atomic_file.cc — temp-file-and-rename writer (see atomic_file.h).
#include "traces/atomic_file.h"

#include <cstdio>
#include <unistd.h>

#include "absl/strings/str_cat.h"

namespace mlsysim {

AtomicFile::AtomicFile(std::string path)
    : path_(std::move(path)),
      temp_path_(absl::StrCat(path_, ".tmp.", ::getpid())),
      out_(temp_path_, std::ios::binary | std::ios::trunc) {}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    out_.close();
    std::remove(temp_path_.c_str());
  }
}

absl::Status AtomicFile::Commit() {
  out_.flush();
  const bool good = out_.good();
  out_.close();
  if (!good) {
    std::remove(temp_path_.c_str());
    committed_ = true;
    return absl::InternalError(absl::StrCat("cannot write '", path_, "'"));
  }
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    std::remove(temp_path_.c_str());
    committed_ = true;
    return absl::InternalError(absl::StrCat("cannot rename into '", path_, "'"));
  }
  committed_ = true;
  return absl::OkStatus();
}

}  // namespace mlsysim
