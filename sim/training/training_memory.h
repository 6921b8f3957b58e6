// training_memory.h — memory per GPU of a training step: the model states
// under ZeRO stage 0–3 (Rajbhandari et al., "ZeRO", SC'20: 16-bit weights and
// gradients, 12 bytes of fp32 Adam state per parameter, stage 1 partitions the
// optimizer states over the data-parallel ranks, stage 2 the gradients too,
// stage 3 the weights as well; Megatron's distributed optimizer is stage 1,
// FSDP stage 3, which also holds two layers' gathered weights), and the
// activations per layer per microbatch of Korthikanti et al., "Reducing
// Activation Recomputation in Large Transformer Models" (2022) — Table 2,
// counted tensor by tensor for GQA, gated FFNs and FP8 GEMM inputs — times
// the layers and microbatches the schedule keeps in
// flight on the first device (Megatron's warm-up count: p for 1F1B,
// 2(p − 1) + (v − 1)p + 1 chunks for the interleaved schedule).
//
// Usage: StepMemory mem = TrainingMemoryPerGpu(config, dp);
#ifndef MLSYSIM_SIM_TRAINING_TRAINING_MEMORY_H_
#define MLSYSIM_SIM_TRAINING_TRAINING_MEMORY_H_

#include <string>

#include "analytic/specs.h"

namespace mlsysim {

struct TrainingStepConfig;

// Bytes of the weights, gradients and activations the step keeps and moves
// per element: the precision's, except FP8 training, which (as Transformer
// Engine) keeps them in BF16 and casts to FP8 only for the GEMMs.
double TrainingTensorBytes(const std::string& precision);

// Activation bytes of one layer for one microbatch of b sequences of s
// tokens, TP t, counted as Korthikanti et al. (2022) §4.1 count them tensor by
// tensor (16-bit), for the model's own shape: the 10·sbh outside TP (two norm inputs 4, the
// QKV and FFN-input GEMM inputs 2 + 2, two dropout masks 1 + 1), and inside
// TP Q 2, K and V 2g each (g = KV heads / heads, GQA), the output
// projection's input 2 (all ·sbh), the FFN's inner tensors k·sbf (f its
// width, k the experts a token visits): 4 for a plain FFN (the activation's
// input and output), 6 for a gated one (gate and up, and their product),
// and 5·a·s²·b for the scores unless recomputed; all of it over t with
// sequence parallelism; "full" recomputation keeps only the layer's input
// 2·sbh (over t with SP). For g = 1, f = 4h, plain — and for a model without
// the full shape — these are Table 2's rows: sbh(10 + 24/t + 5as/(ht)) without
// SP, sbh(34 + 5as/h)/t with it, the 5as/h term gone when selective. `fp8_gemm_inputs`: the GEMM
// inputs kept for the backward are FP8 copies, one byte (Transformer Engine
// keeps the casts it made for the forward GEMMs): QKV, output-projection,
// FFN-input and FFN-output inputs; the attention core and norms stay 16-bit.
double ActivationBytesPerLayer(const ModelSpec& m, double s, double b, int t,
                               bool sequence_parallel, const std::string& recompute,
                               bool fp8_gemm_inputs);

struct StepMemory {
  double weights = 0, gradients = 0, optimizer = 0;  // model states
  double activations = 0;
  double Total() const { return weights + gradients + optimizer + activations; }
};

// The first device's memory (it keeps the most activations) with ψ the
// parameters it holds before ZeRO: its stage's share of the layers, over TP.
StepMemory TrainingMemoryPerGpu(const TrainingStepConfig& c, int dp);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_TRAINING_TRAINING_MEMORY_H_
