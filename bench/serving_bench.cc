// serving_bench.cc — serving-simulation speed: 1,000,000 requests on 64
// replicas of Llama-3-8B on H100 with continuous batching (issue goal: ≤ 5 s,
// ≤ 2 GB), and the plain queue's simulated requests per second (goal ≥ 2 M/s),
// with the time to draw the same random numbers alone as the in-run baseline.
//
// Run: build/bench/serving_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include "benchmark/benchmark.h"
#include "sim/core/sampling.h"
#include "sim/queueing/queue_sim.h"
#include "sim/serving/serving_sim.h"
#include "topology/registry.h"
#include "workloads/request_stream.h"

namespace mlsysim {
namespace {

void BM_Serving1MRequests64Replicas(benchmark::State& state) {
  auto reg = *Registry::Builtin();
  ServingConfig c;
  c.model = *reg->FindModel("Llama3_8B");
  c.hardware = *reg->FindAccelerator("H100");
  c.replicas = 64;
  c.router = RouterPolicy::kLeastOutstanding;
  // Arg 1: the calibrated machine (issue 21: its cost against arg 0).
  if (state.range(0) == 1) c.machine = *reg->FindMachine("H100");
  const auto reqs = GenerateRequests(
      *MakeArrivals("poisson", 1600, 1), *ParseTokenDistribution("uniform:128:1024", "in"),
      *ParseTokenDistribution("uniform:32:256", "out"), 1000000, 1, 0);
  int64_t iterations = 0;
  for (auto _ : state) {
    auto r = SimulateServing(c, reqs);
    iterations = r->iterations;
    benchmark::DoNotOptimize(r);
  }
  state.counters["iterations"] = static_cast<double>(iterations);
  state.SetItemsProcessed(state.iterations() * 1000000);
}

void BM_QueueMM8(benchmark::State& state) {
  QueueConfig c;
  c.servers = 8;
  c.arrivals = *MakeArrivals("poisson", 6.4, 1);
  c.service = *MakeDuration("exp", 1.0, 1, "service");
  c.requests = 1000000;
  for (auto _ : state) {
    auto r = SimulateQueue(c);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations() * c.requests);
}

// Baseline: drawing the same 2 exponentials per request, nothing else.
void BM_QueueDrawsOnly(benchmark::State& state) {
  RandomStream a = RandomStreams(1, 0).Stream(0, "arrivals"),
               s = RandomStreams(1, 0).Stream(1, "service");
  for (auto _ : state) {
    double sum = 0;
    for (int i = 0; i < 1000000; ++i) sum += a.Exponential(6.4) + s.Exponential(1.0);
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * 1000000);
}

BENCHMARK(BM_Serving1MRequests64Replicas)->Arg(0)->Arg(1)->Unit(benchmark::kSecond)->UseRealTime()->Iterations(1);
BENCHMARK(BM_QueueMM8)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_QueueDrawsOnly)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace mlsysim

BENCHMARK_MAIN();
