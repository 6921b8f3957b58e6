// sweep_output.h — what `mlsysim sweep` writes: the rows (sweep.Row) as a CSV
// and JSON lines, rewritten whole after each batch (temporary file + rename);
// the rows read back from a previous CSV (--resume); and the summary (text,
// JSON, and the --report document).
// Usage: absl::Status st = WriteSweepRows(sweep, rows, "out.csv", "");
#ifndef MLSYSIM_CLI_SWEEP_OUTPUT_H_
#define MLSYSIM_CLI_SWEEP_OUTPUT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "cli/commands.h"
#include "proto/sweep.pb.h"
#include "sim/scenario/sweep_runner.h"

namespace mlsysim {

// The CSV (`csv`, one column per axis, then status, meets_constraints, error
// and every metric any row has) and JSON lines (`jsonl`); "" skips either.
absl::Status WriteSweepRows(const sweep::Sweep& s, const std::map<int64_t, SweepRow>& rows,
                            const std::string& csv, const std::string& jsonl);

// Rows already in a previous run's CSV (--resume); they must be this sweep's.
absl::Status ReadSweepRows(const sweep::Sweep& s, const std::vector<SweepPoint>& points,
                           const std::string& csv, std::map<int64_t, SweepRow>* rows);

// "#3 serving.qps=200 training.tp=8".
std::string PointText(const sweep::Sweep& s, const SweepRow& row);

// The --report document: the sweep, its constraints and objectives, the best,
// tied and Pareto points, and every row.
std::string SweepReportJson(const sweep::Sweep& s, const SweepSummary& sum,
                            const std::map<int64_t, SweepRow>& rows);

// How the run went, for the summary line.
struct SweepRun {
  int64_t points = 0;  // in the sweep
  int64_t todo = 0;    // run now (the rest were resumed)
  int jobs = 1;
  std::string workers;  // "2 workers", "3 MPI worker ranks"
  double seconds = 0;
};

// The summary: counts, the best point (and what it cannot be told from), the
// Pareto front; text or JSON by the context's format.
void PrintSweepSummary(const CommandContext& ctx, const sweep::Sweep& s, const SweepSummary& sum,
                       std::map<int64_t, SweepRow>& rows, const SweepRun& run);

}  // namespace mlsysim

#endif  // MLSYSIM_CLI_SWEEP_OUTPUT_H_
