// chakra_bench.cc — ASTRA-sim workloads on our engine: a generated 1,024-rank
// all-reduce (64 MiB; Ring 1,024 × 50 GB/s × 500 ns; 4 splits) under the
// astra-aware compatibility timing and on the flow network, plus reading and
// writing the 1,024 `.et` files. Baseline in the same run: the flow backend's
// bare collective (Collective on the same graph, no trace layer).
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "proto/chakra.pb.h"
#include "sim/network/astra_direct.h"
#include "sim/network/chakra_runner.h"
#include "sim/network/collective.h"
#include "sim/network/flow_network.h"
#include "traces/chakra_trace.h"

namespace mlsysim {
namespace {

constexpr int kRanks = 1024;
constexpr int64_t kBytes = 64 << 20;

std::vector<ChakraTrace> Workload() {
  std::vector<ChakraTrace> ranks(kRanks);
  for (ChakraTrace& t : ranks) {
    t.metadata.set_version("0.0.4");
    chakra::Node& n = t.nodes.emplace_back();
    n.set_id(0);
    n.set_type(chakra::COMM_COLL_NODE);
    auto* a = n.add_attr();
    a->set_name("comm_type");
    a->set_int64_val(chakra::ALL_REDUCE);
    a = n.add_attr();
    a->set_name("comm_size");
    a->set_int64_val(kBytes);
  }
  return ranks;
}

ChakraRunConfig Config(ChakraBackend b) {
  ChakraRunConfig c;
  c.network.dims.push_back({AstraTopology::kRing, kRanks, 50, 50 * 1073741824.0 / 1e9, 500});
  c.system.splits = 4;
  c.system.endpoint_delay = 10;
  c.system.local_mem_bw = 1600;
  c.backend = b;
  return c;
}

void BM_Chakra1024AllReduce(benchmark::State& state) {
  const auto ranks = Workload();
  const ChakraRunConfig c =
      Config(state.range(0) == 0 ? ChakraBackend::kAstraAware : ChakraBackend::kFlow);
  double finish = 0;
  for (auto _ : state) {
    auto r = RunChakraWorkload(ranks, c);
    finish = r->finish_ns;
    benchmark::DoNotOptimize(r);
  }
  state.counters["finish_ns"] = finish;
}

void BM_Bare1024RingAllReduce(benchmark::State& state) {
  ClusterShape s;
  s.nodes = kRanks;
  s.gpus_per_node = 1;
  s.fabric = FabricKind::kSingleSwitch;
  s.nic_bandwidth = 50 * 1073741824.0;
  s.nic_latency = 500e-9;
  auto g = ClusterGraph::Build(s);
  std::vector<int> ranks(kRanks);
  for (int i = 0; i < kRanks; ++i) ranks[i] = i;
  for (auto _ : state) {
    Simulator sim;
    FlowNetwork net(sim, g->LinkCapacities());
    Collective col(sim, net, *g,
                   {CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, ranks, 64.0 * (1 << 20)},
                   nullptr, 0);
    col.Start();
    sim.Run();
    benchmark::DoNotOptimize(col.exact_seconds());
  }
}

void BM_ChakraWriteRead1024(benchmark::State& state) {
  const auto ranks = Workload();
  const std::string prefix = "/tmp/mlsysim_chakra_bench";
  for (auto _ : state) {
    for (int r = 0; r < kRanks; ++r)
      WriteChakraTrace(prefix + "." + std::to_string(r) + ".et", ranks[r]).IgnoreError();
    auto back = ReadChakraWorkload(prefix);
    benchmark::DoNotOptimize(back);
  }
  for (int r = 0; r < kRanks; ++r) std::remove((prefix + "." + std::to_string(r) + ".et").c_str());
}

// ASTRA-sim's direct all-to-all at 256 NPUs, 64 MiB, 4 splits: the
// message-by-message compatibility timing (aware: Ring arg 0, Switch arg 1),
// against the flow backend's direct all-to-all on a 256-port switch (the
// same-run baseline: 65,280 flows at once).
void BM_AstraDirect256AllToAll(benchmark::State& state) {
  const AstraTopology t = state.range(0) == 0 ? AstraTopology::kRing : AstraTopology::kSwitch;
  const AstraDimension d{t, 256, 50, 50 * 1073741824.0 / 1e9, 500};
  AstraSystem sys;
  sys.splits = 4;
  sys.endpoint_delay = 10;
  sys.local_mem_bw = 1600;
  int64_t cycles = 0;
  for (auto _ : state) {
    cycles = *AstraDirectCycles(chakra::ALL_TO_ALL, kBytes, d, sys, -1, true);
    benchmark::DoNotOptimize(cycles);
  }
  state.counters["cycles"] = static_cast<double>(cycles);
}

void BM_BareDirect256AllToAll(benchmark::State& state) {
  ClusterShape s;
  s.nodes = 256;
  s.gpus_per_node = 1;
  s.fabric = FabricKind::kSingleSwitch;
  s.nic_bandwidth = 50 * 1073741824.0;
  s.nic_latency = 500e-9;
  auto g = ClusterGraph::Build(s);
  std::vector<int> ranks(256);
  for (int i = 0; i < 256; ++i) ranks[i] = i;
  for (auto _ : state) {
    Simulator sim;
    FlowNetwork net(sim, g->LinkCapacities());
    Collective col(sim, net, *g,
                   {CollectiveOp::kAllToAll, CollectiveAlgorithm::kDirect, ranks, 64.0 * (1 << 20)},
                   nullptr, 0);
    col.Start();
    sim.Run();
    benchmark::DoNotOptimize(col.exact_seconds());
  }
}

BENCHMARK(BM_AstraDirect256AllToAll)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BareDirect256AllToAll)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Chakra1024AllReduce)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Bare1024RingAllReduce)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ChakraWriteRead1024)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace mlsysim

BENCHMARK_MAIN();
