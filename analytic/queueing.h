// queueing.h — exact queueing results the simulator is checked against
// (validation_targets.md §2): M/M/c (Erlang C) means and quantiles, the M/D/1
// waiting-time distribution, and the Pollaczek–Khinchine M/G/1 mean wait.
// Time unit: whatever the rates are in (μ = 1 service per unit).
// Usage: double t99 = MmcSojournQuantile(/*lambda=*/6.4, /*mu=*/1, /*c=*/8, 0.99);  // 5.152
#ifndef MLSYSIM_ANALYTIC_QUEUEING_H_
#define MLSYSIM_ANALYTIC_QUEUEING_H_

namespace mlsysim {

// M/M/c. All require λ < cμ.
double MmcProbWait(double lambda, double mu, int c);
double MmcWaitMean(double lambda, double mu, int c);
double MmcWaitQuantile(double lambda, double mu, int c, double p);
double MmcSojournTail(double lambda, double mu, int c, double t);  // P(T > t)
double MmcSojournQuantile(double lambda, double mu, int c, double p);

// M/D/1 with deterministic service d: P(Wq <= t), its quantiles and mean.
double Md1WaitCdf(double lambda, double d, double t);
// γ > 0 with ρ(e^γ − 1) = γ: the decay rate (per unit of d) of the M/D/1 wait's
// exponential tail. 0 < ρ < 1.
double Md1TailRate(double rho);
double Md1WaitQuantile(double lambda, double d, double p);
double Md1WaitMean(double lambda, double d);

// M/G/1 (Pollaczek–Khinchine): Wq = ρ(1 + Cs²)/(2(1−ρ)) · E[S].
double Mg1WaitMean(double lambda, double service_mean, double service_cv2);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_QUEUEING_H_
