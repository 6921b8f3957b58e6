// roofline_engine.cc — see roofline_engine.h (named apart from the event engine in sim/).
#include "analytic/roofline_engine.h"
#include "absl/strings/string_view.h"
#include "analytic/formulas.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mlsysim {

bool IsKnownPrecision(absl::string_view p) {
  for (absl::string_view k : {"fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4", "fp4"})
    if (p == k) return true;
  return false;
}

double BytesPerParam(absl::string_view p) {
  if (p == "fp32" || p == "tf32") return 4.0;
  if (p == "bf16" || p == "fp16") return 2.0;
  if (p == "fp8" || p == "int8") return 1.0;
  if (p == "int4") return 0.5;
  return 2.0;
}

double TrainingBytesPerParam(absl::string_view p) {
  if (p == "fp32") return 4.0;
  if (p == "fp16") return 2.0;
  if (p == "int8") return 1.0;
  if (p == "int4") return 0.5;
  return 2.0;
}

LoweredModel Lower(const ModelSpec& m, double bpp) {
  LoweredModel g;
  const double p = m.parameters;
  switch (m.architecture) {
    case Architecture::kTransformer:
      g.ops = m.inference_flops > 0 ? m.inference_flops : 2.0 * p;
      g.layers = m.layers > 0 ? m.layers : 1;
      break;
    case Architecture::kSparse:
      g.ops = 2.0 * (m.active_parameters > 0 ? m.active_parameters : p);
      g.layers = m.layers > 0 ? m.layers : 1;
      break;
    case Architecture::kCNN:
      g.ops = m.inference_flops;
      g.layers = m.layers > 0 ? m.layers : 1;
      break;
    case Architecture::kSSM:
      g.ops = m.inference_flops > 0 ? m.inference_flops : 2.0 * p;
      g.layers = m.layers > 0 ? m.layers : 1;
      break;
    case Architecture::kDiffusion:
      g.ops = m.flops_per_step * m.denoising_steps;
      g.layers = 1;
      break;
    case Architecture::kGeneric:
      g.ops = m.inference_flops > 0 ? m.inference_flops : (p > 0 ? 2.0 * p : 0.0);
      g.layers = 1;
      break;
  }
  g.weight_bytes = m.SizeBytes(bpp);
  return g;
}

TrainingMemory TransformerTrainingMemory(const ModelSpec& m, int batch_size, int seq_len,
                                         absl::string_view precision, bool selective_recompute,
                                         int zero_stage, int dp_size, bool is_lora) {
  const double bpp = TrainingBytesPerParam(precision);
  const double p = m.parameters;
  TrainingMemory mem;
  mem.weights = p * bpp;
  mem.gradients = p * bpp;
  mem.optimizer = p * 12.0;
  if (is_lora) {
    const double rank = 16.0;
    double frac = 2.0 * rank * m.hidden_dim * (4.0 * m.layers) / p;
    frac = std::min(frac, 1.0);
    mem.gradients *= frac;
    mem.optimizer *= frac;
  }
  const double dp = std::max(dp_size, 1);
  if (zero_stage >= 1) mem.optimizer /= dp;
  if (zero_stage >= 2) mem.gradients /= dp;
  if (zero_stage >= 3) mem.weights /= dp;
  const double coeff = selective_recompute ? 10.0 : 34.0;
  mem.activations =
      static_cast<double>(m.layers) * coeff * seq_len * batch_size * m.hidden_dim * bpp;
  return mem;
}

absl::StatusOr<EngineResult> SolveEngine(const ModelSpec& model, const Accelerator& hw,
                                         const EngineOptions& o) {
  if (!(o.efficiency >= 1e-9 && o.efficiency <= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("efficiency must lie in [1e-9, 1]; got ", o.efficiency));
  }
  if (o.batch_size < 1) {
    return absl::InvalidArgumentError(absl::StrCat("batch_size must be >= 1; got ", o.batch_size));
  }
  if (o.seq_len < 1) {
    return absl::InvalidArgumentError(absl::StrCat("seq_len must be >= 1; got ", o.seq_len));
  }
  const double bpp = BytesPerParam(o.precision);
  const Rate& peak = hw.PeakFor(o.precision);
  const LoweredModel g = Lower(model, bpp);
  const double w = g.weight_bytes;

  EngineResult r;
  double multiplier = 1.0;
  if (o.is_training) multiplier = o.activation_recomputation ? 4.0 : 3.0;
  if (!o.is_training) {
    r.memory_footprint = w;
  } else if (model.IsTransformer()) {
    r.memory_footprint =
        TransformerTrainingMemory(model, o.batch_size, o.seq_len, o.precision,
                                  o.activation_recomputation, o.zero_stage, o.dp_size, o.is_lora)
            .total();
  } else {
    r.memory_footprint = w * (o.is_lora ? 1.1 : 3.0);
  }
  r.feasible = r.memory_footprint <= hw.capacity;

  // Effective bandwidth: offload path, then SRAM, then flash, then HBM.
  Rate bw = hw.memory_bw;
  if (!r.feasible) {
    Rate link = hw.interconnect_bw.set()
                    ? hw.interconnect_bw
                    : Rate{kOffloadDefaultGBs, kOffloadDefaultGBs * 1e9, (1.0 / 1e9) * 1000.0};
    if (link.si < bw.si) bw = link;
    r.offloaded = true;
    r.offload_spill_bytes = r.memory_footprint - hw.capacity;
    r.offload_effective_bw = bw.si;
  } else if (hw.sram.capacity > 0 && hw.sram.bandwidth.set() && w <= hw.sram.capacity) {
    bw = hw.sram.bandwidth;
  } else if (hw.flash.bandwidth.set()) {
    bw = hw.flash.bandwidth;
  }

  const double batch_ops = (g.ops * multiplier) * o.batch_size;
  const double mem_bytes = w + (w * 0.1) * o.batch_size;
  const double t_comp = batch_ops == 0.0 ? 0.0 : peak.TimeMs(batch_ops, o.efficiency);
  const double t_mem = bw.si == 0.0 ? 0.0 : bw.TimeMs(mem_bytes);
  if (t_comp < 1e-15) {
    r.bottleneck = "Memory";
    r.arithmetic_intensity = 0.0;
  } else if (t_mem < 1e-15) {
    r.bottleneck = "Compute";
    r.arithmetic_intensity = std::numeric_limits<double>::infinity();
  } else {
    r.bottleneck = t_mem > t_comp ? "Memory" : "Compute";
    r.arithmetic_intensity = batch_ops / mem_bytes;
  }
  const double layer_tax = g.layers * kLayerTaxMs * (o.is_training ? 3.0 : 1.0);
  r.latency_compute_ms = t_comp;
  r.latency_memory_ms = t_mem;
  r.latency_overhead_ms = hw.dispatch_tax_ms + layer_tax;
  r.latency_ms = std::max(t_comp, t_mem) + hw.dispatch_tax_ms + layer_tax;
  const double latency_s = r.latency_ms / 1000.0;
  r.throughput = o.batch_size / latency_s;
  r.mfu = std::clamp((batch_ops / latency_s) / peak.si, 0.0, 1.0);
  r.hfu = std::min(kHfuMfuRatio * r.mfu, 1.0);
  r.energy_j = AcceleratorPowerW(hw.tdp_w, r.mfu) * latency_s;
  r.peak_flops_actual = peak.si * o.efficiency;
  r.peak_bw_actual = bw.si;
  return r;
}

}  // namespace mlsysim
