// specs.h — plain structs the analytic solvers read: accelerators, models,
// nodes, fabrics, fleets and grids, resolved from the registry.
//
// Rates keep their declared number and mlsysim's millisecond factor so that
// times are formed exactly as mlsysim v0.1.1 forms them (contract §11.1):
//   t_ms = (numerator / rate.number) * rate.ms_factor
// Usage: double t_ms = hw.memory_bw.TimeMs(bytes);
#ifndef MLSYSIM_ANALYTIC_SPECS_H_
#define MLSYSIM_ANALYTIC_SPECS_H_

#include <string>
#include <utility>
#include <vector>
#include "absl/strings/string_view.h"

namespace mlsysim {

// A rate (flop/s or B/s) as declared in the registry.
struct Rate {
  double number = 0.0;     // the number as written ("3.35" of "3.35 TB/s")
  double si = 0.0;         // in flop/s or B/s
  double ms_factor = 0.0;  // (1 / SI scale of the declared unit) * 1000
  bool set() const { return si > 0.0; }
  // mlsysim's time in ms to move/compute `amount` at this rate.
  double TimeMs(double amount) const { return (amount / number) * ms_factor; }
  // Same, with the rate scaled by `eta` first (peak × efficiency).
  double TimeMs(double amount, double eta) const { return (amount / (number * eta)) * ms_factor; }
  Rate Scaled(double factor) const { return {number * factor, si * factor, ms_factor}; }
  static Rate FromSi(double value) { return {value, value, 1000.0}; }
};

// A memory tier (SRAM, flash, storage).
struct MemoryTierSpec {
  double capacity = 0.0;  // bytes
  Rate bandwidth;
};

struct Accelerator {
  std::string key;
  std::string name;
  std::string tier;
  int year = 0;
  Rate peak;
  std::vector<std::pair<std::string, Rate>> precision_flops;
  double capacity = 0.0;         // bytes
  double capacity_number = 0.0;  // as declared (WeightStreaming quirk, §11.5)
  Rate memory_bw;
  MemoryTierSpec sram;
  MemoryTierSpec flash;
  std::string interconnect_name;
  Rate interconnect_bw;
  MemoryTierSpec storage;
  double tdp_w = 0.0;
  double unit_cost_usd = 0.0;
  double dispatch_tax_ms = 0.01;
  double embodied_carbon_kg = 0.0;
  double battery_wh = 0.0;

  // precision_flops[precision] if listed, else the default peak.
  const Rate& PeakFor(absl::string_view precision) const {
    for (const auto& [p, r] : precision_flops)
      if (p == precision) return r;
    return peak;
  }
  bool HasPrecision(absl::string_view precision) const {
    for (const auto& entry : precision_flops)
      if (entry.first == precision) return true;
    return false;
  }
};

enum class Architecture { kTransformer, kCNN, kSSM, kDiffusion, kGeneric, kSparse };

struct ModelSpec {
  std::string key;
  std::string name;
  std::string group;
  Architecture architecture = Architecture::kGeneric;
  double parameters = 0.0;  // 0 = unset
  int layers = 0;           // 0 = unset
  int hidden_dim = 0;
  int heads = 0;
  int kv_heads = 0;
  int state_dim = 0;
  double inference_flops = 0.0;
  double model_size_bytes = 0.0;  // DLRM-style workloads without a parameter count
  double flops_per_step = 0.0;
  int denoising_steps = 0;
  double training_ops = 0.0;
  int resolution = 0;
  double active_parameters = 0.0;
  int num_experts = 0;
  int experts_per_token = 0;
  // The full shape (proto/registry.proto; 0: unknown).
  int intermediate_size = 0;
  int vocab_size = 0;
  std::string hidden_act;
  bool gated_mlp = false;
  bool tie_word_embeddings = false;
  bool linear_bias = false;
  int learned_positions = 0;

  bool IsTransformer() const {
    return architecture == Architecture::kTransformer || architecture == Architecture::kSparse;
  }
  // Enough shape to count parameters and FLOPs layer by layer.
  bool HasFullShape() const {
    return IsTransformer() && layers > 0 && hidden_dim > 0 && heads > 0 && intermediate_size > 0 &&
           vocab_size > 0;
  }
  // Size of the weights at `bpp` bytes per parameter (model_size when no P).
  double SizeBytes(double bpp) const {
    return parameters > 0.0 ? parameters * bpp : model_size_bytes;
  }
};

struct NodeSpec {
  std::string key;
  std::string name;
  Accelerator accelerator;
  int accelerators_per_node = 1;
  Rate intra_node_bw;
  int nics_per_node = 0;
  int psus_per_node = 0;
};

struct FabricSpec {
  std::string key;
  std::string name;
  Rate bandwidth;
  double latency_s = 0.0;  // 0 = unset (mlsysim uses 5 us)
  std::string topology;
  double oversubscription = 1.0;
  std::string routing = "dmodk";  // dmodk | ecmp | spray (simulation only)
};

struct GridSpec {
  std::string key;
  std::string name;  // display name, e.g. "Quebec (Hydro)"
  double carbon_g_kwh = 0.0;
  double pue = 1.12;
  double wue_l_kwh = 0.0;
  std::string primary_source;
  double renewable_pct = 0.0;
};

struct FleetSpec {
  std::string key;
  std::string name;
  NodeSpec node;
  int count = 1;  // nodes
  FabricSpec fabric;
  std::string region;  // grid key; empty = US_Avg, PUE 1.12
  int TotalAccelerators() const { return count * node.accelerators_per_node; }
};

// The precisions mlsysim v0.1.1 knows (contract §0), as accepted lists name them.
inline constexpr const char kKnownPrecisions[] = "fp32, tf32, bf16, fp16, fp8, int8, int4, fp4";
bool IsKnownPrecision(absl::string_view precision);
// Bytes per element for a precision string (contract §0); unknown -> 2.
double BytesPerParam(absl::string_view precision);
// TransformerWorkload.training_memory's own map: fp32 4, fp16 2, int8 1, int4 0.5, else 2.
double TrainingBytesPerParam(absl::string_view precision);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_SPECS_H_
