// job_trace.h — the reader of cluster job traces: a CSV whose header names
// its columns, in any order, by the names the public cluster traces share
// once converted (docs/JOB_TRACES.md has the converters for Microsoft Philly,
// Shanghai AI Lab's Helios and Alibaba PAI):
//   submit_time_s  required  seconds, >= 0 (any origin; made relative to the
//                            earliest submission)
//   gpus           required  an integer >= 1
//   duration_s     required  seconds > 0: the run time the job had alone
//   job_id, user, priority (an integer), status   optional
// Other columns are ignored. Rows may come in any order; jobs are sorted by
// submission (ties keep file order). Any bad row rejects the trace whole,
// naming the file, the line and the column. CRLF accepted; no quoting (a
// field with a quote character is refused, by name).
// Usage: absl::StatusOr<std::vector<JobTraceRow>> jobs = LoadJobTrace("philly.csv");
#ifndef MLSYSIM_TRACES_JOB_TRACE_H_
#define MLSYSIM_TRACES_JOB_TRACE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mlsysim {

struct JobTraceRow {
  double submit_s = 0;    // relative to the earliest submission
  int gpus = 1;
  double duration_s = 0;  // alone, without contention or preemption
  int priority = 0;
  std::string job_id;     // the file's, or "line N" when the trace has none
  std::string user, status;
  int64_t line = 0;       // where it came from, for messages
};

// The trace in `text`; `origin` names it in messages. At most `limit` jobs
// (0: all), taken in file order before sorting.
absl::StatusOr<std::vector<JobTraceRow>> ParseJobTrace(const std::string& text,
                                                       const std::string& origin,
                                                       int64_t limit = 0);
// A file; a directory, FIFO, unreadable or oversized (> 256 MiB) path is
// refused by name.
absl::StatusOr<std::vector<JobTraceRow>> LoadJobTrace(const std::string& path, int64_t limit = 0);

}  // namespace mlsysim

#endif  // MLSYSIM_TRACES_JOB_TRACE_H_
