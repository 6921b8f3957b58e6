// autoscaler.h — how many serving replicas a fleet wants over time: at the
// start of each interval, enough for the highest arrival rate the interval
// will see at the target utilisation of a replica's sustained throughput,
//   replicas = clamp(ceil(max λ over [t, t + interval) / (capacity · target)), 1, max),
// a predictive (schedule-driven) policy like those operators run on diurnal
// load; only changes are listed.
// Usage: auto demand = AutoscaleDemand(rate, 86400, 900, 5.0, 0.7, 32);
#ifndef MLSYSIM_SIM_CLUSTER_AUTOSCALER_H_
#define MLSYSIM_SIM_CLUSTER_AUTOSCALER_H_

#include <functional>
#include <utility>
#include <vector>

namespace mlsysim {

// (time s, replicas) from 0 until `horizon_s`; `rate(t)` in requests/s, its
// maximum over an interval taken at 64 points and the interval's ends.
std::vector<std::pair<double, int>> AutoscaleDemand(const std::function<double(double)>& rate,
                                                    double horizon_s, double interval_s,
                                                    double capacity_qps, double target,
                                                    int max_replicas);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_CLUSTER_AUTOSCALER_H_
