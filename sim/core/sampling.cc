// sampling.cc — draws from workload distributions (see sampling.h).
#include "sim/core/sampling.h"

#include <algorithm>
#include <cmath>

namespace mlsysim {

double Draw(const DurationDistribution& d, RandomStream& rng) {
  switch (d.kind) {
    case DurationDistribution::kDeterministic: return d.mean;
    case DurationDistribution::kGamma: {
      const double shape = 1.0 / (d.cv * d.cv);
      return rng.Gamma(shape, d.mean / shape);
    }
    case DurationDistribution::kExponential: break;
  }
  return rng.Exponential(1.0 / d.mean);
}

int Draw(const TokenDistribution& d, RandomStream& rng) {
  double v = d.a;
  switch (d.kind) {
    case TokenDistribution::kFixed: v = d.a; break;
    case TokenDistribution::kUniform: v = std::floor(rng.Uniform(d.a, d.b + 1)); break;
    case TokenDistribution::kLognormal: v = std::round(rng.Lognormal(d.a, d.b)); break;
    case TokenDistribution::kEmpirical: v = rng.Empirical(d.values); break;
  }
  return static_cast<int>(std::max(1.0, std::min(v, 1e7)));
}

double NextArrival(const ArrivalProcess& d, double t, RandomStream& rng) {
  switch (d.kind) {
    case ArrivalProcess::kDeterministic: return t + 1.0 / d.rate;
    case ArrivalProcess::kGamma: {
      const double shape = 1.0 / (d.cv * d.cv);
      return t + rng.Gamma(shape, 1.0 / (d.rate * shape));
    }
    case ArrivalProcess::kOnOff: {
      // Poisson at rate/on_fraction during the first on_fraction of each
      // period, silent otherwise: run an "on-clock" that only ticks when on.
      const double on_len = d.period_s * d.on_fraction;
      const double cycle = std::floor(t / d.period_s);
      const double u = cycle * on_len + std::min(t - cycle * d.period_s, on_len);
      const double next_u = u + rng.Exponential(d.rate / d.on_fraction);
      const double next_cycle = std::floor(next_u / on_len);
      return next_cycle * d.period_s + (next_u - next_cycle * on_len);
    }
    case ArrivalProcess::kDiurnal: {
      // Thinning of a Poisson process at the peak rate.
      const double peak = d.rate * (1 + d.amplitude);
      double x = t;
      for (;;) {
        x += rng.Exponential(peak);
        const double r = d.rate * (1 + d.amplitude * std::sin(2 * M_PI * x / d.period_s));
        if (rng.Uniform() * peak <= r) return x;
      }
    }
    case ArrivalProcess::kPoisson: break;
  }
  return t + rng.Exponential(d.rate);
}

std::vector<Request> GenerateRequests(const ArrivalProcess& arrivals,
                                      const TokenDistribution& input,
                                      const TokenDistribution& output, int64_t count, uint64_t seed,
                                      uint64_t replication) {
  RandomStreams streams(seed, replication);
  RandomStream a = streams.Stream(0, "arrivals"), in = streams.Stream(1, "input_tokens"),
               out = streams.Stream(2, "output_tokens");
  std::vector<Request> reqs(static_cast<size_t>(count));
  double t = 0;
  for (Request& r : reqs) {
    t = NextArrival(arrivals, t, a);
    r.arrival_s = t;
    r.input_tokens = Draw(input, in);
    r.output_tokens = Draw(output, out);
  }
  return reqs;
}

}  // namespace mlsysim
