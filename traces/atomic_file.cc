// atomic_file.cc — temp-file-and-rename writer (see atomic_file.h).
//
// Three rules: (1) the temporary file lives beside the real target, so the
// rename is atomic; a symlink at the output path is followed (the link stays,
// its target is replaced); (2) a path that is not a regular file (a FIFO, a
// character device such as /dev/stdout) is written directly — renaming onto
// it would replace the device node; (3) SIGINT/SIGTERM/SIGHUP/SIGXFSZ remove every
// temporary file still open before the process dies, so an interrupted run
// leaves no `FILE.tmp.PID` behind.
#include "traces/atomic_file.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace mlsysim {
namespace {

constexpr size_t kMaxOpen = 256;
std::array<std::atomic<const char*>, kMaxOpen> g_temps{};

extern "C" void RemoveTempsAndDie(int sig) {
  for (auto& slot : g_temps) {
    const char* p = slot.load();
    if (p != nullptr) unlink(p);  // async-signal-safe
  }
  signal(sig, SIG_DFL);
  raise(sig);
}

void InstallHandlersOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    // SIGXFSZ: a file-size limit (ulimit -f) kills the process mid-write.
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGXFSZ}) {
      struct sigaction old;
      if (sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
      struct sigaction sa {};
      sa.sa_handler = RemoveTempsAndDie;
      sigemptyset(&sa.sa_mask);
      sigaction(sig, &sa, nullptr);
    }
  });
}

}  // namespace

void InstallAtomicFileSignalHandlers() { InstallHandlersOnce(); }

namespace {

int Register(const char* path) {
  for (size_t i = 0; i < kMaxOpen; ++i) {
    const char* expected = nullptr;
    if (g_temps[i].compare_exchange_strong(expected, path)) return static_cast<int>(i);
  }
  return -1;
}

// The file the output path designates: a symlink is followed to its target.
std::string Resolve(const std::string& path) {
  struct stat st;
  if (lstat(path.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return path;
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) != nullptr) return buf;
  // A dangling link: write where it points.
  const ssize_t n = readlink(path.c_str(), buf, sizeof(buf) - 1);
  if (n <= 0) return path;
  buf[n] = '\0';
  std::string target(buf);
  if (!target.empty() && target[0] != '/') {
    const size_t slash = path.rfind('/');
    if (slash != std::string::npos) target = path.substr(0, slash + 1) + target;
  }
  return target;
}

}  // namespace

AtomicFile::AtomicFile(std::string path) : path_(Resolve(path)) {
  struct stat st;
  if (stat(path_.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
    direct_ = true;  // a device or FIFO: write in place
    out_.open(path_, std::ios::binary);
    return;
  }
  temp_path_ = absl::StrCat(path_, ".tmp.", ::getpid());
  InstallHandlersOnce();
  slot_ = Register(temp_path_.c_str());
  out_.open(temp_path_, std::ios::binary | std::ios::trunc);
}

AtomicFile::~AtomicFile() {
  if (!committed_ && !direct_) {
    out_.close();
    std::remove(temp_path_.c_str());
  }
  if (slot_ >= 0) g_temps[slot_].store(nullptr);
}

absl::Status AtomicFile::Commit() {
  out_.flush();
  const bool good = out_.good();
  out_.close();
  committed_ = true;
  if (direct_) {
    return good ? absl::OkStatus()
                : absl::InvalidArgumentError(absl::StrCat("cannot write '", path_, "'"));
  }
  if (!good) {
    std::remove(temp_path_.c_str());
    return absl::InvalidArgumentError(absl::StrCat("cannot write '", path_,
                                                   "' (its directory must exist "
                                                   "and be writable; an existing file is kept)"));
  }
  if (std::rename(temp_path_.c_str(), path_.c_str()) != 0) {
    std::remove(temp_path_.c_str());
    return absl::InvalidArgumentError(
        absl::StrCat("cannot replace '", path_, "' (is it a directory?)"));
  }
  return absl::OkStatus();
}

}  // namespace mlsysim
