// zoo_command.cc — `mlsysim zoo`, `mlsysim schema` and `mlsysim walls`: the
// registries, the scenario/result schemas and the 22-wall taxonomy.
#include <algorithm>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/fleet.h"
#include "analytic/walls.h"
#include "cli/commands.h"
#include "cli/output.h"
#include "traces/json_writer.h"

namespace mlsysim {

extern const char kScenarioProtoText[];
extern const char kResultProtoText[];
extern const char kRegistryProtoText[];

namespace {

std::string Fmt(double v) { return absl::StrFormat("%.4g", v); }
// Fixed decimals; the format string stays a literal (clang checks it).
std::string Fixed(double v, int decimals) { return absl::StrFormat("%.*f", decimals, v); }

int ZooHardware(const CommandContext& ctx) {
  std::vector<const Accelerator*> hw;
  for (const Accelerator& a : ctx.registry->accelerators()) hw.push_back(&a);
  std::stable_sort(hw.begin(), hw.end(),
                   [](const auto* a, const auto* b) { return a->peak.si > b->peak.si; });
  if (ctx.format == OutputFormat::kJson) {
    std::vector<Record> rows;
    for (const Accelerator* a : hw) {
      Record r;
      r.Str("name", a->key)
          .Str("display_name", a->name)
          .Str("tier", a->tier)
          .Int("year", a->year)
          .Num("flops", a->peak.si)
          .Num("bandwidth", a->memory_bw.si)
          .Num("capacity", a->capacity)
          .Num("tdp", a->tdp_w)
          .Num("unit_cost_usd", a->unit_cost_usd)
          .Num("dispatch_tax", a->dispatch_tax_ms / 1000.0)
          .Num("ridge_point", a->peak.si / a->memory_bw.si);
      Record prec;
      for (const auto& [p, rate] : a->precision_flops) prec.Num(p, rate.si);
      r.Obj("precision_flops", std::move(prec));
      rows.push_back(std::move(r));
    }
    Record out;
    out.List("hardware", std::move(rows));
    *ctx.out << out.ToJson() << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const Accelerator* a : hw) {
    rows.push_back({a->key, a->name, a->tier, Fmt(a->peak.si / 1e12), Fmt(a->memory_bw.si / 1e9),
                    Fmt(a->capacity / 1e9), Fmt(a->tdp_w), Fixed(a->peak.si / a->memory_bw.si, 1)});
  }
  *ctx.out << FormatTable({"Name", "Model", "Tier", "Peak (TFLOP/s)", "BW (GB/s)", "Mem (GB)",
                           "TDP (W)", "Ridge (flop/B)"},
                          rows);
  return kExitOk;
}

const char* ArchName(Architecture a) {
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

int ZooModels(const CommandContext& ctx) {
  std::vector<const ModelSpec*> models;
  for (const ModelSpec& m : ctx.registry->models()) models.push_back(&m);
  std::stable_sort(models.begin(), models.end(), [](const auto* a, const auto* b) {
    return a->SizeBytes(1.0) > b->SizeBytes(1.0);
  });
  if (ctx.format == OutputFormat::kJson) {
    std::vector<Record> rows;
    for (const ModelSpec* m : models) {
      Record r;
      r.Str("name", m->key)
          .Str("display_name", m->name)
          .Str("architecture", ArchName(m->architecture));
      if (m->parameters > 0) {
        r.Num("parameters", m->parameters);
      } else {
        r.Null("parameters").Num("model_size", m->model_size_bytes);
      }
      r.Int("layers", m->layers).Num("inference_flops", Lower(*m, 2.0).ops);
      if (!m->group.empty()) r.Str("group", m->group);
      rows.push_back(std::move(r));
    }
    Record out;
    out.List("models", std::move(rows));
    *ctx.out << out.ToJson() << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const ModelSpec* m : models) {
    rows.push_back({m->key, m->name, ArchName(m->architecture),
                    m->parameters > 0 ? Fmt(m->parameters / 1e9) : "-",
                    m->layers > 0 ? absl::StrCat(m->layers) : "-",
                    m->hidden_dim > 0 ? absl::StrCat(m->hidden_dim) : "-",
                    Fmt(Lower(*m, 2.0).ops / 1e9)});
  }
  *ctx.out << FormatTable(
      {"Name", "Model", "Class", "Params (B)", "Layers", "Hidden", "Flops/inference (GFLOP)"},
      rows);
  return kExitOk;
}

int ZooSystems(const CommandContext& ctx) {
  std::vector<Record> rows;
  std::vector<std::vector<std::string>> table;
  for (const auto& c : ctx.registry->clusters()) {
    auto f = ctx.registry->FindFleet(c.key());
    if (!f.ok())
      return ReportError(ctx, kExitBadInput, "Bad registry", std::string(f.status().message()));
    Record r;
    r.Str("name", f->key)
        .Str("node", f->node.key)
        .Str("accelerator", f->node.accelerator.key)
        .Int("nodes", f->count)
        .Int("accelerators", f->TotalAccelerators())
        .Str("fabric", f->fabric.key)
        .Num("fabric_bandwidth", f->fabric.bandwidth.si)
        .Num("fabric_latency", f->fabric.latency_s)
        .Num("node_mtbf_hours", NodeMtbfHours(f->node));
    rows.push_back(std::move(r));
    table.push_back({f->key, f->node.key, absl::StrCat(f->count),
                     absl::StrCat(f->TotalAccelerators()), f->fabric.key,
                     Fmt(f->fabric.bandwidth.si / 1e9), Fmt(f->fabric.latency_s * 1e6),
                     Fixed(NodeMtbfHours(f->node) / f->count, 2)});
  }
  if (ctx.format == OutputFormat::kJson) {
    std::vector<Record> fabrics;
    for (const FabricSpec& f : ctx.registry->fabrics()) {
      Record r;
      r.Str("name", f.key)
          .Num("bandwidth", f.bandwidth.si)
          .Num("latency", f.latency_s)
          .Str("topology", f.topology)
          .Num("oversubscription", f.oversubscription);
      fabrics.push_back(std::move(r));
    }
    std::vector<Record> nodes;
    for (const auto& n : ctx.registry->nodes()) {
      auto spec = ctx.registry->FindNode(n.key());
      if (!spec.ok()) continue;
      Record r;
      r.Str("name", spec->key)
          .Str("accelerator", spec->accelerator.key)
          .Int("accelerators_per_node", spec->accelerators_per_node)
          .Num("intra_node_bandwidth", spec->intra_node_bw.si);
      nodes.push_back(std::move(r));
    }
    Record out;
    out.List("clusters", std::move(rows))
        .List("fabrics", std::move(fabrics))
        .List("nodes", std::move(nodes));
    *ctx.out << out.ToJson() << "\n";
    return kExitOk;
  }
  *ctx.out << FormatTable({"Cluster", "Node", "Nodes", "GPUs", "Fabric", "Fabric BW (GB/s)",
                           "Latency (us)", "MTBF (h)"},
                          table);
  return kExitOk;
}

int ZooGrids(const CommandContext& ctx) {
  if (ctx.format == OutputFormat::kJson) {
    std::vector<Record> rows;
    for (const GridSpec& g : ctx.registry->grids()) {
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
    *ctx.out << out.ToJson() << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const GridSpec& g : ctx.registry->grids()) {
    rows.push_back({g.key, g.name, Fmt(g.carbon_g_kwh), Fmt(g.pue), Fmt(g.wue_l_kwh),
                    g.primary_source, Fmt(g.renewable_pct)});
  }
  *ctx.out << FormatTable(
      {"Grid", "Name", "Carbon (gCO2/kWh)", "PUE", "WUE (L/kWh)", "Source", "Renewable (%)"}, rows);
  return kExitOk;
}

int ZooConstants(const CommandContext& ctx) {
  std::vector<std::vector<std::string>> rows;
  std::vector<Record> recs;
  for (const auto& c : ctx.registry->constants()) {
    rows.push_back({c.key(), absl::StrFormat("%.6g", c.value()), c.unit(), c.note()});
    Record r;
    r.Str("name", c.key()).Num("value", c.value()).Str("unit", c.unit());
    recs.push_back(std::move(r));
  }
  if (ctx.format == OutputFormat::kJson) {
    Record out;
    out.List("constants", std::move(recs));
    *ctx.out << out.ToJson() << "\n";
  } else {
    *ctx.out << FormatTable({"Constant", "Value", "Unit", "Note"}, rows);
  }
  return kExitOk;
}

}  // namespace

int RunZoo(const CommandContext& ctx, const CommandArgs& args) {
  std::string category = "hardware";
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      *ctx.out << "usage: mlsysim [-o json] zoo [hardware|models|systems|grids|constants]\n"
                  "  Lists a registry (built-in mlsysim v0.1.1 entries plus --registry FILE).\n";
      return kExitOk;
    }
    category = a;
  }
  if (category == "hardware") return ZooHardware(ctx);
  if (category == "models") return ZooModels(ctx);
  if (category == "systems") return ZooSystems(ctx);
  if (category == "grids" || category == "infra") return ZooGrids(ctx);
  if (category == "constants") return ZooConstants(ctx);
  return ReportError(ctx, kExitBadInput, "Bad input",
                     absl::StrCat("unknown zoo category '", category,
                                  "'; accepted: hardware, models, systems, grids, constants"));
}

int RunSchema(const CommandContext& ctx, const CommandArgs& args) {
  std::string type = "all";
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      *ctx.out << "usage: mlsysim schema [--type scenario|result|registry|all]\n"
                  "  Prints the protobuf schemas; field comments are the manual.\n";
      return kExitOk;
    }
    if (args[i] == "--type" && i + 1 < args.size()) {
      type = args[++i];
    } else if (args[i].rfind("--type=", 0) == 0) {
      type = args[i].substr(7);
    } else {
      return ReportError(
          ctx, kExitBadInput, "Bad input",
          absl::StrCat("unknown argument '", args[i], "' for schema; accepted: --type"));
    }
  }
  if (type == "scenario" || type == "plan") {
    *ctx.out << kScenarioProtoText;
  } else if (type == "result") {
    *ctx.out << kResultProtoText;
  } else if (type == "registry" || type == "hardware" || type == "workload") {
    *ctx.out << kRegistryProtoText;
  } else if (type == "all") {
    *ctx.out << kScenarioProtoText << "\n" << kResultProtoText << "\n" << kRegistryProtoText;
  } else {
    return ReportError(ctx, kExitBadInput, "Bad input",
                       absl::StrCat("--type: unknown schema '", type,
                                    "'; accepted: scenario, result, registry, all"));
  }
  return kExitOk;
}

int RunWalls(const CommandContext& ctx, const CommandArgs& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) {
    *ctx.out << "usage: mlsysim [-o json] walls\n  The 22-wall taxonomy of mlsysim v0.1.1.\n";
    return kExitOk;
  }
  if (!args.empty()) {
    return ReportError(ctx, kExitBadInput, "Bad input",
                       absl::StrCat("walls takes no arguments; got '", args[0], "'"));
  }
  if (ctx.format == OutputFormat::kJson) {
    std::vector<Record> rows;
    for (const Wall& w : AllWalls()) {
      Record r;
      r.Int("number", w.number)
          .Str("name", w.name)
          .Str("domain", w.domain)
          .Str("solver", w.resolver)
          .Str("equation", w.equation);
      rows.push_back(std::move(r));
    }
    Record out;
    out.List("walls", std::move(rows));
    *ctx.out << out.ToJson() << "\n";
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const Wall& w : AllWalls()) {
    rows.push_back({absl::StrCat(w.number), std::string(w.name), std::string(w.domain),
                    std::string(w.resolver), std::string(w.equation)});
  }
  *ctx.out << FormatTable({"#", "Wall", "Domain", "Solver", "Core equation"}, rows);
  return kExitOk;
}

}  // namespace mlsysim
