// queueing.cc — exact queueing formulas (see queueing.h).
#include "analytic/queueing.h"

#include <algorithm>
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

// The M/D/1 wait has LST (1−ρ)s/(s − ρ(1 − e^{−s})) (units of d). Its pole of
// smallest modulus, s = −γ with ρ(e^γ − 1) = γ, gives the exponential tail
// P(W > τ) ≈ C e^{−γτ}, C = (1−ρ)/(ρe^γ − 1); the other poles are complex with
// real parts below −2, so past τ ≈ 16 the tail is this term to ~1e-12 relative
// (checked against the series in 400-digit arithmetic; tests/data/SOURCES.md).
double Md1TailRate(double rho) {
  double g = 2 * (1 - rho) / rho;  // heavy-traffic start, then Newton
  for (int i = 0; i < 100; ++i) {
    const double f = rho * std::expm1(g) - g, fp = rho * std::exp(g) - 1;
    const double step = f / fp;
    g -= step;
    if (std::abs(step) < 1e-15 * g) break;
  }
  return g;
}

double Md1WaitCdf(double lambda, double d, double t) {
  // Work in units of d: ρ = λd, τ = t/d. P(Wq <= τ) = (1−ρ) Σ_{k=0}^{⌊τ⌋} [ρ(k−τ)]^k/k!
  // e^{−ρ(k−τ)}. Erlang's series alternates and loses about 0.43·ρτ digits to cancellation, so it
  // is used up to τ = 16 (≤ 7 of long double's 19 digits lost) and the exponential tail beyond.
  const long double rho = lambda * d, tau = t / d;
  if (tau < 0) return 0;
  if (tau > 16 && rho > 0 && rho < 1) {
    const double r = static_cast<double>(rho);
    const double g = Md1TailRate(r);
    const double tail = (1 - r) / (r * std::exp(g) - 1) * std::exp(-g * static_cast<double>(tau));
    return std::clamp(1.0 - tail, 0.0, 1.0);
  }
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
  const double rho = lambda * d;
  if (rho > 0 && rho < 1) {
    // In the exponential-tail region the quantile is closed-form.
    const double g = Md1TailRate(rho);
    const double c = (1 - rho) / (rho * std::exp(g) - 1);
    const double tau = std::log(c / (1 - p)) / g;
    if (tau > 16) return tau * d;
  }
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
