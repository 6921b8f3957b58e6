// jobs_config.h — a `job_queue {}` workload resolved (jobs_runner.cc): the
// GPU-count scheduler's config (the Poisson stream or a replayed trace),
// the policy, the closed forms' inputs. The shared-cluster runner
// (shared_cluster_runner.cc) starts from the same resolution.
// Usage: auto r = ResolveJobs(scenario, gpus, rc.input_dir);  // r->c, r->rows
#ifndef MLSYSIM_SIM_SCENARIO_JOBS_CONFIG_H_
#define MLSYSIM_SIM_SCENARIO_JOBS_CONFIG_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "proto/scenario.pb.h"
#include "sim/queueing/cluster_scheduler.h"
#include "traces/job_trace.h"
#include "workloads/distributions.h"

namespace mlsysim {

// A `job_queue {}` workload resolved for `gpus` GPUs.
struct ResolvedJobs {
  ClusterJobsConfig c;
  std::string trace_path;         // non-empty: a replayed job trace
  std::vector<JobTraceRow> rows;  // its jobs, in seconds, by submission
  std::string policy_name;
  double per_day = 0, hours = 0, rho = 0;
  DurationDistribution duration;
  std::vector<int> sizes;
  int reps = 1;
};

// `dir` anchors a relative job_queue.job_trace.
absl::StatusOr<ResolvedJobs> ResolveJobs(const scenario::Scenario& s, int gpus,
                                         const std::string& dir);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SCENARIO_JOBS_CONFIG_H_
