// balls_in_bins.h — the expected largest load when n balls fall uniformly and
// independently into k bins: the closed form beside an ECMP-hashed fabric,
// where n flows leaving a switch pick one of its k equal-cost up-links by hash
// and the most loaded link sets the step time.
//
// Usage: double slowdown = ExpectedMaxBinLoad(/*balls=*/128, /*bins=*/128);  // ≈ 4.2
#ifndef MLSYSIM_ANALYTIC_BALLS_IN_BINS_H_
#define MLSYSIM_ANALYTIC_BALLS_IN_BINS_H_

namespace mlsysim {

// P(max load <= m) for n balls in k bins, exactly (Poissonisation: k iid
// Poisson(n/k) counts conditioned on their sum being n). n, k >= 1.
double MaxBinLoadCdf(int balls, int bins, int m);

// E[max load] = Σ_{m>=0} P(max load > m). Returns 0 for no balls.
double ExpectedMaxBinLoad(int balls, int bins);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_BALLS_IN_BINS_H_
