// transformer_shape.cc — parameters and FLOPs from a Transformer's shape (see
// transformer_shape.h).
#include "analytic/transformer_shape.h"

#include <cmath>
#include <string>

#include "absl/strings/str_format.h"

namespace mlsysim {
namespace {

struct Dims {
  double h, d, q, kv, f, v;  // hidden, head dim, query width a·d, KV width kv·d, FFN, vocab
};

Dims DimsOf(const ModelSpec& m) {
  Dims x;
  x.h = m.hidden_dim;
  x.d = static_cast<double>(m.hidden_dim) / m.heads;
  x.q = x.d * m.heads;
  x.kv = x.d * (m.kv_heads > 0 ? m.kv_heads : m.heads);
  x.f = m.intermediate_size;
  x.v = m.vocab_size;
  return x;
}

// Weights (and biases) of one expert's or one dense FFN.
double FfnParameters(const ModelSpec& m, const Dims& x) {
  const double mats = m.gated_mlp ? 3 : 2;
  return mats * x.h * x.f + (m.linear_bias ? (mats - 1) * x.f + x.h : 0);
}

double LayerParameters(const ModelSpec& m, const Dims& x, int experts) {
  const double attention =
      2 * x.h * x.q + 2 * x.h * x.kv + (m.linear_bias ? x.q + 2 * x.kv + x.h : 0);
  const double norms = 2 * (m.linear_bias ? 2 * x.h : x.h);
  const double router = m.num_experts > 1 ? x.h * m.num_experts : 0;
  return attention + experts * FfnParameters(m, x) + router + norms;
}

double OutsideLayers(const ModelSpec& m, const Dims& x) {
  const double embedding = x.v * x.h + static_cast<double>(m.learned_positions) * x.h;
  const double final_norm = m.linear_bias ? 2 * x.h : x.h;
  return embedding + final_norm + (m.tie_word_embeddings ? 0 : x.v * x.h);
}

int ActiveExperts(const ModelSpec& m) {
  return m.num_experts > 1 ? (m.experts_per_token > 0 ? m.experts_per_token : 1) : 1;
}

}  // namespace

double ShapeParameters(const ModelSpec& m) {
  const Dims x = DimsOf(m);
  return m.layers * LayerParameters(m, x, m.num_experts > 1 ? m.num_experts : 1) +
         OutsideLayers(m, x);
}

double ShapeActiveParameters(const ModelSpec& m) {
  const Dims x = DimsOf(m);
  return m.layers * LayerParameters(m, x, ActiveExperts(m)) + OutsideLayers(m, x);
}

absl::Status CheckShapeMatchesParameters(const ModelSpec& m) {
  const double shape = ShapeParameters(m);
  if (m.parameters > 0 && std::abs(shape - m.parameters) > 0.005 * m.parameters) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "its shape gives %.6g parameters, %+.2f %% from the stated parameters (%.6g); the two "
        "must agree to 0.5 %%",
        shape, 100 * (shape / m.parameters - 1), m.parameters));
  }
  if (m.active_parameters > 0) {
    const double active = ShapeActiveParameters(m);
    if (std::abs(active - m.active_parameters) > 0.005 * m.active_parameters) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "its shape gives %.6g active parameters, %+.2f %% from active_parameters (%.6g); the "
          "two must agree to 0.5 %%",
          active, 100 * (active / m.active_parameters - 1), m.active_parameters));
    }
  }
  return absl::OkStatus();
}

TransformerFlops ForwardFlopsPerToken(const ModelSpec& m, int seq_len, bool causal) {
  TransformerFlops t;
  const double s = seq_len;
  const double keys = causal ? (s + 1) / 2 : s;  // keys attended per query, on average
  if (!m.HasFullShape()) {
    const bool sparse = m.architecture == Architecture::kSparse && m.active_parameters > 0;
    t.layer_gemm = 2 * (sparse ? m.active_parameters : m.parameters) / m.layers;
    t.layer_attention = 4.0 * m.hidden_dim * keys;
    return t;
  }
  const Dims x = DimsOf(m);
  const double router = m.num_experts > 1 ? 2 * x.h * m.num_experts : 0;
  const double ffn = 2 * (m.gated_mlp ? 3 : 2) * x.h * x.f * ActiveExperts(m);
  t.layer_gemm = 2 * (2 * x.h * x.q + 2 * x.h * x.kv) + ffn + router;
  t.layer_attention = 4 * x.q * keys;
  t.lm_head = 2 * x.h * x.v;
  return t;
}

StepFlopCounts TrainingStepFlops(const ModelSpec& m, double tokens, int seq_len, bool causal,
                                const std::string& recompute) {
  const TransformerFlops f = ForwardFlopsPerToken(m, seq_len, causal);
  StepFlopCounts out;
  out.model = 3 * tokens * f.Forward(m.layers);
  double again = 0;
  if (recompute == "full") again = m.layers * (f.layer_gemm + f.layer_attention);
  if (recompute == "selective") again = m.layers * f.layer_attention;
  out.hardware = out.model + tokens * again;
  return out;
}

}  // namespace mlsysim
