// training_kernels.h — one layer's compute for one microbatch on a calibrated
// machine (analytic/kernel_model.h): the kernels a Megatron-style layer runs,
// each costed on its own shape, instead of the layer's FLOPs at peak × η.
//
// Forward, per GPU (T tokens, TP t; SP puts the norms and residual adds on
// T/t tokens): norm · QKV GEMM (T × (a+2kv)·d/t × h) · rotary (no learned
// positions) · FlashAttention (its FLOPs, or Q/K/V/O traffic) · output GEMM
// (T × h × a·d/t) · residual add · norm · FFN-in GEMM (T·k × (2 or 1)·f/t × h,
// k experts per token) · activation · FFN-out GEMM (T·k × h × f/t) · add.
// Backward: each GEMM's two (input gradient T × K × N, weight gradient
// K × N × T), FlashAttention's backward at 2.5× its forward FLOPs (it
// recomputes the scores: five matrix products to the forward's two) — or,
// with `unfused_attention`, Megatron-LM's pre-FlashAttention kernels (batched
// QKᵀ/AV GEMMs, softmax and dropout over the scores in HBM) — the
// streaming kernels twice their forward bytes; plus what recomputation
// re-runs (full: the forward; selective: the attention forward). The LM head
// is a T × V/t × h GEMM (and its two backward) with the cross-entropy's
// read and write of the logits.
//
// Usage: CalibratedLayer k = CalibratedLayerCosts(config, *config.machine, tokens);
#ifndef MLSYSIM_SIM_TRAINING_TRAINING_KERNELS_H_
#define MLSYSIM_SIM_TRAINING_TRAINING_KERNELS_H_

#include "analytic/kernel_model.h"

namespace mlsysim {

struct TrainingStepConfig;

struct CalibratedLayer {
  double fwd_s = 0, bwd_s = 0;  // one layer, recomputation included in bwd_s
  double attention_fwd_s = 0;   // the attention kernel's forward (CP hides behind it)
  double head_fwd_s = 0, head_bwd_s = 0;
  double gemm_flops_fwd = 0;    // what the GEMMs compute (a check against the FLOP count)
};

// `tokens`: this GPU's tokens per microbatch before TP.
CalibratedLayer CalibratedLayerCosts(const TrainingStepConfig& c, const KernelModel& km,
                                     double tokens);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_TRAINING_TRAINING_KERNELS_H_
