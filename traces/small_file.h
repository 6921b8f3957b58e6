// small_file.h — reading a whole file a user named (a scenario, a sweep, a
// registry, a model config, a plan, a Chakra or ASTRA-sim input, a request
// trace) with the reason when it cannot be: the OS's own ("No such file or
// directory", "Permission denied"), a directory or other non-regular file, or
// a size past the reader's bound — never a bare "cannot read".
//
// Usage:
//   absl::StatusOr<std::string> text = ReadSmallFile(path, "registry file", 16 << 20);
//   if (!text.ok()) return text.status();
//   // registry file: cannot read 'x.textproto': No such file or directory
#ifndef MLSYSIM_TRACES_SMALL_FILE_H_
#define MLSYSIM_TRACES_SMALL_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlsysim {

// OK when `path` is a regular file of at most max_bytes (no bound when
// max_bytes < 0) that can be opened for reading; otherwise InvalidArgument
// "<what>: cannot read '<path>': <reason>".
absl::Status CheckReadableFile(const std::string& path, absl::string_view what,
                               int64_t max_bytes = -1);

// The whole file, after CheckReadableFile.
absl::StatusOr<std::string> ReadSmallFile(const std::string& path, absl::string_view what,
                                          int64_t max_bytes);

}  // namespace mlsysim

#endif  // MLSYSIM_TRACES_SMALL_FILE_H_
