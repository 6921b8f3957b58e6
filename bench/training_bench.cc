// training_bench.cc — training-simulation speed: one detailed step of
// Llama-3-70B on 1,024 GPUs (TP8 PP4 DP32) at flow level; GPT-3 on 16,384
// GPUs as flow classes against per flow (issue 22); the 54-day,
// 16,384-GPU run with the Llama 3 failure mix; and flow-network throughput on
// a ring all-reduce over 1,024 ranks (flow completions per second); two
// jobs' steps on one fabric against each alone (issue 23). A ring
// all-reduce's α-β formula evaluated per step is the in-run baseline.
//
// Run: build/bench/training_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <numeric>

#include "analytic/formulas.h"
#include "benchmark/benchmark.h"
#include "sim/network/collective.h"
#include "sim/network/flow_network.h"
#include "sim/training/training_run.h"
#include "sim/training/training_step.h"
#include "topology/registry.h"
#include "workloads/failure_presets.h"

namespace mlsysim {
namespace {

const Registry& Reg() {
  static auto reg = Registry::Builtin();
  return **reg;
}

void BM_Llama70BStep1024Gpus(benchmark::State& state) {
  const FleetSpec f = *Reg().FindFleet("Frontier_8K");
  TrainingStepConfig c;
  c.model = *Reg().FindModel("Llama3_70B");
  c.node = f.node;
  c.fabric = f.fabric;
  c.nodes = 128;
  c.tp = 8;
  c.pp = 4;
  c.microbatches = 32;
  c.global_batch = 1024;
  c.bucket_bytes = 500e6;
  uint64_t flows = 0;
  for (auto _ : state) {
    auto r = SimulateTrainingStep(c);
    flows = r->flows;
    benchmark::DoNotOptimize(r);
  }
  state.counters["flows"] = static_cast<double>(flows);
}

// Issue 9's speed case: `simulate training --nodes 2048 --node DGX_H100
// --fabric InfiniBand_NDR --tp 8 --pp 8 --microbatches 8 --batch-size 2048
// --days 0` (replica detail, as `auto` picks above 2,048 GPUs). Arg 0: dmodk
// (the fabric's routing), 1: ecmp (the baseline: per-flow hashing).
void BM_Llama70BStep16kGpus(benchmark::State& state) {
  TrainingStepConfig c;
  c.model = *Reg().FindModel("Llama3_70B");
  c.node = *Reg().FindNode("DGX_H100");
  c.fabric = *Reg().FindFabric("InfiniBand_NDR");
  c.nodes = 2048;
  c.tp = 8;
  c.pp = 8;
  c.microbatches = 8;
  c.global_batch = 2048;
  c.bucket_bytes = 500e6;
  c.representative_replica = true;
  c.routing = state.range(0) == 0 ? Routing::kDmodk : Routing::kEcmp;
  // Arg 2: dmodk on the calibrated machine (issue 21: its cost against arg 0).
  if (state.range(0) == 2) {
    c.routing = Routing::kDmodk;
    c.machine = *Reg().FindMachine("H100");
    c.node.intra_node_bw = c.node.intra_node_bw.Scaled(0.5);
  }
  uint64_t flows = 0;
  double step = 0;
  for (auto _ : state) {
    auto r = SimulateTrainingStep(c);
    flows = r->flows;
    step = r->step_time_s;
    benchmark::DoNotOptimize(r);
  }
  state.counters["flows"] = static_cast<double>(flows);
  state.counters["step_s"] = step;
}

// Issue 22: `simulate training --model GPT3 --nodes 2048 --node DGX_H100
// --fabric InfiniBand_NDR --tp 8 --pp 8 --batch-size 4096` (16 microbatches).
// Arg 0: full detail as flow classes (the default now); 1: replica detail per
// flow (the default before; the same-run baseline); 2: full detail per flow
// (--detail full --no-aggregation: what the classes stand for).
void BM_Gpt3Step16kGpus(benchmark::State& state) {
  TrainingStepConfig c;
  c.model = *Reg().FindModel("GPT3");
  c.node = *Reg().FindNode("DGX_H100");
  c.fabric = *Reg().FindFabric("InfiniBand_NDR");
  c.nodes = 2048;
  c.tp = 8;
  c.pp = 8;
  c.microbatches = 16;
  c.global_batch = 4096;
  c.bucket_bytes = 500e6;
  c.machine = *Reg().FindMachine("H100");
  c.node.intra_node_bw = c.node.intra_node_bw.Scaled(0.5);
  c.aggregate_flows = state.range(0) == 0;
  c.representative_replica = state.range(0) == 1;
  uint64_t flows = 0, simulated = 0;
  double step = 0;
  for (auto _ : state) {
    auto r = SimulateTrainingStep(c);
    flows = r->flows;
    simulated = r->simulated_flows;
    step = r->step_time_s;
    benchmark::DoNotOptimize(r);
  }
  state.counters["flows"] = static_cast<double>(flows);
  state.counters["simulated_flows"] = static_cast<double>(simulated);
  state.counters["step_s"] = step;
}

void BM_Llama3Run54Days16kGpus(benchmark::State& state) {
  auto causes = FailurePreset("llama3", 2048, 8);
  TrainingRunConfig c;
  c.step_time_s = 10.4;
  c.duration_s = 54 * 86400.0;
  c.nodes = 2048;
  c.causes = *causes;
  c.checkpoint_interval_s = 250;
  c.checkpoint_write_s = 2.8;
  c.spare_nodes = 8;
  uint64_t events = 0;
  for (auto _ : state) {
    auto r = SimulateTrainingRun(c);
    events = r->events;
    benchmark::DoNotOptimize(r);
  }
  state.counters["events"] = static_cast<double>(events);
}

void BM_RingAllReduce1024Ranks(benchmark::State& state) {
  ClusterShape s;
  s.nodes = 1024;
  s.gpus_per_node = 1;
  s.fabric = FabricKind::kSingleSwitch;
  auto g = ClusterGraph::Build(s);
  std::vector<int> ranks(1024);
  std::iota(ranks.begin(), ranks.end(), 0);
  uint64_t flows = 0;
  for (auto _ : state) {
    Simulator sim;
    FlowNetwork net(sim, g->LinkCapacities());
    Collective col(sim, net, *g, {CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, ranks, 1e9},
                   nullptr, 1);
    col.Start();
    sim.Run();
    flows += net.flows_started();
  }
  state.counters["flow_completions_per_s"] =
      benchmark::Counter(static_cast<double>(flows), benchmark::Counter::kIsRate);
}

// Issue 23: two Llama-3-8B jobs of 16 DGX nodes (TP8, DP16, 500 MB buckets)
// on a 32-node 2:1 ECMP fat-tree. Arg 0, the baseline: each step alone
// (SimulateTrainingStep per flow, twice); 1: both together on one fabric,
// each on its own leaves; 2: together, interleaved node by node (they share
// every leaf's up-links).
void BM_StepsTogether(benchmark::State& state) {
  const FleetSpec f = *Reg().FindFleet("Frontier_8K");
  TrainingStepConfig c;
  c.model = *Reg().FindModel("Llama3_8B");
  c.node = f.node;
  c.fabric = f.fabric;
  c.nodes = 16;
  c.tp = 8;
  c.global_batch = 64;
  c.microbatches = 4;
  c.bucket_bytes = 500e6;
  c.oversubscription = 2;
  c.routing = Routing::kEcmp;
  c.aggregate_flows = false;
  const ClusterShape shape = StepClusterShape(c, 32);
  std::vector<int> a(16), b(16);
  for (int i = 0; i < 16; ++i) {
    a[i] = state.range(0) == 2 ? 2 * i : i;
    b[i] = state.range(0) == 2 ? 2 * i + 1 : 16 + i;
  }
  double step = 0;
  for (auto _ : state) {
    if (state.range(0) == 0) {
      step = SimulateTrainingStep(c)->step_time_s + SimulateTrainingStep(c)->step_time_s;
    } else {
      auto r = SimulateTrainingStepsTogether(shape, {{c, a}, {c, b}});
      step = (*r)[0].step_time_s + (*r)[1].step_time_s;
    }
    benchmark::DoNotOptimize(step);
  }
  state.counters["step_sum_s"] = step;
}

BENCHMARK(BM_StepsTogether)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Llama70BStep1024Gpus)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Llama70BStep16kGpus)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Gpt3Step16kGpus)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Llama3Run54Days16kGpus)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_RingAllReduce1024Ranks)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace mlsysim

BENCHMARK_MAIN();
