// serving_iteration.cc — see serving_iteration.h.
#include "sim/serving/serving_iteration.h"

#include <algorithm>

#include "analytic/formulas.h"
#include "analytic/roofline_engine.h"
#include "analytic/serving.h"

namespace mlsysim {

IterationModel IterationModel::For(const ModelSpec& model, const Accelerator& hw,
                                   const std::string& precision, double efficiency, int tp,
                                   double nvlink_bw, bool causal) {
  IterationModel m;
  const AttentionGeometry g = GeometryOf(model);
  const double bpp = BytesPerParam(precision);
  m.parameters = model.parameters;
  m.weights_bytes = model.parameters * bpp;
  m.kv_bytes_per_token = 2.0 * g.layers * g.kv_heads * g.head_dim * bpp;
  m.attn_flops_per_pair = 4.0 * g.layers * g.heads * g.head_dim;
  m.peak_flops = hw.PeakFor(precision).si * efficiency * tp;
  m.memory_bw = hw.memory_bw.si * tp;
  m.dispatch_tax_s = hw.dispatch_tax_ms * 1e-3;
  m.layer_tax_s = g.layers * kLayerTaxMs * 1e-3;
  m.layers = g.layers;
  m.tp = tp;
  m.tp_bytes_per_token = model.hidden_dim * bpp;
  m.nvlink_bw = nvlink_bw;
  m.causal = causal;
  m.model = model;
  m.gpu_peak = hw.PeakFor(precision).si;
  m.gpu_peak_16bit = hw.PeakFor("fp16").si;
  m.gpu_hbm = hw.memory_bw.si;
  m.bytes_per_param = bpp;
  m.fp8 = precision == "fp8";
  return m;
}

double CalibratedIterationSeconds(const IterationModel& m, const std::vector<PrefillPiece>& pieces,
                                  const std::vector<double>& decode_contexts) {
  const KernelModel& km = *m.machine;
  const ModelSpec& s = m.model;
  const AttentionGeometry g = GeometryOf(s);
  const double t = m.tp, h = s.hidden_dim, bpp = m.bytes_per_param;
  const double heads = g.heads, kv = g.kv_heads, d = g.head_dim;
  const double f = s.intermediate_size > 0 ? s.intermediate_size : 4 * h;
  const double routed = s.experts_per_token > 0 && s.num_experts > 0 ? s.experts_per_token : 1;
  const double gemm_bytes = m.fp8 ? 1.0 : bpp;
  // Quantised serving (fp8, int8, int4) quantises the weights (and, for FP8,
  // the GEMM inputs) and the KV cache; the residual stream, norms,
  // activations, TP all-reduces and the unquantised LM head stay 16-bit, as in
  // training (TrainingTensorBytes).
  const double act = std::max(bpp, 2.0);
  double tokens = 0, pairs = 0, kv_read = 0;
  for (const PrefillPiece& piece : pieces) {
    const double p = piece.cached, n = piece.tokens;
    pairs += m.causal ? n * p + n * (n + 1) / 2 : n * (2 * p + n);
    tokens += n;
  }
  double decode_pairs = 0;
  for (double ctx : decode_contexts) {
    decode_pairs += ctx;
    kv_read += ctx;
  }
  tokens += decode_contexts.size();
  if (tokens <= 0) return 0;
  const double T = tokens;
  auto gemm = [&](double rows, double n, double k) {
    return GemmSeconds(km, m.gpu_peak, m.gpu_hbm, rows, n, k, gemm_bytes, m.fp8);
  };
  double layer = 0;
  layer += 2 * StreamSeconds(km, StreamKind::kNorm, m.gpu_hbm, 2 * T * h * act);
  layer += 2 * StreamSeconds(km, StreamKind::kElementwise, m.gpu_hbm, 3 * T * h * act);
  if (s.learned_positions == 0)
    layer += StreamSeconds(km, StreamKind::kRope, m.gpu_hbm, 2 * T * (heads + kv) * d / t * act);
  if (s.HasFullShape()) {
    layer += gemm(T, (heads + 2 * kv) * d / t, h) + gemm(T, h, heads * d / t);
    layer += gemm(T * routed, (s.gated_mlp ? 2 : 1) * f / t, h) + gemm(T * routed, h, f / t);
    layer += StreamSeconds(km, StreamKind::kActivation, m.gpu_hbm,
                           (s.gated_mlp ? 3 : 2) * T * routed * f / t * act);
  } else {
    // Without the shape: a layer's active parameters as one h-wide GEMM
    // (2·P/L FLOPs per token, the roofline's count).
    const double active = s.active_parameters > 0 ? s.active_parameters : s.parameters;
    layer += gemm(T, active / g.layers / h / t, h);
  }
  // Attention per layer: 4·heads·d FLOPs per query–key pair over TP.
  const double pair_flops = 4 * heads * d / t;
  const double kv_token_bytes = 2 * kv * d / t * bpp;
  if (!pieces.empty()) {
    const double prefill_tokens = T - decode_contexts.size();
    layer += AttentionSeconds(km, m.gpu_peak_16bit, m.gpu_hbm, pair_flops * pairs,
                              prefill_tokens * (2 * heads * act + 2 * kv * bpp) * d / t);
  }
  if (!decode_contexts.empty()) {
    layer += AttentionSeconds(km, m.gpu_peak_16bit, m.gpu_hbm, pair_flops * decode_pairs,
                              kv_read * kv_token_bytes);
  }
  double seconds = g.layers * layer;
  if (m.tp > 1) {
    seconds += 2.0 * g.layers * NvlinkAllReduceSeconds(km, m.nvlink_bw, m.tp, T * h * act);
  }
  // The LM head for every sequence that emits a token this iteration.
  if (s.vocab_size > 0) {
    const double emitting = static_cast<double>(pieces.size() + decode_contexts.size());
    seconds += GemmSeconds(km, m.gpu_peak_16bit, m.gpu_hbm, emitting, s.vocab_size / t, h, act,
                           false);
  }
  return seconds;
}

IterationCost CostOfIteration(const IterationModel& m, const std::vector<PrefillPiece>& pieces,
                              const std::vector<double>& decode_contexts) {
  IterationCost c;
  c.bytes = m.weights_bytes;
  double tokens = 0;
  for (const PrefillPiece& piece : pieces) {
    const double p = piece.cached, n = piece.tokens;
    const double pairs = m.causal ? n * p + n * (n + 1) / 2 : n * (2 * p + n);
    c.flops += 2.0 * m.parameters * n + m.attn_flops_per_pair * pairs;
    c.bytes += m.kv_bytes_per_token * p;  // the cached prefix's KV, read by this piece
    tokens += n;
  }
  for (double ctx : decode_contexts) {
    c.flops += 2.0 * m.parameters + m.attn_flops_per_pair * ctx;
    c.bytes += m.kv_bytes_per_token * ctx;
    tokens += 1;
  }
  if (m.machine.has_value()) {
    c.seconds = CalibratedIterationSeconds(m, pieces, decode_contexts);
    return c;
  }
  double t = std::max(c.flops / m.peak_flops, c.bytes / m.memory_bw);
  if (!pieces.empty()) t += m.dispatch_tax_s;
  if (!decode_contexts.empty()) t += m.layer_tax_s;
  if (m.tp > 1)
    t += 2.0 * m.layers *
         RingAllReduceTime(tokens * m.tp_bytes_per_token, m.tp, m.nvlink_bw, kLatencyNvlinkS);
  c.seconds = t;
  return c;
}

}  // namespace mlsysim
