// transformer_shape.h — parameters and FLOPs of a Transformer counted from
// its shape (layers, hidden, query and KV heads, FFN width and form, vocabulary,
// biases, learned positions), as Megatron-LM and Korthikanti et al. (2022)
// count them: 2 FLOPs per multiply-accumulate of every matrix product, none
// for norms, softmax or the embedding lookup.
//
// Per token and layer, forward: the projections 2·h·(a·d + 2·kv·d + a·d) and
// the FFN 2·(3 or 2)·h·f (per routed expert, plus the router 2·h·E); the
// attention core (scores QKᵀ and values AV) 4·a·d per key attended: s keys for
// every token in the square form (mlsysim's ServingModel, Megatron's eq. 3),
// (s + 1)/2 on average in the causal form FlashAttention computes. Once per
// token: the LM head 2·h·V. A model without the full shape (no FFN width or
// vocabulary) charges 2·P/L per layer (P: active parameters for MoE), the
// attention core, and no separate head.
//
// Usage: TransformerFlops f = ForwardFlopsPerToken(model, /*seq_len=*/4096,
//                                                  /*causal=*/true);
#ifndef MLSYSIM_ANALYTIC_TRANSFORMER_SHAPE_H_
#define MLSYSIM_ANALYTIC_TRANSFORMER_SHAPE_H_

#include "absl/status/status.h"
#include "analytic/specs.h"

namespace mlsysim {

// Parameters of a model with the full shape: per layer the projections, the
// FFN (all experts, and the router), two norms (RMSNorm h, LayerNorm with
// bias 2h); the embedding (V·h, plus learned positions), a final norm, and
// the LM head unless tied. Biases where `linear_bias`.
double ShapeParameters(const ModelSpec& m);
// Parameters a token touches (MoE: experts_per_token experts); = ShapeParameters
// for dense models.
double ShapeActiveParameters(const ModelSpec& m);

// A registry's stated parameter count must agree with its shape to 0.5 %.
absl::Status CheckShapeMatchesParameters(const ModelSpec& m);

struct TransformerFlops {      // forward FLOPs per token
  double layer_gemm = 0;       // per layer: projections + FFN (+ router)
  double layer_attention = 0;  // per layer: the attention core at the context
  double lm_head = 0;          // once per token
  // The whole forward pass of one token through `layers` layers and the head.
  double Forward(int layers) const { return layers * (layer_gemm + layer_attention) + lm_head; }
};
TransformerFlops ForwardFlopsPerToken(const ModelSpec& m, int seq_len, bool causal);

// FLOPs of one training step over `tokens` tokens of sequences of seq_len:
// model = forward + backward (2× forward), the work the model needs (PaLM's
// MFU numerator, with attention); hardware adds what recomputation re-runs:
// "full" every layer's forward, "selective" the attention core (Korthikanti
// et al. 2022), "none" nothing. The LM head is never recomputed.
struct StepFlopCounts {
  double model = 0, hardware = 0;
};
StepFlopCounts TrainingStepFlops(const ModelSpec& m, double tokens, int seq_len, bool causal,
                                const std::string& recompute);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_TRANSFORMER_SHAPE_H_
