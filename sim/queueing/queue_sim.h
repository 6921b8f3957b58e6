// queue_sim.h — the plain queue: c identical servers, first come first served,
// a renewal arrival process and a service-time distribution. The simulator's
// own check against queueing theory (M/M/1, M/D/1, M/M/c, M/G/1) and a
// teaching tool for the tail-latency wall.
//
// Arrivals and departures are engine events. Statistics skip a warm-up share
// of requests; the time-average number in system is integrated over the
// measured window so that Little's law L = λW can be checked.
// Usage: absl::StatusOr<QueueRunResult> r = SimulateQueue(config);
#ifndef MLSYSIM_SIM_QUEUEING_QUEUE_SIM_H_
#define MLSYSIM_SIM_QUEUEING_QUEUE_SIM_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "workloads/distributions.h"

namespace mlsysim {

struct QueueConfig {
  int servers = 1;
  ArrivalProcess arrivals;
  DurationDistribution service;
  int64_t requests = 100000;
  double warmup_fraction = 0.05;  // requests excluded from the statistics
  uint64_t seed = 1;
  uint64_t replication = 0;
};

struct QueueRunResult {
  double wait_mean = 0, sojourn_mean = 0;
  double sojourn_p50 = 0, sojourn_p90 = 0, sojourn_p99 = 0, sojourn_p999 = 0;
  double wait_p50 = 0, wait_p99 = 0, wait_p999 = 0;
  double utilization = 0;     // busy server-time / (c · window)
  double prob_wait = 0;       // share of requests that waited
  double mean_in_system = 0;  // time-average L over the window
  double arrival_rate = 0;    // observed λ over the window
  // Sojourn quantiles at CdfGridProbabilities() (sim/core/statistics.h).
  std::vector<double> sojourn_cdf;
  uint64_t events = 0;
  uint64_t fingerprint = 0;
};

absl::StatusOr<QueueRunResult> SimulateQueue(const QueueConfig& config);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_QUEUEING_QUEUE_SIM_H_
