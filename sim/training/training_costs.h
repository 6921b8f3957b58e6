// training_costs.h — what one layer (and the LM head and the input embedding)
// costs one GPU for one microbatch, from the model's shape
// (analytic/transformer_shape.h): the
// GEMMs and the attention core at peak × η (FP8 training: the GEMMs at the
// FP8 peak, the rest at BF16), or the weights' HBM traffic when slower
// (roofline); backward twice the forward plus what recomputation re-runs
// (full: the forward; selective: the attention core); and, with context
// parallelism, the ring attention's KV exchange the attention core does not
// hide; with ZeRO-3, the layer's weight all-gather its compute does not hide.
//
// Usage: LayerCosts k = LayerCostsOf(config, tokens_per_rank, params_per_layer,
//                                    nvlink_latency_s, nic_latency_s);
#ifndef MLSYSIM_SIM_TRAINING_TRAINING_COSTS_H_
#define MLSYSIM_SIM_TRAINING_TRAINING_COSTS_H_

namespace mlsysim {

struct TrainingStepConfig;

struct LayerCosts {
  double fwd_s = 0, bwd_s = 0;              // one layer (CP exposure included)
  double head_fwd_s = 0, head_bwd_s = 0;    // the LM head (0 without a vocabulary)
  // The input embedding on the first stage (0 without a vocabulary): the
  // lookup's HBM traffic; the step adds its TP all-reduce.
  double embed_fwd_s = 0, embed_bwd_s = 0;
  double cp_fwd_s = 0, cp_bwd_s = 0;        // the exposed KV ring, inside fwd_s / bwd_s
  double cp_kv_bytes = 0;                   // a rank's KV block per ring step and layer
  double zero3_fwd_s = 0, zero3_bwd_s = 0;  // exposed weight all-gathers, inside fwd_s / bwd_s
};

// `tokens`: this GPU's tokens per microbatch (before TP); `p_layer`: the
// parameters of one layer it holds (before TP).
LayerCosts LayerCostsOf(const TrainingStepConfig& c, double tokens, double p_layer,
                        double nvlink_latency_s, double nic_latency_s);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_TRAINING_TRAINING_COSTS_H_
