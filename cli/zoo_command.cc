// zoo_command.cc — `mlsysim zoo`, `mlsysim schema` and `mlsysim walls`: the
// registries, the scenario/result schemas and the 22-wall taxonomy.
#include <algorithm>
#include <ostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/fleet.h"
#include "analytic/solvers/records.h"
#include "analytic/solvers/zoo_listing.h"
#include "analytic/walls.h"
#include "cli/commands.h"
#include "traces/json_writer.h"

namespace mlsysim {

extern const char kScenarioProtoText[];
extern const char kResultProtoText[];
extern const char kRegistryProtoText[];

namespace {

std::string Fmt(double v) { return absl::StrFormat("%.4g", v); }
// Fixed decimals; the format string stays a literal (clang checks it).
std::string Fixed(double v, int decimals) { return absl::StrFormat("%.*f", decimals, v); }

// -o json: the registry's records (analytic/solvers/zoo_listing.h).
int PrintListing(const CommandContext& ctx, absl::string_view kind) {
  auto listing = ZooListing(*ctx.registry, kind);
  if (!listing.ok()) {
    return ReportError(ctx, kExitBadInput, "Bad registry", std::string(listing.status().message()));
  }
  *ctx.out << listing->ToJson() << "\n";
  return kExitOk;
}

int ZooHardware(const CommandContext& ctx) {
  if (ctx.format == OutputFormat::kJson) return PrintListing(ctx, "hardware");
  std::vector<std::vector<std::string>> rows;
  for (const Accelerator* a : AcceleratorsByPeak(*ctx.registry)) {
    rows.push_back({a->key, a->name, a->tier, Fmt(a->peak.si / 1e12), Fmt(a->memory_bw.si / 1e9),
                    Fmt(a->capacity / 1e9), Fmt(a->tdp_w), Fixed(a->peak.si / a->memory_bw.si, 1)});
  }
  *ctx.out << FormatTable({"Name", "Model", "Tier", "Peak (TFLOP/s)", "BW (GB/s)", "Mem (GB)",
                           "TDP (W)", "Ridge (flop/B)"},
                          rows);
  return kExitOk;
}

int ZooModels(const CommandContext& ctx) {
  if (ctx.format == OutputFormat::kJson) return PrintListing(ctx, "models");
  std::vector<std::vector<std::string>> rows;
  for (const ModelSpec* m : ModelsBySize(*ctx.registry)) {
    rows.push_back({m->key, m->name, ArchitectureName(m->architecture),
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
  if (ctx.format == OutputFormat::kJson) return PrintListing(ctx, "systems");
  std::vector<std::vector<std::string>> table;
  for (const auto& c : ctx.registry->clusters()) {
    auto f = ctx.registry->FindFleet(c.key());
    if (!f.ok())
      return ReportError(ctx, kExitBadInput, "Bad registry", std::string(f.status().message()));
    table.push_back({f->key, f->node.key, absl::StrCat(f->count),
                     absl::StrCat(f->TotalAccelerators()), f->fabric.key,
                     Fmt(f->fabric.bandwidth.si / 1e9), Fmt(f->fabric.latency_s * 1e6),
                     Fixed(NodeMtbfHours(f->node) / f->count, 2)});
  }
  *ctx.out << FormatTable({"Cluster", "Node", "Nodes", "GPUs", "Fabric", "Fabric BW (GB/s)",
                           "Latency (us)", "MTBF (h)"},
                          table);
  return kExitOk;
}

int ZooGrids(const CommandContext& ctx) {
  if (ctx.format == OutputFormat::kJson) return PrintListing(ctx, "grids");
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
  if (ctx.format == OutputFormat::kJson) return PrintListing(ctx, "constants");
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : ctx.registry->constants()) {
    rows.push_back({c.key(), absl::StrFormat("%.6g", c.value()), c.unit(), c.note()});
  }
  *ctx.out << FormatTable({"Constant", "Value", "Unit", "Note"}, rows);
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
