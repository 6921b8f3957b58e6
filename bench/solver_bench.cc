// solver_bench.cc — analytic layer speed: one Engine solve and one ServingModel
// solve in process (registry lookups excluded), the JSON dispatcher per request,
// and `mlsysim solve` end to end on 100,000 request lines (process start, JSON
// in, solve, JSON out) measured in wall time.
//
// Run: build/bench/solver_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "analytic/roofline_engine.h"
#include "analytic/serving.h"
#include "benchmark/benchmark.h"
#include "analytic/solvers/solve_dispatch.h"
#include "nlohmann/json.hpp"
#include "topology/registry.h"

namespace mlsysim {
namespace {

const Registry& Reg() {
  static auto reg = Registry::Builtin();
  return **reg;
}

void BM_EngineSolve(benchmark::State& state) {
  const ModelSpec m = *Reg().FindModel("Llama3_8B");
  const Accelerator hw = *Reg().FindAccelerator("H100");
  EngineOptions o;
  int b = 1;
  for (auto _ : state) {
    o.batch_size = b;
    b = b % 64 + 1;
    auto r = SolveEngine(m, hw, o);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_ServingSolve(benchmark::State& state) {
  const ModelSpec m = *Reg().FindModel("Llama3_70B");
  const Accelerator hw = *Reg().FindAccelerator("H200");
  ServingOptions o;
  int b = 1;
  for (auto _ : state) {
    o.batch_size = b;
    b = b % 64 + 1;
    auto r = SolveServing(m, hw, o);
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}

// One request through the `solve` dispatcher: args decoding, registry lookup,
// solve, result record, JSON text.
void BM_DispatchEngineRequest(benchmark::State& state) {
  const nlohmann::json req = nlohmann::json::parse(
      R"({"solver": "Engine", "args": {"model": "Llama3_8B", "hardware": "H100",
          "batch_size": 8, "precision": "fp16", "efficiency": 0.5}})");
  for (auto _ : state) {
    SolveOutcome out = SolveRequest(Reg(), req);
    std::string json = out.result.ToJson();
    benchmark::DoNotOptimize(json);
  }
  state.SetItemsProcessed(state.iterations());
}

// 100,000 lines: the 289 golden requests repeated (all solver kinds, mixed).
const std::string& RequestFile() {
  static const std::string path = [] {
    std::vector<std::string> lines;
    std::ifstream in(std::string(MLSYSIM_TEST_DATA_DIR) + "/mlsysim_v011_cases.jsonl");
    for (std::string l; std::getline(in, l);) {
      auto d = nlohmann::json::parse(l);
      // The optimizers search a space per request; keep the per-call solvers.
      const std::string solver = d["request"]["solver"];
      if (solver == "ParallelismOptimizer" || solver == "PlacementOptimizer") continue;
      nlohmann::json req = {{"id", d["id"]}, {"request", d["request"]}};
      lines.push_back(req.dump());
    }
    const std::string p = "/tmp/mlsysim_bench_requests.jsonl";
    std::ofstream out(p);
    for (int i = 0; i < 100000; ++i) out << lines[i % lines.size()] << "\n";
    return p;
  }();
  return path;
}

void BM_SolveCommandEndToEnd(benchmark::State& state) {
  const std::string cmd =
      std::string(MLSYSIM_BINARY) + " solve " + RequestFile() + " > /tmp/mlsysim_bench_out.jsonl";
  for (auto _ : state) {
    if (std::system(cmd.c_str()) != 0) state.SkipWithError("mlsysim solve failed");
  }
  state.SetItemsProcessed(state.iterations() * 100000);
}

BENCHMARK(BM_EngineSolve);
BENCHMARK(BM_ServingSolve);
BENCHMARK(BM_DispatchEngineRequest);
BENCHMARK(BM_SolveCommandEndToEnd)->UseRealTime()->Unit(benchmark::kMillisecond)->MinTime(3.0);

}  // namespace
}  // namespace mlsysim

BENCHMARK_MAIN();
