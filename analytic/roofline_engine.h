// roofline_engine.h — mlsysim's single-node roofline (Engine / SingleNodeModel), Walls 1–2.
//
// Reproduces v0.1.1 exactly, quirks included: activations as 10 % of weights per
// sample, the per-layer framework tax, MFU on the raw peak, the offload path when
// the training footprint does not fit (contract §1, §11.2).
// Usage: absl::StatusOr<EngineResult> r = SolveEngine(model, hw, EngineOptions{.batch_size = 32});
#ifndef MLSYSIM_ANALYTIC_ROOFLINE_ENGINE_H_
#define MLSYSIM_ANALYTIC_ROOFLINE_ENGINE_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "analytic/specs.h"

namespace mlsysim {

inline constexpr double kLayerTaxMs = 0.01;
inline constexpr double kHfuMfuRatio = 1.1;
inline constexpr double kOffloadDefaultGBs = 64.0;

// The lowered compute graph of a workload at a precision.
struct LoweredModel {
  double ops = 0.0;  // flop per inference (per token for Transformers)
  double weight_bytes = 0.0;
  int layers = 1;  // for the layer tax
};
LoweredModel Lower(const ModelSpec& model, double bpp);

struct EngineOptions {
  int batch_size = 1;
  std::string precision = "fp16";
  double efficiency = 0.5;
  bool is_training = false;
  int seq_len = 2048;
  int zero_stage = 0;
  int dp_size = 1;
  bool is_lora = false;
  bool activation_recomputation = false;
};

struct EngineResult {
  double latency_ms = 0.0;
  double latency_compute_ms = 0.0;
  double latency_memory_ms = 0.0;
  double latency_overhead_ms = 0.0;
  double throughput = 0.0;  // samples/s
  std::string bottleneck;
  double arithmetic_intensity = 0.0;  // flop/B
  double energy_j = 0.0;
  double memory_footprint = 0.0;   // bytes
  double peak_flops_actual = 0.0;  // flop/s
  double peak_bw_actual = 0.0;     // B/s
  double mfu = 0.0;
  double hfu = 0.0;
  bool feasible = true;
  bool offloaded = false;  // offload_* fields are null when false
  double offload_spill_bytes = 0.0;
  double offload_effective_bw = 0.0;
};

// Training memory of a Transformer (TransformerWorkload.training_memory), bytes.
struct TrainingMemory {
  double weights = 0, gradients = 0, optimizer = 0, activations = 0;
  double total() const { return weights + gradients + optimizer + activations; }
};
TrainingMemory TransformerTrainingMemory(const ModelSpec& model, int batch_size, int seq_len,
                                         absl::string_view precision, bool selective_recompute,
                                         int zero_stage, int dp_size, bool is_lora);

// Validates the options (errors name the argument) and solves.
absl::StatusOr<EngineResult> SolveEngine(const ModelSpec& model, const Accelerator& hw,
                                         const EngineOptions& options);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_ROOFLINE_ENGINE_H_
