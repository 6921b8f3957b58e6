// zoo_listing.cc — the registries as records (see zoo_listing.h).
#include "analytic/solvers/zoo_listing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analytic/fleet.h"

namespace mlsysim {
namespace {

Record HardwareListing(const Registry& registry) {
  std::vector<Record> rows;
  for (const Accelerator* a : AcceleratorsByPeak(registry)) {
    Record r;
    r.Str("name", a->key)
        .Str("display_name", a->name)
        .Str("tier", a->tier)
        .Int("year", a->year)
        .Num("flops", a->peak.si, "flop/s")
        .Num("bandwidth", a->memory_bw.si, "B/s")
        .Num("capacity", a->capacity, "B")
        .Num("tdp", a->tdp_w, "W")
        .Num("unit_cost_usd", a->unit_cost_usd)
        .Num("dispatch_tax", a->dispatch_tax_ms / 1000.0, "s")
        .Num("ridge_point", a->peak.si / a->memory_bw.si);
    Record prec;
    for (const auto& [p, rate] : a->precision_flops) prec.Num(p, rate.si);
    r.Obj("precision_flops", std::move(prec));
    rows.push_back(std::move(r));
  }
  Record out;
  out.List("hardware", std::move(rows));
  return out;
}

Record ModelListing(const Registry& registry) {
  std::vector<Record> rows;
  for (const ModelSpec* m : ModelsBySize(registry)) {
    Record r;
    r.Str("name", m->key)
        .Str("display_name", m->name)
        .Str("architecture", ArchitectureName(m->architecture));
    if (m->parameters > 0) {
      r.Num("parameters", m->parameters);
    } else {
      r.Null("parameters").Num("model_size", m->model_size_bytes, "B");
    }
    r.Int("layers", m->layers).Num("inference_flops", Lower(*m, 2.0).ops, "flop");
    if (!m->group.empty()) r.Str("group", m->group);
    rows.push_back(std::move(r));
  }
  Record out;
  out.List("models", std::move(rows));
  return out;
}

absl::StatusOr<Record> SystemListing(const Registry& registry) {
  std::vector<Record> clusters;
  for (const auto& c : registry.clusters()) {
    auto f = registry.FindFleet(c.key());
    if (!f.ok()) return f.status();
    Record r;
    r.Str("name", f->key)
        .Str("node", f->node.key)
        .Str("accelerator", f->node.accelerator.key)
        .Int("nodes", f->count)
        .Int("accelerators", f->TotalAccelerators())
        .Str("fabric", f->fabric.key)
        .Num("fabric_bandwidth", f->fabric.bandwidth.si, "B/s")
        .Num("fabric_latency", f->fabric.latency_s, "s")
        .Num("node_mtbf_hours", NodeMtbfHours(f->node));
    clusters.push_back(std::move(r));
  }
  std::vector<Record> fabrics;
  for (const FabricSpec& f : registry.fabrics()) {
    Record r;
    r.Str("name", f.key)
        .Num("bandwidth", f.bandwidth.si, "B/s")
        .Num("latency", f.latency_s, "s")
        .Str("topology", f.topology)
        .Num("oversubscription", f.oversubscription);
    fabrics.push_back(std::move(r));
  }
  std::vector<Record> nodes;
  for (const auto& n : registry.nodes()) {
    auto spec = registry.FindNode(n.key());
    if (!spec.ok()) continue;
    Record r;
    r.Str("name", spec->key)
        .Str("accelerator", spec->accelerator.key)
        .Int("accelerators_per_node", spec->accelerators_per_node)
        .Num("intra_node_bandwidth", spec->intra_node_bw.si);
    nodes.push_back(std::move(r));
  }
  Record out;
  out.List("clusters", std::move(clusters))
      .List("fabrics", std::move(fabrics))
      .List("nodes", std::move(nodes));
  return out;
}

Record GridListing(const Registry& registry) {
  std::vector<Record> rows;
  for (const GridSpec& g : registry.grids()) {
    Record r;
    r.Str("name", g.key)
        .Str("display_name", g.name)
        .Num("carbon_intensity_g_kwh", g.carbon_g_kwh)
        .Num("pue", g.pue)
        .Num("wue_l_kwh", g.wue_l_kwh)
        .Str("primary_source", g.primary_source)
        .Num("renewable_pct", g.renewable_pct);
    rows.push_back(std::move(r));
  }
  Record out;
  out.List("grids", std::move(rows));
  return out;
}

Record ConstantListing(const Registry& registry) {
  std::vector<Record> rows;
  for (const auto& c : registry.constants()) {
    Record r;
    r.Str("name", c.key()).Num("value", c.value()).Str("unit", c.unit());
    rows.push_back(std::move(r));
  }
  Record out;
  out.List("constants", std::move(rows));
  return out;
}

}  // namespace

std::vector<const Accelerator*> AcceleratorsByPeak(const Registry& registry) {
  std::vector<const Accelerator*> hw;
  for (const Accelerator& a : registry.accelerators()) hw.push_back(&a);
  std::stable_sort(hw.begin(), hw.end(),
                   [](const auto* a, const auto* b) { return a->peak.si > b->peak.si; });
  return hw;
}

std::vector<const ModelSpec*> ModelsBySize(const Registry& registry) {
  std::vector<const ModelSpec*> models;
  for (const ModelSpec& m : registry.models()) models.push_back(&m);
  std::stable_sort(models.begin(), models.end(), [](const auto* a, const auto* b) {
    return a->SizeBytes(1.0) > b->SizeBytes(1.0);
  });
  return models;
}

const char* ArchitectureName(Architecture a) {
  switch (a) {
    case Architecture::kTransformer: return "Transformer";
    case Architecture::kCNN: return "CNN";
    case Architecture::kSSM: return "SSM";
    case Architecture::kDiffusion: return "Diffusion";
    case Architecture::kSparse: return "Sparse";
    case Architecture::kGeneric: return "Generic";
  }
  return "Generic";
}

absl::StatusOr<Record> ZooListing(const Registry& registry, absl::string_view kind) {
  if (kind == "hardware") return HardwareListing(registry);
  if (kind == "models") return ModelListing(registry);
  if (kind == "systems") return SystemListing(registry);
  if (kind == "grids" || kind == "infra") return GridListing(registry);
  if (kind == "constants") return ConstantListing(registry);
  return absl::InvalidArgumentError(absl::StrCat("zoo: unknown category '", kind,
                                                 "'; accepted: ", absl::StrJoin(kZooKinds, ", ")));
}

}  // namespace mlsysim
