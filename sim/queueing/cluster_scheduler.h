// cluster_scheduler.h — a GPU cluster shared by batch and training jobs: jobs
// arrive as a stream, ask for a number of GPUs for a duration, and wait for a
// scheduler: FIFO (strict head of line), EASY backfilling (a later job may
// jump ahead if it does not delay the head job's reservation), or priority
// with preemption (a higher-priority job evicts the lowest-priority, most
// recently started jobs; they re-queue with their remaining work plus a
// restart penalty). Produces queueing-delay distributions per job class, to
// set beside mlsysim's OrchestrationModel (which treats the cluster as one
// server: Wq = ρ / (2μ(1 − ρ)), the M/D/1 mean). Jobs come from the Poisson
// stream of `classes`, or, replayed, from a job trace (`trace`: submit
// times, sizes, durations and priorities as recorded; no randomness).
// Usage: absl::StatusOr<ClusterJobsResult> r = SimulateClusterJobs(config);
#ifndef MLSYSIM_SIM_QUEUEING_CLUSTER_SCHEDULER_H_
#define MLSYSIM_SIM_QUEUEING_CLUSTER_SCHEDULER_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "workloads/distributions.h"

namespace mlsysim {

enum class SchedulerPolicy { kFifo, kBackfill, kPriority };
absl::StatusOr<SchedulerPolicy> ParseSchedulerPolicy(const std::string& name);

struct JobClass {
  std::string name;
  double share = 1.0;             // probability that an arriving job is of this class
  int priority = 0;               // larger runs first (priority policy)
  std::vector<int> gpu_sizes;     // drawn uniformly
  DurationDistribution duration;  // hours
};

// One job of a replayed trace (traces/job_trace.h gives them from a file).
struct TraceJob {
  double submit_h = 0, duration_h = 0;  // duration: alone, unpreempted
  int gpus = 1, priority = 0;
};

// What became of one job (trace replays record every job).
struct JobOutcome {
  double submit_h = 0, start_h = 0, end_h = 0;  // first start; final end
  int gpus = 0;
  int preemptions = 0;
};

struct ClusterJobsConfig {
  int gpus = 256;
  double arrival_rate_per_hour = 1.0;  // Poisson
  std::vector<JobClass> classes;
  SchedulerPolicy policy = SchedulerPolicy::kFifo;
  int64_t jobs = 10000;
  double warmup_fraction = 0.05;
  double restart_penalty_h = 0.1;  // added to a preempted job's remaining work
  uint64_t seed = 1, replication = 0;
  // Non-empty: replay these jobs (sorted by submission) instead of drawing
  // from `classes` and `arrival_rate_per_hour`; no warm-up; every job counts.
  std::vector<TraceJob> trace;
};

struct ClusterJobsResult {
  std::vector<std::vector<double>> waits_h;  // per class: first start − arrival
  double utilization = 0;                    // GPU-hours used / (GPUs × window)
  int64_t preemptions = 0;
  double mean_jobs_waiting = 0;  // time average
  uint64_t events = 0, fingerprint = 0;
  double makespan_h = 0;             // trace replays: the last job's end
  std::vector<JobOutcome> outcomes;  // trace replays: per job, in trace order
};

absl::StatusOr<ClusterJobsResult> SimulateClusterJobs(const ClusterJobsConfig& config);

// EASY backfilling's reservation for the head job: the earliest time `need`
// GPUs are free if nothing else starts (the running jobs' (end, GPUs) in
// `ends`, `free` GPUs free at `now`), and how many are spare then.
std::pair<double, int> EasyReservation(std::vector<std::pair<double, int>> ends, int free,
                                       int need, double now);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_QUEUEING_CLUSTER_SCHEDULER_H_
