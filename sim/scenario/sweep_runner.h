// sweep_runner.h — runs a sweep's points on a thread pool and judges them:
// each point's Result flattened to numbers (metrics: simulated, else the
// closed form; numeric facts), its constraints, the Pareto front of the
// feasible points over the objectives, and the best point (first objective).
// A point that fails is recorded with its error (infeasible: exit-2 kind;
// error: bad input) and the sweep goes on.
// Usage: RunSweepPoints(sweep, points, todo, /*jobs=*/2, dir, rc, on_done, &stop);
#ifndef MLSYSIM_SIM_SCENARIO_SWEEP_RUNNER_H_
#define MLSYSIM_SIM_SCENARIO_SWEEP_RUNNER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "proto/result.pb.h"
#include "proto/sweep.pb.h"
#include "sim/scenario/run_context.h"
#include "sim/scenario/sweep_points.h"

namespace mlsysim {

// One point's outcome (proto/sweep.proto: every output, the MPI transfer
// and --resume use the message).
using SweepRow = sweep::Row;

// The numbers of a Result by name: each metric (simulated, else analytic),
// then numeric facts; sections and parts included (a part's names are
// prefixed with its form, "jobs.wait_mean_h").
void FlattenResult(const result::Result& r, SweepRow* row);

// A row's value by name; NaN when it has none.
double RowValue(const SweepRow& row, const std::string& name);

// Sets row.feasible from the sweep's constraints ("ok" rows only).
void JudgeRow(const sweep::Sweep& s, SweepRow* row);

SweepRow RunSweepPoint(const sweep::Sweep& s, const SweepPoint& point, int64_t index,
                       const std::string& dir, const RunContext& rc);

// Runs the points listed in `todo` with `jobs` worker threads, each with
// `run_point(index)`; `on_done` is called (serialized) as each finishes;
// `stop` (may be null) ends the sweep after the points in flight.
void RunSweepPoints(const std::vector<int64_t>& todo, int jobs,
                    const std::function<SweepRow(int64_t)>& run_point,
                    const std::function<void(SweepRow)>& on_done, const std::atomic<bool>* stop);

struct SweepSummary {
  int64_t ok = 0, feasible = 0, infeasible = 0, errors = 0;
  std::vector<int64_t> pareto;  // indices of the non-dominated feasible points
  int64_t best = -1;  // best on the first objective (ties: the next ones), always on the front
  // Feasible points the first objective cannot tell from the best: the same
  // value, or 95 % CIs that overlap (|a − b| <= ci_a + ci_b).
  std::vector<int64_t> tied;
  bool tied_by_noise = false;  // some tie is within the noise, not an equal value
};
SweepSummary Summarize(const sweep::Sweep& s, const std::vector<SweepRow>& rows);

// The objective's value of a row (NaN when a metric is missing), and its 95 %
// half-width (0 without replications; scaled by `per` when there is one).
double ObjectiveValue(const sweep::Objective& o, const SweepRow& row);
double ObjectiveCi(const sweep::Objective& o, const SweepRow& row);
// The unit a metric's name states (…_s seconds, …_usd USD, …_j J, …_kwh kWh,
// …_bytes B, …_h hours, …_g grams), "" otherwise.
std::string UnitOfMetricName(const std::string& name);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SCENARIO_SWEEP_RUNNER_H_
