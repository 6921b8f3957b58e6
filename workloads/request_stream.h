// request_stream.h — LLM requests for the serving simulator: synthetic streams
// (an arrival process and input/output length distributions) and trace replay
// from CSV with the column layout of the public Azure LLM inference traces
// (TIMESTAMP, ContextTokens, GeneratedTokens; a header row; timestamps as
// seconds or as "YYYY-MM-DD HH:MM:SS[.ffffff]"). A trace with any bad row is
// rejected whole, naming the line.
// Usage: auto reqs = LoadTrace("azure_sample.csv"); auto merged = MergeStreams({*reqs});
#ifndef MLSYSIM_WORKLOADS_REQUEST_STREAM_H_
#define MLSYSIM_WORKLOADS_REQUEST_STREAM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "workloads/distributions.h"

namespace mlsysim {

struct Request {
  double arrival_s = 0;
  int input_tokens = 1;
  int output_tokens = 1;
  int tenant = 0;
};

// Merges per-tenant streams by arrival time (stable: ties keep tenant order).
std::vector<Request> MergeStreams(std::vector<std::vector<Request>> streams);

// Synthetic streams are drawn by GenerateRequests (sim/core/sampling.h).
// Reads a trace; arrival times are made relative to the first row and scaled
// by `time_scale` (< 1 replays faster). At most `limit` rows (0: all).
// The same from text already in memory; `origin` names it in messages.
absl::StatusOr<std::vector<Request>> ParseTrace(const std::string& text, const std::string& origin,
                                                double time_scale = 1.0, int64_t limit = 0);
absl::StatusOr<std::vector<Request>> LoadTrace(const std::string& path, double time_scale = 1.0,
                                               int64_t limit = 0);

}  // namespace mlsysim

#endif  // MLSYSIM_WORKLOADS_REQUEST_STREAM_H_
