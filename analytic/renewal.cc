// renewal.cc — the Weibull renewal function (see renewal.h).
//
// With t_i = i·h and F_i = F(t_i), the renewal equation
//   M(t) = F(t) + ∫_0^t M(t − x) dF(x)
// becomes, with the trapezoid on each [t_{j-1}, t_j] of the Stieltjes measure,
//   M_i = F_i + Σ_{j=1..i} ½ (M_{i−j} + M_{i−j+1}) (F_j − F_{j−1}),
// implicit in M_i only through the j = 1 term, so
//   M_i (1 − ½ΔF_1) = F_i + ½ M_{i−1} ΔF_1 + Σ_{j=2..i} ½ (M_{i−j} + M_{i−j+1}) ΔF_j.
// Using exact CDF differences ΔF_j keeps shapes < 1 (infinite density at 0) accurate.
#include "analytic/renewal.h"

#include <cmath>
#include <vector>

namespace mlsysim {

double WeibullCdf(double shape, double scale, double t) {
  if (!(t > 0)) return 0.0;
  return -std::expm1(-std::pow(t / scale, shape));
}

double WeibullRenewalFunction(double shape, double scale, double t, int steps) {
  if (!(t > 0) || !(shape > 0) || !(scale > 0) || steps < 1) return 0.0;
  const double h = t / steps;
  std::vector<double> f(steps + 1), df(steps + 1, 0.0), m(steps + 1, 0.0);
  for (int i = 0; i <= steps; ++i) f[i] = WeibullCdf(shape, scale, i * h);
  for (int j = 1; j <= steps; ++j) df[j] = f[j] - f[j - 1];
  for (int i = 1; i <= steps; ++i) {
    double sum = f[i] + 0.5 * m[i - 1] * df[1];
    for (int j = 2; j <= i; ++j) sum += 0.5 * (m[i - j] + m[i - j + 1]) * df[j];
    m[i] = sum / (1 - 0.5 * df[1]);
  }
  return m[steps];
}

}  // namespace mlsysim
