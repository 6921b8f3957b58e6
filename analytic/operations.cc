// operations.cc — operations walls (see operations.h).
#include "analytic/operations.h"
#include "analytic/formulas.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mlsysim {

absl::StatusOr<SustainabilityResult> SolveSustainability(const FleetSpec& fleet, double days,
                                                         const GridSpec& grid, double mfu,
                                                         double embodied) {
  if (!(mfu >= 0 && mfu <= 1)) {
    return absl::InvalidArgumentError(absl::StrCat("mfu must lie in [0, 1]; got ", mfu));
  }
  if (embodied < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("embodied_carbon_per_device must be >= 0; got ", embodied));
  }
  if (days < 0) {
    return absl::InvalidArgumentError(absl::StrCat("duration_days must be >= 0; got ", days));
  }
  const double tdp = fleet.node.accelerator.tdp_w > 0 ? fleet.node.accelerator.tdp_w : 700.0;
  const double n = fleet.TotalAccelerators();
  SustainabilityResult r;
  r.it_energy_kwh = AcceleratorPowerW(tdp, mfu) * n * (days * 24.0) / 1000.0;
  r.pue = grid.pue;
  r.total_energy_kwh = r.it_energy_kwh * r.pue;
  r.embodied_carbon_kg = embodied * n;
  r.carbon_footprint_kg = r.total_energy_kwh * grid.carbon_g_kwh / 1000.0 + r.embodied_carbon_kg;
  r.water_usage_liters = r.total_energy_kwh * grid.wue_l_kwh;
  r.region_name = grid.name;
  return r;
}

absl::StatusOr<EconomicsResult> SolveEconomics(const FleetSpec& fleet, double days,
                                               const GridSpec& grid, const EconomicsOptions& o) {
  if (o.amortization_years <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("amortization_years must be > 0; got ", o.amortization_years));
  }
  if (o.infrastructure_multiplier < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("infrastructure_multiplier must be >= 0; got ", o.infrastructure_multiplier));
  }
  if (o.kwh_price.has_value() && *o.kwh_price < 0) {
    return absl::InvalidArgumentError(absl::StrCat("kwh_price must be >= 0; got ", *o.kwh_price));
  }
  absl::StatusOr<SustainabilityResult> s = SolveSustainability(fleet, days, grid, o.mfu, 0.0);
  if (!s.ok()) return s.status();
  const double unit = fleet.node.accelerator.unit_cost_usd > 0
                          ? fleet.node.accelerator.unit_cost_usd
                          : kDefaultUnitCostUsd;
  const double n = fleet.TotalAccelerators();
  EconomicsResult r;
  r.sustainability = *s;
  r.capex_usd = (unit * n * o.infrastructure_multiplier / o.amortization_years) * (days / 365.0);
  r.opex_maintenance_usd =
      unit * n * o.infrastructure_multiplier * kMaintenanceFraction * (days / 365.0);
  r.opex_energy_usd = s->total_energy_kwh * o.kwh_price.value_or(kDefaultKwhPrice);
  r.total_opex_usd = r.opex_energy_usd + r.opex_maintenance_usd;
  r.tco_usd = r.capex_usd + r.opex_energy_usd + r.opex_maintenance_usd;
  return r;
}

absl::StatusOr<PlacementResult> OptimizePlacement(const FleetSpec& fleet, double days,
                                                  const std::vector<GridSpec>& regions, double tax,
                                                  double mfu) {
  PlacementResult r;
  bool found = false;
  for (const GridSpec& g : regions) {
    EconomicsOptions eo;
    eo.mfu = mfu;
    absl::StatusOr<EconomicsResult> e = SolveEconomics(fleet, days, g, eo);
    if (!e.ok()) return e.status();
    const double carbon_t = e->sustainability.carbon_footprint_kg / 1000.0;
    const double objective = e->tco_usd + carbon_t * tax;
    r.top_candidates.push_back({g.key, e->tco_usd, carbon_t, objective});
    if (!found || objective < r.objective_value) {
      found = true;
      r.best_region = g.key;
      r.lowest_tco = e->tco_usd;
      r.carbon_footprint_t = carbon_t;
      r.objective_value = objective;
      r.pue = e->sustainability.pue;
    }
  }
  if (!found) return absl::InvalidArgumentError("regions: no valid grid region was given");
  r.total_searched = static_cast<int>(regions.size());
  std::stable_sort(r.top_candidates.begin(), r.top_candidates.end(),
                   [](const auto& a, const auto& b) { return a.objective < b.objective; });
  return r;
}

absl::StatusOr<CheckpointResult> SolveCheckpoint(const ModelSpec& m, const Accelerator& hw,
                                                 const std::string& optimizer,
                                                 double interval_hours, int n_writers,
                                                 double fs_limit_gbs) {
  if (n_writers < 1) {
    return absl::InvalidArgumentError(absl::StrCat("n_writers must be >= 1; got ", n_writers));
  }
  if (fs_limit_gbs <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("filesystem_limit_gbs must be > 0; got ", fs_limit_gbs));
  }
  std::string lower = optimizer;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  CheckpointResult r;
  if (m.parameters <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("model: '", m.key, "' has no parameter count to checkpoint"));
  }
  r.checkpoint_size = m.parameters * (lower == "adam" ? 14.0 : 4.0);
  const double storage_bw = hw.storage.bandwidth.si > 0 ? hw.storage.bandwidth.si : 1e9;
  r.max_bandwidth_required = storage_bw;
  const double write_bw = std::min(storage_bw * n_writers, fs_limit_gbs * 1e9);
  r.write_time_seconds = r.checkpoint_size / write_bw;
  r.mfu_penalty_pct = interval_hours <= 0 ? 1.0 : r.write_time_seconds / (interval_hours * 3600.0);
  r.storage_bottleneck = r.write_time_seconds > 60.0;
  return r;
}

absl::StatusOr<ResponsibleResult> SolveResponsible(double base_s, double eps, double delta,
                                                   double prevalence) {
  if (base_s < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("base_training_time must be >= 0; got ", base_s));
  }
  ResponsibleResult r;
  r.dp_slowdown_factor = 1.0 + 2.0 / std::max(eps, 0.01);
  r.additional_data_requirement = 1.0 / std::max(prevalence, 1e-6);
  r.effective_training_time_s = base_s * r.dp_slowdown_factor;
  r.epsilon = eps;
  r.delta = delta;
  r.min_subgroup_prevalence = prevalence;
  return r;
}

}  // namespace mlsysim
