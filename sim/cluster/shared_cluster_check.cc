// shared_cluster_check.cc — a shared cluster's configuration checked before
// the engine runs (see shared_cluster.h).
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "sim/cluster/shared_cluster.h"

namespace mlsysim {

absl::Status CheckSharedClusterConfig(const SharedClusterConfig& c) {
  if (c.jobs.empty()) return absl::InvalidArgumentError("jobs: no jobs");
  if (c.policy == SchedulerPolicy::kPriority) {
    return absl::InvalidArgumentError(
        "job_queue.policy: a shared cluster schedules fifo or backfill (priority with "
        "preemption is the GPU-count scheduler's)");
  }
  const int total = c.shape.nodes * c.shape.gpus_per_node;
  for (size_t i = 0; i < c.jobs.size(); ++i) {
    const SharedJob& j = c.jobs[i];
    if (j.gpus < 1 || j.gpus > total || !(j.duration_s > 0) || !(j.submit_s >= 0) ||
        (i > 0 && j.submit_s < c.jobs[i - 1].submit_s)) {
      return absl::InvalidArgumentError(
          absl::StrCat("jobs: job ", i, " (", j.gpus, " GPUs, ", j.duration_s, " s, submitted at ",
                       j.submit_s, " s) cannot run on ", total,
                       " GPUs (sizes 1…the cluster, durations > 0, submissions sorted)"));
    }
  }
  const ElasticServing& f = c.serving;
  if (f.replicas > 0) {
    const int block = f.replicas * f.nodes_per_replica;
    if (f.nodes_per_replica < 1 || f.first_node < 0 || f.first_node + block > c.shape.nodes) {
      return absl::InvalidArgumentError(absl::StrCat(
          "serving: ", f.replicas, " replicas of ", f.nodes_per_replica, " node(s) from node ",
          f.first_node, " do not fit the cluster's ", c.shape.nodes, " nodes"));
    }
    const int training = total - block * c.shape.gpus_per_node;
    for (const SharedJob& j : c.jobs) {
      if (!f.elastic && j.gpus > training) {  // it would wait for ever
        return absl::InvalidArgumentError(
            absl::StrCat("jobs: a job of ", j.gpus, " GPUs cannot run beside the serving fleet (",
                         training, " GPUs are training's own)"));
      }
    }
    for (size_t i = 0; i < f.demand.size(); ++i) {
      if (f.demand[i].second < 0 || f.demand[i].second > f.replicas ||
          (i > 0 && f.demand[i].first < f.demand[i - 1].first) || !(f.demand[i].first >= 0)) {
        return absl::InvalidArgumentError(
            "serving: the demand schedule must be sorted by time, 0…replicas replicas");
      }
    }
  }
  if (c.network && c.batch_per_replica < 1) {
    return absl::InvalidArgumentError("jobs: the batch per replica must be >= 1");
  }
  return absl::OkStatus();
}

}  // namespace mlsysim
