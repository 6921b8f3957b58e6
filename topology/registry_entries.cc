// registry_entries.cc — each registry entry converted from its proto and
// checked (see registry.h): accelerators, models, fabrics, grids; every
// quantity parsed with its dimension, errors naming the entry and field.
#include <algorithm>
#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "analytic/transformer_shape.h"
#include "analytic/units.h"
#include "topology/cluster_graph.h"
#include "topology/registry.h"
#include "topology/registry_parse.h"

namespace mlsysim {

using registry_internal::Annotate;
using registry_internal::Lower;
using registry_internal::ParseRate;
using registry_internal::ParseSi;
using registry_internal::Upsert;

absl::Status Registry::AddAccelerator(const registry::Accelerator& a) {
  if (a.key().empty()) return absl::InvalidArgumentError("accelerator: key is empty");
  auto fail = [&](const absl::Status& s) { return Annotate(s, "accelerator", a.key()); };
  Accelerator hw;
  hw.key = a.key();
  hw.name = a.name().empty() ? a.key() : a.name();
  hw.tier = a.tier();
  hw.year = a.year();
  auto peak = ParseRate(a.peak_flops(), dims::kFlopRate, "peak_flops");
  if (!peak.ok()) return fail(peak.status());
  if (!peak->set()) return fail(absl::InvalidArgumentError("peak_flops must be > 0"));
  hw.peak = *peak;
  for (const auto& p : a.precision_flops()) {
    auto r =
        ParseRate(p.rate(), dims::kFlopRate, absl::StrCat("precision_flops[", p.precision(), "]"));
    if (!r.ok()) return fail(r.status());
    hw.precision_flops.emplace_back(p.precision(), *r);
  }
  auto cap = ParseQuantityAs(a.memory_capacity(), dims::kBytes, "memory_capacity");
  if (!cap.ok()) return fail(cap.status());
  hw.capacity = cap->si;
  hw.capacity_number = cap->number;
  if (!(hw.capacity > 0)) {
    return fail(absl::InvalidArgumentError("memory_capacity must be > 0"));
  }
  auto bw = ParseRate(a.memory_bandwidth(), dims::kByteRate, "memory_bandwidth");
  if (!bw.ok()) return fail(bw.status());
  if (!bw->set()) return fail(absl::InvalidArgumentError("memory_bandwidth must be > 0"));
  hw.memory_bw = *bw;
  struct TierField {
    const registry::MemoryTier* in;
    MemoryTierSpec* out;
    const char* name;
    bool present;
  } tiers[] = {{&a.sram(), &hw.sram, "sram", a.has_sram()},
               {&a.flash(), &hw.flash, "flash", a.has_flash()},
               {&a.storage(), &hw.storage, "storage", a.has_storage()}};
  for (const TierField& t : tiers) {
    if (!t.present) continue;
    auto c = ParseSi(t.in->capacity(), dims::kBytes, absl::StrCat(t.name, ".capacity"));
    if (!c.ok()) return fail(c.status());
    auto b = ParseRate(t.in->bandwidth(), dims::kByteRate, absl::StrCat(t.name, ".bandwidth"));
    if (!b.ok()) return fail(b.status());
    t.out->capacity = *c;
    t.out->bandwidth = *b;
  }
  hw.interconnect_name = a.interconnect_name();
  if (!a.interconnect_bandwidth().empty()) {
    auto ib = ParseRate(a.interconnect_bandwidth(), dims::kByteRate, "interconnect_bandwidth");
    if (!ib.ok()) return fail(ib.status());
    hw.interconnect_bw = *ib;
  }
  if (!a.tdp().empty()) {
    auto tdp = ParseSi(a.tdp(), dims::kPower, "tdp");
    if (!tdp.ok()) return fail(tdp.status());
    hw.tdp_w = *tdp;
  }
  if (!a.dispatch_tax().empty()) {
    auto tax = ParseSi(a.dispatch_tax(), dims::kTime, "dispatch_tax");
    if (!tax.ok()) return fail(tax.status());
    hw.dispatch_tax_ms = *tax * 1000.0;
  }
  if (!a.battery().empty()) {
    auto bat = ParseSi(a.battery(), dims::kEnergy, "battery");
    if (!bat.ok()) return fail(bat.status());
    hw.battery_wh = *bat / 3600.0;
  }
  if (a.unit_cost_usd() < 0) return fail(absl::InvalidArgumentError("unit_cost_usd must be >= 0"));
  hw.unit_cost_usd = a.unit_cost_usd();
  hw.embodied_carbon_kg = a.embodied_carbon_kg();
  Upsert(accelerators_, accelerator_index_, a.key(), a.aliases(), std::move(hw));
  return absl::OkStatus();
}

absl::Status Registry::AddModel(const registry::Model& m) {
  if (m.key().empty()) return absl::InvalidArgumentError("model: key is empty");
  auto fail = [&](absl::string_view msg) {
    return Annotate(absl::InvalidArgumentError(msg), "model", m.key());
  };
  ModelSpec s;
  s.key = m.key();
  s.name = m.name().empty() ? m.key() : m.name();
  s.group = m.group();
  const std::string& arch = m.architecture();
  if (arch == "Transformer") {
    s.architecture = Architecture::kTransformer;
  } else if (arch == "CNN") {
    s.architecture = Architecture::kCNN;
  } else if (arch == "SSM") {
    s.architecture = Architecture::kSSM;
  } else if (arch == "Diffusion") {
    s.architecture = Architecture::kDiffusion;
  } else if (arch == "Generic" || arch.empty()) {
    s.architecture = Architecture::kGeneric;
  } else if (arch == "Sparse") {
    s.architecture = Architecture::kSparse;
  } else {
    return fail(absl::StrCat("architecture '", arch,
                             "' is not one of Transformer, CNN, SSM, Diffusion, Generic, Sparse"));
  }
  if (m.parameters() < 0 || m.layers() < 0 || m.hidden_dim() < 0 || m.heads() < 0 ||
      m.kv_heads() < 0 || m.inference_flops() < 0) {
    return fail("parameters, layers, hidden_dim, heads, kv_heads and inference_flops must be >= 0");
  }
  s.parameters = m.parameters();
  s.layers = m.layers();
  s.hidden_dim = m.hidden_dim();
  s.heads = m.heads();
  s.kv_heads = m.kv_heads();
  s.state_dim = m.state_dim();
  s.inference_flops = m.inference_flops();
  if (!m.model_size().empty()) {
    auto size = ParseSi(m.model_size(), dims::kBytes, "model_size");
    if (!size.ok()) return Annotate(size.status(), "model", m.key());
    s.model_size_bytes = *size;
  }
  if (s.parameters <= 0 && s.model_size_bytes <= 0) {
    return fail("needs parameters or model_size");
  }
  if (s.IsTransformer() && (s.parameters <= 0 || s.layers <= 0)) {
    return fail("a Transformer needs parameters and layers");
  }
  s.flops_per_step = m.flops_per_step();
  s.denoising_steps = m.denoising_steps();
  s.training_ops = m.training_ops();
  s.resolution = m.resolution();
  s.active_parameters = m.active_parameters();
  s.num_experts = m.num_experts();
  s.experts_per_token = m.experts_per_token();
  if (m.intermediate_size() < 0 || m.vocab_size() < 0 || m.max_position_embeddings() < 0) {
    return fail("intermediate_size, vocab_size and max_position_embeddings must be >= 0");
  }
  s.intermediate_size = m.intermediate_size();
  s.vocab_size = m.vocab_size();
  s.hidden_act = m.hidden_act();
  s.gated_mlp = m.gated_mlp();
  s.tie_word_embeddings = m.tie_word_embeddings();
  s.linear_bias = m.linear_bias();
  s.learned_positions = m.max_position_embeddings();
  if (s.HasFullShape()) {
    if (auto st = CheckShapeMatchesParameters(s); !st.ok()) return Annotate(st, "model", m.key());
  }
  Upsert(models_, model_index_, m.key(), m.aliases(), std::move(s));
  return absl::OkStatus();
}

absl::Status Registry::AddFabric(const registry::Fabric& f) {
  if (f.key().empty()) return absl::InvalidArgumentError("fabric: key is empty");
  FabricSpec s;
  s.key = f.key();
  s.name = f.name().empty() ? f.key() : f.name();
  auto bw = ParseRate(f.bandwidth(), dims::kByteRate, "bandwidth");
  if (!bw.ok()) return Annotate(bw.status(), "fabric", f.key());
  if (!bw->set()) {
    return Annotate(absl::InvalidArgumentError("bandwidth must be > 0"), "fabric", f.key());
  }
  s.bandwidth = *bw;
  if (!f.latency().empty()) {
    auto lat = ParseSi(f.latency(), dims::kTime, "latency");
    if (!lat.ok()) return Annotate(lat.status(), "fabric", f.key());
    s.latency_s = *lat;
  }
  s.topology = f.topology();
  if (f.oversubscription() < 0) {
    return Annotate(absl::InvalidArgumentError("oversubscription must be >= 1"), "fabric", f.key());
  }
  s.oversubscription = f.oversubscription() > 0 ? f.oversubscription() : 1.0;
  if (f.routing().empty()) {
    const std::string id = absl::AsciiStrToLower(absl::StrCat(f.key(), " ", f.name()));
    const bool ethernet = absl::StrContains(id, "ethernet") || absl::StrContains(id, "roce") ||
                          absl::StrContains(id, "gbe");
    s.routing = ethernet ? "ecmp" : "dmodk";
  } else {
    auto routing = ParseRouting(f.routing());
    if (!routing.ok()) return Annotate(routing.status(), "fabric", f.key());
    s.routing = RoutingName(*routing);
  }
  Upsert(fabrics_, fabric_index_, f.key(), f.aliases(), std::move(s));
  return absl::OkStatus();
}

absl::Status Registry::AddGrid(const registry::Grid& g) {
  if (g.key().empty()) return absl::InvalidArgumentError("grid: key is empty");
  if (g.carbon_intensity_g_kwh() < 0 || g.pue() < 1.0 || g.wue_l_kwh() < 0) {
    return Annotate(absl::InvalidArgumentError(
                        "carbon_intensity_g_kwh and wue_l_kwh must be >= 0 and pue >= 1"),
                    "grid", g.key());
  }
  GridSpec s;
  s.key = g.key();
  s.name = g.name().empty() ? g.key() : g.name();
  s.carbon_g_kwh = g.carbon_intensity_g_kwh();
  s.pue = g.pue();
  s.wue_l_kwh = g.wue_l_kwh();
  s.primary_source = g.primary_source();
  s.renewable_pct = g.renewable_pct();
  Upsert(grids_, grid_index_, g.key(), g.aliases(), std::move(s));
  return absl::OkStatus();
}

}  // namespace mlsysim
