// training_kernels.cc — a layer's kernels on a calibrated machine (see
// training_kernels.h).
#include "sim/training/training_kernels.h"

#include <algorithm>

#include "analytic/transformer_shape.h"
#include "sim/training/training_memory.h"
#include "sim/training/training_step.h"

namespace mlsysim {

CalibratedLayer CalibratedLayerCosts(const TrainingStepConfig& c, const KernelModel& km,
                                     double tokens) {
  const ModelSpec& m = c.model;
  const Accelerator& hw = c.node.accelerator;
  const bool fp8 = c.precision == "fp8";
  const double bpp = TrainingTensorBytes(c.precision);
  const double gemm_bytes = fp8 ? 1.0 : bpp;
  const double gemm_peak = hw.PeakFor(c.precision).si;
  const double peak16 = fp8 ? hw.PeakFor("bf16").si : gemm_peak;
  const double hbm = hw.memory_bw.si;
  const double t = c.tp, T = tokens, h = m.hidden_dim;
  const double heads = m.heads > 0 ? m.heads : 1;
  const double kv = m.kv_heads > 0 ? m.kv_heads : heads;
  const double d = h / heads;
  const bool shaped = m.HasFullShape();
  const double f = shaped ? m.intermediate_size : 4 * h;
  const double routed = m.experts_per_token > 0 && m.num_experts > 0 ? m.experts_per_token : 1;
  // Tokens the norms and residual adds see: with SP, 1/TP of them.
  const double T_outside = c.sequence_parallel ? T / t : T;
  const TransformerFlops per_token = ForwardFlopsPerToken(m, c.seq_len, c.causal_attention);

  CalibratedLayer k;
  // A GEMM M×K·K×N forward and its two backward products.
  double fwd = 0, bwd = 0;
  auto gemm = [&](double rows, double n, double kk) {
    fwd += GemmSeconds(km, gemm_peak, hbm, rows, n, kk, gemm_bytes, fp8);
    bwd += GemmSeconds(km, gemm_peak, hbm, rows, kk, n, gemm_bytes, fp8) +
           GemmSeconds(km, gemm_peak, hbm, kk, n, rows, gemm_bytes, fp8);
    k.gemm_flops_fwd += 2 * rows * n * kk;
  };
  auto stream = [&](StreamKind kind, double bytes) {
    fwd += StreamSeconds(km, kind, hbm, bytes);
    bwd += 2 * StreamSeconds(km, kind, hbm, bytes);
  };
  stream(StreamKind::kNorm, 2 * T_outside * h * bpp);
  if (shaped) {
    gemm(T, (heads + 2 * kv) * d / t, h);
    gemm(T, h, heads * d / t);
    gemm(T * routed, (m.gated_mlp ? 2 : 1) * f / t, h);
    gemm(T * routed, h, f / t);
  } else {
    // Without the shape: the layer's GEMM FLOPs as h-wide products.
    gemm(T, per_token.layer_gemm / (2 * h) / t, h);
  }
  if (m.learned_positions == 0) stream(StreamKind::kRope, 2 * T * (heads + kv) * d / t * bpp);
  stream(StreamKind::kElementwise, 3 * T_outside * h * bpp);
  stream(StreamKind::kNorm, 2 * T_outside * h * bpp);
  stream(StreamKind::kActivation, (m.gated_mlp ? 3 : 2) * T * routed * f / t * bpp);
  stream(StreamKind::kElementwise, 3 * T_outside * h * bpp);
  if (c.unfused_attention) {
    // Megatron-LM's attention before FlashAttention, over all Q = T·a/t query
    // rows of this GPU's heads against s keys, the full square (masked, not
    // skipped): QKᵀ and AV as batched GEMMs, the fused scale-mask-softmax
    // reading and writing the scores, dropout reading them and writing them
    // and a one-byte mask. Backward: dV = Pᵀ·dO, dP = dO·Vᵀ, dQ = dS·K,
    // dK = dSᵀ·Q, the dropout's backward (gradient and mask in, gradient
    // out) and the softmax's (P and dP in, dS out).
    const double q = T * heads / t, keys = c.seq_len;
    auto attn_gemm = [&](double rows, double n, double kk) {
      return GemmSeconds(km, peak16, hbm, rows, n, kk, bpp, false);
    };
    const double scores = q * keys;
    const double attention_fwd = attn_gemm(q, keys, d) + attn_gemm(q, d, keys) +
                                 StreamSeconds(km, StreamKind::kNorm, hbm, 2 * bpp * scores) +
                                 StreamSeconds(km, StreamKind::kElementwise, hbm,
                                               (2 * bpp + 1) * scores);
    k.attention_fwd_s = attention_fwd;
    fwd += attention_fwd;
    bwd += 3 * attn_gemm(q, d, keys) + attn_gemm(q, keys, d) +
           StreamSeconds(km, StreamKind::kElementwise, hbm, (2 * bpp + 1) * scores) +
           StreamSeconds(km, StreamKind::kNorm, hbm, 3 * bpp * scores);
  } else {
    // FlashAttention: Q, K, V read and O written once.
    const double attn_flops = per_token.layer_attention * T / t;
    const double attn_bytes = T * (2 * heads + 2 * kv) * d / t * bpp;
    k.attention_fwd_s = AttentionSeconds(km, peak16, hbm, attn_flops, attn_bytes);
    fwd += k.attention_fwd_s;
    bwd += AttentionSeconds(km, peak16, hbm, 2.5 * attn_flops, 2 * attn_bytes);
  }
  k.fwd_s = fwd;
  k.bwd_s = bwd;
  if (c.activation_recompute == "full") k.bwd_s += fwd;
  if (c.activation_recompute == "selective") k.bwd_s += k.attention_fwd_s;
  if (per_token.lm_head > 0 && m.vocab_size > 0) {
    const double v = m.vocab_size / t;
    k.head_fwd_s = GemmSeconds(km, peak16, hbm, T, v, h, bpp, false) +
                   StreamSeconds(km, StreamKind::kElementwise, hbm, 2 * T * v * 4);
    k.head_bwd_s = GemmSeconds(km, peak16, hbm, T, h, v, bpp, false) +
                   GemmSeconds(km, peak16, hbm, h, v, T, bpp, false) +
                   StreamSeconds(km, StreamKind::kElementwise, hbm, 2 * T * v * 4);
  }
  return k;
}

}  // namespace mlsysim
