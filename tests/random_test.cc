// random_test.cc — stream derivation (reproducible, independent) and the draws'
// moments against their closed forms, with fixed seeds.
#include "sim/core/random.h"

#include <cmath>
#include <functional>
#include <vector>

#include "gtest/gtest.h"

namespace mlsysim {
namespace {

// Mean and standard error of n draws.
template <typename Draw>
std::pair<double, double> MeanAndError(int n, Draw draw) {
  double sum = 0, sum2 = 0;
  for (int i = 0; i < n; ++i) {
    const double x = draw();
    sum += x;
    sum2 += x * x;
  }
  const double mean = sum / n;
  const double var = sum2 / n - mean * mean;
  return {mean, std::sqrt(var / n)};
}

TEST(RandomTest, SameSeedSameDraws) {
  RandomStreams a(7, 0), b(7, 0);
  RandomStream x = a.Stream(3, "failures"), y = b.Stream(3, "failures");
  for (int i = 0; i < 100; ++i) EXPECT_EQ(x.Bits(), y.Bits());
}

TEST(RandomTest, StreamsDifferByEntityPurposeSeedAndReplication) {
  const uint64_t base = RandomStreams(7, 0).Stream(3, "failures").Bits();
  EXPECT_NE(base, RandomStreams(7, 0).Stream(4, "failures").Bits());
  EXPECT_NE(base, RandomStreams(7, 0).Stream(3, "arrivals").Bits());
  EXPECT_NE(base, RandomStreams(8, 0).Stream(3, "failures").Bits());
  EXPECT_NE(base, RandomStreams(7, 1).Stream(3, "failures").Bits());
}

TEST(RandomTest, StreamsAreUncorrelated) {
  RandomStreams s(11, 0);
  RandomStream a = s.Stream(1, "x"), b = s.Stream(2, "x");
  const int n = 200000;
  double sa = 0, sb = 0, sab = 0, saa = 0, sbb = 0;
  for (int i = 0; i < n; ++i) {
    const double x = a.Uniform(), y = b.Uniform();
    sa += x, sb += y, sab += x * y, saa += x * x, sbb += y * y;
  }
  const double cov = sab / n - (sa / n) * (sb / n);
  const double corr = cov / std::sqrt((saa / n - sa * sa / n / n) * (sbb / n - sb * sb / n / n));
  // |r| of independent samples is about N(0, 1/sqrt(n)); 4.5 sigma bound.
  EXPECT_LT(std::abs(corr), 4.5 / std::sqrt(static_cast<double>(n)));
}

TEST(RandomTest, AddingAStreamDoesNotShiftAnother) {
  RandomStreams s(5, 0);
  RandomStream lone = s.Stream(9, "service");
  RandomStream other = s.Stream(1, "arrivals");
  (void)other.Bits();
  RandomStream again = s.Stream(9, "service");
  EXPECT_EQ(lone.Bits(), again.Bits());
}

TEST(RandomTest, DrawMomentsMatchClosedForms) {
  RandomStream r = RandomStreams(2024, 0).Stream(1, "moments");
  const int n = 200000;
  struct Case {
    const char* name;
    double expected_mean;
    std::function<double()> draw;
  };
  const double k = 1.5, lambda = 2.0;
  std::vector<Case> cases = {
      {"exponential", 0.25, [&] { return r.Exponential(4.0); }},
      {"weibull", lambda * std::tgamma(1 + 1 / k), [&] { return r.Weibull(k, lambda); }},
      {"lognormal", std::exp(0.1 + 0.5 * 0.25), [&] { return r.Lognormal(0.1, 0.5); }},
      {"gamma", 3.0 * 0.5, [&] { return r.Gamma(3.0, 0.5); }},
      {"uniform", 2.5, [&] { return r.Uniform(2.0, 3.0); }},
      {"empirical", (1 * 1 + 2 * 3 + 10 * 6) / 10.0,
       [&] {
         return r.Empirical({1, 2, 10}, {1, 3, 6});
       }},
  };
  for (const Case& c : cases) {
    auto [mean, se] = MeanAndError(n, c.draw);
    EXPECT_NEAR(mean, c.expected_mean, 4.5 * se) << c.name;
  }
}

}  // namespace
}  // namespace mlsysim
