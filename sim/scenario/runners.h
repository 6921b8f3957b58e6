// runners.h — the scenario layer: runs a validated Scenario and returns its
// Result (proto/result.proto) — replications with independent streams,
// confidence intervals, the closed forms beside each figure, checkpoint
// policy, energy and carbon, and the output files the scenario asks for.
// The CLI only turns flags into a Scenario and prints the Result.
// Errors: InvalidArgument (bad input) or FailedPrecondition (physically
// infeasible), the message naming the scenario field.
// Usage: absl::StatusOr<result::Result> r = RunScenario(s, "scenarios/", rc);
#ifndef MLSYSIM_SIM_SCENARIO_RUNNERS_H_
#define MLSYSIM_SIM_SCENARIO_RUNNERS_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "proto/result.pb.h"
#include "proto/scenario.pb.h"
#include "sim/scenario/run_context.h"
#include "sim/serving/serving_sim.h"
#include "topology/registry.h"
#include "workloads/distributions.h"

namespace mlsysim {

// Any scenario: its workload decides the form. `dir` (ending in '/', or "")
// anchors the scenario's relative input paths (registry, request trace,
// Chakra files); output paths are relative to the working directory.
absl::StatusOr<result::Result> RunScenario(const scenario::Scenario& s, const std::string& dir,
                                           const RunContext& rc);

absl::StatusOr<result::Result> RunTraining(const scenario::Scenario& s, const std::string& name,
                                           const RunContext& rc);
absl::StatusOr<result::Result> RunServing(const scenario::Scenario& s, const std::string& dir,
                                          const RunContext& rc);
absl::StatusOr<result::Result> RunQueue(const scenario::Scenario& s, const RunContext& rc);
absl::StatusOr<result::Result> RunJobs(const scenario::Scenario& s, const RunContext& rc);
// A job queue with job_queue.placement: the trace's jobs share the cluster's
// fabric (RunJobs calls it).
absl::StatusOr<result::Result> RunSharedClusterJobs(const scenario::Scenario& s,
                                                    const RunContext& rc);
absl::StatusOr<result::Result> RunCollective(const scenario::Scenario& s, const RunContext& rc);
absl::StatusOr<result::Result> RunChakra(const scenario::Scenario& s, const std::string& dir,
                                         const RunContext& rc);

// Writes the defaults the run would apply into the scenario's unset fields
// (`--dump-scenario --full`): every one for training, serving, queue and job
// queue scenarios (true); for collective and Chakra scenarios nothing yet
// (false).
absl::StatusOr<bool> FillScenarioDefaults(const std::string& dir, const RunContext& rc,
                                          scenario::Scenario* s);
absl::Status FillServingDefaults(const std::string& dir, const Registry& registry,
                                 scenario::Scenario* s);
absl::Status FillQueueDefaults(scenario::Scenario* s);
absl::Status FillJobsDefaults(const RunContext& rc, scenario::Scenario* s);
absl::Status FillSharedClusterDefaults(const RunContext& rc, scenario::Scenario* s);

// How a serving part's replications are simulated: SimulateServing, or a
// fleet on an engine it shares (the shared cluster's).
using ServingSimulateFn = std::function<absl::StatusOr<ServingRunResult>(
    const ServingConfig&, const std::vector<Request>&)>;

// The parts of a serving + job-queue scenario (into *out).
absl::Status RunServingPart(const scenario::Scenario& s, const std::string& dir,
                            const RunContext& rc, result::Result* out,
                            const ServingSimulateFn* simulate = nullptr);

// What an autoscaler needs to know of the scenario's serving fleet.
struct ServingFleetPlan {
  int replicas = 1, tp = 1;
  bool from_trace = false, tenants = false, disaggregated = false;
  ArrivalProcess arrivals;    // its rate over time (for `mean_qps`)
  double mean_qps = 0;
  double horizon_s = 0;       // requests / qps
  double capacity_qps = 0;    // one replica's sustained throughput
};
absl::StatusOr<ServingFleetPlan> PlanServingFleet(const scenario::Scenario& s,
                                                  const std::string& dir, const Registry& reg);
absl::Status RunJobQueue(const scenario::Scenario& s, int gpus, const RunContext& rc,
                         result::Result* out);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SCENARIO_RUNNERS_H_
