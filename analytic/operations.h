// operations.h — operations walls: SustainabilityModel (18), EconomicsModel (17),
// CheckpointModel (19), ResponsibleEngineeringModel (20) and the PlacementOptimizer.
// mlsysim v0.1.1 formulas (contract §2, §11.9, §11.11, §11.17).
// Usage: absl::StatusOr<SustainabilityResult> r = SolveSustainability(fleet, 30, grid, 0.45);
#ifndef MLSYSIM_ANALYTIC_OPERATIONS_H_
#define MLSYSIM_ANALYTIC_OPERATIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analytic/specs.h"

namespace mlsysim {

inline constexpr double kDefaultKwhPrice = 0.12;
inline constexpr double kDefaultUnitCostUsd = 30000.0;
inline constexpr double kMaintenanceFraction = 0.05;

struct SustainabilityResult {
  double it_energy_kwh = 0, total_energy_kwh = 0, carbon_footprint_kg = 0;
  double water_usage_liters = 0, pue = 0, embodied_carbon_kg = 0;
  std::string region_name;
};
// `grid` is the resolved region: the datacenter/grid argument, else the fleet's
// region, else US_Avg.
absl::StatusOr<SustainabilityResult> SolveSustainability(const FleetSpec& fleet,
                                                         double duration_days, const GridSpec& grid,
                                                         double mfu = 1.0,
                                                         double embodied_carbon_per_device = 0.0);

struct EconomicsOptions {
  std::optional<double> kwh_price;
  double mfu = 1.0;
  double amortization_years = 3.0;
  double infrastructure_multiplier = 1.0;
};
struct EconomicsResult {
  double capex_usd = 0, opex_energy_usd = 0, opex_maintenance_usd = 0;
  double total_opex_usd = 0, tco_usd = 0;
  SustainabilityResult sustainability;
};
absl::StatusOr<EconomicsResult> SolveEconomics(const FleetSpec& fleet, double duration_days,
                                               const GridSpec& grid, const EconomicsOptions& o);

struct PlacementResult {
  std::string best_region;  // registry key
  double lowest_tco = 0, carbon_footprint_t = 0, objective_value = 0, pue = 0;
  int total_searched = 0;
  struct Candidate {
    std::string region;
    double tco_usd, carbon_t, objective;
  };
  std::vector<Candidate> top_candidates;  // all regions, by objective ascending
};
absl::StatusOr<PlacementResult> OptimizePlacement(const FleetSpec& fleet, double duration_days,
                                                  const std::vector<GridSpec>& regions,
                                                  double carbon_tax_per_ton = 100.0,
                                                  double mfu = 1.0);

struct CheckpointResult {
  double checkpoint_size = 0, write_time_seconds = 0, max_bandwidth_required = 0;
  bool storage_bottleneck = false;
  double mfu_penalty_pct = 0;  // a 0–1 fraction
};
absl::StatusOr<CheckpointResult> SolveCheckpoint(const ModelSpec& model, const Accelerator& hw,
                                                 const std::string& optimizer = "adam",
                                                 double checkpoint_interval_hours = 4,
                                                 int n_writers = 1,
                                                 double filesystem_limit_gbs = 500);

struct ResponsibleResult {
  double dp_slowdown_factor = 0, effective_training_time_s = 0, additional_data_requirement = 0;
  double epsilon = 0, delta = 0, min_subgroup_prevalence = 0;
};
absl::StatusOr<ResponsibleResult> SolveResponsible(double base_training_time_s,
                                                   double epsilon = 1.0, double delta = 1e-5,
                                                   double min_subgroup_prevalence = 0.01);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_OPERATIONS_H_
