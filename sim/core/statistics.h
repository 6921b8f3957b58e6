// statistics.h — small summary statistics shared by the simulators and their
// reports: nearest-rank quantiles and Student-t confidence half-widths over
// independent replications.
// Usage: double p99 = NearestRankQuantile(samples, 0.99);
//        auto [mean, half] = MeanCi95(per_replication_values);
#ifndef MLSYSIM_SIM_CORE_STATISTICS_H_
#define MLSYSIM_SIM_CORE_STATISTICS_H_

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

namespace mlsysim {

// The p-quantile by nearest rank (the ⌈p·n⌉-th smallest); 0 for no samples.
// Reorders `v` (nth_element); pass a copy to keep the order.
double NearestRankQuantile(std::vector<double>& v, double p);

// The probabilities a plotted CDF is sampled at (proto/result.proto Series):
// 0, every 1 %, then finer in the tail: every 0.1 % above 0.99, every 0.01 %
// above 0.999, and 1 (the maximum). 119 points.
const std::vector<double>& CdfGridProbabilities();
// Nearest-rank quantiles of `v` at CdfGridProbabilities() (empty for no
// samples), without sorting it all: nested nth_element selections
// (reorders `v`).
std::vector<double> QuantileGrid(std::vector<double>& v);

// Mean and 95 % confidence half-width (Student t, n − 1 degrees of freedom)
// of independent replications; the half-width is 0 for fewer than two.
std::pair<double, double> MeanCi95(const std::vector<double>& x);

// Quantiles of a stream too long to keep (inter-token gaps): a log-spaced
// histogram with 1 % bins from 1 µs; a quantile is its bin's geometric centre
// (relative error under 0.5 %).
class GapHistogram {
 public:
  void Add(double x) {
    sum_ += x;
    ++count_;
    const int bin =
        x <= kMin ? 0 : std::min(kBins - 1, static_cast<int>(std::log(x / kMin) / kLog));
    ++bins_[bin];
  }
  double Quantile(double p) const {
    const double target = p * count_;
    double seen = 0;
    for (int b = 0; b < kBins; ++b) {
      seen += bins_[b];
      if (seen >= target && bins_[b] > 0) return kMin * std::exp((b + 0.5) * kLog);
    }
    return 0;
  }
  double Mean() const { return count_ ? sum_ / count_ : 0; }

 private:
  static constexpr int kBins = 2400;
  static constexpr double kMin = 1e-6;
  const double kLog = std::log(1.01);
  std::vector<double> bins_ = std::vector<double>(kBins, 0.0);
  double sum_ = 0;
  int64_t count_ = 0;
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_CORE_STATISTICS_H_
