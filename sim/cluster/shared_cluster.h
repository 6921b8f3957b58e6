// shared_cluster.h — one engine for a cluster that several training jobs
// share: jobs arrive (a trace), wait for a scheduler (FIFO or EASY
// backfilling) and a placement (placement.h), and run on their nodes; their
// steps meet on the fabric. Each multi-node job's step is the training-step
// model (training_step.h) on its actual nodes; jobs whose placements may
// share a link (PlacementsMayShareLinks) are simulated together, one step
// of each on one fabric (SimulateTrainingStepsTogether), every time a job in
// their group starts or stops; a job whose links are its own keeps the step
// it has alone on its nodes (the fast path). A job's work is its trace
// duration at its reference step (alone, on consecutive nodes of an idle
// fabric); it progresses at reference step / current step, so its run
// stretches by where it was placed (placement slowdown) and by whom it met
// (contention slowdown). The steps of a group start in phase: for jobs of
// similar step times, the most their gradient syncs can overlap.
//
// With contention off, or no job crossing a shared link, and whole-node
// jobs, waits equal the GPU-count scheduler's (cluster_scheduler.h) on the
// same trace.
// Usage: absl::StatusOr<SharedClusterResult> r = SimulateSharedCluster(config);
#ifndef MLSYSIM_SIM_CLUSTER_SHARED_CLUSTER_H_
#define MLSYSIM_SIM_CLUSTER_SHARED_CLUSTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/cluster/placement.h"
#include "sim/queueing/cluster_scheduler.h"
#include "sim/serving/serving_sim.h"
#include "sim/training/training_step.h"

namespace mlsysim {

struct SharedJob {
  double submit_s = 0, duration_s = 0;  // duration: the work, at the reference step
  int gpus = 1;
};

// A serving fleet on a block of the cluster's nodes whose idle replicas'
// nodes training jobs may borrow (elastic sharing). Replica r holds nodes
// first_node + r·nodes_per_replica … + nodes_per_replica − 1. `demand` is
// the autoscaler's: from each time on, this many replicas are wanted. When
// it falls, the last replicas' nodes are lent to the queue at once (their
// requests drain; ignored); when it rises, free block nodes serve at once,
// and a borrowed replica's jobs are preempted: each resumes from its last
// checkpoint (work since it, at checkpoint_interval_s of work, is lost),
// pays restart_s, and queues at the head; the replica serves reclaim_s
// later. Not elastic: the fleet holds its whole block for the whole run
// (the static split).
struct ElasticServing {
  int first_node = 0, nodes_per_replica = 1, replicas = 0;
  std::vector<std::pair<double, int>> demand;  // (time s, replicas wanted), by time
  bool elastic = true;
  double reclaim_s = 60, checkpoint_interval_s = 1800, restart_s = 600;
  // With the fleet simulated on the same engine (a ServingFleet): a
  // target-tracking autoscaler instead of `demand`. Every interval it wants
  // ceil(requests that arrived in the last interval / (interval × target ×
  // capacity_qps)) replicas, 1…replicas (all of them at the start), until
  // the last request has arrived: reactive, one interval behind the load.
  double autoscale_interval_s = 0, autoscale_target = 0.7, capacity_qps = 0;
};

struct SharedClusterConfig {
  ClusterShape shape;
  std::vector<SharedJob> jobs;  // sorted by submission
  SchedulerPolicy policy = SchedulerPolicy::kFifo;  // fifo | backfill
  PlacementPolicy placement = PlacementPolicy::kTopologyAware;
  bool contention = true;  // false: every job steps as alone on its nodes
  // A multi-node job's step: this config with the job's nodes, TP = min(tp,
  // GPUs per node), DP over the rest, global batch = batch_per_replica × DP.
  TrainingStepConfig step;
  int batch_per_replica = 1;
  // Whether any step is simulated at all (false: jobs progress at rate 1;
  // the scheduler and placement alone).
  bool network = true;
  ElasticServing serving;  // replicas 0: no serving fleet
};

struct SharedJobOutcome {
  double submit_s = 0, start_s = 0, end_s = 0;
  int gpus = 0;
  std::vector<int> nodes;
  double reference_step_s = 0;  // alone, consecutive nodes (0: one node, no fabric)
  double placed_step_s = 0;     // alone on its nodes
  double worst_step_s = 0;      // the slowest step it had with neighbours
  int retimed = 0;              // times its step was re-simulated with neighbours
  struct Run {
    double start_s = 0, end_s = 0;
    std::vector<int> nodes;
  };
  std::vector<Run> runs;        // where and when it ran (one per start)
  int preemptions = 0;          // by the serving fleet taking its nodes back
  double lost_work_s = 0;       // work redone after preemptions (since checkpoints)
};

struct SharedClusterResult {
  std::vector<SharedJobOutcome> jobs;  // in trace order
  double makespan_s = 0, utilization = 0;
  int64_t step_simulations = 0;  // joint simulations run (the fast path skips them)
  // Busy GPUs over time: (time, GPUs in use) at each change.
  std::vector<std::pair<double, int>> busy_gpus;
  // The serving fleet: replicas serving over time (time, count) at each
  // change; GPU-seconds training ran on the fleet's nodes; preemptions.
  std::vector<std::pair<double, int>> serving_replicas;
  double lent_gpu_s = 0;
  int64_t preemptions = 0;
  uint64_t events = 0, fingerprint = 0;
};

// The jobs (sizes, durations, sorted submissions), the policy, the fleet's
// block of nodes and its demand schedule, against the cluster; the error names
// what is wrong (shared_cluster_check.cc).
absl::Status CheckSharedClusterConfig(const SharedClusterConfig& config);

absl::StatusOr<SharedClusterResult> SimulateSharedCluster(const SharedClusterConfig& config);
// The same on `sim`, with the serving fleet's requests simulated there too
// (created on `sim`; one engine for the cluster): the replicas in service
// are the fleet's as they change, and `fleet->Finish()` gives its result.
absl::StatusOr<SharedClusterResult> SimulateSharedCluster(const SharedClusterConfig& config,
                                                          Simulator* sim, ServingFleet* fleet);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_CLUSTER_SHARED_CLUSTER_H_
