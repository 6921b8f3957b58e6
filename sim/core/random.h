// random.h — reproducible random streams for simulated entities.
//
// A run has one `seed` and a `replication` index. Each (entity id, purpose)
// pair gets its own engine (Boost.Random mt19937_64), seeded by a stable hash
// of (seed, replication, entity, purpose): adding an entity or a purpose never
// shifts another entity's draws, and the same inputs give the same numbers on
// every machine (Boost's distributions, unlike std's, are specified exactly).
// Never absl::BitGen or std::random_device in the model.
//
// Usage:
//   RandomStreams streams(/*seed=*/42, /*replication=*/0);
//   RandomStream gpu_failures = streams.Stream(/*entity=*/7, "failures");
//   double dt = gpu_failures.Exponential(/*rate=*/1.0 / 50000.0);
#ifndef MLSYSIM_SIM_CORE_RANDOM_H_
#define MLSYSIM_SIM_CORE_RANDOM_H_

#include <cstdint>
#include <vector>
#include "absl/strings/string_view.h"

#include "boost/random/mersenne_twister.hpp"

namespace mlsysim {

// 64-bit stable hash helpers (FNV-1a for strings, splitmix64 for mixing).
uint64_t StableHash(absl::string_view s);
uint64_t MixHash(uint64_t a, uint64_t b);

class RandomStream {
 public:
  explicit RandomStream(uint64_t seed) : engine_(seed) {}

  double Uniform(double lo = 0.0, double hi = 1.0);  // [lo, hi)
  double Exponential(double rate);                   // mean 1/rate
  double Weibull(double shape, double scale);
  double Lognormal(double mu, double sigma);  // of the underlying normal
  double Gamma(double shape, double scale);   // mean shape*scale
  double Normal(double mean, double stddev);
  // A draw from `values` with probabilities proportional to `weights`
  // (equal weights when `weights` is empty).
  double Empirical(const std::vector<double>& values, const std::vector<double>& weights = {});
  uint64_t Bits() { return engine_(); }

 private:
  boost::random::mt19937_64 engine_;
};

class RandomStreams {
 public:
  RandomStreams(uint64_t seed, uint64_t replication) : seed_(seed), replication_(replication) {}
  RandomStream Stream(uint64_t entity, absl::string_view purpose) const;
  uint64_t seed() const { return seed_; }
  uint64_t replication() const { return replication_; }

 private:
  uint64_t seed_;
  uint64_t replication_;
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_CORE_RANDOM_H_
