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
  return m;
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
