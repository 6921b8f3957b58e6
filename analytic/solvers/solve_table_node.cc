// solve_table_node.cc — `solve` entries for the single-node and serving walls (Engine, serving,
// batching, compression, efficiency, sensitivity, synthesis): each decodes its arguments
// (solve_args.h), calls the analytic layer and returns mlsysim's fields.
#include <cmath>
#include <functional>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analytic/analysis.h"
#include "analytic/fleet.h"
#include "analytic/formulas.h"
#include "analytic/operations.h"
#include "analytic/roofline_engine.h"
#include "analytic/serving.h"
#include "analytic/solvers/records.h"
#include "analytic/solvers/solve_args.h"
#include "analytic/units.h"

namespace mlsysim {
namespace solve {
namespace {

Record SolveEngineReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  EngineOptions o;
  o.batch_size = a.Int32("batch_size", 1);
  o.precision = a.Precision();
  o.efficiency = a.Num("efficiency", 0.5);
  o.is_training = a.Bool("is_training", false);
  o.seq_len = a.Int32("seq_len", 2048);
  o.zero_stage = a.Int32("zero_stage", 0);
  o.dp_size = a.Int32("dp_size", 1);
  o.is_lora = a.Bool("is_lora", false);
  o.activation_recomputation = a.Bool("activation_recomputation", false);
  const bool raise = a.Bool("raise_errors", false);
  if (!a.ok()) return {};
  auto r = SolveEngine(*m, *hw, o);
  if (!Check(a, r)) return {};
  if (raise && !r->feasible) {
    a.Fail("model",
           absl::StrCat("OOMError: ", m->key, " needs ", r->memory_footprint / 1e9, " GB but ",
                        hw->key, " has ", hw->capacity / 1e9, " GB"),
           2);
    return {};
  }
  return EngineRecord(*r);
}

Record SolveServingReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  a.Require("seq_len");
  ServingOptions o;
  o.seq_len = a.Int32("seq_len", 2048);
  o.batch_size = a.Int32("batch_size", 1);
  o.precision = a.Precision();
  o.efficiency = a.Num("efficiency", 0.5);
  o.decode_hardware = a.Hardware("decode_hardware", false);
  o.network_bandwidth = a.Qty("network_bandwidth", dims::kByteRate, 100e9);
  o.draft_model = a.Model("draft_model", false);
  o.draft_acceptance_rate = a.Num("draft_acceptance_rate", 0.7);
  o.cached_prefix_len = a.Int32("cached_prefix_len", 0);
  if (!a.ok()) return {};
  auto r = SolveServing(*m, *hw, o);
  if (!Check(a, r)) return {};
  return ServingRecord(*r);
}

Record SolveContinuousBatchingReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  a.Require("seq_len");
  ContinuousBatchingOptions o;
  o.seq_len = a.Int32("seq_len", 2048);
  o.max_batch_size = a.Int32("max_batch_size", 1);
  o.page_size = a.Int32("page_size", 16);
  o.precision = a.Precision();
  o.efficiency = a.Num("efficiency", 0.5);
  if (!a.ok()) return {};
  auto r = SolveContinuousBatching(*m, *hw, o);
  if (!Check(a, r)) return {};
  Record out;
  out.Bool("feasible", r->feasible)
      .Num("throughput_tokens_per_sec", r->throughput_tokens_per_sec)
      .Int("max_active_requests", r->max_active_requests)
      .Num("memory_fragmentation_pct", r->memory_fragmentation_pct)
      .Num("paged_kv_cache_size", r->paged_kv_cache_size, "B")
      .Num("ttft", r->ttft_ms / 1000.0, "s")
      .Num("itl", r->itl_ms / 1000.0, "s")
      .Num("speedup_vs_static", r->speedup_vs_static);
  return out;
}

Record SolveWeightStreamingReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  a.Require("seq_len");
  WeightStreamingOptions o;
  o.seq_len = a.Int32("seq_len", 2048);
  o.batch_size = a.Int32("batch_size", 1);
  o.precision = a.Precision();
  o.efficiency = a.Num("efficiency", 0.5);
  o.phase = a.Str("phase", "decode");
  if (!a.ok()) return {};
  auto r = SolveWeightStreaming(*m, *hw, o);
  if (!Check(a, r)) return {};
  Record out;
  out.Bool("feasible", r->feasible)
      .Num("throughput_tokens_per_sec", r->throughput_tokens_per_sec)
      .Str("bottleneck", r->bottleneck)
      .Num("layer_compute_time", r->layer_compute_time_ms / 1000.0, "s")
      .Num("layer_injection_time", r->layer_injection_time_ms / 1000.0, "s")
      .Int("optimal_batch_size", r->optimal_batch_size)
      .Num("wafer_memory_utilization", r->wafer_memory_utilization);
  return out;
}

