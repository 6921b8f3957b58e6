// cluster_scheduler_test.cc — jobs on a shared cluster: whole-cluster FIFO
// reproduces the M/G/1 wait (and so mlsysim's OrchestrationModel for fixed
// durations) within the replications' 99 % confidence interval; backfilling
// and priorities do what they are for.
#include <cmath>

#include "analytic/fleet.h"
#include "analytic/queueing.h"
#include "gtest/gtest.h"
#include "sim/queueing/cluster_scheduler.h"

namespace mlsysim {
namespace {

constexpr double kT99 = 2.861;  // Student t, 19 dof

double MeanWait(const ClusterJobsResult& r, size_t cls) {
  double s = 0;
  for (double w : r.waits_h[cls]) s += w;
  return s / r.waits_h[cls].size();
}

std::pair<double, double> Replicated(ClusterJobsConfig c, size_t cls = 0, int reps = 20) {
  std::vector<double> x;
  for (int r = 0; r < reps; ++r) {
    c.replication = static_cast<uint64_t>(r);
    auto res = SimulateClusterJobs(c);
    EXPECT_TRUE(res.ok()) << res.status();
    x.push_back(MeanWait(*res, cls));
  }
  double m = 0, ss = 0;
  for (double v : x) m += v;
  m /= x.size();
  for (double v : x) ss += (v - m) * (v - m);
  return {m, kT99 * std::sqrt(ss / (x.size() - 1) / x.size())};
}

ClusterJobsConfig WholeCluster(const char* dist, double per_day, double hours) {
  ClusterJobsConfig c;
  c.gpus = 256;
  c.arrival_rate_per_hour = per_day / 24;
  c.classes = {{"all", 1.0, 0, {256}, *MakeDuration(dist, hours, 1, "duration")}};
  c.jobs = 20000;
  c.seed = 77;
  return c;
}

TEST(ClusterSchedulerTest, WholeClusterFifoIsMD1AndMatchesOrchestrationModel) {
  const auto [mean, half] = Replicated(WholeCluster("det", 0.35, 48));  // ρ = 0.7
  const double md1 = Md1WaitMean(0.35 / 24, 48);
  EXPECT_NEAR(mean, md1, half);
  auto orch = SolveOrchestration(0.35, 2.0);
  ASSERT_TRUE(orch.ok());
  EXPECT_NEAR(orch->avg_wait_time_days * 24, md1, 1e-9);
}

TEST(ClusterSchedulerTest, WholeClusterFifoWithExponentialJobsIsMM1) {
  const auto [mean, half] = Replicated(WholeCluster("exp", 0.35, 48));
  EXPECT_NEAR(mean, Mg1WaitMean(0.35 / 24, 48, 1.0), half);
}

TEST(ClusterSchedulerTest, BackfillShortensTheWait) {
  ClusterJobsConfig c;
  c.gpus = 256;
  c.arrival_rate_per_hour = 2.0;
  c.classes = {{"mixed", 1.0, 0, {8, 32, 128, 256}, *MakeDuration("exp", 12, 1, "d")}};
  c.jobs = 5000;
  const auto fifo = Replicated(c, 0, 5);
  c.policy = SchedulerPolicy::kBackfill;
  const auto backfill = Replicated(c, 0, 5);
  EXPECT_LT(backfill.first, fifo.first);
}

TEST(ClusterSchedulerTest, PriorityWithPreemption) {
  ClusterJobsConfig c;
  c.gpus = 256;
  c.arrival_rate_per_hour = 1.5;
  c.policy = SchedulerPolicy::kPriority;
  c.classes = {{"batch", 0.7, 0, {64, 128}, *MakeDuration("exp", 12, 1, "d")},
               {"urgent", 0.3, 1, {64, 128}, *MakeDuration("exp", 12, 1, "d")}};
  c.jobs = 5000;
  auto r = SimulateClusterJobs(c);
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->preemptions, 0);
  EXPECT_LT(MeanWait(*r, 1), MeanWait(*r, 0));
  auto again = SimulateClusterJobs(c);
  EXPECT_EQ(r->fingerprint, again->fingerprint);
}

TEST(ClusterSchedulerTest, BadInput) {
  ClusterJobsConfig c = WholeCluster("exp", 0.35, 48);
  c.classes[0].gpu_sizes = {512};
  EXPECT_FALSE(SimulateClusterJobs(c).ok());
  c = WholeCluster("exp", 0.35, 48);
  c.arrival_rate_per_hour = 0;
  EXPECT_FALSE(SimulateClusterJobs(c).ok());
}

}  // namespace
}  // namespace mlsysim
