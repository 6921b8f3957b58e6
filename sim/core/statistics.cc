// statistics.cc — quantiles and confidence intervals (see statistics.h).
#include "sim/core/statistics.h"

#include <algorithm>
#include <cmath>

namespace mlsysim {

double NearestRankQuantile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t k = static_cast<size_t>(std::ceil(p * v.size()));
  k = std::min(v.size() - 1, k == 0 ? 0 : k - 1);
  std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
  return v[k];
}

const std::vector<double>& CdfGridProbabilities() {
  static const std::vector<double> grid = [] {
    std::vector<double> g;
    for (int i = 0; i < 99; ++i) g.push_back(i / 100.0);
    for (int i = 0; i < 9; ++i) g.push_back(0.99 + i / 1000.0);
    for (int i = 0; i < 10; ++i) g.push_back(0.999 + i / 10000.0);
    g.push_back(1.0);
    return g;
  }();
  return grid;
}

namespace {

// Puts the order statistics `ks` (ascending, within [lo, hi)) in place:
// nth_element on the middle one, then each side with its own.
void SelectRanks(std::vector<double>& v, size_t lo, size_t hi, const size_t* ks, size_t n) {
  if (n == 0 || hi <= lo) return;
  const size_t mid = n / 2;
  const size_t k = ks[mid];
  std::nth_element(v.begin() + static_cast<long>(lo), v.begin() + static_cast<long>(k),
                   v.begin() + static_cast<long>(hi));
  SelectRanks(v, lo, k, ks, mid);
  SelectRanks(v, k + 1, hi, ks + mid + 1, n - mid - 1);
}

size_t NearestRank(double p, size_t n) {
  size_t k = static_cast<size_t>(std::ceil(p * n));
  return std::min(n - 1, k == 0 ? 0 : k - 1);
}

}  // namespace

std::vector<double> QuantileGrid(std::vector<double>& v) {
  std::vector<double> q;
  if (v.empty()) return q;
  std::vector<size_t> ks;
  for (double p : CdfGridProbabilities()) ks.push_back(NearestRank(p, v.size()));
  std::vector<size_t> unique = ks;
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  SelectRanks(v, 0, v.size(), unique.data(), unique.size());
  for (size_t k : ks) q.push_back(v[k]);
  return q;
}

std::pair<double, double> MeanCi95(const std::vector<double>& x) {
  const size_t n = x.size();
  if (n == 0) return {0.0, 0.0};
  double mean = 0;
  for (double v : x) mean += v;
  mean /= n;
  if (n < 2) return {mean, 0.0};
  double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  // Two-sided 97.5 % Student t quantiles for 1..29 degrees of freedom.
  static const double kT[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                              2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                              2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045};
  const double t = n - 1 <= 29 ? kT[n - 2] : 1.96;
  return {mean, t * std::sqrt(ss / (n - 1) / n)};
}

}  // namespace mlsysim
