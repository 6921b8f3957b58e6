// system_evaluation.cc — mlsysim's three-level SystemEvaluation (see
// system_evaluation.h).
#include "analytic/solvers/system_evaluation.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/operations.h"
#include "analytic/roofline_engine.h"

namespace mlsysim {

absl::StatusOr<SystemEvaluation> EvaluateSystem(const Registry& registry, const EvalInputs& in) {
  SystemEvaluation out;
  SystemEvaluation* e = &out;
  e->scenario = in.scenario;
  EngineOptions eo;
  eo.batch_size = in.batch_size;
  eo.precision = in.precision;
  eo.efficiency = in.efficiency;
  eo.seq_len = in.seq_len;
  auto prof = SolveEngine(in.model, in.hw, eo);
  if (!prof.ok()) {
    return absl::InvalidArgumentError(prof.status().message());
  }
  e->feasibility.status = prof->feasible ? "PASS" : "FAIL";
  e->feasibility.metrics.Num("memory_used_gb", prof->memory_footprint / 1e9)
      .Num("memory_capacity_gb", in.hw.capacity / 1e9)
      .Num("memory_utilization", prof->memory_footprint / in.hw.capacity);
  e->feasibility.lines.push_back(absl::StrFormat("memory      %.2f GB of %.2f GB (%.1f %%)",
                                                 prof->memory_footprint / 1e9, in.hw.capacity / 1e9,
                                                 100.0 * prof->memory_footprint / in.hw.capacity));
  if (!prof->feasible) e->feasibility.note = "the weights do not fit in accelerator memory";
  e->performance.status = prof->feasible ? "PASS" : "FAIL";
  e->performance.metrics.Num("latency", prof->latency_ms)
      .Num("throughput", prof->throughput)
      .Num("mfu", prof->mfu)
      .Str("bottleneck", prof->bottleneck)
      .Num("arithmetic_intensity", prof->arithmetic_intensity)
      .Num("energy_j", prof->energy_j);
  e->performance.lines = {absl::StrFormat("latency     %.3f ms", prof->latency_ms),
                          absl::StrFormat("throughput  %.2f/s", prof->throughput),
                          absl::StrFormat("bottleneck  %s", prof->bottleneck),
                          absl::StrFormat("mfu         %.4f", prof->mfu),
                          absl::StrFormat("intensity   %.4g flop/B", prof->arithmetic_intensity),
                          absl::StrFormat("energy      %.4g J per batch", prof->energy_j)};
  e->bottleneck = prof->bottleneck;
  e->latency_ms = prof->latency_ms;
  e->throughput = prof->throughput;
  e->macro.note = "no fleet or duration";
  if (!in.fleet.has_value()) return out;
  const FleetSpec& fleet = *in.fleet;
  DistributedOptions d;
  d.batch_size = in.batch_size;
  d.precision = in.precision;
  d.efficiency = in.efficiency;
  d.seq_len = in.seq_len;
  d.tp_size = in.fleet_nodes;  // mlsysim v0.1.1 passes tp_size = nodes (contract §5)
  auto dist = SolveDistributed(in.model, fleet, d);
  if (dist.ok()) {
    e->performance.metrics.Num("step_latency", dist->step_latency_total_s * 1000.0)
        .Num("comm_overhead", dist->communication_latency_s * 1000.0)
        .Num("fleet_throughput", dist->effective_throughput);
    e->performance.lines.push_back(absl::StrFormat(
        "fleet       step %.2f ms, communication %.2f ms, %.2f samples/s (%d GPUs, tp %d)",
        dist->step_latency_total_s * 1000.0, dist->communication_latency_s * 1000.0,
        dist->effective_throughput, fleet.TotalAccelerators(), in.fleet_nodes));
  } else {
    e->performance.status = "FAIL";
    e->performance.note = std::string(dist.status().message());
  }
  if (!in.duration_days.has_value()) return out;
  // ops.region is parsed but not passed on in v0.1.1: US_Avg is used.
  auto grid = registry.FindGrid("US_Avg");
  if (!grid.ok()) return absl::NotFoundError(grid.status().message());
  auto econ = SolveEconomics(fleet, *in.duration_days, *grid, EconomicsOptions{});
  if (!econ.ok()) return absl::InvalidArgumentError(econ.status().message());
  e->macro.status = "PASS";
  e->macro.note.clear();
  e->macro.metrics.Num("carbon_footprint", econ->sustainability.carbon_footprint_kg / 1000.0)
      .Num("energy_cost", econ->opex_energy_usd)
      .Num("capex", econ->capex_usd)
      .Num("tco_usd", econ->tco_usd);
  e->macro.lines = {
      absl::StrFormat("carbon      %.3f t CO2e (US_Avg grid)",
                      econ->sustainability.carbon_footprint_kg / 1000.0),
      absl::StrFormat("energy      $%.2f", econ->opex_energy_usd),
      absl::StrFormat("capex       $%.2f (amortised over the period)", econ->capex_usd),
      absl::StrFormat("tco         $%.2f over %.4g days", econ->tco_usd, *in.duration_days)};
  return out;
}

std::string EvaluationJson(const SystemEvaluation& e, const Record* front) {
  Record out;
  if (front != nullptr) out.Merge(*front);
  out.Str("scenario", e.scenario)
      .Str("f_status", e.feasibility.status)
      .Str("p_status", e.performance.status)
      .Str("m_status", e.macro.status)
      .Merge(e.feasibility.metrics, "f_")
      .Merge(e.performance.metrics, "p_")
      .Merge(e.macro.metrics, "m_");
  return out.ToJson();
}

std::string EvaluationText(const SystemEvaluation& e) {
  std::string out = absl::StrCat("mlsysim evaluation: ", e.scenario, "\n");
  const struct {
    const char* name;
    const EvaluationLevel* level;
  } levels[] = {
      {"Feasibility", &e.feasibility}, {"Performance", &e.performance}, {"Macro", &e.macro}};
  for (const auto& l : levels) {
    absl::StrAppend(&out, absl::StrFormat("\n%-12s %s", l.name, l.level->status));
    if (!l.level->note.empty()) absl::StrAppend(&out, "  (", l.level->note, ")");
    out += "\n";
    for (const std::string& line : l.level->lines) absl::StrAppend(&out, "  ", line, "\n");
  }
  return out;
}

}  // namespace mlsysim
