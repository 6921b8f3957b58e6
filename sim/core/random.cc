// random.cc — stream derivation and draws (see random.h).
#include "sim/core/random.h"
#include "absl/strings/string_view.h"

#include <cassert>

#include "boost/random/discrete_distribution.hpp"
#include "boost/random/exponential_distribution.hpp"
#include "boost/random/gamma_distribution.hpp"
#include "boost/random/lognormal_distribution.hpp"
#include "boost/random/normal_distribution.hpp"
#include "boost/random/uniform_int_distribution.hpp"
#include "boost/random/uniform_real_distribution.hpp"
#include "boost/random/weibull_distribution.hpp"

namespace mlsysim {

uint64_t StableHash(absl::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t MixHash(uint64_t a, uint64_t b) {
  uint64_t z = a + 0x9e3779b97f4a7c15ULL + (b * 0xbf58476d1ce4e5b9ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

RandomStream RandomStreams::Stream(uint64_t entity, absl::string_view purpose) const {
  uint64_t h = MixHash(seed_, 0x5eed);
  h = MixHash(h, replication_);
  h = MixHash(h, entity);
  h = MixHash(h, StableHash(purpose));
  return RandomStream(h);
}

double RandomStream::Uniform(double lo, double hi) {
  return boost::random::uniform_real_distribution<double>(lo, hi)(engine_);
}

double RandomStream::Exponential(double rate) {
  return boost::random::exponential_distribution<double>(rate)(engine_);
}

double RandomStream::Weibull(double shape, double scale) {
  return boost::random::weibull_distribution<double>(shape, scale)(engine_);
}

double RandomStream::Lognormal(double mu, double sigma) {
  return boost::random::lognormal_distribution<double>(mu, sigma)(engine_);
}

double RandomStream::Gamma(double shape, double scale) {
  return boost::random::gamma_distribution<double>(shape, scale)(engine_);
}

double RandomStream::Normal(double mean, double stddev) {
  return boost::random::normal_distribution<double>(mean, stddev)(engine_);
}

double RandomStream::Empirical(const std::vector<double>& values,
                               const std::vector<double>& weights) {
  assert(!values.empty());
  if (weights.empty()) {
    const auto i = boost::random::uniform_int_distribution<size_t>(0, values.size() - 1)(engine_);
    return values[i];
  }
  assert(weights.size() == values.size());
  boost::random::discrete_distribution<size_t, double> pick(weights.begin(), weights.end());
  return values[pick(engine_)];
}

}  // namespace mlsysim
