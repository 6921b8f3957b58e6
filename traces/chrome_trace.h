// chrome_trace.h — the one writer of Perfetto / Chrome trace-event JSON
// ({"traceEvents": [...]}, timestamps in µs) used by every simulation form:
// named processes and threads (tracks), complete spans ("X"), instants ("i"),
// counters ("C") and async spans ("b"/"e") for per-request lifetimes. A cap
// on the number of events keeps traces of long runs bounded; hitting it is
// reported by the caller (truncated()), never silent.
// Usage: ChromeTrace t(2'000'000); t.ProcessName(0, "replicas");
//        t.Span("decode", "serving", 0, 3, start_s, end_s); auto st = t.Write(path);
#ifndef MLSYSIM_TRACES_CHROME_TRACE_H_
#define MLSYSIM_TRACES_CHROME_TRACE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace mlsysim {

class ChromeTrace {
 public:
  using Args = std::vector<std::pair<std::string, double>>;
  explicit ChromeTrace(int64_t max_events) : max_events_(max_events) {}

  // Track names (metadata; never counted against the cap).
  void ProcessName(int pid, const std::string& name);
  void ThreadName(int pid, int tid, const std::string& name);
  void Span(const std::string& name, const std::string& cat, int pid, int tid, double start_s,
            double end_s, const Args& args = {});
  void Instant(const std::string& name, const std::string& cat, int pid, int tid, double t_s,
               const Args& args = {});
  void Counter(const std::string& name, int pid, double t_s, const Args& values);
  // An async span (its own row under `pid`, keyed by `id`).
  void AsyncSpan(const std::string& name, const std::string& cat, int pid, uint64_t id,
                 double start_s, double end_s);

  int64_t events() const { return events_; }
  int64_t dropped() const { return dropped_; }
  bool truncated() const { return dropped_ > 0; }
  // Writes the trace atomically (temporary file + rename).
  absl::Status Write(const std::string& path) const;

 private:
  bool Admit(int64_t n);
  void Begin(const std::string& name, const std::string& cat, const char* ph, int pid, int tid,
             double t_s);
  void AppendArgs(const Args& args);

  int64_t max_events_;
  int64_t events_ = 0, dropped_ = 0;
  std::string body_;
};

}  // namespace mlsysim

#endif  // MLSYSIM_TRACES_CHROME_TRACE_H_
