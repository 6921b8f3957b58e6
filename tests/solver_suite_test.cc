// solver_suite_test.cc — the qualitative checks of mlsysim's own test suite
// (test_solver_suite, test_engine, test_walls, test_sota, test_evaluation
// invariants; docs/mlsysim_v0.1.1_contract.md §6), plus argument validation.
#include <cmath>

#include "analytic/analysis.h"
#include "analytic/fleet.h"
#include "analytic/operations.h"
#include "analytic/roofline_engine.h"
#include "analytic/serving.h"
#include "analytic/walls.h"
#include "gtest/gtest.h"
#include "topology/registry.h"

namespace mlsysim {
namespace {

const Registry& Reg() {
  static auto reg = Registry::Builtin();
  return **reg;
}
ModelSpec M(const char* n) { return *Reg().FindModel(n); }
Accelerator H(const char* n) { return *Reg().FindAccelerator(n); }
FleetSpec F(const char* n) { return *Reg().FindFleet(n); }
GridSpec G(const char* n) { return *Reg().FindGrid(n); }

EngineResult Eng(const char* m, const char* h, int b = 1, const char* p = "fp16") {
  EngineOptions o;
  o.batch_size = b;
  o.precision = p;
  auto r = SolveEngine(M(m), H(h), o);
  EXPECT_TRUE(r.ok()) << r.status();
  return *r;
}

TEST(EngineTest, TutorialFirstDemo) {
  const EngineResult r = Eng("Llama3_8B", "H100");
  EXPECT_NEAR(r.latency_ms, 5.6034, 5e-4);
  EXPECT_NEAR(r.throughput, 178.46, 5e-3);
  EXPECT_EQ(r.bottleneck, "Memory");
  EXPECT_NEAR(r.mfu, 0.002898, 1e-6);
  EXPECT_NEAR(r.energy_j, 1.1847, 1e-4);
  EXPECT_NEAR(r.arithmetic_intensity, 0.9091, 1e-4);
}

TEST(EngineTest, BottlenecksAndScaling) {
  EXPECT_EQ(Eng("ResNet50", "A100", 256).bottleneck, "Compute");
  EXPECT_EQ(Eng("Llama3_8B", "H100", 1).bottleneck, "Memory");
  EXPECT_GT(Eng("ResNet50", "A100", 1, "fp32").latency_ms, Eng("ResNet50", "A100", 1).latency_ms);
  EXPECT_GT(Eng("ResNet50", "A100", 64).throughput, Eng("ResNet50", "A100", 1).throughput);
}

TEST(EngineTest, EnergyFollowsTdpAndMfu) {
  const EngineResult r = Eng("ResNet50", "A100", 32);
  EXPECT_DOUBLE_EQ(r.energy_j, 400.0 * (0.3 + 0.7 * r.mfu) * r.latency_ms / 1000.0);
  EXPECT_DOUBLE_EQ(r.hfu, std::min(1.1 * r.mfu, 1.0));
}

TEST(EngineTest, InfeasibleModelUsesTheOffloadPath) {
  const EngineResult gpt4 = Eng("GPT4", "ESP32");
  EXPECT_FALSE(gpt4.feasible);
  const EngineResult llama = Eng("Llama3_70B", "H100");
  EXPECT_FALSE(llama.feasible);
  EXPECT_DOUBLE_EQ(llama.peak_bw_actual, 64e9);
  EXPECT_DOUBLE_EQ(llama.offload_spill_bytes, 70.6e9 * 2 - 80 * 1024.0 * 1024 * 1024);
}

TEST(EngineTest, ValidationNamesTheArgument) {
  EngineOptions o;
  o.efficiency = 50;
  auto r = SolveEngine(M("Llama3_8B"), H("H100"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("efficiency"), std::string::npos);
  o.efficiency = -0.1;
  EXPECT_FALSE(SolveEngine(M("Llama3_8B"), H("H100"), o).ok());
  o.efficiency = 0.5;
  o.batch_size = 0;
  auto b = SolveEngine(M("Llama3_8B"), H("H100"), o);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("batch_size"), std::string::npos);
}

TEST(EngineTest, TrainingMemoryInvariants) {
  const ModelSpec m = M("Llama3_8B");
  double last = 1e300;
  for (int stage = 0; stage <= 3; ++stage) {
    const double total =
        TransformerTrainingMemory(m, 8, 1024, "fp16", false, stage, 8, false).total();
    EXPECT_LE(total, last) << "ZeRO stage " << stage;
    last = total;
  }
  const TrainingMemory lora = TransformerTrainingMemory(m, 1, 2048, "fp16", false, 0, 1, true);
  const TrainingMemory full = TransformerTrainingMemory(m, 1, 2048, "fp16", false, 0, 1, false);
  EXPECT_LT(lora.total(), full.total());
  // Non-Transformer training footprint: weights x 3.
  EngineOptions o;
  o.is_training = true;
  auto resnet = SolveEngine(M("ResNet50"), H("A100"), o);
  ASSERT_TRUE(resnet.ok());
  EXPECT_DOUBLE_EQ(resnet->memory_footprint, 25.6e6 * 2 * 3);
}

TEST(ServingTest, KvCacheAndFeasibility) {
  ServingOptions o;
  o.seq_len = 2048;
  auto b1 = SolveServing(M("Llama3_8B"), H("H100"), o);
  o.batch_size = 4;
  auto b4 = SolveServing(M("Llama3_8B"), H("H100"), o);
  ASSERT_TRUE(b1.ok() && b4.ok());
  EXPECT_DOUBLE_EQ(b4->kv_cache_size, 4 * b1->kv_cache_size);
  EXPECT_NEAR(b1->ttft_ms, 70.97037058756726, 1e-9);
  EXPECT_NEAR(b1->itl_ms, 5.194159837611941, 1e-9);
  EXPECT_TRUE(b1->feasible);
  EXPECT_GT(b1->memory_utilization, 0);
  EXPECT_LT(b1->memory_utilization, 1);
  o.batch_size = 1;
  o.precision = "int8";
  auto i8 = SolveServing(M("Llama3_8B"), H("H100"), o);
  EXPECT_DOUBLE_EQ(i8->model_weights_size, b1->model_weights_size / 2);
  o.precision = "fp16";
  EXPECT_FALSE(SolveServing(M("GPT3"), H("H100"), o)->feasible);
  EXPECT_FALSE(SolveServing(M("ResNet50"), H("H100"), o).ok());  // Transformers only
  o.cached_prefix_len = 2048;
  EXPECT_FALSE(SolveServing(M("Llama3_8B"), H("H100"), o).ok());
}

TEST(ServingTest, SpeculativeDecodingWithDisaggregationLowersItl) {
  ServingOptions o;
  o.seq_len = 2048;
  const Accelerator a100 = H("A100");
  o.decode_hardware = &a100;
  auto base = SolveServing(M("Llama3_70B"), H("H100"), o);
  const ModelSpec draft = M("Llama3_8B");
  o.draft_model = &draft;
  auto spec = SolveServing(M("Llama3_70B"), H("H100"), o);
  ASSERT_TRUE(base.ok() && spec.ok());
  EXPECT_LT(spec->itl_ms, base->itl_ms);
}

TEST(ServingTest, InferenceScalingMatchesTheContract) {
  auto r = SolveInferenceScaling(M("Llama3_8B"), H("H100"), 8, 2048, "fp16", 0.5);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->total_reasoning_time_ms, 2148.634, 1e-3);
  EXPECT_NEAR(r->energy_per_query_j, 1504.04, 1e-2);
  EXPECT_EQ(r->tokens_generated, 400);
}

TEST(FleetTest, DistributedInvariants) {
  DistributedOptions o;
  o.batch_size = 32;
  auto r = SolveDistributed(M("GPT3"), F("Research_256"), o);
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r->scaling_efficiency, 0);
  EXPECT_LE(r->scaling_efficiency, 1);
  o.pp_size = 4;
  o.microbatch_count = 8;
  auto pp = SolveDistributed(M("GPT3"), F("Research_256"), o);
  EXPECT_GT(pp->pipeline_bubble_latency_s, 0);
  EXPECT_DOUBLE_EQ(pp->bubble_fraction, 3.0 / 11.0);
  EXPECT_EQ(r->pipeline_bubble_latency_s, 0);
  o.tp_size = 64;
  o.pp_size = 8;
  auto bad = SolveDistributed(M("GPT3"), F("Research_256"), o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("Infeasible"), std::string::npos);
}

