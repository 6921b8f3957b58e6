// request_stream.cc — synthetic request streams and trace replay (see request_stream.h).
#include "workloads/request_stream.h"

#include "traces/request_trace.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mlsysim {

std::vector<Request> MergeStreams(std::vector<std::vector<Request>> streams) {
  std::vector<Request> all;
  for (size_t t = 0; t < streams.size(); ++t) {
    for (Request& r : streams[t]) {
      r.tenant = static_cast<int>(t);
      all.push_back(r);
    }
  }
  std::stable_sort(all.begin(), all.end(),
                   [](const Request& a, const Request& b) { return a.arrival_s < b.arrival_s; });
  return all;
}

namespace {

std::vector<Request> ToRequests(const std::vector<RequestTraceRow>& rows) {
  std::vector<Request> reqs;
  reqs.reserve(rows.size());
  for (const RequestTraceRow& r : rows)
    reqs.push_back({r.arrival_s, r.input_tokens, r.output_tokens});
  return reqs;
}

}  // namespace

absl::StatusOr<std::vector<Request>> LoadTrace(const std::string& path, double time_scale,
                                               int64_t limit) {
  auto rows = LoadRequestTrace(path, time_scale, limit);
  if (!rows.ok()) return rows.status();
  return ToRequests(*rows);
}

absl::StatusOr<std::vector<Request>> ParseTrace(const std::string& text, const std::string& origin,
                                                double time_scale, int64_t limit) {
  auto rows = ParseRequestTrace(text, origin, time_scale, limit);
  if (!rows.ok()) return rows.status();
  return ToRequests(*rows);
}

}  // namespace mlsysim
