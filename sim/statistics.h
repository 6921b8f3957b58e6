// statistics.h — small summary statistics shared by the simulators and their
// reports: nearest-rank quantiles and Student-t confidence half-widths over
// independent replications.
// Usage: double p99 = NearestRankQuantile(samples, 0.99);
//        auto [mean, half] = MeanCi95(per_replication_values);
#ifndef MLSYSIM_SIM_STATISTICS_H_
#define MLSYSIM_SIM_STATISTICS_H_

#include <utility>
#include <vector>

namespace mlsysim {

// The p-quantile by nearest rank (the ⌈p·n⌉-th smallest); 0 for no samples.
// Reorders `v` (nth_element); pass a copy to keep the order.
double NearestRankQuantile(std::vector<double>& v, double p);

// Mean and 95 % confidence half-width (Student t, n − 1 degrees of freedom)
// of independent replications; the half-width is 0 for fewer than two.
std::pair<double, double> MeanCi95(const std::vector<double>& x);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_STATISTICS_H_
