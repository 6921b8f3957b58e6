// optimize_command.cc — `mlsysim optimize parallelism|batching|placement
// PLAN.yaml`: mlsysim's three optimizers on a plan's model and hardware.
#include <cmath>
#include <cstdlib>
#include <ostream>
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/analysis.h"
#include "analytic/fleet.h"
#include "analytic/operations.h"
#include "analytic/roofline_engine.h"
#include "analytic/serving.h"
#include "cli/commands.h"
#include "analytic/solvers/records.h"
#include "cli/plan.h"
#include "traces/json_writer.h"

namespace mlsysim {

int RunOptimize(const CommandContext& ctx, const CommandArgs& args) {
  ParsedOptions o;
  std::string err = ParseOptions(args,
                                 {{"--sla-ms", "", true},
                                  {"--qps", "", true},
                                  {"--carbon-tax", "", true},
                                  {"--help", "-h", false}},
                                 "optimize", &o);
  if (!err.empty()) return ReportError(ctx, kExitBadInput, "Bad input", err);
  if (o.Has("--help") || o.positional.size() != 2) {
    if (!o.Has("--help")) {
      return ReportError(ctx, kExitBadInput, "Bad input",
                         "optimize needs parallelism|batching|placement and a PLAN.yaml");
    }
    *ctx.out << "usage: mlsysim [-o json] optimize parallelism PLAN.yaml\n"
                "       mlsysim [-o json] optimize batching PLAN.yaml [--sla-ms 50] [--qps 10]\n"
                "       mlsysim [-o json] optimize placement PLAN.yaml [--carbon-tax 100]\n";
    return kExitOk;
  }
  const std::string& what = o.positional[0];
  if (what != "parallelism" && what != "batching" && what != "placement") {
    return ReportError(
        ctx, kExitBadInput, "Bad input",
        absl::StrCat("unknown optimizer '", what, "'; accepted: parallelism, batching, placement"));
  }
  auto plan = LoadPlan(o.positional[1]);
  if (!plan.ok())
    return ReportError(ctx, kExitBadInput, "Bad plan", std::string(plan.status().message()));
  auto model = ctx.registry->FindModel(plan->model);
  if (!model.ok())
    return ReportError(ctx, kExitBadInput, "Unknown model", std::string(model.status().message()));
  auto hw = ctx.registry->FindAccelerator(plan->hardware);
  if (!hw.ok())
    return ReportError(ctx, kExitBadInput, "Unknown hardware", std::string(hw.status().message()));
  Record result;
  if (what == "batching") {
    BatchingSearch s;
    s.seq_len = plan->seq_len;
    s.precision = plan->precision;
    s.efficiency = plan->efficiency;
    auto sla = ParseNumber("--sla-ms", o.Get("--sla-ms", "50"));
    auto qps = ParseNumber("--qps", o.Get("--qps", "10"));
    for (const absl::Status& st : {sla.status(), qps.status()})
      if (!st.ok()) return ReportError(ctx, kExitBadInput, "Bad input", std::string(st.message()));
    s.sla_latency_ms = *sla;
    s.arrival_rate_qps = *qps;
    auto r = OptimizeBatching(*model, *hw, s);
    if (!r.ok())
      return ReportError(ctx, kExitBadInput, "Bad input", std::string(r.status().message()));
    result = BatchingRecord(*r);
  } else {
    if (plan->nodes <= 1 || plan->nodes < 8) {
      return ReportError(ctx, kExitBadInput, "Bad plan",
                         absl::StrCat("hardware.nodes: optimize ", what,
                                      " needs a fleet (nodes >= 8); got ", plan->nodes));
    }
    const FleetSpec fleet = PlanFleet(*plan, *hw);
    if (what == "parallelism") {
      ParallelismSearch s;
      s.batch_size = plan->batch_size;
      s.precision = plan->precision;
      s.efficiency = plan->efficiency;
      auto r = OptimizeParallelism(*model, fleet, s);
      if (!r.ok())
        return ReportError(ctx, kExitInfeasible, "Infeasible", std::string(r.status().message()));
      result = ParallelismRecord(*r);
    } else {
      auto tax = ParseNumber("--carbon-tax", o.Get("--carbon-tax", "100"));
      if (!tax.ok())
        return ReportError(ctx, kExitBadInput, "Bad input", std::string(tax.status().message()));
      std::vector<GridSpec> regions;
      for (const char* n : {"US_Avg", "Quebec", "Iowa"}) {
        auto g = ctx.registry->FindGrid(n);
        if (g.ok()) regions.push_back(*g);
      }
      auto r = OptimizePlacement(fleet, plan->duration_days, regions, *tax, 1.0);
      if (!r.ok())
        return ReportError(ctx, kExitBadInput, "Bad input", std::string(r.status().message()));
      result = PlacementRecord(*r);
    }
  }
  if (ctx.format == OutputFormat::kJson) {
    *ctx.out << result.ToJson() << "\n";
  } else {
    std::string text;
    result.AppendText(text);
    *ctx.out << "mlsysim optimize " << what << ": " << plan->model << " on " << plan->hardware
             << "\n"
             << text;
  }
  return kExitOk;
}

}  // namespace mlsysim