TEST(FleetTest, ContractWorkedExample) {
  DistributedOptions o;
  o.batch_size = 1024;
  o.efficiency = 0.45;
  o.tp_size = 8;
  o.pp_size = 4;
  o.microbatch_count = 16;
  o.zero_stage = 1;
  auto r = SolveDistributed(M("Llama3_8B"), F("Research_256"), o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->dp, 8);
  EXPECT_NEAR(r->node_profile.latency_ms, 3463.9075, 1e-3);
  EXPECT_NEAR(r->dp_communication_latency_s * 1e3, 3.9105, 1e-3);
  EXPECT_NEAR(r->tp_communication_latency_s * 1e3, 267.466, 1e-3);
  EXPECT_NEAR(r->pipeline_bubble_latency_s * 1e3, 546.933, 1e-3);
  EXPECT_NEAR(r->step_latency_total_s * 1e3, 4282.22, 1e-2);
  EXPECT_NEAR(r->scaling_efficiency, 0.8089, 1e-4);
  EXPECT_NEAR(r->effective_throughput, 7652.1, 0.1);
}

TEST(FleetTest, SotaFeaturesReduceMemoryAndStep) {
  DistributedOptions o;
  o.batch_size = 1024;
  o.tp_size = 8;
  o.pp_size = 4;
  auto base = SolveDistributed(M("Llama3_70B"), F("Frontier_8K"), o);
  o.zero_stage = 3;
  o.is_lora = true;
  o.overlap_comm = true;
  auto sota = SolveDistributed(M("Llama3_70B"), F("Frontier_8K"), o);
  ASSERT_TRUE(base.ok() && sota.ok());
  EXPECT_LT(sota->node_profile.memory_footprint, base->node_profile.memory_footprint);
  EXPECT_LT(sota->step_latency_total_s, base->step_latency_total_s);
}

