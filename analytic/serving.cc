// serving.cc — inference-side walls (see serving.h).
#include "analytic/serving.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analytic/formulas.h"
#include "analytic/roofline_engine.h"

namespace mlsysim {
namespace {

absl::Status CheckEfficiency(double eta) {
  if (!(eta >= 1e-9 && eta <= 1.0))
    return absl::InvalidArgumentError(absl::StrCat("efficiency must lie in [1e-9, 1]; got ", eta));
  return absl::OkStatus();
}

absl::Status CheckPositive(const char* field, long long v) {
  if (v < 1) return absl::InvalidArgumentError(absl::StrCat(field, " must be >= 1; got ", v));
  return absl::OkStatus();
}

absl::Status RequireTransformer(const ModelSpec& m, const char* solver) {
  if (!m.IsTransformer()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model: ", solver, " applies to Transformer models only; '", m.key, "' is not one"));
  }
  return absl::OkStatus();
}

// Prefill compute time in ms: (2·P·new·B + 4·L·H·d·new·S·B)/(peak·η) + dispatch tax.
double PrefillMs(const ModelSpec& m, const AttentionGeometry& g, const Accelerator& hw,
                 const std::string& precision, double eta, double new_tokens, double seq,
                 double batch) {
  const double ops = 2.0 * m.parameters * new_tokens * batch +
                     4.0 * g.layers * g.heads * g.head_dim * new_tokens * seq * batch;
  return hw.PeakFor(precision).TimeMs(ops, eta) + hw.dispatch_tax_ms;
}

}  // namespace

AttentionGeometry GeometryOf(const ModelSpec& m) {
  AttentionGeometry g;
  g.layers = m.layers;
  g.heads = m.heads > 0 ? m.heads : 32;
  g.head_dim = (m.hidden_dim > 0 ? m.hidden_dim : 4096) / g.heads;
  g.kv_heads = m.kv_heads > 0 ? m.kv_heads : g.heads;
  return g;
}

absl::StatusOr<ServingResult> SolveServing(const ModelSpec& m, const Accelerator& hw,
                                           const ServingOptions& o) {
  if (auto s = RequireTransformer(m, "ServingModel"); !s.ok()) return s;
  if (auto s = CheckEfficiency(o.efficiency); !s.ok()) return s;
  if (auto s = CheckPositive("seq_len", o.seq_len); !s.ok()) return s;
  if (auto s = CheckPositive("batch_size", o.batch_size); !s.ok()) return s;
  if (o.cached_prefix_len < 0 || o.cached_prefix_len >= o.seq_len) {
    return absl::InvalidArgumentError(
        absl::StrCat("cached_prefix_len must lie in [0, seq_len); got ", o.cached_prefix_len));
  }
  if (o.draft_model != nullptr) {
    if (auto s = RequireTransformer(*o.draft_model, "speculative decoding"); !s.ok()) return s;
  }
  const double bpp = BytesPerParam(o.precision);
  const AttentionGeometry g = GeometryOf(m);
  const Accelerator& decode = o.decode_hardware ? *o.decode_hardware : hw;
  const double s = o.seq_len, b = o.batch_size;
  const double new_tokens = std::max(1.0, s - o.cached_prefix_len);

  ServingResult r;
  r.ttft_ms = PrefillMs(m, g, hw, o.precision, o.efficiency, new_tokens, s, b);
  r.kv_cache_size = KvCacheBytes(g.layers, g.kv_heads, g.head_dim, o.seq_len, o.batch_size, bpp);
  r.model_weights_size = m.parameters * bpp;
  if (o.decode_hardware != nullptr) {
    r.ttft_ms += r.kv_cache_size / o.network_bandwidth * 1000.0;
  }
  r.itl_ms =
      decode.memory_bw.TimeMs(r.model_weights_size + r.kv_cache_size) + g.layers * kLayerTaxMs;
  r.total_memory_required = r.model_weights_size + r.kv_cache_size;
  if (o.draft_model != nullptr) {
    const ModelSpec& d = *o.draft_model;
    const AttentionGeometry dg = GeometryOf(d);
    const double draft_w = d.parameters * bpp;
    const double draft_kv =
        KvCacheBytes(dg.layers, dg.kv_heads, dg.head_dim, o.seq_len, o.batch_size, bpp);
    const double t_draft = decode.memory_bw.TimeMs(draft_w + draft_kv);
    const double a = o.draft_acceptance_rate;
    constexpr int kDraftTokens = 4;
    const double expected =
        a >= 1.0 ? kDraftTokens + 1.0 : 1.0 + a * (1.0 - std::pow(a, kDraftTokens)) / (1.0 - a);
    r.itl_ms = (kDraftTokens * t_draft + r.itl_ms) / expected;
    r.total_memory_required += draft_w;
  }
  r.feasible = r.total_memory_required <= decode.capacity;
  r.memory_utilization = r.total_memory_required / decode.capacity;
  r.prompt_cache_hit_ratio = o.cached_prefix_len / s;
  return r;
}

absl::StatusOr<ContinuousBatchingResult> SolveContinuousBatching(
    const ModelSpec& m, const Accelerator& hw, const ContinuousBatchingOptions& o) {
  if (auto s = RequireTransformer(m, "ContinuousBatchingModel"); !s.ok()) return s;
  if (auto s = CheckEfficiency(o.efficiency); !s.ok()) return s;
  if (auto s = CheckPositive("seq_len", o.seq_len); !s.ok()) return s;
  if (auto s = CheckPositive("max_batch_size", o.max_batch_size); !s.ok()) return s;
  if (auto s = CheckPositive("page_size", o.page_size); !s.ok()) return s;
  const double bpp = BytesPerParam(o.precision);
  const AttentionGeometry g = GeometryOf(m);
  const double w = m.parameters * bpp;
  ContinuousBatchingResult r;
  r.ttft_ms =
      PrefillMs(m, g, hw, o.precision, o.efficiency, o.seq_len, o.seq_len, o.max_batch_size);
  const double budget = hw.capacity - w;
  if (budget <= 0.0) {
    r.itl_ms = 1e6;
    return r;
  }
  const PagedKv kv =
      PagedKvCacheBytes(g.layers, g.kv_heads, g.head_dim, o.seq_len, 1, bpp, o.page_size);
  const long long max_requests = static_cast<long long>(std::trunc(budget / kv.bytes));
  const long long active = std::min<long long>(max_requests, o.max_batch_size);
  r.max_active_requests = active;
  r.memory_fragmentation_pct = kv.fragmentation;
  r.paged_kv_cache_size = kv.bytes * active;
  r.itl_ms = hw.memory_bw.TimeMs(w + kv.bytes * active);
  r.feasible = active > 0;
  if (active == 0) return r;
  r.throughput_tokens_per_sec = active / (r.itl_ms / 1000.0);
  const long long b_static = std::max<long long>(1, static_cast<long long>(active * 0.6));
  const double static_itl_s = hw.memory_bw.TimeMs(w + kv.bytes * b_static) / 1000.0;
  r.speedup_vs_static = r.throughput_tokens_per_sec / (b_static / static_itl_s);
  return r;
}

absl::StatusOr<WeightStreamingResult> SolveWeightStreaming(const ModelSpec& m,
                                                           const Accelerator& hw,
                                                           const WeightStreamingOptions& o) {
  if (auto s = RequireTransformer(m, "WeightStreamingModel"); !s.ok()) return s;
  if (auto s = CheckEfficiency(o.efficiency); !s.ok()) return s;
  if (auto s = CheckPositive("seq_len", o.seq_len); !s.ok()) return s;
  if (auto s = CheckPositive("batch_size", o.batch_size); !s.ok()) return s;
  if (o.phase != "decode" && o.phase != "prefill") {
    return absl::InvalidArgumentError(
        absl::StrCat("phase must be 'decode' or 'prefill'; got '", o.phase, "'"));
  }
  const double bpp = BytesPerParam(o.precision);
  const AttentionGeometry g = GeometryOf(m);
  const double s = o.seq_len, b = o.batch_size;
  WeightStreamingResult r;
  const double kv = s * g.kv_heads * g.head_dim * 2.0 * bpp * g.layers * b;
  const double required = 1.1 * kv;
  r.feasible = required <= hw.capacity;
  if (hw.capacity_number == 0.0) {
    r.wafer_memory_utilization = 1.0;
  } else {
    r.wafer_memory_utilization = (required / 1e9) / hw.capacity_number;
    if (r.feasible) r.wafer_memory_utilization = std::min(r.wafer_memory_utilization, 1.0);
  }
  const double p_layer = m.parameters / g.layers;
  const double w_layer = p_layer * bpp;
  const Rate inject =
      hw.interconnect_bw.set() ? hw.interconnect_bw : Rate{100.0, 100e9, (1.0 / 1e9) * 1000.0};
  const double t_inj = inject.TimeMs(w_layer);
  double flops = 2.0 * p_layer * b;
  if (o.phase == "prefill") {
    flops = 2.0 * p_layer * s * b + (2.0 * g.kv_heads * s * s * g.head_dim) * b;
  }
  const Rate& peak = hw.PeakFor(o.precision);
  const double t_comp = peak.TimeMs(flops, o.efficiency) + hw.dispatch_tax_ms;
  r.layer_compute_time_ms = t_comp;
  r.layer_injection_time_ms = t_inj;
  r.bottleneck = t_comp >= t_inj ? "Compute-Bound" : "Interconnect-Bandwidth-Bound";
  const double tokens = o.phase == "prefill" ? b * s : b;
  r.throughput_tokens_per_sec =
      r.feasible ? tokens / (g.layers * std::max(t_comp, t_inj) / 1000.0) : 0.0;
  // v = (((t_inj_ms × peak_number) × η) ÷ (2·P_l)) × G, G = 1e9 for TF/s, 1e12 for PF/s.
  const double giga = std::round(1.0 / peak.ms_factor);  // 1e9 for TF/s, 1e12 for PF/s
  const double v = (((t_inj * peak.number) * o.efficiency) / (2.0 * p_layer)) * giga;
  r.optimal_batch_size = std::max<long long>(1, static_cast<long long>(std::trunc(v)));
  return r;
}

absl::StatusOr<TailLatencyResult> SolveTailLatency(double lambda, double service_ms,
                                                   double replicas, double cv) {
  if (cv < 0) {
    return absl::InvalidArgumentError(absl::StrCat("service_time_cv must be >= 0; got ", cv));
  }
  if (lambda < 0) {
    return absl::InvalidArgumentError(absl::StrCat("arrival_rate_qps must be >= 0; got ", lambda));
  }
  const double mu = service_ms > 0 ? 1000.0 / service_ms : 0.0;
  const int c = std::max(1, static_cast<int>(std::trunc(replicas)));
  const MmcWait q = QueueLatencyMmc(lambda, mu, c);
  TailLatencyResult r;
  if (!q.stable) {
    constexpr double kInf = std::numeric_limits<double>::infinity();
    r.p50_latency_ms = r.p99_latency_ms = kInf;
    r.queue_utilization = 1.0;
    r.is_stable = false;
    r.slo_headroom_ratio = r.slo_violation_probability = 1.0;
    return r;
  }
  double w50 = q.wait_p50_s, w99 = q.wait_p99_s;
  if (cv != 1.0) {
    const double kingman = (cv * cv + 1.0) / 2.0;
    w50 *= kingman;
    w99 *= kingman;
  }
  r.p50_latency_ms = w50 * 1000.0 + service_ms;
  r.p99_latency_ms = w99 * 1000.0 + service_ms;
  r.queue_utilization = q.utilization;
  r.is_stable = true;
  r.slo_headroom_ratio = service_ms > 0 ? std::max(0.0, (w99 * 1000.0) / (5.0 * service_ms)) : 0.0;
  r.slo_violation_probability = r.slo_headroom_ratio;
  return r;
}

absl::StatusOr<InferenceScalingResult> SolveInferenceScaling(const ModelSpec& m,
                                                             const Accelerator& hw, int steps,
                                                             int context,
                                                             const std::string& precision,
                                                             double eta) {
  if (steps < 0) {
    return absl::InvalidArgumentError(absl::StrCat("reasoning_steps must be >= 0; got ", steps));
  }
  ServingOptions so;
  so.seq_len = context;
  so.precision = precision;
  so.efficiency = eta;
  absl::StatusOr<ServingResult> s = SolveServing(m, hw, so);
  if (!s.ok()) return s.status();
  constexpr int kTokensPerStep = 50;
  InferenceScalingResult r;
  r.ttft_ms = s->ttft_ms;
  r.itl_ms = s->itl_ms;
  r.time_per_step_ms = kTokensPerStep * s->itl_ms;
  r.total_reasoning_time_ms = s->ttft_ms + steps * r.time_per_step_ms;
  r.tokens_generated = static_cast<long long>(kTokensPerStep) * steps;
  r.reasoning_steps = steps;
  r.energy_per_query_j = hw.tdp_w * r.total_reasoning_time_ms / 1000.0;
  r.feasible = s->feasible;
  return r;
}

}  // namespace mlsysim
