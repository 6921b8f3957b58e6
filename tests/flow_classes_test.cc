// flow_classes_test.cc — flow classes (sim/network/flow_classes.h) and the
// training step simulated with them: weighted max-min against its closed form,
// the partition on hand-made routes (a collision splits a class), and the
// aggregated step against the per-flow step (--no-aggregation) to 1e-9, on
// symmetric layouts and on one whose replicas diverge (re-run, still exact).
#include "sim/network/flow_classes.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/core/simulator.h"
#include "sim/network/flow_network.h"
#include "sim/training/training_step.h"
#include "tests/training_testing.h"

namespace mlsysim {
namespace {

class Arrivals : public FlowObserver {
 public:
  explicit Arrivals(FlowNetwork* net) : net_(net) {}
  void OnFlowComplete(uint64_t tag, SimTime) override {
    if (finish.size() <= tag) finish.resize(tag + 1, -1);
    finish[tag] = net_->finish_seconds();
  }
  std::vector<double> finish;

 private:
  FlowNetwork* net_;
};

// Closed form: on one link of capacity 90 B/s, a flow of weight 2 (two
// members) and 30 B and a unit flow of 60 B share 2r + r = 90, r = 30 B/s;
// the weighted flow is done at 1 s, the other then runs alone at 90 B/s and
// is done at 1 + 30/90 s.
TEST(WeightedFlowNetworkTest, SharesLinksByWeightAsItsMembersWould) {
  Simulator sim;
  FlowNetwork net(sim, {90.0});
  Arrivals done(&net);
  net.StartWeighted({0}, {2.0}, 30, 0, &done, 0);
  net.Start({0}, 60, 0, &done, 1);
  sim.Run();
  EXPECT_NEAR(done.finish[0], 1.0, 1e-12);
  EXPECT_NEAR(done.finish[1], 1.0 + 30.0 / 90.0, 1e-12);
}

// A ring of four ranks, each with an up-link (0..3) and a down-link (4..7)
// of equal capacity, every rank sending to the next: one class, and one cell
// (up- and down-links alike carry one flow each; each flow crosses two).
TEST(FlowClassesTest, SymmetricRingIsOneClass) {
  FlowClasses fc(std::vector<double>(8, 10.0));
  const int t = fc.AddTemplate();
  for (int i = 0; i < 4; ++i) fc.AddMember(t, {i, 4 + (i + 1) % 4}, 1e-6, 0);
  ASSERT_TRUE(fc.Refine().ok());
  ASSERT_EQ(fc.template_classes(t).size(), 1u);
  const FlowClasses::Class& c = fc.classes()[fc.template_classes(t)[0]];
  EXPECT_EQ(c.members, 4);
  EXPECT_EQ(c.cells.size(), 1u);
  EXPECT_EQ(c.weights, std::vector<double>({1.0}));
  EXPECT_EQ(fc.unit_profiles(t).size(), 1u);
}

// Power: two of three flows collide on link 3 (as ECMP may hash them). One
// class for all three would give every flow half the link; the partition
// splits them, and the quotient's finish times equal the per-flow network's.
TEST(FlowClassesTest, CollisionSplitsTheClassAndTheQuotientMatchesPerFlow) {
  const std::vector<double> cap(5, 10.0);
  const std::vector<std::vector<int>> paths = {{0, 3}, {1, 3}, {2, 4}};
  FlowClasses fc(cap);
  const int t = fc.AddTemplate();
  for (size_t i = 0; i < paths.size(); ++i) fc.AddMember(t, paths[i], 0, static_cast<int>(i));
  ASSERT_TRUE(fc.Refine().ok());
  ASSERT_EQ(fc.template_classes(t).size(), 2u);
  EXPECT_EQ(fc.unit_profiles(t).size(), 2u);  // units 0, 1 in one class, unit 2 in the other

  Simulator per_flow_sim;
  FlowNetwork per_flow(per_flow_sim, cap);
  Arrivals per_flow_done(&per_flow);
  for (size_t i = 0; i < paths.size(); ++i) per_flow.Start(paths[i], 20, 0, &per_flow_done, i);
  per_flow_sim.Run();

  Simulator sim;
  FlowNetwork quotient(sim, fc.cell_capacity());
  Arrivals done(&quotient);
  for (size_t k = 0; k < fc.template_classes(t).size(); ++k) {
    const FlowClasses::Class& c = fc.classes()[fc.template_classes(t)[k]];
    quotient.StartWeighted(c.cells, c.weights, 20, 0, &done, k);
  }
  sim.Run();
  // Class 0 holds flows 0 and 1 (first appearance): 20 B at 5 B/s; class 1 at 10 B/s.
  EXPECT_NEAR(per_flow_done.finish[0], 4.0, 1e-12);
  EXPECT_NEAR(per_flow_done.finish[2], 2.0, 1e-12);
  EXPECT_NEAR(done.finish[0], per_flow_done.finish[0], 1e-12);
  EXPECT_NEAR(done.finish[1], per_flow_done.finish[2], 1e-12);
}

TEST(FlowClassesTest, GivesUpWhenColoursKeepSpreading) {
  // A directed path of 200 flows, each sharing its down-link with the next's
  // up-link: every position differs from the start's, one more per round.
  FlowClasses fc(std::vector<double>(201, 1.0));
  const int t = fc.AddTemplate();
  for (int i = 0; i < 200; ++i) fc.AddMember(t, {i, i + 1}, 0, 0);
  fc.set_max_rounds(16);
  EXPECT_EQ(fc.Refine().code(), absl::StatusCode::kResourceExhausted);
}

TrainingStepResult Step(TrainingStepConfig c, bool aggregate) {
  c.aggregate_flows = aggregate;
  absl::StatusOr<TrainingStepResult> r = SimulateTrainingStep(c);
  EXPECT_TRUE(r.ok()) << r.status();
  return r.ok() ? *r : TrainingStepResult{};
}

void ExpectSameStep(const TrainingStepResult& a, const TrainingStepResult& b) {
  EXPECT_NEAR(a.step_time_s, b.step_time_s, 1e-9 * b.step_time_s);
  EXPECT_NEAR(a.dp_allreduce_s, b.dp_allreduce_s, 1e-9 * b.step_time_s);
  EXPECT_NEAR(a.exposed_dp_s, b.exposed_dp_s, 1e-9 * b.step_time_s);
  EXPECT_NEAR(a.bubble_time_s, b.bubble_time_s, 1e-9 * b.step_time_s);
  EXPECT_EQ(a.flows, b.flows);
  EXPECT_NEAR(a.pp_p2p_bytes, b.pp_p2p_bytes, 1e-9 * b.pp_p2p_bytes);
}

// GPT-3 on 64 DGX H100 nodes (512 GPUs), TP 8 × PP 8 × DP 8, 16
// microbatches, ZeRO-1 with sequence parallelism: rings of 8 ranks, one per
// node, across the fabric's 4-node leaves.
TrainingStepConfig Gpt3On64Nodes() {
  TrainingStepConfig c = StepOnRegistryFleet("GPT3", "Frontier_8K", 64);
  c.tp = 8;
  c.pp = 8;
  c.global_batch = 128;
  c.microbatches = 16;
  c.bucket_bytes = 500e6;
  c.zero_stage = 1;
  c.sequence_parallel = true;
  return c;
}

TEST(AggregatedStepTest, EqualsPerFlowUnderDmodkAtFullDetail) {
  const TrainingStepConfig c = Gpt3On64Nodes();
  const TrainingStepResult agg = Step(c, true), flows = Step(c, false);
  EXPECT_TRUE(agg.flows_aggregated) << agg.aggregation;
  EXPECT_FALSE(flows.flows_aggregated);
  EXPECT_LT(agg.simulated_flows * 10, agg.flows) << agg.aggregation;
  ExpectSameStep(agg, flows);
}

TEST(AggregatedStepTest, EqualsPerFlowUnderSprayAndOversubscription) {
  TrainingStepConfig c = Gpt3On64Nodes();
  c.routing = Routing::kSpray;
  c.oversubscription = 2;
  const TrainingStepResult agg = Step(c, true), flows = Step(c, false);
  EXPECT_TRUE(agg.flows_aggregated) << agg.aggregation;
  ExpectSameStep(agg, flows);
  c.routing = Routing::kDmodk;
  ExpectSameStep(Step(c, true), Step(c, false));
}

TEST(AggregatedStepTest, EqualsPerFlowAtReplicaDetailInterleavedAndZero3) {
  TrainingStepConfig c = Gpt3On64Nodes();
  c.representative_replica = true;
  const TrainingStepResult agg = Step(c, true);
  EXPECT_TRUE(agg.flows_aggregated) << agg.aggregation;
  ExpectSameStep(agg, Step(c, false));
  c.representative_replica = false;
  c.virtual_stages = 2;
  c.microbatches = 16;
  c.zero_stage = 3;
  ExpectSameStep(Step(c, true), Step(c, false));
}

// Llama 3 70B on 20 nodes, TP 8 × PP 4: DP 5, so pipeline stages straddle
// the fabric's 4-node leaves and one replica in five receives its first
// backward gradients 84 µs late. One replica cannot stand for all: the
// merged classes diverge and the step is re-run, still equal to per flow.
TEST(AggregatedStepTest, DivergingReplicasAreReRunAndStillExact) {
  TrainingStepConfig c = StepOnRegistryFleet("Llama3_70B", "Frontier_8K", 20);
  c.tp = 8;
  c.pp = 4;
  c.global_batch = 80;
  c.microbatches = 16;
  c.bucket_bytes = 500e6;
  c.zero_stage = 1;
  c.sequence_parallel = true;
  const TrainingStepResult agg = Step(c, true), flows = Step(c, false);
  EXPECT_NE(agg.aggregation.find("diverged"), std::string::npos) << agg.aggregation;
  ExpectSameStep(agg, flows);
}

// NCCL's double binary tree for the gradients (issue 22): every replica has
// a role of its own in the trees (root, inner node, leaf), so the replicas'
// sends get templates of their own while the TP ranks' trees stay merged;
// still equal to per flow, under D-mod-k and spray, in full and at replica
// detail.
TEST(AggregatedStepTest, DoubleTreeGradientsEqualPerFlow) {
  TrainingStepConfig c = Gpt3On64Nodes();
  c.gradient_algorithm = GradientAlgorithm::kDoubleTree;
  for (Routing routing : {Routing::kDmodk, Routing::kSpray}) {
    c.routing = routing;
    const TrainingStepResult agg = Step(c, true), flows = Step(c, false);
    EXPECT_EQ(agg.dp_algorithm, "double_tree");
    EXPECT_TRUE(agg.flows_aggregated) << agg.aggregation;
    EXPECT_NE(agg.aggregation.find("every replica, one all-reduce per stage"), std::string::npos)
        << agg.aggregation;
    EXPECT_LT(agg.simulated_flows * 4, agg.flows) << agg.aggregation;
    ExpectSameStep(agg, flows);
  }
  c.representative_replica = true;
  ExpectSameStep(Step(c, true), Step(c, false));
}

// The tree's latency term is 2·depth·α per all-reduce against the ring's
// 2(DP − 1)·α. Llama 3 8B on 8 nodes, TP 8 × DP 8, one bucket after the
// backward: the gradients' all-reduce runs alone on the idle fabric, one
// ring or tree per rail, and takes its closed form: ring 14α + 1.75·M/β,
// tree 2·3·α + 2·M/β (depth 3; the busiest rank moves four half-buffers).
TEST(AggregatedStepTest, GradientAllReduceTakesItsClosedFormOnAnIdleFabric) {
  TrainingStepConfig c = StepOnRegistryFleet("Llama3_8B", "Frontier_8K", 8);
  c.tp = 8;
  c.global_batch = 64;
  c.microbatches = 1;
  c.bucket_bytes = 0;
  c.overlap_gradients = false;
  const double alpha = c.fabric.latency_s, beta = c.fabric.bandwidth.si;
  const double m = GradientsPerStage(c)[0].bytes;
  ASSERT_GT(alpha, 0);
  c.gradient_algorithm = GradientAlgorithm::kRing;
  for (bool aggregate : {true, false}) {
    const TrainingStepResult ring = Step(c, aggregate);
    EXPECT_NEAR(ring.dp_allreduce_s, 14 * alpha + 1.75 * m / beta, 1e-9 * ring.dp_allreduce_s);
  }
  c.gradient_algorithm = GradientAlgorithm::kDoubleTree;
  for (bool aggregate : {true, false}) {
    const TrainingStepResult tree = Step(c, aggregate);
    EXPECT_EQ(tree.dp_algorithm, "double_tree");
    EXPECT_NEAR(tree.dp_allreduce_s, 6 * alpha + 2 * m / beta, 1e-9 * tree.dp_allreduce_s);
  }
}

TEST(AggregatedStepTest, NcclChoosesTheTreeForLargeGroupsAndZeroReduceScattersOnARing) {
  TrainingStepConfig c = StepOnRegistryFleet("GPT3", "Frontier_8K", 1024);
  c.tp = 8;
  c.pp = 8;
  c.global_batch = 1024;
  c.bucket_bytes = 500e6;
  // DP 128 on 128 nodes, 500 MB buckets: NCCL's model predicts the tree
  // faster (tests/data/SOURCES.md, "NCCL all-reduce choice").
  for (const NcclAllReduceChoice& x : GradientAlgorithms(c)) {
    EXPECT_EQ(x.algorithm, CollectiveAlgorithm::kDoubleTree);
    EXPECT_LT(x.tree_s, x.ring_s);
  }
  c.zero_stage = 2;
  for (const NcclAllReduceChoice& x : GradientAlgorithms(c)) {
    EXPECT_EQ(x.algorithm, CollectiveAlgorithm::kRing);
  }
  c.gradient_algorithm = GradientAlgorithm::kDoubleTree;
  EXPECT_FALSE(CheckTrainingStepConfig(c).ok());
  c.zero_stage = 0;
  c.gradient_algorithm = GradientAlgorithm::kRing;
  for (const NcclAllReduceChoice& x : GradientAlgorithms(c)) {
    EXPECT_EQ(x.algorithm, CollectiveAlgorithm::kRing);
  }
}

TEST(AggregatedStepTest, StragglersAndEcmpRunPerFlow) {
  TrainingStepConfig c = Gpt3On64Nodes();
  c.straggler_cv = 0.05;
  EXPECT_FALSE(Step(c, true).flows_aggregated);
  c.straggler_cv = 0;
  c.routing = Routing::kEcmp;
  const TrainingStepResult ecmp = Step(c, true);
  EXPECT_FALSE(ecmp.flows_aggregated);
  EXPECT_NE(ecmp.aggregation.find("ECMP"), std::string::npos) << ecmp.aggregation;
}

}  // namespace
}  // namespace mlsysim
