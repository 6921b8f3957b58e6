// run_context.cc — see run_context.h.
#include "sim/scenario/run_context.h"

#include "absl/strings/str_format.h"

namespace mlsysim {

void Say(const RunContext& rc, const std::string& line) {
  if (rc.diagnostics != nullptr) *rc.diagnostics << line << "\n";
}

void AnnounceFile(const RunContext& rc, result::Result* r, const std::string& path,
                  const std::string& what) {
  r->add_files(path);
  Say(rc, "wrote " + path + " (" + what + ")");
}

void Warn(const RunContext& rc, result::Result* r, const std::string& warning) {
  r->add_warnings(warning);
  Say(rc, "warning: " + warning);
}

Progress::Progress(const RunContext& rc, std::string what, long long total)
    : out_(rc.progress ? rc.diagnostics : nullptr),
      what_(std::move(what)),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      last_(start_) {}

void Progress::Step(long long done, const std::string& detail) {
  if (out_ == nullptr) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(100))
    return;
  last_ = now;
  drawn_ = true;
  if (total_ > 0) {
    *out_ << absl::StrFormat("\r%s %d/%d%s%s", what_, done, total_, detail.empty() ? "" : ": ",
                             detail);
  } else {
    *out_ << absl::StrFormat("\r%s %d%s%s", what_, done, detail.empty() ? "" : " ", detail);
  }
  *out_ << std::flush;
}

void Progress::Done() {
  if (drawn_) *out_ << "\n";
  drawn_ = false;
}

}  // namespace mlsysim
