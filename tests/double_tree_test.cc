// double_tree_test.cc — NCCL's double binary tree (sim/network/double_tree.h)
// and NCCL's all-reduce choice (sim/network/nccl_choice.h).
//
// The trees are checked for the properties that make the schedule what NCCL
// runs: two spanning trees of depth ⌊log2(N − 1)⌋ + 1, no rank inner in both
// (so no rank moves more than four half-buffers each way); the schedule on an
// idle single switch against 2·depth·α + (busiest rank's flows)·M/2/β, with
// the busiest rank counted by brute force; N = 2 against the ring (the same
// two messages). The choice against NCCL's cost model evaluated by hand
// (tests/data/SOURCES.md, "NCCL all-reduce choice").
#include <numeric>
#include <set>
#include <vector>

#include "analytic/formulas.h"
#include "gtest/gtest.h"
#include "sim/core/simulator.h"
#include "sim/network/collective.h"
#include "sim/network/double_tree.h"
#include "sim/network/flow_network.h"
#include "sim/network/nccl_choice.h"
#include "topology/cluster_graph.h"

namespace mlsysim {
namespace {

// Depth of one tree, from its parent array, root = the rank with no parent.
int TreeDepth(const std::vector<int>& parent) {
  int deepest = 0;
  for (size_t v = 0; v < parent.size(); ++v) {
    int d = 0;
    for (int u = static_cast<int>(v); parent[u] >= 0; u = parent[u]) {
      ++d;
      if (d > static_cast<int>(parent.size())) return -1;  // a cycle
    }
    deepest = std::max(deepest, d);
  }
  return deepest;
}

TEST(DoubleTreeTest, TwoSpanningBinaryTreesOfLogDepthAtMostFourEdgesPerRank) {
  for (int n = 2; n <= 300; ++n) {
    const std::vector<TreeEdge> edges = DoubleBinaryTreeEdges(n);
    ASSERT_EQ(edges.size(), 2u * (n - 1)) << n;
    int floor_log2 = 0;
    while ((2 << floor_log2) <= n - 1) ++floor_log2;
    for (int tree = 0; tree < 2; ++tree) {
      std::vector<int> parent(n, -1), children(n, 0);
      for (int e = tree * (n - 1); e < (tree + 1) * (n - 1); ++e) {
        ASSERT_EQ(parent[edges[e].child], -1) << "two parents, n " << n;
        parent[edges[e].child] = edges[e].parent;
        ++children[edges[e].parent];
      }
      int roots = 0;
      for (int v = 0; v < n; ++v) {
        roots += parent[v] < 0;
        EXPECT_LE(children[v], 2) << "binary, n " << n;
      }
      EXPECT_EQ(roots, 1) << n;
      EXPECT_EQ(TreeDepth(parent), floor_log2 + 1) << "n " << n;
    }
    EXPECT_EQ(DoubleBinaryTreeDepth(n), floor_log2 + 1) << n;
    // Edges per rank over both trees: at most four (inner in one tree and a
    // leaf in the other, or the root of tree A, which has one child).
    std::vector<int> degree(n, 0);
    for (const TreeEdge& e : edges) ++degree[e.child], ++degree[e.parent];
    for (int v = 0; v < n; ++v) EXPECT_LE(degree[v], 4) << "rank " << v << " of " << n;
  }
  EXPECT_TRUE(DoubleBinaryTreeEdges(1).empty());
  EXPECT_EQ(DoubleBinaryTreeDepth(1), 0);
}

double IdleDoubleTree(int n, double m, double beta, double alpha) {
  ClusterShape s;
  s.nodes = n;
  s.gpus_per_node = 1;
  s.nic_bandwidth = beta;
  s.nic_latency = alpha;
  s.fabric = FabricKind::kSingleSwitch;
  auto g = ClusterGraph::Build(s);
  EXPECT_TRUE(g.ok());
  Simulator sim;
  FlowNetwork net(sim, g->LinkCapacities());
  std::vector<int> all(n);
  std::iota(all.begin(), all.end(), 0);
  Collective c(sim, net, *g, {CollectiveOp::kAllReduce, CollectiveAlgorithm::kDoubleTree, all, m},
               nullptr, 1);
  EXPECT_TRUE(c.Validate().ok());
  c.Start();
  sim.Run();
  EXPECT_TRUE(c.done());
  return c.exact_seconds();
}

TEST(DoubleTreeTest, IdleSwitchEqualsDepthLatencyPlusBusiestRank) {
  const double beta = 50e9, alpha = 5e-6;
  for (int n : {3, 4, 5, 8, 64, 100, 1000}) {
    // The busiest rank's flows each way, by brute force over both trees:
    // every edge streams M/2 up and M/2 down.
    const std::vector<TreeEdge> edges = DoubleBinaryTreeEdges(n);
    std::vector<int> out(n, 0);
    for (const TreeEdge& e : edges) ++out[e.child], ++out[e.parent];
    const int busiest = *std::max_element(out.begin(), out.end());
    if (n >= 4) {
      EXPECT_EQ(busiest, 4) << n;
    }
    int floor_log2 = 0;
    while ((2 << floor_log2) <= n - 1) ++floor_log2;
    for (double m : {1e6, 1e9}) {
      const double want = 2.0 * (floor_log2 + 1) * alpha + busiest * (m / 2) / beta;
      EXPECT_NEAR(IdleDoubleTree(n, m, beta, alpha), want, 1e-9 * want) << n << " " << m;
    }
  }
  // Two ranks: each tree's one edge carries M/2 each way, the ring's two
  // steps M/2 each: both take 2α + M/β.
  EXPECT_NEAR(IdleDoubleTree(2, 1e9, beta, alpha), RingAllReduceTime(1e9, 2, beta, alpha), 1e-15);
}

TEST(DoubleTreeTest, ReduceScatterIsRefused) {
  ClusterShape s;
  s.nodes = 4;
  auto g = ClusterGraph::Build(s);
  ASSERT_TRUE(g.ok());
  Simulator sim;
  FlowNetwork net(sim, g->LinkCapacities());
  Collective c(sim, net, *g,
               {CollectiveOp::kReduceScatter, CollectiveAlgorithm::kDoubleTree, {0, 1, 2, 3}, 1e6},
               nullptr, 1);
  EXPECT_FALSE(c.Validate().ok());
}

// NCCL's cost model (tuning.cc, Simple protocol) evaluated by hand for these
// points: tests/data/SOURCES.md, "NCCL all-reduce choice".
TEST(NcclChoiceTest, MatchesTheCostModelByHand) {
  struct Point {
    int ranks, nodes;
    double bus_gbs, bytes, ring_us, tree_us;
    CollectiveAlgorithm pick;
  };
  const Point points[] = {
      {3125, 3125, 50, 490e6, 133573.208, 22877.7778, CollectiveAlgorithm::kDoubleTree},
      {256, 256, 50, 5.47e9, 227263.6725, 243911.1111, CollectiveAlgorithm::kRing},
      {1024, 1024, 50, 5.47e9, 255921.328125, 244111.1111, CollectiveAlgorithm::kDoubleTree},
      {8, 8, 50, 500e6, 17771.32, 22522.2222, CollectiveAlgorithm::kRing},
      {128, 128, 50, 500e6, 24492.67, 22922.2222, CollectiveAlgorithm::kDoubleTree},
      {64, 64, 50, 1e6, 2353.575, 688.8889, CollectiveAlgorithm::kDoubleTree},
      {8, 1, 450, 1e6, 59.8889, 428.3636, CollectiveAlgorithm::kRing},
  };
  for (const Point& p : points) {
    const NcclAllReduceChoice c = ChooseNcclAllReduce({p.ranks, p.nodes, p.bus_gbs * 1e9}, p.bytes);
    EXPECT_NEAR(c.ring_s * 1e6, p.ring_us, 1e-3) << p.ranks << " ranks, " << p.bytes << " B";
    EXPECT_NEAR(c.tree_s * 1e6, p.tree_us, 1e-3) << p.ranks << " ranks, " << p.bytes << " B";
    EXPECT_EQ(c.algorithm, p.pick) << p.ranks << " ranks, " << p.bytes << " B";
  }
  EXPECT_EQ(ChooseNcclAllReduce({1, 1, 50e9}, 1e9).algorithm, CollectiveAlgorithm::kRing);
}

}  // namespace
}  // namespace mlsysim
