// analysis.cc — node/data/algorithm/analysis walls (see analysis.h).
#include "analytic/analysis.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analytic/roofline_engine.h"
#include "analytic/serving.h"

namespace mlsysim {
namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

absl::Status CheckEfficiency(double eta) {
  if (!(eta >= 1e-9 && eta <= 1.0))
    return absl::InvalidArgumentError(absl::StrCat("efficiency must lie in [1e-9, 1]; got ", eta));
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<CompressionResult> SolveCompression(const ModelSpec& m, const Accelerator& hw,
                                                   const CompressionOptions& o) {
  if (o.target_bitwidth < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("target_bitwidth must be >= 1; got ", o.target_bitwidth));
  }
  if (!(o.sparsity >= 0 && o.sparsity <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("sparsity must lie in [0, 1]; got ", o.sparsity));
  }
  CompressionResult r;
  r.original_size_gb = m.SizeBytes(4.0) / 1e9;
  if (o.method == "quantization") {
    const int bits = o.target_bitwidth;
    r.compression_ratio = 32.0 / bits;
    if (bits >= 16) {
      r.estimated_accuracy_delta = 0.0;
    } else if (bits == 8) {
      r.estimated_accuracy_delta = -0.002;
    } else if (bits >= 4) {
      r.estimated_accuracy_delta = -0.025;
    } else {
      r.estimated_accuracy_delta = -0.05;
    }
    // FP32 roofline on the default peak, no η, no activation factor.
    const double ops = Lower(m, 4.0).ops;
    const double t_comp = ops == 0.0 ? 0.0 : hw.peak.TimeMs(ops);
    const double t_mem = hw.memory_bw.si == 0.0 ? 0.0 : hw.memory_bw.TimeMs(m.SizeBytes(4.0));
    bool memory_bound;
    if (t_comp < 1e-15) {
      memory_bound = true;
    } else if (t_mem < 1e-15) {
      memory_bound = false;
    } else {
      memory_bound = t_mem > t_comp;
    }
    if (memory_bound) {
      r.inference_speedup = r.compression_ratio;
    } else {
      const std::string key = bits <= 8 ? absl::StrCat("int", bits) : absl::StrCat("fp", bits);
      r.inference_speedup = hw.HasPrecision(key)
                                ? std::min(hw.PeakFor(key).si / hw.peak.si, r.compression_ratio)
                                : 1.0;
    }
  } else if (o.method == "pruning") {
    const double s = o.sparsity;
    r.compression_ratio = s < 1.0 ? 1.0 / (1.0 - s) : 100.0;
    r.estimated_accuracy_delta = s <= 0.5 ? -0.001 : -0.01 * std::exp(2.0 * s);
    if (o.sparsity_type == "structured") {
      r.inference_speedup = r.compression_ratio;
    } else if (o.sparsity_type == "n_m") {
      r.inference_speedup = std::abs(s - 0.5) < 0.05 ? 2.0 : 1.0;
    } else {
      r.inference_speedup = 1.0;
    }
  }
  r.compressed_size_gb = r.original_size_gb / r.compression_ratio;
  r.memory_savings_pct = (1.0 - 1.0 / r.compression_ratio) * 100.0;
  return r;
}

absl::StatusOr<EfficiencyResult> SolveEfficiency(const Accelerator& hw, const std::string& type,
                                                 bool flash, const std::string& precision,
                                                 double eta) {
  if (auto s = CheckEfficiency(eta); !s.ok()) return s;
  const double scale = eta / 0.5;
  double mfu;
  if (type == "attention") {
    mfu = flash ? std::min(0.75 * scale, 0.85) : 0.30 * scale;
  } else if (type == "ffn") {
    mfu = std::min(0.50 * scale, 0.60);
  } else if (type == "conv") {
    mfu = std::min(((0.30 + 0.50) / 2.0) * scale, 0.55);
  } else {
    mfu = 0.30 * scale;
  }
  mfu = std::clamp(mfu, 0.0, 1.0);
  EfficiencyResult r;
  r.mfu = mfu;
  r.peak_flops = hw.PeakFor(precision).si;
  r.achievable_flops = r.peak_flops * mfu;
  r.workload_type = type;
  r.use_flash_attention = flash;
  r.occupancy_loss = 1.0 - std::min(eta * 1.1, 1.0);
  r.memory_stall = std::max(0.0, (1.0 - mfu) - r.occupancy_loss);
  return r;
}

absl::StatusOr<DataResult> SolveData(double demand, const Accelerator& hw) {
  if (demand < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("workload_data_rate must be >= 0; got ", demand));
  }
  const double storage = hw.storage.bandwidth.si;
  const double io = hw.interconnect_bw.si;
  DataResult r;
  r.supply_bw = std::min(storage, io);
  r.demand_bw = demand;
  r.utilization = r.supply_bw == 0.0 ? kInf : demand / r.supply_bw;
  r.is_stalled = r.utilization > 1.0;
  r.bottleneck = (storage > 0 && storage < io) ? "Storage" : "Interconnect";
  r.margin = r.supply_bw - demand;
  return r;
}

absl::StatusOr<TransformationResult> SolveTransformation(int batch, double sample_bytes,
                                                         double cpu_throughput, double step_s) {
  if (batch < 1) {
    return absl::InvalidArgumentError(absl::StrCat("batch_size must be >= 1; got ", batch));
  }
  if (cpu_throughput <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("cpu_throughput must be > 0; got ", cpu_throughput));
  }
  if (sample_bytes < 0 || step_s < 0) {
    return absl::InvalidArgumentError("sample_size_bytes and accelerator_step_time must be >= 0");
  }
  TransformationResult r;
  r.transform_time_s = batch * sample_bytes / cpu_throughput;
  r.accelerator_step_time_s = step_s;
  r.is_bottleneck = r.transform_time_s > step_s;
  const double longest = std::max(r.transform_time_s, step_s);
  r.accelerator_utilization = longest == 0.0 ? 0.0 : step_s / longest;
  r.slowdown_factor = step_s == 0.0 ? kInf : longest / step_s;
  return r;
}

