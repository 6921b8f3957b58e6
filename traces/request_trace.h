// request_trace.h — the reader of serving request traces in the Azure LLM
// inference trace layout: a required header TIMESTAMP,ContextTokens,
// GeneratedTokens (or time/input/output names), CRLF accepted, timestamps as
// seconds or date-times, non-negative and non-decreasing; any bad row
// rejects the trace whole, naming the line. Arrivals are relative to the
// first row, multiplied by `time_scale`; at most `limit` rows (0: all).
// Usage: auto rows = LoadRequestTrace("azure.csv");
#ifndef MLSYSIM_TRACES_REQUEST_TRACE_H_
#define MLSYSIM_TRACES_REQUEST_TRACE_H_

#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mlsysim {

struct RequestTraceRow {
  double arrival_s;
  int input_tokens, output_tokens;
};

absl::StatusOr<std::vector<RequestTraceRow>> ReadRequestTrace(std::istream& in,
                                                              const std::string& origin,
                                                              double time_scale = 1.0,
                                                              int64_t limit = 0);
// The same from text already in memory; `origin` names it in messages.
absl::StatusOr<std::vector<RequestTraceRow>> ParseRequestTrace(const std::string& text,
                                                               const std::string& origin,
                                                               double time_scale = 1.0,
                                                               int64_t limit = 0);
// A file; a directory, FIFO or unreadable path is refused by name.
absl::StatusOr<std::vector<RequestTraceRow>> LoadRequestTrace(const std::string& path,
                                                              double time_scale = 1.0,
                                                              int64_t limit = 0);

}  // namespace mlsysim

#endif  // MLSYSIM_TRACES_REQUEST_TRACE_H_