TEST(FleetTest, ReliabilityGrowsWithTheFleet) {
  auto small = SolveReliability(F("Research_256"), 720);
  auto big = SolveReliability(F("Frontier_8K"), 720);
  ASSERT_TRUE(small.ok() && big.ok());
  EXPECT_GT(big->failure_probability, small->failure_probability);
  EXPECT_NEAR(small->fleet_mtbf_s / 3600, 133.93, 0.01);
  EXPECT_NEAR(big->fleet_mtbf_s / 3600, 4.185, 0.001);
}

TEST(FleetTest, OrchestrationStability) {
  auto unstable = SolveOrchestration(1.0, 2.0);
  ASSERT_TRUE(unstable.ok());
  EXPECT_FALSE(unstable->is_stable);
  EXPECT_TRUE(std::isinf(unstable->avg_wait_time_days));
  EXPECT_DOUBLE_EQ(unstable->cluster_utilization, 2.0);
}

TEST(FleetTest, ParallelismOptimizerSearchesTheContractSpace) {
  ParallelismSearch s;
  s.batch_size = 1024;
  auto r = OptimizeParallelism(M("Llama3_70B"), F("Research_256"), s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total_searched, 27);
  EXPECT_EQ(r->best.tp, 8);
  EXPECT_EQ(r->best.pp, 1);
  EXPECT_LE(r->top_candidates.size(), 5u);
  for (size_t i = 1; i < r->top_candidates.size(); ++i)
    EXPECT_GE(r->top_candidates[i - 1].mfu, r->top_candidates[i].mfu);
}

TEST(OperationsTest, SustainabilityIdentities) {
  auto us = SolveSustainability(F("Research_256"), 1, G("US_Avg"), 0.45);
  ASSERT_TRUE(us.ok());
  EXPECT_NEAR(us->it_energy_kwh, 2644.992, 1e-6);
  EXPECT_NEAR(us->total_energy_kwh, 2962.391, 1e-3);
  EXPECT_DOUBLE_EQ(us->total_energy_kwh, us->it_energy_kwh * us->pue);
  auto poland = SolveSustainability(F("Research_256"), 30, G("Poland"));
  auto quebec = SolveSustainability(F("Research_256"), 30, G("Quebec"));
  EXPECT_GT(poland->carbon_footprint_kg / quebec->carbon_footprint_kg, 10);
  EXPECT_EQ(quebec->water_usage_liters, 0);
  EXPECT_FALSE(SolveSustainability(F("Research_256"), 30, G("Quebec"), 1.5).ok());
}

