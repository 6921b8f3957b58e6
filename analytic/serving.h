// serving.h — inference-side walls: ServingModel (4), ContinuousBatchingModel (5),
// WeightStreamingModel (6), TailLatencyModel (7), InferenceScalingModel (12).
// mlsysim v0.1.1 formulas (contract §2, §11.3–11.5, §11.12, §11.22).
// Usage: absl::StatusOr<ServingResult> r = SolveServing(model, hw, ServingOptions{.seq_len =
// 2048});
#ifndef MLSYSIM_ANALYTIC_SERVING_H_
#define MLSYSIM_ANALYTIC_SERVING_H_

#include <string>

#include "absl/status/statusor.h"
#include "analytic/specs.h"

namespace mlsysim {

// Attention geometry as mlsysim reads it: H = heads or 32, d = (hidden or 4096) / H
// (integer), Hkv = kv_heads or H.
struct AttentionGeometry {
  int layers, heads, head_dim, kv_heads;
};
AttentionGeometry GeometryOf(const ModelSpec& m);

struct ServingOptions {
  int seq_len = 2048;
  int batch_size = 1;
  std::string precision = "fp16";
  double efficiency = 0.5;
  const Accelerator* decode_hardware = nullptr;  // disaggregated serving when set
  double network_bandwidth = 100e9;              // B/s, for the KV transfer
  const ModelSpec* draft_model = nullptr;        // speculative decoding when set
  double draft_acceptance_rate = 0.7;
  int cached_prefix_len = 0;
};

struct ServingResult {
  bool feasible = false;
  double ttft_ms = 0, itl_ms = 0;
  double kv_cache_size = 0, model_weights_size = 0, total_memory_required = 0;  // bytes
  double memory_utilization = 0, prompt_cache_hit_ratio = 0;
};
absl::StatusOr<ServingResult> SolveServing(const ModelSpec& model, const Accelerator& hw,
                                           const ServingOptions& o);

struct ContinuousBatchingOptions {
  int seq_len = 2048;
  int max_batch_size = 1;
  int page_size = 16;
  std::string precision = "fp16";
  double efficiency = 0.5;
};
struct ContinuousBatchingResult {
  bool feasible = false;
  double throughput_tokens_per_sec = 0;
  long long max_active_requests = 0;
  double memory_fragmentation_pct = 0;  // a 0–1 fraction, as mlsysim returns it
  double paged_kv_cache_size = 0;       // bytes
  double ttft_ms = 0, itl_ms = 0;
  double speedup_vs_static = 1;
};
absl::StatusOr<ContinuousBatchingResult> SolveContinuousBatching(
    const ModelSpec& model, const Accelerator& hw, const ContinuousBatchingOptions& o);

struct WeightStreamingOptions {
  int seq_len = 2048;
  int batch_size = 1;
  std::string precision = "fp16";
  double efficiency = 0.5;
  std::string phase = "decode";  // decode | prefill
};
struct WeightStreamingResult {
  bool feasible = false;
  double throughput_tokens_per_sec = 0;
  std::string bottleneck;
  double layer_compute_time_ms = 0, layer_injection_time_ms = 0;
  long long optimal_batch_size = 1;
  double wafer_memory_utilization = 0;
};
absl::StatusOr<WeightStreamingResult> SolveWeightStreaming(const ModelSpec& model,
                                                           const Accelerator& hw,
                                                           const WeightStreamingOptions& o);

struct TailLatencyResult {
  double p50_latency_ms = 0, p99_latency_ms = 0, queue_utilization = 0;
  bool is_stable = false;
  double slo_headroom_ratio = 0, slo_violation_probability = 0;
};
absl::StatusOr<TailLatencyResult> SolveTailLatency(double arrival_rate_qps,
                                                   double service_latency_ms,
                                                   double num_replicas = 1,
                                                   double service_time_cv = 1.0);

struct InferenceScalingResult {
  double total_reasoning_time_ms = 0, ttft_ms = 0, itl_ms = 0, time_per_step_ms = 0;
  long long tokens_generated = 0, reasoning_steps = 0;
  double energy_per_query_j = 0;
  bool feasible = false;
};
absl::StatusOr<InferenceScalingResult> SolveInferenceScaling(
    const ModelSpec& model, const Accelerator& hw, int reasoning_steps, int context_length,
    const std::string& precision, double efficiency);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_SERVING_H_
