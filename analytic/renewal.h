// renewal.h — renewal-process closed forms for failure counts: the expected
// number of Weibull failures of one component over [0, T], started new
// (the renewal function) or in equilibrium (exactly T / mean).
//
// Usage: double m = WeibullRenewalFunction(/*shape=*/0.5, /*scale=*/1000.0, /*t=*/720.0);
#ifndef MLSYSIM_ANALYTIC_RENEWAL_H_
#define MLSYSIM_ANALYTIC_RENEWAL_H_

namespace mlsysim {

// Weibull CDF F(t) = 1 − exp(−(t/scale)^shape).
double WeibullCdf(double shape, double scale, double t);

// M(t) = E[N(t)] of a renewal process with Weibull(shape, scale) lifetimes
// starting from a new component: solves M = F + M * dF on a grid of `steps`
// points with the trapezoidal Riemann–Stieltjes rule (Xie, 1989), which is
// exact for shape 1 (M = t/scale) up to O(h²).
double WeibullRenewalFunction(double shape, double scale, double t, int steps = 4000);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_RENEWAL_H_
