// autoscaler.cc — see autoscaler.h.
#include "sim/cluster/autoscaler.h"

#include <algorithm>
#include <cmath>

namespace mlsysim {

std::vector<std::pair<double, int>> AutoscaleDemand(const std::function<double(double)>& rate,
                                                    double horizon_s, double interval_s,
                                                    double capacity_qps, double target,
                                                    int max_replicas) {
  std::vector<std::pair<double, int>> demand;
  const auto intervals = static_cast<int64_t>(std::ceil(horizon_s / interval_s));
  for (int64_t k = 0; k < std::max<int64_t>(1, intervals); ++k) {
    const double t0 = static_cast<double>(k) * interval_s;
    const double t1 = std::min(horizon_s, t0 + interval_s);
    double peak = 0;
    for (int i = 0; i <= 64; ++i) {
      const double t = i == 64 ? std::nextafter(t1, t0) : t0 + (t1 - t0) * i / 64;
      peak = std::max(peak, rate(t));
    }
    const double want = std::ceil(peak / (capacity_qps * target) - 1e-9);
    const int replicas =
        static_cast<int>(std::clamp(want, 1.0, static_cast<double>(max_replicas)));
    if (demand.empty() || demand.back().second != replicas) demand.push_back({t0, replicas});
  }
  return demand;
}

}  // namespace mlsysim
