// training_costs.cc — one layer's and the LM head's cost per microbatch (see
// training_costs.h).
#include "sim/training/training_costs.h"

#include <algorithm>

#include "analytic/transformer_shape.h"
#include "analytic/kernel_model.h"
#include "sim/training/training_kernels.h"
#include "sim/training/training_memory.h"
#include "sim/training/training_step.h"

namespace mlsysim {

LayerCosts LayerCostsOf(const TrainingStepConfig& c, double tokens, double p_layer,
                        double nvlink_latency_s, double nic_latency_s) {
  const ModelSpec& m = c.model;
  const Accelerator& hw = c.node.accelerator;
  const double bpp = TrainingTensorBytes(c.precision);
  const bool fp8 = c.precision == "fp8";
  const double gemm_peak = hw.PeakFor(c.precision).si * c.efficiency;
  const double peak = fp8 ? hw.PeakFor("bf16").si * c.efficiency : gemm_peak;
  const TransformerFlops per_token = ForwardFlopsPerToken(m, c.seq_len, c.causal_attention);
  LayerCosts k;
  double core_s = 0;  // the attention core's forward (selective recompute; CP hides behind it)
  if (c.machine.has_value()) {
    // The calibrated machine: each kernel on its own shape (training_kernels.h).
    const CalibratedLayer cal = CalibratedLayerCosts(c, *c.machine, tokens);
    k.fwd_s = cal.fwd_s;
    k.bwd_s = cal.bwd_s;
    core_s = cal.attention_fwd_s;
    k.head_fwd_s = cal.head_fwd_s;
    k.head_bwd_s = cal.head_bwd_s;
    if (per_token.lm_head > 0) {
      const double row_bytes = tokens * m.hidden_dim * bpp;
      k.embed_fwd_s = StreamSeconds(*c.machine, StreamKind::kElementwise, hw.memory_bw.si,
                                    2 * row_bytes);
      k.embed_bwd_s = StreamSeconds(*c.machine, StreamKind::kElementwise, hw.memory_bw.si,
                                    3 * row_bytes);
    }
  } else {
    const double layer_s =
        (per_token.layer_gemm / gemm_peak + per_token.layer_attention / peak) * tokens / c.tp;
    const double weights_s = p_layer * bpp / c.tp / hw.memory_bw.si;
    k.fwd_s = std::max(layer_s, weights_s);
    k.bwd_s = std::max(2 * layer_s, 2 * weights_s);
    core_s = per_token.layer_attention * tokens / c.tp / peak;
    if (c.activation_recompute == "full") k.bwd_s += k.fwd_s;
    if (c.activation_recompute == "selective") k.bwd_s += core_s;
    if (per_token.lm_head > 0) {
      const double head_weights_s =
          static_cast<double>(m.vocab_size) * m.hidden_dim * bpp / c.tp / hw.memory_bw.si;
      k.head_fwd_s = std::max(per_token.lm_head * tokens / c.tp / peak, head_weights_s);
      k.head_bwd_s = std::max(2 * per_token.lm_head * tokens / c.tp / peak, 2 * head_weights_s);
      // The embedding: no FLOPs, a row per token read and the layer input
      // written (2·tokens·h·bytes); backward reads the output gradient and
      // adds it into the table's gradient rows (3·tokens·h·bytes). Every TP
      // rank writes the whole output (zeros for the rows it does not hold,
      // Megatron's vocabulary-parallel embedding) before the all-reduce.
      const double row_bytes = tokens * m.hidden_dim * bpp;
      k.embed_fwd_s = 2 * row_bytes / hw.memory_bw.si;
      k.embed_bwd_s = 3 * row_bytes / hw.memory_bw.si;
    }
  }
  // CP (ring attention): each layer's forward passes every rank's KV block
  // (2·tokens·KV width·bytes over TP) around the CP ring, cp − 1 steps of
  // α + bytes/B between neighbouring ranks (on NVLink when the ring fits a
  // node), overlapped block by block with the attention core; the backward
  // passes KV and its gradient, twice the bytes. The core hides what it can.
  if (c.cp > 1 && c.communication) {
    const double kv_width =
        static_cast<double>(m.kv_heads > 0 ? m.kv_heads : m.heads) * m.hidden_dim / m.heads;
    k.cp_kv_bytes = 2 * tokens * kv_width * bpp / c.tp;
    const bool on_node = c.node.accelerators_per_node / c.tp >= c.cp;
    const double alpha = on_node ? nvlink_latency_s : nic_latency_s;
    const double bw = on_node ? c.node.intra_node_bw.si : c.fabric.bandwidth.si;
    const double ring = (c.cp - 1) * (alpha + k.cp_kv_bytes / bw);
    k.cp_fwd_s = std::max(0.0, ring - core_s);
    k.cp_bwd_s = std::max(0.0, 2 * ring - 2 * core_s);
    k.fwd_s += k.cp_fwd_s;
    k.bwd_s += k.cp_bwd_s;
  }
  // ZeRO-3: the layer's TP shard of weights, W = P_l·bytes/TP, all-gathered
  // over the DP group before its forward and again before its backward: a
  // ring of (dp − 1) steps of α + (W/dp)/B (NVLink when the group fits a
  // node), prefetched under the compute of the previous layer.
  const int dp = c.nodes * c.node.accelerators_per_node / (c.tp * c.pp);
  if (c.zero_stage == 3 && dp > 1 && c.communication) {
    const double w = p_layer * bpp / c.tp;
    const bool on_node = c.node.accelerators_per_node / c.tp >= dp;
    const double alpha = on_node ? nvlink_latency_s : nic_latency_s;
    const double bw = on_node ? c.node.intra_node_bw.si : c.fabric.bandwidth.si;
    const double gather = (dp - 1) * (alpha + w / dp / bw);
    k.zero3_fwd_s = std::max(0.0, gather - k.fwd_s);
    k.zero3_bwd_s = std::max(0.0, gather - k.bwd_s);
    k.fwd_s += k.zero3_fwd_s;
    k.bwd_s += k.zero3_bwd_s;
  }
  return k;
}

}  // namespace mlsysim
