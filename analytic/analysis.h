// analysis.h — node, data, algorithm and analysis walls: EfficiencyModel (3),
// DataModel (8), TransformationModel (9), ScalingModel (11), CompressionModel (13),
// SensitivitySolver (21), SynthesisSolver (22), and the BatchingOptimizer.
// mlsysim v0.1.1 formulas (contract §2, §11.8, §11.14, §11.16, §11.19–11.22).
// Usage: absl::StatusOr<CompressionResult> r = SolveCompression(model, hw, {.method = "pruning"});
#ifndef MLSYSIM_ANALYTIC_ANALYSIS_H_
#define MLSYSIM_ANALYTIC_ANALYSIS_H_

#include <string>

#include "absl/status/statusor.h"
#include "analytic/specs.h"
#include "analytic/units.h"

namespace mlsysim {

struct CompressionOptions {
  std::string method = "quantization";  // quantization | pruning | anything else (no-op)
  int target_bitwidth = 8;
  double sparsity = 0.0;
  std::string sparsity_type = "unstructured";  // unstructured | structured | n_m
};
struct CompressionResult {
  double original_size_gb = 0, compressed_size_gb = 0, compression_ratio = 1;
  double estimated_accuracy_delta = 0, memory_savings_pct = 0, inference_speedup = 1;
};
absl::StatusOr<CompressionResult> SolveCompression(const ModelSpec& model, const Accelerator& hw,
                                                   const CompressionOptions& o);

struct EfficiencyResult {
  double mfu = 0, achievable_flops = 0, peak_flops = 0;
  std::string workload_type;
  bool use_flash_attention = false;
  double occupancy_loss = 0, memory_stall = 0;
};
absl::StatusOr<EfficiencyResult> SolveEfficiency(const Accelerator& hw,
                                                 const std::string& workload_type,
                                                 bool use_flash_attention,
                                                 const std::string& precision, double eta);

struct DataResult {
  bool is_stalled = false;
  double utilization = 0, demand_bw = 0, supply_bw = 0, margin = 0;
  std::string bottleneck;
};
absl::StatusOr<DataResult> SolveData(double workload_data_rate, const Accelerator& hw);

struct TransformationResult {
  double transform_time_s = 0, accelerator_step_time_s = 0;
  bool is_bottleneck = false;
  double accelerator_utilization = 0, slowdown_factor = 0;
};
absl::StatusOr<TransformationResult> SolveTransformation(int batch_size, double sample_size_bytes,
                                                         double cpu_throughput,
                                                         double accelerator_step_time_s);

struct ScalingResult {
  double optimal_parameters = 0, optimal_tokens = 0, compute_budget_flops = 0;
  double tokens_per_parameter = 0;
};
// `compute_budget` as parsed: a duration is converted at 989 TF/s × 0.40; any
// other quantity is taken by its number, as mlsysim does.
absl::StatusOr<ScalingResult> SolveScaling(const Quantity& compute_budget,
                                           double target_model_size = 0.0);

struct SensitivityResult {
  double baseline_latency_ms = 0;
  double peak_flops = 0, memory_bandwidth = 0, memory_capacity = 0;  // sensitivities
  std::string binding_constraint;
  double perturbation_pct = 0;
};
absl::StatusOr<SensitivityResult> SolveSensitivity(const ModelSpec& model, const Accelerator& hw,
                                                   const std::string& precision,
                                                   double perturbation_pct, double eta);

struct SynthesisResult {
  double required_bw = 0, required_flops = 0, required_memory = 0, compute_memory_ratio = 0;
  double target_latency_s = 0, model_size = 0, total_ops = 0;
};
absl::StatusOr<SynthesisResult> SolveSynthesis(const ModelSpec& model, double target_latency_s,
                                               const std::string& precision, double eta);

struct BatchingResult {
  double objective_value = 0, max_throughput = 0, p99_latency_ms = 0;
  double slo_violation_probability = 0;
  int best_batch_size = 0, total_searched = 0;
  bool is_feasible = false;
};
struct BatchingSearch {
  int seq_len = 2048;
  double sla_latency_ms = 0;
  double arrival_rate_qps = 0;
  int num_replicas = 1;
  std::string precision = "fp16";
  double efficiency = 0.5;
  int max_search_batch = 256;
};
absl::StatusOr<BatchingResult> OptimizeBatching(const ModelSpec& model, const Accelerator& hw,
                                                const BatchingSearch& s);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_ANALYSIS_H_
