// atomic_file.h — write a file under a temporary name and rename it into place
// on success, so an interrupted run never leaves a file that looks complete.
// A symlink at the path is followed; a device or FIFO is written in place;
// SIGINT/SIGTERM remove open temporary files.
// Usage: AtomicFile f("trace.json"); f.stream() << ...; absl::Status s = f.Commit();
#ifndef MLSYSIM_TRACES_ATOMIC_FILE_H_
#define MLSYSIM_TRACES_ATOMIC_FILE_H_

#include <fstream>
#include <string>

#include "absl/status/status.h"

namespace mlsysim {

// Installs (once) the SIGINT/SIGTERM/SIGHUP handlers that remove unfinished
// temporary files before dying. AtomicFile does this itself; a command that
// handles SIGINT on its own (a sweep stopping cleanly) calls it first, then
// sets its handler over it.
void InstallAtomicFileSignalHandlers();

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();  // removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  bool ok() const { return out_.good(); }
  std::ofstream& stream() { return out_; }
  // Flushes, closes and renames the temporary file to the final path.
  absl::Status Commit();

 private:
  std::string path_;
  std::string temp_path_;
  std::ofstream out_;
  bool committed_ = false;
  bool direct_ = false;  // the path is a device or FIFO: written in place
  int slot_ = -1;        // in the signal handler's list of temporary files
};

}  // namespace mlsysim

#endif  // MLSYSIM_TRACES_ATOMIC_FILE_H_