Record SolveTailLatencyReq(Args& a) {
  a.Require("arrival_rate_qps");
  a.Require("service_latency_ms");
  const double lambda = a.Qty("arrival_rate_qps", dims::kFrequency, 0.0);
  double service_ms = 0.0;
  if (a.Has("service_latency_ms")) {
    // Plain numbers are milliseconds; "100 ms" style strings are converted.
    service_ms = a.Qty("service_latency_ms", dims::kTime, 0.0);
    auto raw = a.RawQty("service_latency_ms");
    if (raw.has_value() && raw->has_unit) service_ms = raw->si * 1000.0;
  }
  const double c = a.Num("num_replicas", 1);
  const double cv = a.Num("service_time_cv", 1.0);
  if (!a.ok()) return {};
  auto r = SolveTailLatency(lambda, service_ms, c, cv);
  if (!Check(a, r)) return {};
  return TailLatencyRecord(*r);
}

Record SolveDataReq(Args& a) {
  const double demand = a.Qty("workload_data_rate", dims::kByteRate, 0, true);
  const Accelerator* hw = a.Hardware();
  if (!a.ok()) return {};
  auto r = SolveData(demand, *hw);
  if (!Check(a, r)) return {};
  Record out;
  out.Bool("is_stalled", r->is_stalled)
      .Num("utilization", r->utilization)
      .Num("demand_bw", r->demand_bw, "B/s")
      .Num("supply_bw", r->supply_bw, "B/s")
      .Str("bottleneck", r->bottleneck)
      .Num("margin", r->margin, "B/s");
  return out;
}

Record SolveTransformationReq(Args& a) {
  a.Require("batch_size");
  const int b = a.Int32("batch_size", 1);
  const double sample = a.Qty("sample_size_bytes", dims::kBytes, 0, true);
  const double cpu = a.Qty("cpu_throughput", dims::kByteRate, 0, true);
  const double step = a.Qty("accelerator_step_time", dims::kTime, 0, true);
  if (!a.ok()) return {};
  auto r = SolveTransformation(b, sample, cpu, step);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("transform_time", r->transform_time_s, "s")
      .Num("accelerator_step_time", r->accelerator_step_time_s, "s")
      .Bool("is_bottleneck", r->is_bottleneck)
      .Num("accelerator_utilization", r->accelerator_utilization)
      .Num("slowdown_factor", r->slowdown_factor);
  return out;
}

Record SolveInferenceScalingReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  const int k = a.Int32("reasoning_steps", 8);
  const int ctx = a.Int32("context_length", 2048);
  const std::string p = a.Precision();
  const double eta = a.Num("efficiency", 0.5);
  if (!a.ok()) return {};
  auto r = SolveInferenceScaling(*m, *hw, k, ctx, p, eta);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("total_reasoning_time", r->total_reasoning_time_ms / 1000.0)
      .Num("ttft", r->ttft_ms / 1000.0, "s")
      .Num("itl", r->itl_ms / 1000.0, "s")
      .Int("tokens_generated", r->tokens_generated)
      .Int("reasoning_steps", r->reasoning_steps)
      .Num("time_per_step", r->time_per_step_ms / 1000.0)
      .Num("energy_per_query", r->energy_per_query_j)
      .Bool("feasible", r->feasible);
  return out;
}

Record SolveCompressionReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  CompressionOptions o;
  o.method = a.Str("method", "quantization");
  o.target_bitwidth = a.Int32("target_bitwidth", 8);
  o.sparsity = a.Num("sparsity", 0.0);
  o.sparsity_type = a.Str("sparsity_type", "unstructured");
  if (!a.ok()) return {};
  auto r = SolveCompression(*m, *hw, o);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("original_size_gb", r->original_size_gb, "GB")
      .Num("compressed_size_gb", r->compressed_size_gb, "GB")
      .Num("compression_ratio", r->compression_ratio)
      .Num("estimated_accuracy_delta", r->estimated_accuracy_delta)
      .Num("memory_savings_pct", r->memory_savings_pct)
      .Num("inference_speedup", r->inference_speedup);
  return out;
}

Record SolveSensitivityReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  const std::string p = a.Precision();
  const double pct = a.Num("perturbation_pct", 10.0);
  const double eta = a.Num("efficiency", 0.5);
  if (!a.ok()) return {};
  auto r = SolveSensitivity(*m, *hw, p, pct, eta);
  if (!Check(a, r)) return {};
  Record sens;
  sens.Num("peak_flops", r->peak_flops)
      .Num("memory_bandwidth", r->memory_bandwidth)
      .Num("memory_capacity", r->memory_capacity);
  Record out;
  out.Num("baseline_latency", r->baseline_latency_ms / 1000.0)
      .Obj("sensitivities", std::move(sens))
      .Str("binding_constraint", r->binding_constraint)
      .Num("perturbation_pct", r->perturbation_pct);
  return out;
}

