// serving_iteration.h — the cost of one continuous-batching iteration, a pure
// function of the batch: the roofline max(FLOPs / peak, bytes / bandwidth) of
// the prefill pieces and decodes it holds, plus the dispatch tax (prefill),
// the per-layer tax (decode) and the TP all-reduces, with ServingModel's
// constants. One prompt alone (square attention) costs exactly ServingModel's
// TTFT, one decode its ITL (tests/serving_sim_test.cc).
// Usage: IterationModel m = IterationModel::For(model, hw, "fp16", 0.5, 1, 900e9, true);
//        IterationCost c = CostOfIteration(m, {{0, 2048}}, {});
#ifndef MLSYSIM_SIM_SERVING_SERVING_ITERATION_H_
#define MLSYSIM_SIM_SERVING_SERVING_ITERATION_H_

#include <optional>
#include <string>
#include <vector>

#include "analytic/kernel_model.h"
#include "analytic/specs.h"

namespace mlsysim {

struct IterationModel {
  double parameters = 0;           // FLOPs per token = 2·parameters
  double weights_bytes = 0;        // read once per iteration
  double kv_bytes_per_token = 0;   // 2·layers·kv_heads·head_dim·bytes
  double attn_flops_per_pair = 0;  // 4·layers·heads·head_dim per (query, key) pair
  double peak_flops = 0;           // achieved (efficiency × peak × TP)
  double memory_bw = 0;            // B/s (× TP)
  double dispatch_tax_s = 0;       // per iteration with prefill
  double layer_tax_s = 0;          // per iteration with decodes (layers × tax)
  int layers = 0, tp = 1;
  double tp_bytes_per_token = 0;  // hidden·bytes: each layer all-reduces twice over TP
  double nvlink_bw = 0;
  bool causal = true;  // causal prefill pairs; false: ServingModel's S²
  // The calibrated machine (--hardware-model calibrated): each layer's
  // kernels on the batch's token count (CalibratedIterationSeconds);
  // otherwise the roofline above.
  std::optional<KernelModel> machine;
  ModelSpec model;           // the shape, for the calibrated kernels
  double gpu_peak = 0;       // one GPU's dense peak at the precision (flop/s)
  double gpu_peak_16bit = 0; // attention runs in 16 bits
  double gpu_hbm = 0;        // one GPU's HBM (B/s)
  double bytes_per_param = 2;
  bool fp8 = false;

  static IterationModel For(const ModelSpec& model, const Accelerator& hw,
                            const std::string& precision, double efficiency, int tp,
                            double nvlink_bw, bool causal);
};

// A piece of a prompt prefilled in this iteration after `cached` tokens.
struct PrefillPiece {
  double cached;
  double tokens;
};

struct IterationCost {
  double seconds = 0, flops = 0, bytes = 0;
};

// `decode_contexts`: for each decoding sequence, the tokens already in its
// KV cache (its new token attends to them). With a calibrated machine the
// seconds are CalibratedIterationSeconds'; flops and bytes stay the counts.
IterationCost CostOfIteration(const IterationModel& m, const std::vector<PrefillPiece>& pieces,
                              const std::vector<double>& decode_contexts);

// One iteration on the calibrated machine, per GPU of the TP group (T tokens
// in the batch: prefill pieces plus one per decode): per layer norm, QKV,
// rotary, attention (prefill: FlashAttention on its query–key pairs; decode:
// paged attention streaming the KV cache), output projection, add, norm, FFN
// in, activation, FFN out, add — every GEMM at M = T, its weights streamed
// once — the TP all-reduces as NCCL runs them on NVLink, and the LM head for
// the sequences that emit a token.
double CalibratedIterationSeconds(const IterationModel& m, const std::vector<PrefillPiece>& pieces,
                                  const std::vector<double>& decode_contexts);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SERVING_SERVING_ITERATION_H_
