// balls_in_bins.cc — exact max-load distribution of n balls in k bins (see
// balls_in_bins.h).
//
// With k iid Poisson(λ) counts, λ = n/k, conditioned on summing to n, the
// counts are multinomial(n; 1/k, …). Hence
//   P(max <= m) = P(Poi <= m)^k · P(S_m = n) / P(Poi(n) = n),
// where S_m is the sum of k iid Poisson(λ) truncated to [0, m]. The pmf of
// S_m is the k-fold convolution of the truncated pmf, computed by repeated
// squaring and cut at degree n; every array is a probability vector, so
// nothing overflows or cancels.
#include "analytic/balls_in_bins.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace mlsysim {
namespace {

std::vector<double> Convolve(const std::vector<double>& a, const std::vector<double>& b,
                             size_t max_degree) {
  std::vector<double> c(std::min(a.size() + b.size() - 1, max_degree + 1), 0.0);
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == 0) continue;
    for (size_t j = 0; j < b.size() && i + j < c.size(); ++j) c[i + j] += a[i] * b[j];
  }
  return c;
}

double LogPoissonPmf(double lambda, int j) {
  return -lambda + j * std::log(lambda) - std::lgamma(j + 1.0);
}

}  // namespace

double MaxBinLoadCdf(int n, int k, int m) {
  if (n <= 0) return 1.0;
  if (k <= 0 || m < 0) return 0.0;
  if (static_cast<long long>(m) * k < n) return 0.0;
  if (m >= n) return 1.0;
  const double lambda = static_cast<double>(n) / k;
  std::vector<double> base(m + 1);
  double mass = 0;
  for (int j = 0; j <= m; ++j) mass += base[j] = std::exp(LogPoissonPmf(lambda, j));
  for (double& p : base) p /= mass;  // the truncated pmf
  // k-fold convolution by repeated squaring, degrees above n dropped.
  std::vector<double> result = {1.0}, power = base;
  for (int e = k; e > 0; e >>= 1) {
    if (e & 1) result = Convolve(result, power, n);
    if (e > 1) power = Convolve(power, power, n);
  }
  const double p_sum = static_cast<size_t>(n) < result.size() ? result[n] : 0.0;
  // log of P(Poi <= m)^k / P(Poi(n) = n).
  const double log_scale = k * std::log(mass) - LogPoissonPmf(static_cast<double>(n), n);
  return std::clamp(p_sum * std::exp(log_scale), 0.0, 1.0);
}

double ExpectedMaxBinLoad(int n, int k) {
  if (n <= 0 || k <= 0) return 0.0;
  double expected = 0;
  for (int m = 0; m < n; ++m) {
    const double tail = 1.0 - MaxBinLoadCdf(n, k, m);
    expected += tail;
    if (tail < 1e-15 && static_cast<long long>(m) * k >= n) break;
  }
  return expected;
}

}  // namespace mlsysim