absl::StatusOr<ScalingResult> SolveScaling(const Quantity& budget, double target) {
  ScalingResult r;
  const double c = budget.dim == dims::kTime ? budget.si * 989e12 * 0.40 : budget.number;
  if (c < 0) return absl::InvalidArgumentError("compute_budget must be >= 0");
  if (target < 0) return absl::InvalidArgumentError("target_model_size must be >= 0");
  r.compute_budget_flops = c;
  if (target == 0.0) {
    r.optimal_parameters = std::sqrt(c / 120.0);
    r.optimal_tokens = 20.0 * r.optimal_parameters;
  } else {
    r.optimal_parameters = target;
    r.optimal_tokens = c / (6.0 * target);
  }
  r.tokens_per_parameter = r.optimal_parameters > 0 ? r.optimal_tokens / r.optimal_parameters : 0.0;
  return r;
}

absl::StatusOr<SensitivityResult> SolveSensitivity(const ModelSpec& m, const Accelerator& hw,
                                                   const std::string& precision, double pct,
                                                   double eta) {
  EngineOptions o;
  o.precision = precision;
  o.efficiency = eta;
  absl::StatusOr<EngineResult> base = SolveEngine(m, hw, o);
  if (!base.ok()) return base.status();
  const double f = 1.0 + pct / 100.0;
  Accelerator flops = hw;
  flops.peak = hw.peak.Scaled(f);
  for (auto& entry : flops.precision_flops) entry.second = entry.second.Scaled(f);
  Accelerator bw = hw;
  bw.memory_bw = hw.memory_bw.Scaled(f);
  bw.sram = {};
  bw.flash = {};
  Accelerator cap = hw;
  cap.capacity *= f;
  cap.capacity_number *= f;
  cap.sram = {};
  cap.flash = {};
  const double t0 = base->latency_ms;
  double sens[3];
  const Accelerator* variants[3] = {&flops, &bw, &cap};
  for (int i = 0; i < 3; ++i) {
    absl::StatusOr<EngineResult> p = SolveEngine(m, *variants[i], o);
    if (!p.ok()) return p.status();
    sens[i] = t0 == 0.0 ? 0.0 : (p->latency_ms - t0) / t0;
  }
  static const char* kNames[3] = {"peak_flops", "memory_bandwidth", "memory_capacity"};
  int best = 0;
  for (int i = 1; i < 3; ++i)
    if (std::abs(sens[i]) > std::abs(sens[best])) best = i;
  SensitivityResult r;
  r.baseline_latency_ms = t0;
  r.peak_flops = sens[0];
  r.memory_bandwidth = sens[1];
  r.memory_capacity = sens[2];
  r.binding_constraint = kNames[best];
  r.perturbation_pct = pct;
  return r;
}

absl::StatusOr<SynthesisResult> SolveSynthesis(const ModelSpec& m, double t,
                                               const std::string& precision, double eta) {
  if (auto s = CheckEfficiency(eta); !s.ok()) return s;
  if (!(t > 0)) {
    return absl::InvalidArgumentError(absl::StrCat("target_latency must be > 0; got ", t));
  }
  const LoweredModel g = Lower(m, BytesPerParam(precision));
  SynthesisResult r;
  r.model_size = g.weight_bytes;
  r.total_ops = g.ops;
  r.target_latency_s = t;
  r.required_bw = g.weight_bytes / t;
  r.required_flops = g.ops / (t * eta);
  r.required_memory = g.weight_bytes;
  r.compute_memory_ratio = r.required_flops / r.required_bw;
  return r;
}

absl::StatusOr<BatchingResult> OptimizeBatching(const ModelSpec& m, const Accelerator& hw,
                                                const BatchingSearch& s) {
  if (s.max_search_batch < 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("max_search_batch must be >= 1; got ", s.max_search_batch));
  }
  if (s.sla_latency_ms <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("sla_latency_ms must be > 0; got ", s.sla_latency_ms));
  }
  BatchingResult r;
  r.total_searched = s.max_search_batch;
  for (int b = 1; b <= s.max_search_batch; ++b) {
    ServingOptions so;
    so.seq_len = s.seq_len;
    so.batch_size = b;
    so.precision = s.precision;
    so.efficiency = s.efficiency;
    absl::StatusOr<ServingResult> sv = SolveServing(m, hw, so);
    if (!sv.ok()) return sv.status();
    if (!sv->feasible) continue;
    const double service_ms = sv->ttft_ms + sv->itl_ms * s.seq_len;
    absl::StatusOr<TailLatencyResult> q =
        SolveTailLatency(s.arrival_rate_qps / b, service_ms, s.num_replicas, 1.0);
    if (!q.ok()) return q.status();
    if (!q->is_stable || q->p99_latency_ms > s.sla_latency_ms) continue;
    r.best_batch_size = b;
    r.p99_latency_ms = q->p99_latency_ms;
    r.slo_violation_probability = q->slo_violation_probability;
    r.is_feasible = true;
  }
  if (r.is_feasible) {
    r.max_throughput = s.arrival_rate_qps * s.seq_len;
    r.objective_value = r.max_throughput;
  }
  return r;
}

}  // namespace mlsysim
