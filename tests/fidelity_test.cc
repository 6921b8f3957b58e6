// fidelity_test.cc — the model at the edges, against independent closed forms:
//  * routing per fabric: under dmodk and spray, ring / hierarchical / tree
//    all-reduce on idle non-oversubscribed 2- and 3-tier fat-trees and
//    rail-optimized fabrics equal α-β (1e-6) for 8…1,024 ranks; spray slows an
//    oversubscribed all-to-all by the fluid factor computed here by counting;
//    ECMP's hashing matches the balls-in-bins law; replica detail equals full
//    detail when rings share no link;
//  * exact M/D/1 quantiles at high load (values computed independently with
//    400-digit arithmetic; tests/data/SOURCES.md);
//  * Weibull failure counts against the renewal function (new fleet) and
//    T/mean (equilibrium start), pooled over seeds within ±5 %;
//  * ETTR against Daly's exact renewal formula at five checkpoint intervals;
//  * prefill attention: chunked = whole, and the closed-form causal TTFT;
//  * token budgets, default microbatches, and the clock's range.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "analytic/balls_in_bins.h"
#include "analytic/formulas.h"
#include "analytic/queueing.h"
#include "analytic/renewal.h"
#include "analytic/serving.h"
#include "gtest/gtest.h"
#include "sim/core/random.h"
#include "sim/network/collective.h"
#include "sim/network/flow_network.h"
#include "sim/queueing/cluster_scheduler.h"
#include "sim/serving/serving_sim.h"
#include "sim/training/training_run.h"
#include "sim/training/training_step.h"
#include "topology/cluster_graph.h"
#include "topology/registry.h"
#include "workloads/distributions.h"
#include "workloads/request_stream.h"

