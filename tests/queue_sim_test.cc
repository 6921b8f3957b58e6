// queue_sim_test.cc — the plain queue against queueing theory
// (tests/data/SOURCES.md §2): M/M/1, M/D/1, M/M/c and M/G/1, Little's law in
// every run, and mlsysim's TailLatencyModel gap at M/M/8, ρ = 0.8.
//
// Each check runs 20 independent replications (fixed seed, replication index
// 0..19) and asserts that the target lies inside the 99 % Student-t confidence
// interval of the replication means (99 % rather than 95 % so that the ~40
// interval checks here do not fail by chance alone).
#include <cmath>
#include <functional>

#include "analytic/queueing.h"
#include "analytic/serving.h"
#include "gtest/gtest.h"
#include "sim/queueing/queue_sim.h"

namespace mlsysim {
namespace {

constexpr int kReps = 20;
constexpr double kT99 = 2.861;  // Student t, 19 degrees of freedom, two-sided 99 %

struct Interval {
  double mean, half;
  bool Contains(double x) const { return std::abs(x - mean) <= half; }
};

std::vector<QueueRunResult> Replicate(int servers, double lambda, DurationDistribution service,
                                      int64_t requests = 100000) {
  std::vector<QueueRunResult> out;
  for (int r = 0; r < kReps; ++r) {
    QueueConfig c;
    c.servers = servers;
    c.arrivals = *MakeArrivals("poisson", lambda, 1);
    c.service = service;
    c.requests = requests;
    c.seed = 20261126;
    c.replication = static_cast<uint64_t>(r);
    auto res = SimulateQueue(c);
    EXPECT_TRUE(res.ok());
    out.push_back(*res);
  }
  return out;
}

Interval Ci(const std::vector<QueueRunResult>& runs,
            std::function<double(const QueueRunResult&)> f) {
  double m = 0, ss = 0;
  for (const auto& r : runs) m += f(r);
  m /= runs.size();
  for (const auto& r : runs) ss += (f(r) - m) * (f(r) - m);
  return {m, kT99 * std::sqrt(ss / (runs.size() - 1) / runs.size())};
}

#define EXPECT_IN_CI(runs, field, target)                                             \
  do {                                                                                \
    const Interval ci = Ci(runs, [](const QueueRunResult& r) { return r.field; });    \
    EXPECT_TRUE(ci.Contains(target))                                                  \
        << #field << " = " << ci.mean << " ± " << ci.half << ", target " << (target); \
  } while (0)

void ExpectLittle(const std::vector<QueueRunResult>& runs) {
  for (const auto& r : runs) {
    EXPECT_NEAR(r.mean_in_system, r.arrival_rate * r.sojourn_mean, 2e-3 * r.mean_in_system);
  }
}

DurationDistribution Exp(double mean) { return *MakeDuration("exp", mean, 1, "service"); }
DurationDistribution Det(double mean) { return *MakeDuration("det", mean, 0, "service"); }

TEST(QueueExactTest, ClosedFormsMatchThePublishedTable) {
  EXPECT_NEAR(MmcSojournQuantile(0.8, 1, 1, 0.99), 23.026, 1e-3);
  EXPECT_NEAR(MmcSojournQuantile(0.5, 1, 1, 0.5), 1.386, 1e-3);
  EXPECT_NEAR(MmcProbWait(6.4, 1, 8), 0.4576, 1e-4);
  EXPECT_NEAR(MmcWaitMean(6.4, 1, 8), 0.286, 1e-3);
  EXPECT_NEAR(MmcSojournQuantile(6.4, 1, 8, 0.99), 5.152, 1e-3);
  EXPECT_NEAR(Md1WaitMean(0.8, 1), 2.0, 1e-12);
  EXPECT_NEAR(Md1WaitCdf(0.8, 1, 0), 0.2, 1e-12);
  EXPECT_NEAR(Md1WaitQuantile(0.8, 1, 0.5), 1.276, 1e-3);
  EXPECT_NEAR(Md1WaitQuantile(0.8, 1, 0.99), 10.356, 1e-3);
  EXPECT_NEAR(Md1WaitQuantile(0.8, 1, 0.999), 15.700, 1e-3);
  EXPECT_NEAR(Md1WaitQuantile(0.5, 1, 0.99), 3.336, 1e-3);
  EXPECT_NEAR(Md1WaitQuantile(0.9, 1, 0.99), 21.898, 1e-3);
  EXPECT_NEAR(Mg1WaitMean(0.8, 1, 1), 4.0, 1e-12);  // M/M/1 as a special case
}

TEST(QueueSimTest, MM1) {
  auto half = Replicate(1, 0.5, Exp(1));
  EXPECT_IN_CI(half, sojourn_mean, 2.0);
  EXPECT_IN_CI(half, sojourn_p50, 1.386);
  EXPECT_IN_CI(half, sojourn_p99, 9.210);
  ExpectLittle(half);
  auto busy = Replicate(1, 0.8, Exp(1), 200000);
  EXPECT_IN_CI(busy, sojourn_mean, 5.0);
  EXPECT_IN_CI(busy, sojourn_p50, 3.466);
  EXPECT_IN_CI(busy, sojourn_p90, 11.513);
  EXPECT_IN_CI(busy, sojourn_p99, 23.026);
  EXPECT_IN_CI(busy, sojourn_p999, 34.539);
  EXPECT_IN_CI(busy, utilization, 0.8);
  ExpectLittle(busy);
}

TEST(QueueSimTest, MD1) {
  auto half = Replicate(1, 0.5, Det(1));
  EXPECT_IN_CI(half, wait_mean, 0.5);
  EXPECT_IN_CI(half, wait_p99, 3.336);
  auto busy = Replicate(1, 0.8, Det(1), 200000);
  EXPECT_IN_CI(busy, wait_mean, 2.0);
  EXPECT_IN_CI(busy, prob_wait, 0.8);  // P(Wq = 0) = 0.2
  EXPECT_IN_CI(busy, wait_p50, 1.276);
  EXPECT_IN_CI(busy, wait_p99, 10.356);
  EXPECT_IN_CI(busy, wait_p999, 15.700);
  ExpectLittle(busy);
}

TEST(QueueSimTest, MMcAndTheMlsysimGap) {
  auto runs = Replicate(8, 6.4, Exp(1));
  EXPECT_IN_CI(runs, prob_wait, 0.4576);
  EXPECT_IN_CI(runs, wait_mean, 0.286);
  EXPECT_IN_CI(runs, sojourn_mean, 1.286);
  EXPECT_IN_CI(runs, sojourn_p99, 5.152);
  ExpectLittle(runs);
  // mlsysim's p99 (wait quantile + mean service) against the simulated p99.
  auto tail = SolveTailLatency(6.4, 1000.0, 8, 1.0);
  ASSERT_TRUE(tail.ok());
  const Interval p99 = Ci(runs, [](const QueueRunResult& r) { return r.sojourn_p99; });
  const double gap = tail->p99_latency_ms / 1000.0 / p99.mean - 1;
  EXPECT_NEAR(gap, -0.34, 0.02);
  EXPECT_NEAR(tail->p99_latency_ms / 1000.0, 3.39, 0.01);
}

TEST(QueueSimTest, MG1PollaczekKhinchine) {
  auto runs = Replicate(1, 0.7, *MakeDuration("gamma", 1.0, 0.5, "service"));
  EXPECT_IN_CI(runs, wait_mean, Mg1WaitMean(0.7, 1.0, 0.25));
  ExpectLittle(runs);
}

TEST(QueueSimTest, DeterministicPerSeed) {
  QueueConfig c;
  c.servers = 2;
  c.arrivals = *MakeArrivals("gamma", 1.5, 2.0);
  c.service = Exp(1);
  c.requests = 5000;
  auto a = SimulateQueue(c), b = SimulateQueue(c);
  c.seed = 2;
  auto d = SimulateQueue(c);
  EXPECT_EQ(a->fingerprint, b->fingerprint);
  EXPECT_EQ(a->sojourn_p99, b->sojourn_p99);
  EXPECT_NE(a->fingerprint, d->fingerprint);
}

}  // namespace
}  // namespace mlsysim