TEST(OperationsTest, EconomicsIdentities) {
  auto r = SolveEconomics(F("Research_256"), 1, G("US_Avg"), [] {
    EconomicsOptions e;
    e.mfu = 0.45;
    return e;
  }());
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->capex_usd, 7013.70, 0.01);
  EXPECT_NEAR(r->opex_energy_usd, 355.487, 1e-3);
  EXPECT_NEAR(r->opex_maintenance_usd, 1052.05, 0.01);
  EXPECT_NEAR(r->tco_usd, 8421.24, 0.01);
  EXPECT_DOUBLE_EQ(r->total_opex_usd, r->opex_energy_usd + r->opex_maintenance_usd);
  EXPECT_DOUBLE_EQ(r->tco_usd, r->capex_usd + r->total_opex_usd);
}

TEST(AnalysisTest, ScalingCompressionData) {
  Quantity c;
  c.number = c.si = 1.2e20;
  c.dim = dims::kFlop;
  auto s = SolveScaling(c);
  ASSERT_TRUE(s.ok());
  EXPECT_NEAR(s->optimal_parameters, 1e9, 1e-3);
  EXPECT_NEAR(s->tokens_per_parameter, 20.0, 1e-12);
  EXPECT_NEAR(6 * s->optimal_parameters * s->optimal_tokens, 1.2e20, 1e6);
  auto t = SolveScaling(c, 1e9);
  EXPECT_NEAR(t->optimal_tokens, 2e10, 1e-3);

  CompressionOptions q;
  q.target_bitwidth = 8;
  auto i8 = SolveCompression(M("Llama3_8B"), H("A100"), q);
  q.target_bitwidth = 4;
  auto i4 = SolveCompression(M("Llama3_8B"), H("A100"), q);
  q.target_bitwidth = 2;
  auto i2 = SolveCompression(M("Llama3_8B"), H("A100"), q);
  EXPECT_EQ(i8->compression_ratio, 4);
  EXPECT_EQ(i4->compression_ratio, 8);
  EXPECT_LT(i2->estimated_accuracy_delta, 0);
  EXPECT_LT(i4->estimated_accuracy_delta, 0);
  EXPECT_LT(std::abs(i8->estimated_accuracy_delta), 0.01);
  EXPECT_EQ(i8->memory_savings_pct, 75);

  auto stalled = SolveData(100e9, H("H100"));
  auto fine = SolveData(1e9, H("H100"));
  EXPECT_TRUE(stalled->is_stalled);
  EXPECT_FALSE(fine->is_stalled);
}

TEST(AnalysisTest, SensitivityFindsTheBindingConstraint) {
  auto mem = SolveSensitivity(M("Llama3_8B"), H("H100"), "fp16", 10, 0.5);
  ASSERT_TRUE(mem.ok());
  EXPECT_EQ(mem->binding_constraint, "memory_bandwidth");
  EXPECT_LT(mem->memory_bandwidth, 0);
  auto r = SolveSynthesis(M("Llama3_70B"), 0.05, "int8", 0.5);
  ASSERT_TRUE(r.ok());
  EXPECT_NEAR(r->required_bw, 1.412e12, 1e3);
}

TEST(AnalysisTest, BatchingOptimizerRespectsTheSla) {
  BatchingSearch s;
  s.seq_len = 128;
  s.sla_latency_ms = 10000;
  s.arrival_rate_qps = 10;
  s.max_search_batch = 32;
  auto r = OptimizeBatching(M("Llama3_8B"), H("H100"), s);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->is_feasible);
  EXPECT_GE(r->best_batch_size, 1);
  EXPECT_LE(r->p99_latency_ms, 10000);
  s.sla_latency_ms = 1;  // impossible
  auto none = OptimizeBatching(M("Llama3_8B"), H("H100"), s);
  EXPECT_FALSE(none->is_feasible);
  EXPECT_EQ(none->best_batch_size, 0);
}

TEST(WallsTest, TwentyTwoWallsInSixDomains) {
  ASSERT_EQ(AllWalls().size(), 22u);
  for (int i = 0; i < 22; ++i) EXPECT_EQ(AllWalls()[i].number, i + 1);
  EXPECT_EQ(FindWall(0), nullptr);
  EXPECT_EQ(FindWall(23), nullptr);
  EXPECT_EQ(WallsOfSolver("SingleNodeModel"), (std::vector<int>{1, 2}));
  int node = 0;
  for (const Wall& w : AllWalls()) node += w.domain == "Node";
  EXPECT_EQ(node, 7);
  EXPECT_EQ(FindWall(22)->name, "Synthesis");
  EXPECT_EQ(FindWall(1)->name, "Compute");
}

}  // namespace
}  // namespace mlsysim
