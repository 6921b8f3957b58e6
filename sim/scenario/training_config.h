// training_config.h — a training scenario resolved once (issue 19): the
// registry entries looked up, closed vocabularies turned into the models'
// enums, quantities parsed, defaults applied (resolve.h) and everything
// checked, each error naming the scenario field. What the runner and the
// models take; nothing below re-validates user input.
//
// Usage:
//   auto t = ResolveTraining(scenario, "name", registry);  // t->step, t->checkpoint, t->causes
//   auto r = RunResolvedTraining(*t, run_context);
#ifndef MLSYSIM_SIM_SCENARIO_TRAINING_CONFIG_H_
#define MLSYSIM_SIM_SCENARIO_TRAINING_CONFIG_H_

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analytic/specs.h"
#include "proto/result.pb.h"
#include "proto/scenario.pb.h"
#include "sim/scenario/run_context.h"
#include "sim/training/training_step.h"
#include "topology/registry.h"
#include "workloads/failure_presets.h"

namespace mlsysim {

// When checkpoints are written and what they cost.
struct TrainingCheckpointPlan {
  std::string policy = "none";  // none | young | daly | the interval as written
  double interval_s = 0;        // 0: no checkpoints
  double bytes = 0;             // 14 B/parameter (mixed-precision Adam)
  double write_s = 0;           // bytes / storage bandwidth
  double young_s = 0, daly_s = 0;
  bool async = false;
};

struct ResolvedTraining {
  std::string name;
  ModelSpec model;
  FleetSpec fleet;  // node, node count, fabric, region
  GridSpec grid;
  TrainingStepConfig step;  // the detailed step, every field set
  // Failures over the run.
  std::string failures = "none";  // preset name
  double weibull_shape = 0;       // 0: exponential
  bool fresh_fleet = false;
  std::vector<FailureCause> causes;
  double failure_rate_per_hour = 0;
  double mtbf_s = std::numeric_limits<double>::infinity();
  double detection_s = 30, restart_s = 600, reschedule_s = 60;
  double restart_total_s() const { return detection_s + restart_s + reschedule_s; }
  int spare_nodes = 0;
  TrainingCheckpointPlan checkpoint;
  double days = 0;
  double duration_s() const { return days * 86400.0; }
  uint64_t seed = 1;
  int replications = 1;
  // Outputs.
  std::string trace_file, events_csv, export_chakra;
  int64_t trace_max_events = 2000000;
  int gpus() const { return fleet.TotalAccelerators(); }
};

absl::StatusOr<ResolvedTraining> ResolveTraining(const scenario::Scenario& s,
                                                 const std::string& name, const Registry& registry);

// Writes every default the training run would apply into the scenario's
// unset fields (seed, replications, the cluster's topology, routing, machine
// and region, the step's shapes and schedule, failures, checkpoints): the
// same run, every choice stated (`--dump-scenario --full`).
absl::Status FillTrainingDefaults(const Registry& registry, scenario::Scenario* s);

// The run: one step in detail, the failure replications, the closed forms
// beside every figure, energy, and the outputs (training_runner.cc). The
// Result's scenario echo is left to the caller.
absl::StatusOr<result::Result> RunResolvedTraining(const ResolvedTraining& t, const RunContext& rc);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SCENARIO_TRAINING_CONFIG_H_
