// training_memory.h — memory per GPU of a training step: the model states
// under ZeRO stage 0–3 (Rajbhandari et al., "ZeRO", SC'20: 16-bit weights and
// gradients, 12 bytes of fp32 Adam state per parameter, stage 1 partitions the
// optimizer states over the data-parallel ranks, stage 2 the gradients too,
// stage 3 the weights as well; Megatron's distributed optimizer is stage 1,
// FSDP stage 3, which also holds two layers' gathered weights), and the
// activations per layer per microbatch of Korthikanti
// et al., "Reducing Activation Recomputation in Large Transformer Models"
// (2022), Table 2, times the layers and microbatches the schedule keeps in
// flight on the first device (Megatron's warm-up count: p for 1F1B,
// 2(p − 1) + (v − 1)p + 1 chunks for the interleaved schedule).
//
// Usage: StepMemory mem = TrainingMemoryPerGpu(config, dp);
#ifndef MLSYSIM_SIM_TRAINING_TRAINING_MEMORY_H_
#define MLSYSIM_SIM_TRAINING_TRAINING_MEMORY_H_

#include <string>

namespace mlsysim {

struct TrainingStepConfig;

// Bytes of the weights, gradients and activations the step keeps and moves
// per element: the precision's, except FP8 training, which (as Transformer
// Engine) keeps them in BF16 and casts to FP8 only for the GEMMs.
double TrainingTensorBytes(const std::string& precision);

// Activation bytes of one layer for one microbatch of b sequences of s
// tokens (16-bit), hidden h, a heads, TP t (Table 2):
//   no recompute, no SP:   s·b·h·(10 + 24/t + 5·a·s/(h·t))
//   no recompute, SP:      s·b·h·(34 + 5·a·s/h)/t
//   selective, no SP:      s·b·h·(10 + 24/t)
//   selective, SP:         s·b·h·34/t
//   full:                  2·s·b·h (the layer's input), /t with SP
double ActivationBytesPerLayer(double s, double b, double h, double a, int t,
                               bool sequence_parallel, const std::string& recompute);

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
