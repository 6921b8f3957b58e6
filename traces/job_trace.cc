// job_trace.cc — see job_trace.h.
#include "traces/job_trace.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "traces/small_file.h"

namespace mlsysim {
namespace {

// Far beyond any published trace (Philly: 117,325 jobs over 75 days).
constexpr int64_t kMaxJobs = 10'000'000;
constexpr double kMaxSeconds = 3.15576e9;  // a century
constexpr int kMaxGpus = 1 << 24;

struct Columns {
  int submit = -1, gpus = -1, duration = -1, id = -1, user = -1, priority = -1, status = -1;
};

absl::StatusOr<Columns> ReadHeader(const std::vector<std::string>& names,
                                   const std::string& origin) {
  Columns c;
  for (int i = 0; i < static_cast<int>(names.size()); ++i) {
    const std::string n = absl::AsciiStrToLower(absl::StripAsciiWhitespace(names[i]));
    int* slot = n == "submit_time_s" ? &c.submit
                : n == "gpus"        ? &c.gpus
                : n == "duration_s"  ? &c.duration
                : n == "job_id"      ? &c.id
                : n == "user"        ? &c.user
                : n == "priority"    ? &c.priority
                : n == "status"      ? &c.status
                                     : nullptr;
    if (slot == nullptr) continue;  // another column: ignored
    if (*slot >= 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(origin, ":1: the column '", n, "' appears twice in the header"));
    }
    *slot = i;
  }
  std::vector<std::string> missing;
  if (c.submit < 0) missing.push_back("submit_time_s");
  if (c.gpus < 0) missing.push_back("gpus");
  if (c.duration < 0) missing.push_back("duration_s");
  if (!missing.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        origin, ":1: the header lacks the column(s) ", absl::StrJoin(missing, ", "),
        "; a job trace's header names submit_time_s, gpus, duration_s (required) and job_id, "
        "user, priority, status (optional), in any order (docs/JOB_TRACES.md)"));
  }
  return c;
}

}  // namespace

absl::StatusOr<std::vector<JobTraceRow>> ParseJobTrace(const std::string& text,
                                                       const std::string& origin, int64_t limit) {
  std::istringstream in(text);
  std::string line;
  int64_t line_no = 0;
  Columns cols;
  size_t width = 0;
  bool have_header = false;
  std::vector<JobTraceRow> jobs;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    const std::string shown = line.size() > 120 ? line.substr(0, 120) + "..." : line;
    if (line.find('"') != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          origin, ":", line_no, ": a quoted field in '", shown,
          "'; job traces are plain CSV without quoting (convert with docs/JOB_TRACES.md)"));
    }
    std::vector<std::string> fields = absl::StrSplit(line, ',');
    if (!have_header) {
      auto c = ReadHeader(fields, origin);
      if (!c.ok()) return c.status();
      cols = *c;
      width = fields.size();
      have_header = true;
      continue;
    }
    auto bad = [&](absl::string_view column, absl::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(origin, ":", line_no, ": ", column, ": ", why,
                                                     " in '", shown,
                                                     "' (the trace is rejected whole)"));
    };
    if (fields.size() != width) {
      return bad("row", absl::StrCat("expected ", width, " columns (as the header), got ",
                                     fields.size()));
    }
    auto field = [&](int i) { return absl::StripAsciiWhitespace(fields[i]); };
    JobTraceRow j;
    j.line = line_no;
    if (!absl::SimpleAtod(field(cols.submit), &j.submit_s) || !std::isfinite(j.submit_s) ||
        j.submit_s < 0 || j.submit_s > kMaxSeconds) {
      return bad("submit_time_s", "must be a number of seconds in [0, 3.15576e9]");
    }
    int64_t gpus = 0;
    if (!absl::SimpleAtoi(field(cols.gpus), &gpus) || gpus < 1 || gpus > kMaxGpus) {
      return bad("gpus", "must be an integer in [1, 16777216]");
    }
    j.gpus = static_cast<int>(gpus);
    if (!absl::SimpleAtod(field(cols.duration), &j.duration_s) || !std::isfinite(j.duration_s) ||
        !(j.duration_s > 0) || j.duration_s > kMaxSeconds) {
      return bad("duration_s", "must be a number of seconds in (0, 3.15576e9]");
    }
    if (cols.priority >= 0 && !field(cols.priority).empty() &&
        (!absl::SimpleAtoi(field(cols.priority), &j.priority) || j.priority < -1000000 ||
         j.priority > 1000000)) {
      return bad("priority", "must be an integer in [-1000000, 1000000]");
    }
    j.job_id = cols.id >= 0 ? std::string(field(cols.id)) : "";
    if (j.job_id.empty()) j.job_id = absl::StrCat("line ", line_no);
    if (cols.user >= 0) j.user = std::string(field(cols.user));
    if (cols.status >= 0) j.status = std::string(field(cols.status));
    jobs.push_back(std::move(j));
    if (static_cast<int64_t>(jobs.size()) > kMaxJobs) {
      return bad("row", absl::StrCat("more than ", kMaxJobs, " jobs"));
    }
    if (limit > 0 && static_cast<int64_t>(jobs.size()) >= limit) break;
  }
  if (!have_header) {
    return absl::InvalidArgumentError(absl::StrCat(
        origin, ": empty; a job trace starts with a header naming submit_time_s, gpus, "
                "duration_s"));
  }
  if (jobs.empty()) return absl::InvalidArgumentError(absl::StrCat(origin, ": no jobs"));
  std::stable_sort(jobs.begin(), jobs.end(), [](const JobTraceRow& a, const JobTraceRow& b) {
    return a.submit_s < b.submit_s;
  });
  const double origin_s = jobs.front().submit_s;
  for (JobTraceRow& j : jobs) j.submit_s -= origin_s;
  return jobs;
}

absl::StatusOr<std::vector<JobTraceRow>> LoadJobTrace(const std::string& path, int64_t limit) {
  absl::StatusOr<std::string> text = ReadSmallFile(path, "job trace", int64_t{256} << 20);
  if (!text.ok()) return text.status();
  return ParseJobTrace(*text, path, limit);
}

}  // namespace mlsysim
