// shared_cluster_test.cc — training jobs that meet on one fabric (issue 23):
// jobs on disjoint leaves of a non-blocking fat-tree under D-mod-k step
// exactly as each alone; jobs whose rings share a leaf's up-link split it
// max-min, by hand (tests/data/SOURCES.md §13); the shared-cluster engine
// re-times jobs as neighbours come and go exactly as the hand-integrated
// progress says, and without the network its schedule is the GPU-count
// scheduler's.
#include <cmath>

#include "gtest/gtest.h"
#include "sim/cluster/autoscaler.h"
#include "sim/cluster/shared_cluster.h"
#include "sim/core/random.h"
#include "sim/serving/serving_sim.h"
#include "sim/training/training_step.h"
#include "tests/training_testing.h"

namespace mlsysim {
namespace {

ClusterShape ShapeOf(const TrainingStepConfig& c, int nodes) { return StepClusterShape(c, nodes); }

std::vector<int> Nodes(int first, int count, int stride = 1) {
  std::vector<int> v;
  for (int i = 0; i < count; ++i) v.push_back(first + i * stride);
  return v;
}

TEST(StepsTogetherTest, JobsOnDisjointLeavesStepAsEachAlone) {
  // Two Llama-3-8B jobs, TP 8 × DP 8 on 8 DGX H100 each (two 32-port leaves
  // each), on a 16-node non-blocking fat-tree under D-mod-k: job A on leaves
  // 0–1, job B on leaves 2–3. Their rings cross spines but never a link of
  // the other's.
  TrainingStepConfig c = StepOnRegistryFleet("Llama3_8B", "Frontier_8K", 8);
  c.tp = 8;
  c.global_batch = 16;
  c.microbatches = 2;
  c.efficiency = 0.5;
  c.bucket_bytes = 500e6;
  c.aggregate_flows = false;
  auto alone = SimulateTrainingStep(c);
  ASSERT_TRUE(alone.ok()) << alone.status();
  auto together = SimulateTrainingStepsTogether(ShapeOf(c, 16), {{c, Nodes(0, 8)}, {c, Nodes(8, 8)}});
  ASSERT_TRUE(together.ok()) << together.status();
  for (const TrainingStepResult& r : *together) {
    EXPECT_NEAR(r.step_time_s, alone->step_time_s, 1e-9 * alone->step_time_s);
    EXPECT_NEAR(r.exposed_dp_s, alone->exposed_dp_s, 1e-9 * alone->step_time_s);
  }
  // The control: interleaved node by node on a 4:1 oversubscribed fabric,
  // with the gradient sync exposed, the jobs share leaf up-links and each
  // is slower than alone on the same nodes.
  c.oversubscription = 4;
  c.overlap_gradients = false;
  auto lone = SimulateTrainingStepsTogether(ShapeOf(c, 16), {{c, Nodes(0, 8, 2)}});
  auto shared = SimulateTrainingStepsTogether(ShapeOf(c, 16),
                                              {{c, Nodes(0, 8, 2)}, {c, Nodes(1, 8, 2)}});
  ASSERT_TRUE(lone.ok()) << lone.status();
  ASSERT_TRUE(shared.ok()) << shared.status();
  EXPECT_GT((*shared)[0].step_time_s, (*lone)[0].step_time_s * 1.01);
  EXPECT_GT((*shared)[1].step_time_s, (*lone)[0].step_time_s * 1.01);
}

TEST(StepsTogetherTest, RingsSharingAnUplinkSplitItMaxMin) {
  // By hand: 4 one-GPU nodes on two 2-port leaves, 2:1 oversubscribed, so
  // each leaf has one up-link of the NIC's bandwidth β to its one spine. Job
  // A on nodes {0, 2}, job B on {1, 3}: each is a 2-rank DP ring (GPT-2 XL,
  // TP 1, no overlap, one bucket of M = 2 B × P). A ring all-reduce of 2
  // ranks is 2 steps of M/2 each way; A's 0→2 and B's 1→3 both climb leaf 0's
  // up-link (and 2→0, 3→1 leaf 1's), so each gets β/2: each step takes
  // (M/2)/(β/2) instead of (M/2)/β, and the step grows by exactly M/β (the
  // latencies are the same). Under ECMP and D-mod-k alike (one spine).
  TrainingStepConfig c = StepOnRegistryFleet("GPT2", "Frontier_8K", 2);
  c.node.accelerators_per_node = 1;
  c.global_batch = 2;
  c.efficiency = 0.5;
  c.overlap_gradients = false;
  c.bucket_bytes = 0;
  c.gradient_algorithm = GradientAlgorithm::kRing;
  c.oversubscription = 2;
  for (Routing routing : {Routing::kEcmp, Routing::kDmodk}) {
    c.routing = routing;
    ClusterShape shape = ShapeOf(c, 4);
    shape.leaf_ports = 2;
    auto alone = SimulateTrainingStepsTogether(shape, {{c, {0, 2}}});
    auto together = SimulateTrainingStepsTogether(shape, {{c, {0, 2}}, {c, {1, 3}}});
    ASSERT_TRUE(alone.ok()) << alone.status();
    ASSERT_TRUE(together.ok()) << together.status();
    const double m = 2.0 * c.model.parameters, beta = c.fabric.bandwidth.si;
    ASSERT_NEAR(GradientsPerStage(c)[0].bytes, m, 1e-6 * m);
    for (const TrainingStepResult& r : *together) {
      EXPECT_NEAR(r.step_time_s - (*alone)[0].step_time_s, m / beta, 1e-9 * r.step_time_s)
          << RoutingName(routing);
      EXPECT_NEAR(r.dp_allreduce_s - (*alone)[0].dp_allreduce_s, m / beta, 1e-9 * r.step_time_s);
    }
  }
}

TEST(StepsTogetherTest, PlacementsAreChecked) {
  TrainingStepConfig c = StepOnRegistryFleet("Llama3_8B", "Frontier_8K", 2);
  c.tp = 8;
  c.global_batch = 2;
  auto twice = SimulateTrainingStepsTogether(ShapeOf(c, 4), {{c, {0, 1}}, {c, {1, 2}}});
  ASSERT_FALSE(twice.ok());
  EXPECT_NE(std::string(twice.status().message()).find("node 1"), std::string::npos);
  auto outside = SimulateTrainingStepsTogether(ShapeOf(c, 4), {{c, {3, 4}}});
  EXPECT_FALSE(outside.ok());
  auto size = SimulateTrainingStepsTogether(ShapeOf(c, 4), {{c, {0, 1, 2}}});
  EXPECT_FALSE(size.ok());
}

// The one-GPU-node cluster of RingsSharingAnUplinkSplitItMaxMin as a shared
// cluster: four 1-GPU filler jobs take nodes 0–3; two end at 1,000 s, so
// job A (2 GPUs, 3,600 s of work) arriving then is placed first-fit on
// nodes {0, 2}, across the two leaves; at 2,000 s the others end and job B
// arrives, placed on {1, 3}: A and B now share both up-links.
SharedClusterConfig Fragmented(PlacementPolicy placement) {
  SharedClusterConfig c;
  c.step = StepOnRegistryFleet("GPT2", "Frontier_8K", 2);
  c.step.node.accelerators_per_node = 1;
  c.step.efficiency = 0.5;
  c.step.overlap_gradients = false;
  c.step.bucket_bytes = 0;
  c.step.gradient_algorithm = GradientAlgorithm::kRing;
  c.step.oversubscription = 2;
  c.shape = ShapeOf(c.step, 4);
  c.shape.leaf_ports = 2;
  c.placement = placement;
  c.jobs = {{0, 1000, 1}, {0, 2000, 1}, {0, 1000, 1}, {0, 2000, 1},
            {1000, 3600, 2}, {2000, 3600, 2}};
  return c;
}

TEST(SharedClusterTest, NeighboursRetimeAJobAsItsProgressIntegratesByHand) {
  SharedClusterConfig c = Fragmented(PlacementPolicy::kFirstFit);
  auto r = SimulateSharedCluster(c);
  ASSERT_TRUE(r.ok()) << r.status();
  const SharedJobOutcome &a = r->jobs[4], &b = r->jobs[5];
  ASSERT_EQ(a.nodes, (std::vector<int>{0, 2}));
  ASSERT_EQ(b.nodes, (std::vector<int>{1, 3}));
  // The three steps, from the step model directly: reference (consecutive
  // nodes 0–1, one leaf), placed alone ({0, 2}), and together.
  TrainingStepConfig s = c.step;
  s.global_batch = 2;
  const double ref = (*SimulateTrainingStepsTogether(c.shape, {{s, {0, 1}}}))[0].step_time_s;
  const double placed = (*SimulateTrainingStepsTogether(c.shape, {{s, {0, 2}}}))[0].step_time_s;
  const double shared =
      (*SimulateTrainingStepsTogether(c.shape, {{s, {0, 2}}, {s, {1, 3}}}))[0].step_time_s;
  EXPECT_GE(placed, ref);  // (equal here: one flow per link either way, α per message)
  EXPECT_GT(shared, placed);
  EXPECT_DOUBLE_EQ(a.reference_step_s, ref);
  EXPECT_DOUBLE_EQ(a.placed_step_s, placed);
  EXPECT_DOUBLE_EQ(a.worst_step_s, shared);
  // A: 1,000 s alone at ref/placed, then with B at ref/shared until done.
  const double w = 3600;
  const double a_end = 2000 + (w - 1000 * ref / placed) * shared / ref;
  // B: with A until A ends, then alone on its nodes.
  const double b_end = a_end + (w - (a_end - 2000) * ref / shared) * placed / ref;
  EXPECT_NEAR(a.end_s, a_end, 1e-9 * a_end);
  EXPECT_NEAR(b.end_s, b_end, 1e-9 * b_end);
  EXPECT_EQ(r->step_simulations, 1);  // one group, simulated once
  // Without contention each keeps its placed step.
  c.contention = false;
  auto quiet = SimulateSharedCluster(c);
  ASSERT_TRUE(quiet.ok());
  EXPECT_NEAR(quiet->jobs[4].end_s, 1000 + w * placed / ref, 1e-9 * a_end);
}

TEST(SharedClusterTest, ContiguousPlacementTradesWaitForSpeed) {
  // The same trace: contiguous placement will not split A over two leaves,
  // so A waits until 2,000 s and runs at its reference step on {0, 1}; B on
  // {2, 3}; neither meets the other.
  auto r = SimulateSharedCluster(Fragmented(PlacementPolicy::kContiguous));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->jobs[4].nodes, (std::vector<int>{0, 1}));
  EXPECT_EQ(r->jobs[5].nodes, (std::vector<int>{2, 3}));
  EXPECT_DOUBLE_EQ(r->jobs[4].start_s, 2000);
  EXPECT_DOUBLE_EQ(r->jobs[4].end_s, 5600);
  EXPECT_DOUBLE_EQ(r->jobs[5].end_s, 5600);
  EXPECT_EQ(r->step_simulations, 0);
}

TEST(SharedClusterTest, WithoutTheNetworkTheScheduleIsTheGpuCountSchedulers) {
  // 300 whole-node jobs (8–64 GPUs) on 16 DGX nodes, drawn with a fixed
  // seed; first-fit never refuses a whole-node job that has the GPUs, so
  // FIFO and backfilling must start every job when the GPU-count scheduler
  // does.
  RandomStream rng = RandomStreams(11, 0).Stream(0, "trace");
  SharedClusterConfig c;
  c.step = StepOnRegistryFleet("Llama3_8B", "Frontier_8K", 2);
  c.shape = ShapeOf(c.step, 16);
  c.network = false;
  c.placement = PlacementPolicy::kFirstFit;
  ClusterJobsConfig old;
  old.gpus = 128;
  double t = 0;
  const int sizes[] = {8, 16, 32, 64};
  for (int i = 0; i < 300; ++i) {
    t += rng.Exponential(1.0 / 1800);
    const int g = sizes[static_cast<int>(rng.Uniform(0, 4))];
    const double d = rng.Exponential(1.0 / 7200);
    c.jobs.push_back({t, d, g});
    old.trace.push_back({t / 3600, d / 3600, g, 0});
  }
  for (SchedulerPolicy p : {SchedulerPolicy::kFifo, SchedulerPolicy::kBackfill}) {
    c.policy = old.policy = p;
    auto mine = SimulateSharedCluster(c);
    auto theirs = SimulateClusterJobs(old);
    ASSERT_TRUE(mine.ok()) << mine.status();
    ASSERT_TRUE(theirs.ok()) << theirs.status();
    double waited = 0;
    for (size_t i = 0; i < c.jobs.size(); ++i) {
      EXPECT_NEAR(mine->jobs[i].start_s, theirs->outcomes[i].start_h * 3600, 1e-6) << i;
      waited += mine->jobs[i].start_s - mine->jobs[i].submit_s;
    }
    EXPECT_GT(waited, 3600.0);  // the trace does queue
    EXPECT_NEAR(mine->utilization, theirs->utilization, 1e-9);
    // A serving fleet on the last two nodes that never wants a replica lends
    // them all day: the same schedule, and no preemption.
    SharedClusterConfig lent = c;
    lent.serving.first_node = 14;
    lent.serving.replicas = 2;
    lent.serving.demand = {{0, 0}};
    auto idle = SimulateSharedCluster(lent);
    ASSERT_TRUE(idle.ok()) << idle.status();
    EXPECT_EQ(idle->preemptions, 0);
    for (size_t i = 0; i < c.jobs.size(); ++i)
      EXPECT_NEAR(idle->jobs[i].start_s, mine->jobs[i].start_s, 1e-9) << i;
  }
}

// Elastic sharing by hand (tests/data/SOURCES.md §13): four 1-GPU nodes, a
// one-replica serving fleet on node 3 that wants no replica until 5,000 s,
// one replica from then until 20,000 s, none after. Job A (4 GPUs, 10,000 s
// of work, no network) borrows node 3 at 0 s; at 5,000 s the fleet takes it
// back: A has done 5,000 s of work, its last checkpoint (every 1,800 s) was
// at 3,600 s, so it loses 1,400 s, pays the 600 s restart and needs 7,000 s
// more; it waits for all four nodes until the fleet shrinks at 20,000 s and
// ends at 27,000 s. The replica serves from 5,000 + 60 s.
SharedClusterConfig Elastic() {
  SharedClusterConfig c;
  c.step = StepOnRegistryFleet("GPT2", "Frontier_8K", 2);
  c.step.node.accelerators_per_node = 1;
  c.shape = ShapeOf(c.step, 4);
  c.network = false;
  c.placement = PlacementPolicy::kFirstFit;
  c.serving.first_node = 3;
  c.serving.replicas = 1;
  c.serving.demand = {{0, 0}, {5000, 1}, {20000, 0}};
  c.jobs = {{0, 10000, 4}};
  return c;
}

TEST(SharedClusterTest, TheFleetTakesItsNodeBackAndTheJobLosesWorkSinceItsCheckpoint) {
  auto r = SimulateSharedCluster(Elastic());
  ASSERT_TRUE(r.ok()) << r.status();
  const SharedJobOutcome& a = r->jobs[0];
  EXPECT_EQ(a.preemptions, 1);
  EXPECT_DOUBLE_EQ(a.lost_work_s, 1400);
  EXPECT_DOUBLE_EQ(a.start_s, 0);
  EXPECT_DOUBLE_EQ(a.end_s, 27000);
  ASSERT_EQ(a.runs.size(), 2u);  // 0–5,000 s and 20,000–27,000 s, on all four nodes
  EXPECT_DOUBLE_EQ(a.runs[0].end_s, 5000);
  EXPECT_DOUBLE_EQ(a.runs[1].start_s, 20000);
  EXPECT_EQ(a.runs[1].nodes, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(r->preemptions, 1);
  // Training ran on the fleet's node from 0 to 5,000 s and 20,000 to 27,000 s.
  EXPECT_DOUBLE_EQ(r->lent_gpu_s, 12000);
  const std::vector<std::pair<double, int>> replicas = {
      {0, 0}, {0, 0}, {5000, 0}, {5060, 1}, {20000, 0}};
  EXPECT_EQ(r->serving_replicas, replicas);
}

TEST(SharedClusterTest, TheStaticSplitKeepsTheFleetsNodes) {
  SharedClusterConfig c = Elastic();
  c.serving.elastic = false;
  auto refused = SimulateSharedCluster(c);  // A needs the fleet's node, which is never lent
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(std::string(refused.status().message()).find("3 GPUs are training's own"),
            std::string::npos);
  c.jobs = {{0, 10000, 3}};
  auto r = SimulateSharedCluster(c);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_DOUBLE_EQ(r->jobs[0].end_s, 10000);
  EXPECT_EQ(r->preemptions, 0);
  EXPECT_EQ(r->lent_gpu_s, 0);
}

TEST(AutoscalerTest, AStepLoadCurveScalesAtTheStepAndAtTheIntervalsThatSeeIt) {
  // 10 requests/s until 3,600 s, 40 after; a replica sustains 5/s, run at
  // 80 %: ceil(10 / 4) = 3 replicas, ceil(40 / 4) = 10, capped at 8; the
  // 900-s interval starting at 3,600 s is the first to see the step. A step
  // inside an interval (at 4,000 s) is met from that interval's start.
  auto rate = [](double t) { return t < 3600 ? 10.0 : 40.0; };
  EXPECT_EQ(AutoscaleDemand(rate, 7200, 900, 5, 0.8, 8),
            (std::vector<std::pair<double, int>>{{0, 3}, {3600, 8}}));
  auto late = [](double t) { return t < 4000 ? 10.0 : 14.0; };
  EXPECT_EQ(AutoscaleDemand(late, 7200, 900, 5, 0.8, 8),
            (std::vector<std::pair<double, int>>{{0, 3}, {3600, 4}}));
  // An exact fit is not rounded up: 12 / 4 = 3.
  EXPECT_EQ(AutoscaleDemand([](double) { return 12.0; }, 3600, 900, 5, 0.8, 8),
            (std::vector<std::pair<double, int>>{{0, 3}}));
}

// A serving fleet on the cluster's engine: four 1-GPU nodes, a fleet of two
// Llama-3-8B replicas (TP 1) on nodes 2 and 3, a 2-GPU training job that
// borrows what the fleet lends.
struct FleetCase {
  SharedClusterConfig cluster;
  ServingConfig serving;
  std::vector<Request> requests;
};

FleetCase SmallFleet() {
  FleetCase f;
  f.cluster = Elastic();
  f.cluster.serving.first_node = 2;
  f.cluster.serving.replicas = 2;
  f.cluster.jobs = {{0, 5000, 2}, {10, 5000, 2}};
  auto reg = Registry::Builtin();
  f.serving.model = *(*reg)->FindModel("Llama3_8B");
  f.serving.hardware = *(*reg)->FindAccelerator("H100");
  f.serving.replicas = 2;
  return f;
}

// Requests of 16 tokens in, 4 out: n_k evenly over [100k, 100(k + 1)) s.
std::vector<Request> Evenly(std::initializer_list<int> per_100s) {
  std::vector<Request> r;
  int k = 0;
  for (int n : per_100s) {
    for (int i = 0; i < n; ++i) r.push_back({100.0 * k + 100.0 * i / n, 16, 4, 0});
    ++k;
  }
  return r;
}

TEST(SharedClusterTest, OneEngineServesAsTheFleetReplayedOnItsReplicaSchedule) {
  // The fleet on the cluster's engine, sized by a demand schedule, against
  // the same requests simulated alone with the replicas in service the
  // engine recorded: the same requests on the same replicas at the same
  // times, so the same latencies.
  FleetCase f = SmallFleet();
  f.cluster.serving.demand = {{0, 1}, {100, 2}, {200, 1}, {250, 0}};
  f.requests = Evenly({150, 150, 150});
  Simulator sim;
  auto fleet = ServingFleet::Create(f.serving, f.requests, &sim);
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  auto run = SimulateSharedCluster(f.cluster, &sim, fleet->get());
  ASSERT_TRUE(run.ok()) << run.status();
  const ServingRunResult shared = (*fleet)->Finish();
  ServingConfig replay = f.serving;
  replay.active_replicas = run->serving_replicas;
  replay.record_requests = true;
  auto alone = SimulateServing(replay, f.requests);
  ASSERT_TRUE(alone.ok()) << alone.status();
  EXPECT_EQ(shared.finished, 450);
  EXPECT_EQ(shared.ttft_s, alone->ttft_s);
  EXPECT_EQ(shared.e2e_s, alone->e2e_s);
  // The fleet did shrink and grow (its schedule is the engine's, by hand:
  // one replica, two from 100 s, one from 200 s, none wanted after 250 s:
  // a replica stays in service).
  EXPECT_GT(run->lent_gpu_s, 0);
}

TEST(SharedClusterTest, TheReactiveAutoscalerTracksLastIntervalsArrivals) {
  // Capacity 1 request/s per replica, target 0.5, every 100 s: 150 arrivals
  // in the first interval want ceil(150 / 50) = 3 replicas (2, the fleet);
  // 40 in the second want 1; the last interval (10 arrivals) is not resized
  // (no request arrives after it).
  FleetCase f = SmallFleet();
  f.cluster.serving.autoscale_interval_s = 100;
  f.cluster.serving.autoscale_target = 0.5;
  f.cluster.serving.capacity_qps = 1;
  f.requests = Evenly({150, 40, 10});
  Simulator sim;
  auto fleet = ServingFleet::Create(f.serving, f.requests, &sim);
  ASSERT_TRUE(fleet.ok()) << fleet.status();
  auto run = SimulateSharedCluster(f.cluster, &sim, fleet->get());
  ASSERT_TRUE(run.ok()) << run.status();
  const std::vector<std::pair<double, int>> replicas = {{0, 2}, {100, 2}, {200, 1}};
  EXPECT_EQ(run->serving_replicas, replicas);
  EXPECT_EQ((*fleet)->Finish().finished, 200);
}

}  // namespace
}  // namespace mlsysim
