// collective_test.cc — cluster graph routing, max-min flow sharing, and the
// validation targets for collectives: on an idle network every schedule equals
// its α-β formula (1e-6 relative for messages >= 1 MB; at most one clock tick
// per sequential step below that), for ranks 2…1024 and messages 1 KB…16 GB.
#include <cmath>
#include <numeric>

#include "analytic/formulas.h"
#include "gtest/gtest.h"
#include "sim/network/collective.h"
#include "sim/network/flow_network.h"
#include "topology/cluster_graph.h"

namespace mlsysim {
namespace {

TEST(ClusterGraphTest, RoutesAreShortestPaths) {
  for (FabricKind kind : {FabricKind::kSingleSwitch, FabricKind::kFatTree2, FabricKind::kFatTree3,
                          FabricKind::kRailOptimized}) {
    ClusterShape s;
    s.nodes = 16;
    s.gpus_per_node = 4;
    s.fabric = kind;
    s.leaf_ports = 8;
    s.pod_leaves = 2;
    auto g = ClusterGraph::Build(s);
    ASSERT_TRUE(g.ok()) << g.status();
    for (int src : {0, 3, 17, 63}) {
      for (int dst : {1, 4, 9, 40, 62}) {
        if (src == dst) continue;
        for (uint64_t h : {0ull, 7ull, 12345ull}) {
          const std::vector<int> path = g->Route(src, dst, h);
          ASSERT_FALSE(path.empty());
          for (int l : path) ASSERT_GE(l, 0) << "missing link";
          EXPECT_EQ(static_cast<int>(path.size()), g->ShortestHops(src, dst))
              << "fabric " << static_cast<int>(kind) << " " << src << "->" << dst;
        }
      }
    }
  }
}

TEST(ClusterGraphTest, OversubscriptionThinsTheUplinks) {
  ClusterShape s;
  s.nodes = 8;
  s.gpus_per_node = 8;
  s.leaf_ports = 16;
  s.oversubscription = 4.0;
  auto g = ClusterGraph::Build(s);
  ASSERT_TRUE(g.ok());
  int uplinks_of_leaf0 = 0;
  for (size_t id = 0; id < g->num_links(); ++id)
    if (g->link(static_cast<int>(id)).link_class == LinkClass::kLeafSpine) ++uplinks_of_leaf0;
  // 4 leaves x 4 spines x 2 directions.
  EXPECT_EQ(uplinks_of_leaf0, 4 * 4 * 2);
  s.oversubscription = 0.5;
  EXPECT_FALSE(ClusterGraph::Build(s).ok());
}

class Recorder : public FlowObserver {
 public:
  void OnFlowComplete(uint64_t tag, SimTime now) override { done[tag] = now; }
  std::map<uint64_t, SimTime> done;
};

// Fewer NICs than GPUs (nics_per_node): consecutive GPUs share one port, its
// leaf and its rail; routes stay shortest paths over the graph (the sharing
// GPUs' edges stand for the same link); a bad count names the field.
TEST(ClusterGraphTest, GpusShareANicWhenANodeHasFewer) {
  for (FabricKind kind : {FabricKind::kSingleSwitch, FabricKind::kFatTree2, FabricKind::kFatTree3,
                          FabricKind::kRailOptimized}) {
    ClusterShape s;
    s.nodes = 16;
    s.gpus_per_node = 8;
    s.nics_per_node = 4;
    s.fabric = kind;
    s.leaf_ports = 8;
    s.pod_leaves = 2;
    auto g = ClusterGraph::Build(s);
    ASSERT_TRUE(g.ok()) << g.status();
    EXPECT_EQ(g->PortOf(9), 4);    // node 1, GPUs 8–9 on its NIC 0
    EXPECT_EQ(g->PortOf(127), 63);
    EXPECT_EQ(g->Route(0, 9, 0).front(), g->Route(1, 9, 0).front()) << "GPUs 0, 1: one NIC";
    EXPECT_NE(g->Route(0, 9, 0).front(), g->Route(2, 9, 0).front());
    EXPECT_EQ(g->Route(16, 0, 0).back(), g->Route(16, 1, 0).back());  // into GPU 1: the same port
    if (kind == FabricKind::kRailOptimized) {
      EXPECT_EQ(g->LeafOf(3), 1);  // GPU 3 on NIC 1: rail 1
      EXPECT_EQ(g->LeafOf(8 + 7), 3);
    }
    for (int src : {0, 3, 17, 63, 100}) {
      for (int dst : {1, 4, 9, 40, 62, 127}) {
        if (src == dst) continue;
        const std::vector<int> path = g->Route(src, dst, 7);
        for (int l : path) ASSERT_GE(l, 0) << "missing link";
        EXPECT_EQ(static_cast<int>(path.size()), g->ShortestHops(src, dst))
            << "fabric " << static_cast<int>(kind) << " " << src << "->" << dst;
      }
    }
  }
  ClusterShape bad;
  bad.nodes = 2;
  bad.nics_per_node = 3;
  const auto g = ClusterGraph::Build(bad);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(std::string(g.status().message()).find("nics_per_node (3)"), std::string::npos);
}

// By hand: two nodes of two GPUs on one switch, one NIC per node. GPUs 0 and
// 1 each send M to GPUs 2 and 3 at once: both cross node 0's one port, so
// each gets half of it and both finish at 2M/B; with a NIC per GPU, at M/B.
TEST(ClusterGraphTest, GpusSharingANicShareItsBandwidth) {
  for (int nics : {1, 0}) {
    ClusterShape s;
    s.nodes = 2;
    s.gpus_per_node = 2;
    s.nics_per_node = nics;
    s.nic_bandwidth = 10e9;
    s.nic_latency = 0;
    s.fabric = FabricKind::kSingleSwitch;
    auto g = ClusterGraph::Build(s);
    ASSERT_TRUE(g.ok()) << g.status();
    Simulator sim;
    FlowNetwork net(sim, g->LinkCapacities());
    Recorder r;
    net.Start(g->Route(0, 2, 0), 10e9, 0, &r, 1);
    net.Start(g->Route(1, 3, 0), 10e9, 0, &r, 2);
    sim.Run();
    const SimTime expected = (nics == 1 ? 2 : 1) * kSecond;
    EXPECT_EQ(r.done[1], expected) << "nics " << nics;
    EXPECT_EQ(r.done[2], expected) << "nics " << nics;
  }
}

TEST(FlowNetworkTest, MaxMinFairSharing) {
  // Link 0 (10 B/ns) shared by flows A and B; B also crosses link 1 (2 B/ns).
  // Max-min: B gets 2, A gets 8.
  Simulator sim;
  FlowNetwork net(sim, {10e9, 2e9});
  Recorder r;
  net.Start({0}, 8e9, 0, &r, 1);     // A: 8 GB
  net.Start({0, 1}, 2e9, 0, &r, 2);  // B: 2 GB
  sim.Run();
  EXPECT_EQ(r.done[1], 1 * kSecond);  // 8 GB at 8 GB/s
  EXPECT_EQ(r.done[2], 1 * kSecond);  // 2 GB at 2 GB/s
}

TEST(FlowNetworkTest, RatesAreRetimedWhenAFlowLeaves) {
  // Two equal flows on one 1 GB/s link: 0.5 GB/s each. The 1 GB flow ends at
  // 2 s; the 3 GB flow has 2 GB left and then runs alone at 1 GB/s: ends at 4 s.
  Simulator sim;
  FlowNetwork net(sim, {1e9});
  Recorder r;
  net.Start({0}, 1e9, 0, &r, 1);
  net.Start({0}, 3e9, 0, &r, 2);
  sim.Run();
  EXPECT_EQ(r.done[1], 2 * kSecond);
  EXPECT_EQ(r.done[2], 4 * kSecond);
  EXPECT_NEAR(net.link_bytes()[0], 4e9, 1);
}

TEST(FlowNetworkTest, PathsLongerThanAnyBeforeKeepEveryFlowsShare) {
  // The network keeps each flow's path in fixed-width slots (8 links) and
  // widens them when a longer path arrives. A (2 links) starts first; B
  // crosses 13 links (widening), C 10 links with weight 2 on link 0.
  // Max-min by hand: link 20 (1 GB/s) freezes C at 1; link 12 (2 GB/s)
  // freezes B at 2; link 0 has 10 - 2·1 - 2 = 6 left for A. A (6 GB) and
  // C (1 GB) end at 1 s; B (4 GB) stays at 2 GB/s and ends at 2 s.
  std::vector<double> capacity(29, 10e9);
  capacity[12] = 2e9;
  capacity[20] = 1e9;
  Simulator sim;
  FlowNetwork net(sim, capacity);
  Recorder r;
  net.Start({0, 1}, 6e9, 0, &r, 1);
  std::vector<int> b_path = {0};
  for (int l = 2; l <= 12; ++l) b_path.push_back(l);
  b_path.push_back(13);
  net.Start(b_path, 4e9, 0, &r, 2);
  std::vector<int> c_path = {0};
  std::vector<double> c_weight = {2};
  for (int l = 20; l <= 28; ++l) {
    c_path.push_back(l);
    c_weight.push_back(1);
  }
  net.StartWeighted(c_path, c_weight, 1e9, 0, &r, 3);
  sim.Run();
  EXPECT_EQ(r.done[1], 1 * kSecond);
  EXPECT_EQ(r.done[3], 1 * kSecond);
  EXPECT_EQ(r.done[2], 2 * kSecond);
  EXPECT_NEAR(net.link_bytes()[0], 6e9 + 4e9 + 2 * 1e9, 1);
  EXPECT_NEAR(net.link_bytes()[13], 4e9, 1);
  EXPECT_NEAR(net.link_bytes()[28], 1e9, 1);
}

TEST(FlowNetworkTest, LatencyThenBandwidth) {
  Simulator sim;
  FlowNetwork net(sim, {1e9});
  Recorder r;
  net.Start({0}, 1e6, 5e-6, &r, 1);  // 5 us + 1 ms
  sim.Run();
  EXPECT_EQ(r.done[1], 1005 * kMicrosecond);
}

// Runs one collective on an idle cluster; returns the simulated seconds.
struct CollectiveRun {
  double seconds;        // on the simulation clock (integer nanoseconds)
  double exact_seconds;  // the schedule's continuous duration
  int steps;
};
CollectiveRun RunCollective(CollectiveOp op, CollectiveAlgorithm algo, int ranks, int gpn,
                            double message, double intra_bw, double intra_lat, double inter_bw,
                            double inter_lat) {
  ClusterShape s;
  s.nodes = ranks / gpn;
  s.gpus_per_node = gpn;
  s.nvlink_bandwidth = intra_bw;
  s.nvlink_latency = intra_lat;
  s.nic_bandwidth = inter_bw;
  s.nic_latency = inter_lat;
  s.fabric = FabricKind::kSingleSwitch;
  auto g = ClusterGraph::Build(s);
  EXPECT_TRUE(g.ok());
  Simulator sim;
  FlowNetwork net(sim, g->LinkCapacities());
  std::vector<int> all(ranks);
  std::iota(all.begin(), all.end(), 0);
  Collective c(sim, net, *g, {op, algo, all, message}, nullptr, 1);
  EXPECT_TRUE(c.Validate().ok());
  c.Start();
  sim.Run();
  EXPECT_TRUE(c.done());
  return {TimeToSeconds(c.end_time() - c.start_time()), c.exact_seconds(), c.total_steps()};
}

// The schedule's own duration equals the formula (1e-6 relative for M >= 1 MB;
// in fact to rounding); the clock adds at most one tick per sequential step
// (here at most one tick in all, since steps start at exact instants).
void ExpectMatches(const CollectiveRun& run, double formula_s, double message) {
  if (message >= 1e6) {
    EXPECT_NEAR(run.exact_seconds, formula_s, 1e-6 * formula_s);
  }
  EXPECT_NEAR(run.exact_seconds, formula_s, 1e-9 * formula_s + 1e-15);
  EXPECT_GE(run.seconds, formula_s - 1e-12);
  EXPECT_LE(run.seconds - formula_s, std::min(run.steps, 1) * 1e-9 + 1e-12);
}

TEST(CollectiveValidationTest, IdleNetworkEqualsAlphaBeta) {
  const double beta = 50e9, alpha = 5e-6;
  for (int n : {2, 3, 8, 64, 1024}) {
    for (double m : {1e3, 1e6, 1e9, 16e9}) {
      // One rank per node: every rank has one NIC link of β, α per message.
      auto ring = RunCollective(CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, n, 1, m, beta,
                                alpha, beta, alpha);
      ExpectMatches(ring, RingAllReduceTime(m, n, beta, alpha), m);
      auto tree = RunCollective(CollectiveOp::kAllReduce, CollectiveAlgorithm::kTree, n, 1, m, beta,
                                alpha, beta, alpha);
      ExpectMatches(tree, TreeAllReduceTime(m, n, beta, alpha), m);
      auto a2a = RunCollective(CollectiveOp::kAllToAll, CollectiveAlgorithm::kRing, n, 1, m, beta,
                               alpha, beta, alpha);
      ExpectMatches(a2a, AllToAllTime(m, n, beta, alpha), m);
      auto rs = RunCollective(CollectiveOp::kReduceScatter, CollectiveAlgorithm::kRing, n, 1, m,
                              beta, alpha, beta, alpha);
      ExpectMatches(rs, (n - 1.0) / n * m / beta + (n - 1) * alpha, m);
    }
  }
}

TEST(CollectiveValidationTest, DirectEqualsOnePortAlphaBeta) {
  // Every rank sends M/N to each of the N−1 others at once: its one link
  // carries (N−1)·M/N at β, one α per phase; all-reduce is two phases. With 8
  // GPUs a node the NVLink carries the 7 in-node shares and the NIC the rest,
  // on disjoint links: the slower one sets the phase.
  const double beta = 50e9, alpha = 5e-6, bi = 900e9, ai = 500e-9;
  for (int n : {2, 3, 8, 64, 256}) {
    for (double m : {1e3, 1e6, 1e9}) {
      const double phase = (n - 1.0) / n * m / beta + alpha;
      for (CollectiveOp op :
           {CollectiveOp::kAllToAll, CollectiveOp::kReduceScatter, CollectiveOp::kAllGather}) {
        auto r = RunCollective(op, CollectiveAlgorithm::kDirect, n, 1, m, beta, alpha, beta, alpha);
        EXPECT_EQ(r.steps, 1);
        ExpectMatches(r, phase, m);
      }
      auto ar = RunCollective(CollectiveOp::kAllReduce, CollectiveAlgorithm::kDirect, n, 1, m, beta,
                              alpha, beta, alpha);
      EXPECT_EQ(ar.steps, 2);
      ExpectMatches(ar, 2 * phase, m);
      if (n % 8 == 0 && n > 8) {
        auto h = RunCollective(CollectiveOp::kAllToAll, CollectiveAlgorithm::kDirect, n, 8, m, bi,
                               ai, beta, alpha);
        ExpectMatches(h, std::max(7.0 / n * m / bi + ai, (n - 8.0) / n * m / beta + alpha), m);
      }
    }
  }
}

// NVLink SHARP inside one NVSwitch: the switch sums and multicasts, so each
// GPU's own port carries S·(N+1)/N up and the same down at once (all-reduce;
// tests/data/SOURCES.md "NVLS"), S up and S/N down (reduce-scatter), S/N up and
// S down (all-gather): one step, one α. By hand for N = 8, S = 1 GB, β = 450
// GB/s, α = 1 µs: 1 µs + 1.125 GB / 450 GB/s = 2.501 ms.
TEST(CollectiveValidationTest, NvlsEqualsItsSwitchSideTraffic) {
  const double beta = 450e9, alpha = 1e-6;
  auto eight = RunCollective(CollectiveOp::kAllReduce, CollectiveAlgorithm::kNvls, 8, 8, 1e9, beta,
                             alpha, 50e9, 5e-6);
  EXPECT_EQ(eight.steps, 1);
  ExpectMatches(eight, 2.501e-3, 1e9);
  for (int n : {2, 3, 5, 8, 72}) {
    for (double m : {1e3, 1e6, 1e9, 16e9}) {
      auto ar = RunCollective(CollectiveOp::kAllReduce, CollectiveAlgorithm::kNvls, n, n, m, beta,
                              alpha, 50e9, 5e-6);
      ExpectMatches(ar, alpha + m * (n + 1.0) / n / beta, m);
      for (CollectiveOp op : {CollectiveOp::kReduceScatter, CollectiveOp::kAllGather}) {
        auto r = RunCollective(op, CollectiveAlgorithm::kNvls, n, n, m, beta, alpha, 50e9, 5e-6);
        ExpectMatches(r, alpha + m / beta, m);
      }
    }
  }
  // Refused: ranks across nodes (NVLS-tree is not modelled) and all-to-all.
  ClusterShape s;
  s.nodes = 2;
  s.gpus_per_node = 8;
  auto g = ClusterGraph::Build(s);
  ASSERT_TRUE(g.ok());
  Simulator sim;
  FlowNetwork net(sim, g->LinkCapacities());
  std::vector<int> all(16);
  std::iota(all.begin(), all.end(), 0);
  Collective across(sim, net, *g, {CollectiveOp::kAllReduce, CollectiveAlgorithm::kNvls, all, 1e9},
                    nullptr, 1);
  EXPECT_NE(across.Validate().message().find("span 2 nodes"), absl::string_view::npos)
      << across.Validate();
  all.resize(8);
  Collective a2a(sim, net, *g, {CollectiveOp::kAllToAll, CollectiveAlgorithm::kNvls, all, 1e9},
                 nullptr, 1);
  EXPECT_NE(a2a.Validate().message().find("accepted: ring, direct"), absl::string_view::npos)
      << a2a.Validate();
}

TEST(CollectiveValidationTest, HierarchicalEqualsItsTwoRings) {
  const double bi = 900e9, ai = 500e-9, be = 50e9, ae = 5e-6;
  for (int nodes : {2, 4, 16, 128}) {
    for (double m : {1e3, 1e6, 1e9, 16e9}) {
      const int g = 8, n = nodes * g;
      auto h = RunCollective(CollectiveOp::kAllReduce, CollectiveAlgorithm::kHierarchical, n, g, m,
                             bi, ai, be, ae);
      const double formula =
          RingAllReduceTime(m, g, bi, ai) + RingAllReduceTime(m / g, nodes, be, ae);
      ExpectMatches(h, formula, m);
      // mlsysim v0.1.1 counts the intra-node phase twice; the simulator does not.
      EXPECT_LT(h.seconds, HierarchicalAllReduceTime(m, nodes, g, bi, be, ai, ae));
    }
  }
}

TEST(CollectiveValidationTest, ContentionShowsUpAsTheGap) {
  // An all-to-all on a fabric with one spine: contention by the expected factor.
  ClusterShape s;
  s.nodes = 8;
  s.gpus_per_node = 1;
  s.leaf_ports = 2;
  s.oversubscription = 2.0;
  s.fabric = FabricKind::kFatTree2;
  auto g = ClusterGraph::Build(s);
  ASSERT_TRUE(g.ok());
  Simulator sim;
  FlowNetwork net(sim, g->LinkCapacities());
  Collective c(sim, net, *g,
               {CollectiveOp::kAllToAll, CollectiveAlgorithm::kRing, {0, 1, 2, 3, 4, 5, 6, 7}, 8e9},
               nullptr, 1);
  c.Start();
  sim.Run();
  // One spine (2 ports per leaf / oversubscription 2): in step k of the
  // pairwise exchange the flows leaving a leaf share its single up-link (and,
  // the permutation being a shift, as many enter each leaf on its down-link),
  // so a step lasts α + (M/N)·leaving/β. Counted here from the layout.
  double expected = 0;
  for (int k = 1; k < 8; ++k) {
    int leaving = 0;
    for (int j = 0; j < 2; ++j) leaving += ((j + k) % 8) / 2 != 0;
    expected += s.nic_latency + 8e9 / 8 * std::max(1, leaving) / s.nic_bandwidth;
  }
  EXPECT_NEAR(c.exact_seconds(), expected, 1e-9 * expected);
  // 1.71x the idle alpha-beta: the contention is the gap.
  EXPECT_NEAR(expected / AllToAllTime(8e9, 8, s.nic_bandwidth, s.nic_latency), 1.714, 0.001);
}

}  // namespace
}  // namespace mlsysim
