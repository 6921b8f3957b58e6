// distributions.cc — request-stream distributions (see distributions.h).
#include "workloads/distributions.h"

#include <cmath>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mlsysim {

double DurationDistribution::Variance() const {
  switch (kind) {
    case kDeterministic: return 0;
    case kGamma: return cv * cv * mean * mean;
    case kExponential: break;
  }
  return mean * mean;
}

absl::StatusOr<DurationDistribution> MakeDuration(absl::string_view kind, double mean, double cv,
                                                  absl::string_view field) {
  if (!(mean > 0)) return absl::InvalidArgumentError(absl::StrCat(field, ": mean must be > 0"));
  DurationDistribution d;
  d.mean = mean;
  d.cv = cv;
  if (kind == "exp" || kind == "exponential") {
    d.kind = DurationDistribution::kExponential;
  } else if (kind == "det" || kind == "deterministic") {
    d.kind = DurationDistribution::kDeterministic;
  } else if (kind == "gamma") {
    if (!(cv > 0)) return absl::InvalidArgumentError(absl::StrCat(field, ": gamma needs --cv > 0"));
    d.kind = DurationDistribution::kGamma;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": unknown distribution '", kind, "'; accepted: exp, det, gamma"));
  }
  return d;
}

double TokenDistribution::Mean() const {
  switch (kind) {
    case kFixed: return a;
    case kUniform: return (a + b) / 2;
    case kLognormal: return std::exp(a + b * b / 2);
    case kEmpirical: {
      double s = 0;
      for (double v : values) s += v;
      return values.empty() ? 0 : s / values.size();
    }
  }
  return a;
}

absl::StatusOr<TokenDistribution> ParseTokenDistribution(absl::string_view spec,
                                                         absl::string_view field) {
  std::vector<std::string> parts = absl::StrSplit(spec, ':');
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": '", spec, "' ", why,
                     "; accepted: fixed:N, uniform:A:B, lognormal:MU:SIGMA (of ln tokens), "
                     "empirical:V1,V2,..., or "
                     "a plain N"));
  };
  std::vector<double> nums;
  for (size_t i = parts.size() == 1 ? 0 : 1; i < parts.size() && parts[0] != "empirical"; ++i) {
    double v;
    if (!absl::SimpleAtod(parts[i], &v) || !std::isfinite(v)) return bad("has a non-number");
    nums.push_back(v);
  }
  TokenDistribution d;
  if (parts.size() == 1 || parts[0] == "fixed") {
    if (nums.size() != 1 || nums[0] < 1) return bad("needs one count >= 1");
    d.kind = TokenDistribution::kFixed;
    d.a = nums[0];
  } else if (parts[0] == "uniform") {
    if (nums.size() != 2 || nums[0] < 1 || nums[1] < nums[0]) return bad("needs 1 <= A <= B");
    d.kind = TokenDistribution::kUniform;
    d.a = nums[0];
    d.b = nums[1];
  } else if (parts[0] == "empirical") {
    // empirical:V1,V2,... (drawn uniformly)
    if (parts.size() != 2) return bad("needs a comma-separated list of counts");
    d.kind = TokenDistribution::kEmpirical;
    for (absl::string_view v : absl::StrSplit(parts[1], ',')) {
      double x;
      if (!absl::SimpleAtod(v, &x) || !std::isfinite(x) || !(x >= 1)) {
        return bad("has a count that is not a finite number >= 1");
      }
      d.values.push_back(x);
    }
    return d;
  } else if (parts[0] == "lognormal") {
    if (nums.size() != 2 || nums[1] < 0) return bad("needs MU and SIGMA >= 0");
    d.kind = TokenDistribution::kLognormal;
    d.a = nums[0];
    d.b = nums[1];
  } else {
    return bad("is not a known distribution");
  }
  return d;
}

absl::StatusOr<ArrivalProcess> MakeArrivals(absl::string_view kind, double rate, double cv) {
  if (!(rate > 0)) return absl::InvalidArgumentError("arrival rate must be > 0");
  ArrivalProcess a;
  a.rate = rate;
  a.cv = cv;
  if (kind == "poisson" || kind == "exp") {
    a.kind = ArrivalProcess::kPoisson;
  } else if (kind == "gamma") {
    if (!(cv > 0)) return absl::InvalidArgumentError("arrival_cv must be > 0 for gamma arrivals");
    a.kind = ArrivalProcess::kGamma;
  } else if (kind == "det") {
    a.kind = ArrivalProcess::kDeterministic;
  } else if (kind == "onoff" || kind == "bursty") {
    a.kind = ArrivalProcess::kOnOff;
  } else if (kind == "diurnal") {
    a.kind = ArrivalProcess::kDiurnal;
    a.period_s = 86400;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "unknown arrival process '", kind, "'; accepted: poisson, gamma, det, onoff, diurnal"));
  }
  return a;
}

}  // namespace mlsysim
