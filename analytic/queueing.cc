// queueing.cc — exact queueing formulas (see queueing.h).
#include "analytic/queueing.h"

#include <cmath>

#include "analytic/formulas.h"

namespace mlsysim {
namespace {

// Smallest t with tail(t) <= 1 − p, by bisection on a decreasing tail.
template <typename Tail>
double SolveQuantile(Tail tail, double p, double hi) {
  double lo = 0;
  if (tail(0) <= 1 - p) return 0;
  while (tail(hi) > 1 - p) hi *= 2;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (tail(mid) > 1 - p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

double MmcProbWait(double lambda, double mu, int c) { return ErlangC(c, lambda / mu); }

double MmcWaitMean(double lambda, double mu, int c) {
  return MmcProbWait(lambda, mu, c) / (c * mu - lambda);
}

double MmcWaitQuantile(double lambda, double mu, int c, double p) {
  const double pw = MmcProbWait(lambda, mu, c);
  if (pw <= 1 - p) return 0;
  return std::log(pw / (1 - p)) / (c * mu - lambda);
}

double MmcSojournTail(double lambda, double mu, int c, double t) {
  const double pw = MmcProbWait(lambda, mu, c);
  const double r = c * mu - lambda;
  const double e_mu = std::exp(-mu * t);
  if (std::abs(r - mu) < 1e-12 * mu) return e_mu * (1 + pw * mu * t);
  return e_mu + pw * mu / (r - mu) * (e_mu - std::exp(-r * t));
}

double MmcSojournQuantile(double lambda, double mu, int c, double p) {
  return SolveQuantile([&](double t) { return MmcSojournTail(lambda, mu, c, t); }, p, 1.0 / mu);
}

double Md1WaitCdf(double lambda, double d, double t) {
  // Work in units of d: ρ = λd, τ = t/d. P(Wq <= τ) = (1−ρ) Σ_{k=0}^{⌊τ⌋} [ρ(k−τ)]^k/k! e^{−ρ(k−τ)}.
  const long double rho = lambda * d, tau = t / d;
  if (tau < 0) return 0;
  long double sum = 0;
  const long kmax = static_cast<long>(std::floor(static_cast<double>(tau)));
  for (long k = 0; k <= kmax; ++k) {
    const long double x = rho * (k - tau);
    long double term = std::exp(-x);
    for (long j = 1; j <= k; ++j) term *= x / j;
    sum += term;
  }
  const long double cdf = (1 - rho) * sum;
  return static_cast<double>(cdf < 0 ? 0 : (cdf > 1 ? 1 : cdf));
}

double Md1WaitQuantile(double lambda, double d, double p) {
  return SolveQuantile([&](double t) { return 1 - Md1WaitCdf(lambda, d, t); }, p, d);
}

double Md1WaitMean(double lambda, double d) {
  const double rho = lambda * d;
  return rho / (2 * (1 - rho)) * d;
}

double Mg1WaitMean(double lambda, double s, double cv2) {
  const double rho = lambda * s;
  return rho * (1 + cv2) / (2 * (1 - rho)) * s;
}

}  // namespace mlsysim
