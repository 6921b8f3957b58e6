// small_file.cc — reading a whole user-named file, or why not (see
// small_file.h).
#include "traces/small_file.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace mlsysim {
namespace {

absl::Status Cannot(const std::string& path, absl::string_view what, absl::string_view reason) {
  return absl::InvalidArgumentError(absl::StrCat(what, ": cannot read '", path, "': ", reason));
}

std::string Size(int64_t bytes) {
  return bytes >= (1 << 20) && bytes % (1 << 20) == 0
             ? absl::StrFormat("%d MiB", bytes >> 20)
             : absl::StrFormat("%d bytes", bytes);
}

}  // namespace

absl::Status CheckReadableFile(const std::string& path, absl::string_view what,
                               int64_t max_bytes) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Cannot(path, what, std::strerror(errno));
  if (S_ISDIR(st.st_mode)) return Cannot(path, what, "a directory, not a file");
  if (!S_ISREG(st.st_mode)) return Cannot(path, what, "not a regular file");
  if (max_bytes >= 0 && st.st_size > max_bytes) {
    return Cannot(path, what,
                  absl::StrCat(st.st_size, " bytes, larger than the ", Size(max_bytes),
                               " such a file may have"));
  }
  std::ifstream probe(path, std::ios::binary);
  if (!probe) return Cannot(path, what, std::strerror(errno));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadSmallFile(const std::string& path, absl::string_view what,
                                          int64_t max_bytes) {
  if (auto s = CheckReadableFile(path, what, max_bytes); !s.ok()) return s;
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Cannot(path, what, std::strerror(errno));
  if (max_bytes >= 0 && static_cast<int64_t>(bytes.size()) > max_bytes) {
    return Cannot(path, what, absl::StrCat("larger than the ", Size(max_bytes), " such a file may have"));
  }
  return bytes;
}

}  // namespace mlsysim
