// chrome_trace.cc — see chrome_trace.h.
#include "traces/chrome_trace.h"

#include "absl/strings/str_cat.h"
#include "traces/atomic_file.h"
#include "traces/json_writer.h"

namespace mlsysim {

bool ChromeTrace::Admit(int64_t n) {
  if (events_ + n > max_events_) {
    dropped_ += n;
    return false;
  }
  events_ += n;
  return true;
}

void ChromeTrace::Begin(const std::string& name, const std::string& cat, const char* ph, int pid,
                        int tid, double t_s) {
  body_ += body_.empty() ? "\n{\"name\": " : ",\n{\"name\": ";
  AppendJsonString(body_, name);
  if (!cat.empty()) {
    body_ += ", \"cat\": ";
    AppendJsonString(body_, cat);
  }
  absl::StrAppend(&body_, ", \"ph\": \"", ph, "\", \"pid\": ", pid, ", \"tid\": ", tid,
                  ", \"ts\": ");
  AppendJsonNumber(body_, t_s * 1e6);
}

void ChromeTrace::AppendArgs(const Args& args) {
  if (args.empty()) return;
  body_ += ", \"args\": {";
  for (size_t i = 0; i < args.size(); ++i) {
    if (i > 0) body_ += ", ";
    AppendJsonString(body_, args[i].first);
    body_ += ": ";
    AppendJsonNumber(body_, args[i].second);
  }
  body_ += "}";
}

void ChromeTrace::ProcessName(int pid, const std::string& name) {
  body_ += body_.empty() ? "\n" : ",\n";
  absl::StrAppend(&body_, "{\"name\": \"process_name\", \"ph\": \"M\", \"pid\": ", pid,
                  ", \"tid\": 0, \"args\": {\"name\": ");
  AppendJsonString(body_, name);
  body_ += "}}";
}

void ChromeTrace::ThreadName(int pid, int tid, const std::string& name) {
  body_ += body_.empty() ? "\n" : ",\n";
  absl::StrAppend(&body_, "{\"name\": \"thread_name\", \"ph\": \"M\", \"pid\": ", pid,
                  ", \"tid\": ", tid, ", \"args\": {\"name\": ");
  AppendJsonString(body_, name);
  body_ += "}}";
}

void ChromeTrace::Span(const std::string& name, const std::string& cat, int pid, int tid,
                       double start_s, double end_s, const Args& args) {
  if (!Admit(1)) return;
  Begin(name, cat, "X", pid, tid, start_s);
  body_ += ", \"dur\": ";
  AppendJsonNumber(body_, (end_s - start_s) * 1e6);
  AppendArgs(args);
  body_ += "}";
}

void ChromeTrace::Instant(const std::string& name, const std::string& cat, int pid, int tid,
                          double t_s, const Args& args) {
  if (!Admit(1)) return;
  Begin(name, cat, "i", pid, tid, t_s);
  body_ += ", \"s\": \"t\"";
  AppendArgs(args);
  body_ += "}";
}

void ChromeTrace::Counter(const std::string& name, int pid, double t_s, const Args& values) {
  if (!Admit(1)) return;
  Begin(name, "", "C", pid, 0, t_s);
  AppendArgs(values);
  body_ += "}";
}

void ChromeTrace::AsyncSpan(const std::string& name, const std::string& cat, int pid, uint64_t id,
                            double start_s, double end_s) {
  if (!Admit(2)) return;
  Begin(name, cat, "b", pid, 0, start_s);
  absl::StrAppend(&body_, ", \"id\": ", id, "}");
  Begin(name, cat, "e", pid, 0, end_s);
  absl::StrAppend(&body_, ", \"id\": ", id, "}");
}

absl::Status ChromeTrace::Write(const std::string& path) const {
  AtomicFile f(path);
  f.stream() << "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [" << body_ << "\n]}\n";
  return f.Commit();
}

}  // namespace mlsysim
