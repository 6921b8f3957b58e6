// distributions.h — the random quantities of request streams and queues:
// inter-arrival times (Poisson, gamma with a coefficient of variation,
// deterministic, on/off bursts, diurnal), service times, and token counts
// (fixed, uniform, lognormal, empirical). Parsed from short specs such as
// "fixed:128", "uniform:64:512", "lognormal:6.0:0.8", "gamma:2.0".
// Usage: auto d = ParseTokenDistribution("uniform:64:512", "tokens"); (draws: sim/core/sampling.h)
#ifndef MLSYSIM_WORKLOADS_DISTRIBUTIONS_H_
#define MLSYSIM_WORKLOADS_DISTRIBUTIONS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlsysim {

// A positive duration distribution with a given mean (in the caller's unit).
struct DurationDistribution {
  enum Kind { kExponential, kDeterministic, kGamma } kind = kExponential;
  double mean = 1.0;
  double cv = 1.0;  // gamma: coefficient of variation
  double Variance() const;
};

// "exp", "det" or "gamma" (with `cv`); errors name `field`.
absl::StatusOr<DurationDistribution> MakeDuration(absl::string_view kind, double mean, double cv,
                                                  absl::string_view field);

// Token counts (>= 1).
struct TokenDistribution {
  enum Kind { kFixed, kUniform, kLognormal, kEmpirical } kind = kFixed;
  double a = 1, b = 1;
  std::vector<double> values;  // empirical
  double Mean() const;
};

// "fixed:N", "uniform:A:B", "lognormal:MU:SIGMA" (of ln tokens), "empirical:V1,V2,...".
absl::StatusOr<TokenDistribution> ParseTokenDistribution(absl::string_view spec,
                                                         absl::string_view field);

// An arrival process: renewal (Poisson or gamma), on/off bursts, or a diurnal
// (sinusoidal) rate, all with long-run mean `rate` per second.
struct ArrivalProcess {
  enum Kind { kPoisson, kGamma, kDeterministic, kOnOff, kDiurnal } kind = kPoisson;
  double rate = 1.0;
  double cv = 1.0;           // gamma
  double on_fraction = 0.5;  // on/off: share of time on; period below
  double period_s = 60.0;    // on/off cycle, or diurnal period
  double amplitude = 0.5;    // diurnal: rate·(1 + A·sin(2πt/period))
};

absl::StatusOr<ArrivalProcess> MakeArrivals(absl::string_view kind, double rate, double cv);

}  // namespace mlsysim

#endif  // MLSYSIM_WORKLOADS_DISTRIBUTIONS_H_
