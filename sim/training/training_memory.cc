// training_memory.cc — memory per GPU of a training step (see
// training_memory.h).
#include "sim/training/training_memory.h"

#include <algorithm>
#include <vector>

#include "analytic/specs.h"
#include "sim/training/training_layout.h"
#include "sim/training/training_step.h"

namespace mlsysim {

double TrainingTensorBytes(const std::string& precision) {
  return precision == "fp8" ? 2.0 : BytesPerParam(precision);
}

double ActivationBytesPerLayer(const ModelSpec& m, double s, double b, int t,
                               bool sequence_parallel, const std::string& recompute,
                               bool fp8_gemm_inputs) {
  const double h = m.hidden_dim, a = m.heads, sbh = s * b * h;
  if (recompute == "full") return 2 * sbh / (sequence_parallel ? t : 1);
  const bool shaped = m.HasFullShape();
  const double g = shaped && m.kv_heads > 0 ? static_cast<double>(m.kv_heads) / m.heads : 1.0;
  const double f = shaped ? m.intermediate_size : 4 * h;
  const double k = shaped && m.experts_per_token > 0 ? m.experts_per_token : 1.0;
  const bool gated = shaped && m.gated_mlp;
  // Per tensor, in bytes per s·b (16-bit unless noted).
  const double gemm_input = fp8_gemm_inputs ? 1 : 2;
  const double outside_tp = 4 + 2 * gemm_input + 2;  // norms, QKV/FFN inputs, masks
  double inside_tp = 2 * h + 4 * g * h + gemm_input * h  // Q, K, V, projection input
                     + k * f * (gated ? 4 + gemm_input : 2 + gemm_input);
  inside_tp /= h;  // now per s·b·h
  if (recompute != "selective") inside_tp += 5 * a * s / h;
  if (sequence_parallel) return sbh * (outside_tp + inside_tp) / t;
  return sbh * (outside_tp + inside_tp / t);
}

StepMemory TrainingMemoryPerGpu(const TrainingStepConfig& c, int dp) {
  const ModelSpec& m = c.model;
  const double p_layer = ParametersPerLayerHeld(c);
  // The heaviest device's layers (model states) and the first device's (it
  // keeps the most microbatches in flight).
  const std::vector<int> split =
      VirtualStageLayers(m.layers, c.pp, c.virtual_stages, c.stage_layers);
  const std::vector<int> device_layers = DeviceLayers(split, c.pp);
  const int stage_layers = *std::max_element(device_layers.begin(), device_layers.end());
  const double psi = p_layer * stage_layers / c.tp;
  const double bpp = TrainingTensorBytes(c.precision);
  StepMemory mem;
  // ZeRO-3 also holds two layers' gathered weights (the one computing and
  // the one prefetched).
  mem.weights =
      bpp * psi / (c.zero_stage >= 3 ? dp : 1) + (c.zero_stage >= 3 ? 2 * bpp * p_layer / c.tp : 0);
  mem.gradients = bpp * psi / (c.zero_stage >= 2 ? dp : 1);
  mem.optimizer = 12 * psi / (c.zero_stage >= 1 ? dp : 1);
  // In flight on the first device: Megatron's warm-up microbatches plus one,
  // each chunk holding layers / (p·v) layers; at most every chunk of the step.
  const int p = c.pp, v = c.virtual_stages;
  const long long chunks = v > 1 ? std::min<long long>(2LL * (p - 1) + (v - 1LL) * p + 1,
                                                       static_cast<long long>(c.microbatches) * v)
                                 : std::min(p, c.microbatches);
  const double layers_per_chunk = static_cast<double>(device_layers[0]) / v;
  const double b = static_cast<double>(c.global_batch) / (static_cast<double>(dp) * c.microbatches);
  // Table 2 counts 16-bit activations; other precisions scale with their
  // bytes (FP8 training keeps 16-bit activations but FP8 GEMM inputs).
  const double per_layer = ActivationBytesPerLayer(m, c.seq_len, b, c.tp, c.sequence_parallel,
                                                   c.activation_recompute, c.precision == "fp8") *
                           bpp / 2;
  mem.activations = static_cast<double>(chunks) * layers_per_chunk * per_layer;
  return mem;
}

}  // namespace mlsysim