Record SolveSynthesisReq(Args& a) {
  const ModelSpec* m = a.Model();
  const double t = a.Qty("target_latency", dims::kTime, 0, true);
  const std::string p = a.Precision();
  const double eta = a.Num("efficiency", 0.5);
  if (!a.ok()) return {};
  auto r = SolveSynthesis(*m, t, p, eta);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("required_bw", r->required_bw, "B/s")
      .Num("required_flops", r->required_flops, "flop/s")
      .Num("required_memory", r->required_memory, "B")
      .Num("compute_memory_ratio", r->compute_memory_ratio, "flop/B")
      .Num("target_latency", r->target_latency_s, "s")
      .Num("model_size", r->model_size, "B")
      .Num("total_ops", r->total_ops, "flop");
  return out;
}

Record SolveEfficiencyReq(Args& a) {
  a.Model("model", false);
  const Accelerator* hw = a.Hardware();
  const std::string type = a.Str("workload_type", "ffn");
  const bool flash = a.Bool("use_flash_attention", false);
  const std::string p = a.Precision();
  const double eta = a.Num("efficiency", 0.5);
  if (!a.ok()) return {};
  auto r = SolveEfficiency(*hw, type, flash, p, eta);
  if (!Check(a, r)) return {};
  Record ob;
  ob.Num("occupancy_loss", r->occupancy_loss).Num("memory_stall", r->memory_stall);
  Record out;
  out.Num("mfu", r->mfu)
      .Num("achievable_flops", r->achievable_flops, "flop/s")
      .Num("peak_flops", r->peak_flops, "flop/s")
      .Str("workload_type", r->workload_type)
      .Bool("use_flash_attention", r->use_flash_attention)
      .Obj("overhead_breakdown", std::move(ob));
  return out;
}

Record SolveBatchingReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  a.Require("seq_len");
  a.Require("sla_latency_ms");
  a.Require("arrival_rate_qps");
  BatchingSearch s;
  s.seq_len = a.Int32("seq_len", 2048);
  s.sla_latency_ms = a.Num("sla_latency_ms", 0);
  s.arrival_rate_qps = a.Num("arrival_rate_qps", 0);
  s.num_replicas = a.Int32("num_replicas", 1);
  s.precision = a.Precision();
  s.efficiency = a.Num("efficiency", 0.5);
  s.max_search_batch = a.Int32("max_search_batch", 256);
  if (!a.ok()) return {};
  auto r = OptimizeBatching(*m, *hw, s);
  if (!Check(a, r)) return {};
  return BatchingRecord(*r);
}

}  // namespace

void AddNodeSolvers(SolverTable* table) {
  table->insert(
      {{"Engine",
        {{"model", "hardware", "batch_size", "precision", "efficiency", "raise_errors",
          "is_training", "seq_len", "zero_stage", "dp_size", "is_lora", "activation_recomputation"},
         SolveEngineReq}},
       {"ServingModel",
        {{"model", "hardware", "seq_len", "batch_size", "precision", "efficiency",
          "decode_hardware", "network_bandwidth", "draft_model", "draft_acceptance_rate",
          "cached_prefix_len"},
         SolveServingReq}},
       {"ContinuousBatchingModel",
        {{"model", "hardware", "seq_len", "max_batch_size", "page_size", "precision", "efficiency"},
         SolveContinuousBatchingReq}},
       {"WeightStreamingModel",
        {{"model", "hardware", "seq_len", "batch_size", "precision", "efficiency", "phase"},
         SolveWeightStreamingReq}},
       {"TailLatencyModel",
        {{"arrival_rate_qps", "service_latency_ms", "num_replicas", "service_time_cv"},
         SolveTailLatencyReq}},
       {"DataModel", {{"workload_data_rate", "hardware"}, SolveDataReq}},
       {"TransformationModel",
        {{"batch_size", "sample_size_bytes", "cpu_throughput", "accelerator_step_time"},
         SolveTransformationReq}},
       {"InferenceScalingModel",
        {{"model", "hardware", "reasoning_steps", "context_length", "precision", "efficiency"},
         SolveInferenceScalingReq}},
       {"CompressionModel",
        {{"model", "hardware", "method", "target_bitwidth", "sparsity", "sparsity_type"},
         SolveCompressionReq}},
       {"SensitivitySolver",
        {{"model", "hardware", "precision", "perturbation_pct", "efficiency"},
         SolveSensitivityReq}},
       {"SynthesisSolver",
        {{"model", "target_latency", "precision", "efficiency"}, SolveSynthesisReq}},
       {"EfficiencyModel",
        {{"model", "hardware", "workload_type", "use_flash_attention", "precision", "efficiency"},
         SolveEfficiencyReq}},
       {"BatchingOptimizer",
        {{"model", "hardware", "seq_len", "sla_latency_ms", "arrival_rate_qps", "num_replicas",
          "precision", "efficiency", "max_search_batch"},
         SolveBatchingReq}}});
}

}  // namespace solve
}  // namespace mlsysim
