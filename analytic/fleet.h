// fleet.h — fleet-level walls: DistributedModel (14), ReliabilityModel (15),
// OrchestrationModel (16), TopologyModel (10), NetworkRooflineModel, and the
// ParallelismOptimizer. mlsysim v0.1.1 formulas (contract §2, §11.6–11.7, §11.10–11.13).
// Usage: absl::StatusOr<DistributedResult> r = SolveDistributed(model, fleet, {.tp_size = 8});
#ifndef MLSYSIM_ANALYTIC_FLEET_H_
#define MLSYSIM_ANALYTIC_FLEET_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analytic/roofline_engine.h"
#include "analytic/specs.h"

namespace mlsysim {

struct DistributedOptions {
  int batch_size = 1;
  std::string precision = "fp16";
  double efficiency = 0.5;
  int tp_size = 1, pp_size = 1, ep_size = 1, v_stages = 1, microbatch_count = 1;
  int zero_stage = 0;
  bool is_lora = false;
  bool activation_recomputation = false;
  bool overlap_comm = false;
  double overlap_efficiency = 0.85;
  double congestion_factor = 1.0;
  double straggler_factor = 1.0;
  int gradient_accumulation_steps = 1;
  int seq_len = 2048;
};

struct DistributedResult {
  EngineResult node_profile;
  double dp_communication_latency_s = 0, tp_communication_latency_s = 0;
  double ep_communication_latency_s = 0, communication_latency_s = 0;
  double pipeline_bubble_latency_s = 0, bubble_fraction = 0;
  double step_latency_total_s = 0, scaling_efficiency = 0, effective_throughput = 0;
  int dp = 1, tp = 1, pp = 1, ep = 1;
};
absl::StatusOr<DistributedResult> SolveDistributed(const ModelSpec& model, const FleetSpec& fleet,
                                                   const DistributedOptions& o);

// NetworkRooflineModel: compute vs. gradient-sync time across the fleet.
absl::StatusOr<EngineResult> SolveNetworkRoofline(const ModelSpec& model, const FleetSpec& fleet,
                                                  const std::string& precision, double eta);

struct ReliabilityResult {
  double fleet_mtbf_s = 0, failure_probability = 0, optimal_checkpoint_interval_s = 0;
  double expected_failures = 0, goodput_ratio = 0;
};
double NodeMtbfHours(const NodeSpec& node);
absl::StatusOr<ReliabilityResult> SolveReliability(const FleetSpec& fleet,
                                                   double job_duration_hours,
                                                   double checkpoint_time_s = 60,
                                                   double avg_recovery_time_s = 300);

struct OrchestrationResult {
  double cluster_utilization = 0, avg_wait_time_days = 0, avg_queue_length = 0;
  bool is_stable = false;
};
absl::StatusOr<OrchestrationResult> SolveOrchestration(double arrival_rate_jobs_per_day,
                                                       double avg_job_duration_days);

struct TopologyResult {
  double effective_bw = 0, bisection_bw = 0, bisection_bw_fraction = 0, hops_avg = 0;
  std::string topology;
  int num_nodes = 0;
};
absl::StatusOr<TopologyResult> SolveTopology(const FabricSpec& fabric, const std::string& topology,
                                             int num_nodes);

struct ParallelismCandidate {
  int tp = 1, pp = 1, dp = 1;
  double mfu = 0, step_time_s = 0, throughput = 0;
};
struct ParallelismResult {
  ParallelismCandidate best;
  int total_searched = 0;
  std::vector<ParallelismCandidate> top_candidates;  // up to 5, by mfu descending
};
struct ParallelismSearch {
  int batch_size = 1;
  std::string precision = "fp16";
  double efficiency = 0.5;
  int max_tp = 0;  // 0 = accelerators per node
  int max_pp = 0;  // 0 = all accelerators
  bool overlap_comm = true;
};
absl::StatusOr<ParallelismResult> OptimizeParallelism(const ModelSpec& model,
                                                      const FleetSpec& fleet,
                                                      const ParallelismSearch& search);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_FLEET_H_