namespace mlsysim {
namespace {

const Registry& Reg() {
  static const std::shared_ptr<const Registry> kReg = *Registry::Builtin();
  return *kReg;
}

constexpr double kNvlBw = 900e9, kNvlLat = 0.5e-6, kNicBw = 50e9, kNicLat = 5e-6;

ClusterShape Shape(int ranks, FabricKind fabric, Routing routing, double over = 1.0) {
  ClusterShape s;
  s.nodes = ranks / 8;
  s.gpus_per_node = 8;
  s.nvlink_bandwidth = kNvlBw;
  s.nvlink_latency = kNvlLat;
  s.nic_bandwidth = kNicBw;
  s.nic_latency = kNicLat;
  s.fabric = fabric;
  s.routing = routing;
  s.oversubscription = over;
  return s;
}

double Simulate(const ClusterGraph& g, CollectiveOp op, CollectiveAlgorithm alg, int ranks,
                double bytes) {
  Simulator sim;
  FlowNetwork net(sim, g.LinkCapacities());
  CollectiveSpec spec{op, alg, std::vector<int>(ranks), bytes};
  std::iota(spec.ranks.begin(), spec.ranks.end(), 0);
  Collective c(sim, net, g, spec, nullptr, 1);
  EXPECT_TRUE(c.Validate().ok());
  c.Start();
  sim.Run();
  return c.exact_seconds();
}

// α-β of the binomial tree, level by level: NVLink when the level's pairs stay
// inside nodes of 8, the NIC otherwise.
double TreeAlphaBeta(int n, double m) {
  double t = 0;
  for (int s = 1; s < n; s *= 2) {
    const bool nic = s >= 8;
    t += 2 * (m / (nic ? kNicBw : kNvlBw) + (nic ? kNicLat : kNvlLat));
  }
  return t;
}

TEST(RoutingTest, IdleNonBlockingFabricsEqualAlphaBetaUnderDmodkAndSpray) {
  const double m = 1e9;
  for (Routing routing : {Routing::kDmodk, Routing::kSpray}) {
    for (FabricKind fabric :
         {FabricKind::kFatTree2, FabricKind::kFatTree3, FabricKind::kRailOptimized}) {
      for (int n : {8, 64, 256, 1024}) {
        auto g = ClusterGraph::Build(Shape(n, fabric, routing));
        ASSERT_TRUE(g.ok());
        const std::string where =
            absl::StrCat(RoutingName(routing), " fabric ", static_cast<int>(fabric), " ranks ", n);
        // Ring over all ranks: every step is bound by the NIC (or NVLink on one node).
        const bool one_node = n == 8;
        if (n <= 256 || fabric == FabricKind::kFatTree3) {
          const double ring =
              Simulate(*g, CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, n, m);
          const double ring_ab = one_node ? RingAllReduceTime(m, n, kNvlBw, kNvlLat)
                                          : RingAllReduceTime(m, n, kNicBw, kNicLat);
          EXPECT_NEAR(ring, ring_ab, 1e-6 * ring_ab) << "ring " << where;
        }
        const double hier =
            Simulate(*g, CollectiveOp::kAllReduce, CollectiveAlgorithm::kHierarchical, n, m);
        const double hier_ab = RingAllReduceTime(m, 8, kNvlBw, kNvlLat) +
                               (one_node ? 0.0 : RingAllReduceTime(m / 8, n / 8, kNicBw, kNicLat));
        EXPECT_NEAR(hier, hier_ab, 1e-6 * hier_ab) << "hierarchical " << where;
        const double tree =
            Simulate(*g, CollectiveOp::kAllReduce, CollectiveAlgorithm::kTree, n, m);
        EXPECT_NEAR(tree, TreeAlphaBeta(n, m), 1e-6 * tree) << "tree " << where;
      }
    }
  }
}

TEST(RoutingTest, RoutesAreShortestPathsUnderEveryPolicy) {
  for (Routing routing : {Routing::kDmodk, Routing::kEcmp, Routing::kSpray}) {
    for (FabricKind kind :
         {FabricKind::kFatTree2, FabricKind::kFatTree3, FabricKind::kRailOptimized}) {
      ClusterShape s = Shape(64, kind, routing);
      s.gpus_per_node = 4;
      s.nodes = 16;
      s.leaf_ports = 8;
      s.pod_leaves = 2;
      auto g = ClusterGraph::Build(s);
      ASSERT_TRUE(g.ok());
      for (int src : {0, 3, 17, 63}) {
        for (int dst : {1, 4, 9, 40, 62}) {
          if (src == dst) continue;
          EXPECT_EQ(static_cast<int>(g->Route(src, dst, 99).size()), g->ShortestHops(src, dst));
        }
      }
    }
  }
}

TEST(RoutingTest, SprayedAllToAllOnAnOversubscribedFabricIsFluid) {
  // 256 ranks on leaves of 32 NICs, oversubscription 2: each leaf's up- and
  // down-trunks carry 16 NIC-widths. In step k of the pairwise exchange the
  // flows leaving a leaf share its trunk (all leaves alike), so a crossing
  // flow moves at min(β, 16β / leaving) — counted here from the rank layout.
  const int n = 256, leaf = 32;
  const double m = 1e9, over = 2.0, uplink = leaf / over * kNicBw;
  double expected = 0;
  for (int k = 1; k < n; ++k) {
    int leaving = 0;
    for (int j = 0; j < leaf; ++j) leaving += ((j + k) % n) / leaf != 0;
    double rate = kNicBw;
    if (leaving > 0) rate = std::min(rate, uplink / leaving);
    bool nic = false;  // does any flow of the step leave its node?
    for (int p = 0; p < n && !nic; ++p) nic = p / 8 != ((p + k) % n) / 8;
    expected += nic ? kNicLat + m / n / rate : kNvlLat + m / n / kNvlBw;
  }
  auto g = ClusterGraph::Build(Shape(n, FabricKind::kFatTree2, Routing::kSpray, over));
  ASSERT_TRUE(g.ok());
  const double t = Simulate(*g, CollectiveOp::kAllToAll, CollectiveAlgorithm::kRing, n, m);
  EXPECT_NEAR(t, expected, 1e-6 * expected);
  // Against the idle α-β it is the fluid slowdown, not a hash artefact.
  EXPECT_GT(t, 1.5 * AllToAllTime(m, n, kNicBw, kNicLat));
}

TEST(BallsInBinsTest, ExactSmallCases) {
  EXPECT_NEAR(ExpectedMaxBinLoad(2, 2), 1.5, 1e-12);          // max 2 w.p. 1/2
  EXPECT_NEAR(ExpectedMaxBinLoad(3, 3), 51.0 / 27.0, 1e-12);  // 6·1 + 18·2 + 3·3 over 27
  EXPECT_NEAR(ExpectedMaxBinLoad(4, 1), 4.0, 1e-12);
  EXPECT_NEAR(ExpectedMaxBinLoad(1, 7), 1.0, 1e-12);
}

TEST(RoutingTest, EcmpCollisionsFollowBallsInBins) {
  // 32 NICs of leaf 0 each send to a NIC on a different leaf (so down-links
  // never collide); ECMP picks one of 32 spines per flow by hash. The step
  // lasts max-load × bytes/β, whose mean over hash draws is E[max load].
  auto g = ClusterGraph::Build(Shape(8 * 32 * 33 / 8, FabricKind::kFatTree2, Routing::kEcmp));
  ASSERT_TRUE(g.ok());
  const int trials = 2000;
  std::vector<double> loads;
  for (int t = 0; t < trials; ++t) {
    std::vector<int> per_link(g->num_links(), 0);
    int worst = 0;
    for (int j = 0; j < 32; ++j) {
      const uint64_t h = MixHash(MixHash(2026, static_cast<uint64_t>(t)), static_cast<uint64_t>(j));
      for (int l : g->Route(j, 32 * (j + 1) + j, h))
        if (g->link(l).link_class == LinkClass::kLeafSpine) worst = std::max(worst, ++per_link[l]);
    }
    loads.push_back(worst);
  }
  double mean = 0, ss = 0;
  for (double x : loads) mean += x;
  mean /= trials;
  for (double x : loads) ss += (x - mean) * (x - mean);
  const double ci99 = 2.576 * std::sqrt(ss / (trials - 1) / trials);
  EXPECT_NEAR(mean, ExpectedMaxBinLoad(32, 32), ci99);
  // And the flow network turns one realisation into exactly that slowdown.
  Simulator sim;
  FlowNetwork net(sim, g->LinkCapacities());
  std::vector<int> per_link(g->num_links(), 0);
  int worst = 0;
  for (int j = 0; j < 32; ++j) {
    const auto path = g->Route(j, 32 * (j + 1) + j, MixHash(7, j));
    for (int l : path)
      if (g->link(l).link_class == LinkClass::kLeafSpine) worst = std::max(worst, ++per_link[l]);
    net.Start(path, 1e9, 0, nullptr, j);
  }
  sim.Run();
  EXPECT_NEAR(TimeToSeconds(sim.now()), worst * 1e9 / kNicBw, 1e-9);
}

TEST(RoutingTest, ReplicaDetailEqualsFullDetailWhenRingsShareNoLink) {
  TrainingStepConfig c;
  c.model = *Reg().FindModel("Llama3_70B");
  c.node = *Reg().FindNode("DGX_H100");
  c.fabric = *Reg().FindFabric("InfiniBand_NDR");
  c.nodes = 64;
  c.tp = 8;
  c.pp = 4;
  c.microbatches = 8;
  c.global_batch = 256;
  c.bucket_bytes = 500e6;
  for (Routing routing : {Routing::kDmodk, Routing::kSpray}) {
    c.routing = routing;
    c.representative_replica = false;
    auto full = SimulateTrainingStep(c);
    c.representative_replica = true;
    auto replica = SimulateTrainingStep(c);
    ASSERT_TRUE(full.ok() && replica.ok());
    EXPECT_NEAR(replica->step_time_s, full->step_time_s, 1e-9 * full->step_time_s);
    EXPECT_NEAR(replica->dp_allreduce_s, full->dp_allreduce_s, 1e-9 * full->dp_allreduce_s);
  }
}

TEST(Md1Test, ExactQuantilesAtHighLoad) {
  // Independent values (Erlang's series in 400-digit arithmetic), wait in units of D.
  EXPECT_NEAR(Md1WaitQuantile(0.95, 1, 0.99), 44.93776551, 1e-6);
  EXPECT_NEAR(Md1WaitQuantile(0.95, 1, 0.999), 67.57330216, 1e-6);
  EXPECT_NEAR(Md1WaitQuantile(0.9, 1, 0.999), 33.01396974, 1e-6);
  EXPECT_NEAR(Md1WaitQuantile(0.9, 1, 0.99), 21.89823735, 1e-6);
  EXPECT_NEAR(Md1WaitQuantile(0.99, 1, 0.99), 229.1550782, 1e-5);
  EXPECT_NEAR(Md1WaitQuantile(0.99, 1, 0.999), 343.8992834, 1e-5);
  EXPECT_NEAR(Md1WaitQuantile(0.8, 1, 0.999), 15.70026819, 1e-6);
  EXPECT_NEAR(Md1WaitQuantile(0.5, 1, 0.99), 3.336255957, 1e-6);
  // The series and the exponential tail agree where they meet (τ = 16).
  for (double rho : {0.5, 0.9, 0.99}) {
    const double below = Md1WaitCdf(rho, 1, 16 - 1e-9), above = Md1WaitCdf(rho, 1, 16 + 1e-9);
    EXPECT_NEAR(1 - below, 1 - above, 1e-9 * (1 - below) + 1e-15) << rho;
  }
}

TEST(RenewalTest, ExponentialRenewalIsLinear) {
  EXPECT_NEAR(WeibullRenewalFunction(1.0, 100.0, 250.0), 2.5, 1e-6);
  // Shape 2 at t = scale: M = F + F*F + ...; first-order check M >= F.
  EXPECT_GT(WeibullRenewalFunction(2.0, 1.0, 1.0), WeibullCdf(2.0, 1.0, 1.0));
}

TEST(RenewalTest, WeibullRenewalMatchesIndependentValues) {
  // One component, mean 50,000 h, T = 720 h (tests/data/SOURCES.md, "Weibull
  // renewal at k != 1"): M = 0.17804 for k = 0.5 and 1.629e-4 for k = 2, to
  // the digits given.
  const double mean_h = 50000, t_h = 720;
  const double m_half = WeibullRenewalFunction(0.5, mean_h / std::tgamma(3.0), t_h);
  EXPECT_NEAR(m_half, 0.17804, 5e-6);
  const double m_two = WeibullRenewalFunction(2.0, mean_h / std::tgamma(1.5), t_h);
  EXPECT_NEAR(m_two, 1.629e-4, 5e-8);
  // For k = 2 and t << scale, renewals after the first are of order F²: M is
  // F(t) to within F² (an independent check of the same figure).
  const double f = WeibullCdf(2.0, mean_h / std::tgamma(1.5), t_h);
  EXPECT_NEAR(m_two, f, f * f);
}

// Failures of one Weibull cause over `days`, one count per seed.
std::vector<double> FailuresPerSeed(double shape, bool fresh, int components, double mtbf_h,
                                    double days, int seeds) {
  std::vector<double> counts;
  for (int s = 1; s <= seeds; ++s) {
    TrainingRunConfig c;
    c.step_time_s = 10;
    c.duration_s = days * 86400;
    c.causes = {{"gpu", "gpu", components, 1.0 / mtbf_h, shape, false}};
    c.fresh_fleet = fresh;
    c.restart_s = 60;
    c.seed = static_cast<uint64_t>(s);
    auto r = SimulateTrainingRun(c);
    EXPECT_TRUE(r.ok());
    counts.push_back(r->interruptions);
  }
  return counts;
}

// The mean of `x` and the half-width of its 99.9 % confidence interval
// (3.29 standard errors, from the sample variance: Weibull counts are not
// Poisson, so their spread is measured, not assumed).
std::pair<double, double> MeanAnd999HalfWidth(const std::vector<double>& x) {
  double mean = 0, ss = 0;
  for (double v : x) mean += v;
  mean /= x.size();
  for (double v : x) ss += (v - mean) * (v - mean);
  const double se = std::sqrt(ss / (x.size() - 1) / x.size());
  return {mean, 3.29 * se};
}

TEST(RenewalTest, WeibullCountsMatchTheRenewalExpectation) {
  // 8,192 components, MTBF 5,000 h, 30 days: 1,180 failures per seed from an
  // equilibrium fleet, 133 (shape 2) to 2,088 (shape 0.5) from a new one.
  // 100 seeds each; the 99.9 % interval of the pooled mean must be inside
  // ±3 % (the power asserted) and contain the closed form.
  const int n = 8192, seeds = 100;
  const double mtbf_h = 5000, days = 30, t_h = days * 24;
  for (double shape : {0.5, 1.0, 2.0}) {
    const double scale = mtbf_h / std::tgamma(1 + 1 / shape);
    // Equilibrium start: exactly T / mean per component.
    const double eq_expected = n * t_h / mtbf_h;
    const auto [eq, eq_band] =
        MeanAnd999HalfWidth(FailuresPerSeed(shape, false, n, mtbf_h, days, seeds));
    EXPECT_LT(eq_band, 0.03 * eq_expected) << "shape " << shape;
    EXPECT_NEAR(eq, eq_expected, eq_band) << "equilibrium, shape " << shape;
    const double m = n * WeibullRenewalFunction(shape, scale, t_h);
    const auto [fresh, fresh_band] =
        MeanAnd999HalfWidth(FailuresPerSeed(shape, true, n, mtbf_h, days, seeds));
    EXPECT_LT(fresh_band, 0.03 * m) << "shape " << shape;
    EXPECT_NEAR(fresh, m, fresh_band) << "new fleet, shape " << shape;
  }
}

TEST(TrainingRunFidelityTest, EttrMatchesDalysExactRenewalFormula) {
  // One exponential failure process (MTBF M), blocking checkpoints of δ every
  // τ of work, restart R (failures during a restart restart it): a segment of
  // τ + δ takes E = e^{λR}/λ · (e^{λ(τ+δ)} − 1) on average (Daly 2006, eq. 13
  // without the final partial segment), so ETTR = τ / E.
  const double mtbf = 6 * 3600, write = 300, restart = 600, lambda = 1 / mtbf;
  const int reps = 30;
  for (double tau : {900.0, 1800.0, 3600.0, 7200.0, 14400.0}) {
    std::vector<double> e;
    for (int rep = 0; rep < reps; ++rep) {
      TrainingRunConfig c;
      c.step_time_s = 1;
      c.duration_s = 400 * mtbf;
      c.causes = {{"failure", "gpu", 1, 3600.0 / mtbf, 0, false}};
      c.checkpoint_interval_s = tau;
      c.checkpoint_write_s = write;
      c.detection_s = 0;
      c.reschedule_s = 0;
      c.restart_s = restart;
      c.seed = 5;
      c.replication = static_cast<uint64_t>(rep);
      e.push_back(SimulateTrainingRun(c)->ettr);
    }
    double mean = 0, ss = 0;
    for (double x : e) mean += x;
    mean /= reps;
    for (double x : e) ss += (x - mean) * (x - mean);
    const double ci99 = 2.756 * std::sqrt(ss / (reps - 1) / reps);  // t(29) 99 %
    const double exact =
        tau / (std::exp(lambda * restart) / lambda * std::expm1(lambda * (tau + write)));
    EXPECT_NEAR(mean, exact, ci99) << "tau " << tau;
    EXPECT_LT(ci99, 0.01) << "the check must have power";
  }
}

TEST(PrefillTest, ChunkedCostsTheSameFlopsAsWholeAndMatchesTheCausalClosedForm) {
  ServingConfig c;
  c.model = *Reg().FindModel("Llama3_8B");
  c.hardware = *Reg().FindAccelerator("H100");
  c.max_batched_tokens = 40000;
  const int s = 32768;
  auto whole = SimulateServing(c, {{0.0, s, 1}});
  c.chunked_prefill_tokens = 2048;
  auto chunked = SimulateServing(c, {{0.0, s, 1}});
  ASSERT_TRUE(whole.ok() && chunked.ok());
  // Causal attention: 2·P·S + 4·L·H·d·S(S+1)/2 flop at peak × η, plus the dispatch tax.
  const ModelSpec& m = c.model;
  const double heads = m.heads > 0 ? m.heads : 32, d = m.hidden_dim / heads;
  const double flops = 2 * m.parameters * s + 4.0 * m.layers * heads * d * s * (s + 1.0) / 2;
  const double peak = c.hardware.PeakFor(c.precision).si * c.efficiency;
  const double tax = c.hardware.dispatch_tax_ms * 1e-3;
  EXPECT_NEAR(whole->ttft_s[0], flops / peak + tax, 1e-9 * whole->ttft_s[0]);
  // Chunked: the same flops in 16 pieces; it adds 15 taxes and the KV reads
  // of each piece's prefix (all hidden under compute here).
  EXPECT_NEAR(chunked->ttft_s[0], flops / peak + 16 * tax, 1e-9 * chunked->ttft_s[0]);
}

TEST(PrefillTest, OutputLengthNeverCountsAgainstTheTokenBudget) {
  ServingConfig c;
  c.model = *Reg().FindModel("Llama3_8B");
  c.hardware = *Reg().FindAccelerator("H100");
  c.max_batched_tokens = 8192;
  // 4,000 prompt + 8,000 output tokens: runs (the budget is per iteration).
  auto r = SimulateServing(c, {{0.0, 4000, 8000}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->finished, 1);
  EXPECT_EQ(r->split_prompts, 0);
  // A 20,000-token prompt is prefilled in budget-sized pieces.
  auto big = SimulateServing(c, {{0.0, 20000, 4}});
  ASSERT_TRUE(big.ok()) << big.status();
  EXPECT_EQ(big->finished, 1);
  EXPECT_EQ(big->split_prompts, 1);
  EXPECT_EQ(big->tokens_in, 20000);
}

TEST(DefaultsTest, DefaultMicrobatchesFitTheBatch) {
  // 16,384 GPUs, TP8 PP8 -> DP 256; batch 2048 -> 8 per replica: 8 microbatches.
  EXPECT_EQ(DefaultMicrobatches(2048, 16384, 8, 8), 8);
  // Plenty of batch: 4·PP.
  EXPECT_EQ(DefaultMicrobatches(4096, 256, 8, 4), 16);
  // 128 GPUs, TP8 PP8 -> DP 2; batch 48 -> 24 per replica; 4·PP = 32: 24.
  EXPECT_EQ(DefaultMicrobatches(48, 128, 8, 8), 24);
  // Per-replica batch 10, 4·PP = 16: 10; per-replica batch 7 (prime), PP 1: 4 -> 1.
  EXPECT_EQ(DefaultMicrobatches(20, 128, 8, 8), 10);
  EXPECT_EQ(DefaultMicrobatches(14, 16, 8, 1), 1);
}

TEST(ClockRangeTest, RunsPastTheClockAreRefused) {
  ClusterJobsConfig c;
  c.gpus = 256;
  c.arrival_rate_per_hour = 0.45 / 24;
  c.jobs = 60000;
  JobClass job;
  job.name = "job";
  job.gpu_sizes = {256};
  c.classes = {job};
  auto r = SimulateClusterJobs(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("clock"), std::string::npos) << r.status();
}

}  // namespace
}  // namespace mlsysim
