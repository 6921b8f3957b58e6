// solve_table_fleet.cc — `solve` entries for the fleet walls (topology, scaling, distributed,
// reliability, orchestration, sustainability, economics, checkpoints, parallelism): each decodes
// its arguments (solve_args.h), calls the analytic layer and returns mlsysim's fields.
#include <cmath>
#include <functional>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analytic/analysis.h"
#include "analytic/fleet.h"
#include "analytic/formulas.h"
#include "analytic/operations.h"
#include "analytic/roofline_engine.h"
#include "analytic/serving.h"
#include "analytic/solvers/records.h"
#include "analytic/solvers/solve_args.h"
#include "analytic/units.h"

namespace mlsysim {
namespace solve {
namespace {

Record SolveTopologyReq(Args& a) {
  const FabricSpec* f = a.Fabric();
  const std::string topo = a.Str("topology", "fat_tree");
  const int n = a.Int32("num_nodes", 64);
  if (!a.ok()) return {};
  auto r = SolveTopology(*f, topo, n);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("effective_bw", r->effective_bw, "B/s")
      .Num("bisection_bw", r->bisection_bw, "B/s")
      .Num("bisection_bw_fraction", r->bisection_bw_fraction)
      .Num("hops_avg", r->hops_avg)
      .Str("topology", r->topology)
      .Int("num_nodes", r->num_nodes);
  return out;
}

Record SolveScalingReq(Args& a) {
  std::optional<Quantity> budget = a.RawQty("compute_budget");
  double target = 0.0;
  if (a.Has("target_model_size")) {
    auto t = a.RawQty("target_model_size");
    if (t.has_value()) target = t->number * (t->dim == dims::kNone ? t->unit_scale : 1.0);
  }
  if (!a.ok()) return {};
  auto r = SolveScaling(*budget, target);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("optimal_parameters", r->optimal_parameters, "count")
      .Num("optimal_tokens", r->optimal_tokens, "count")
      .Num("compute_budget_flops", r->compute_budget_flops, "flop")
      .Num("tokens_per_parameter", r->tokens_per_parameter);
  return out;
}

Record SolveDistributedReq(Args& a) {
  const ModelSpec* m = a.Model();
  const FleetSpec* f = a.Fleet();
  DistributedOptions o;
  o.batch_size = a.Int32("batch_size", 1);
  o.precision = a.Precision();
  o.efficiency = a.Num("efficiency", 0.5);
  o.tp_size = a.Int32("tp_size", 1);
  o.pp_size = a.Int32("pp_size", 1);
  o.ep_size = a.Int32("ep_size", 1);
  o.v_stages = a.Int32("v_stages", 1);
  o.microbatch_count = a.Int32("microbatch_count", 1);
  o.zero_stage = a.Int32("zero_stage", 0);
  o.is_lora = a.Bool("is_lora", false);
  o.activation_recomputation = a.Bool("activation_recomputation", false);
  o.overlap_comm = a.Bool("overlap_comm", false);
  o.overlap_efficiency = a.Num("overlap_efficiency", 0.85);
  o.congestion_factor = a.Num("congestion_factor", 1.0);
  o.straggler_factor = a.Num("straggler_factor", 1.0);
  o.gradient_accumulation_steps = a.Int32("gradient_accumulation_steps", 1);
  o.seq_len = a.Int32("seq_len", 2048);
  if (!a.ok()) return {};
  auto r = SolveDistributed(*m, *f, o);
  if (!Check(a, r)) return {};
  return DistributedRecord(*r);
}

Record SolveNetworkRooflineReq(Args& a) {
  const ModelSpec* m = a.Model();
  const FleetSpec* f = a.Fleet();
  const std::string p = a.Precision();
  const double eta = a.Num("efficiency", 0.5);
  if (!a.ok()) return {};
  auto r = SolveNetworkRoofline(*m, *f, p, eta);
  if (!Check(a, r)) return {};
  return EngineRecord(*r);
}

Record SolveReliabilityReq(Args& a) {
  const FleetSpec* f = a.Fleet();
  a.Require("job_duration_hours");
  const double hours = a.Num("job_duration_hours", 0);
  const double ckpt = a.Num("checkpoint_time_s", 60);
  const double rec = a.Num("avg_recovery_time_s", 300);
  if (!a.ok()) return {};
  auto r = SolveReliability(*f, hours, ckpt, rec);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("fleet_mtbf", r->fleet_mtbf_s, "s")
      .Num("failure_probability", r->failure_probability)
      .Num("optimal_checkpoint_interval", r->optimal_checkpoint_interval_s, "s")
      .Num("expected_failures", r->expected_failures)
      .Num("goodput_ratio", r->goodput_ratio);
  return out;
}

Record SolveOrchestrationReq(Args& a) {
  a.Fleet("fleet", false);
  a.Require("arrival_rate_jobs_per_day");
  a.Require("avg_job_duration_days");
  const double lambda = a.Num("arrival_rate_jobs_per_day", 0);
  const double dur = a.Num("avg_job_duration_days", 1);
  if (!a.ok()) return {};
  auto r = SolveOrchestration(lambda, dur);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("cluster_utilization", r->cluster_utilization)
      .Num("avg_wait_time_days", r->avg_wait_time_days, "day")
      .Num("avg_queue_length", r->avg_queue_length)
      .Bool("is_stable", r->is_stable);
  return out;
}

Record SolveSustainabilityReq(Args& a) {
  const FleetSpec* f = a.Fleet();
  a.Require("duration_days");
  const double days = a.Num("duration_days", 0);
  const GridSpec* dc = a.Grid("datacenter");
  const double mfu = a.Num("mfu", 1.0);
  const double emb = a.Num("embodied_carbon_per_device", 0.0);
  GridSpec storage;
  const GridSpec* grid = a.ok() ? RegionOf(a, f, dc, storage) : nullptr;
  if (!a.ok()) return {};
  auto r = SolveSustainability(*f, days, *grid, mfu, emb);
  if (!Check(a, r)) return {};
  return SustainabilityRecord(*r, true);
}

Record SolveEconomicsReq(Args& a) {
  const FleetSpec* f = a.Fleet();
  a.Require("duration_days");
  const double days = a.Num("duration_days", 0);
  EconomicsOptions o;
  if (a.Has("kwh_price")) o.kwh_price = a.Num("kwh_price", kDefaultKwhPrice);
  const GridSpec* dc = a.Grid("datacenter");
  const GridSpec* g = a.Grid("grid");
  o.mfu = a.Num("mfu", 1.0);
  o.amortization_years = a.Num("amortization_years", 3.0);
  o.infrastructure_multiplier = a.Num("infrastructure_multiplier", 1.0);
  GridSpec storage;
  const GridSpec* grid = a.ok() ? RegionOf(a, f, dc != nullptr ? dc : g, storage) : nullptr;
  if (!a.ok()) return {};
  auto r = SolveEconomics(*f, days, *grid, o);
  if (!Check(a, r)) return {};
  return EconomicsRecord(*r);
}

Record SolveCheckpointReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  const std::string opt = a.Str("optimizer", "adam");
  const double interval = a.Num("checkpoint_interval_hours", 4);
  const int writers = a.Int32("n_writers", 1);
  const double limit = a.Num("filesystem_limit_gbs", 500);
  if (!a.ok()) return {};
  auto r = SolveCheckpoint(*m, *hw, opt, interval, writers, limit);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("checkpoint_size", r->checkpoint_size, "B")
      .Num("write_time_seconds", r->write_time_seconds, "s")
      .Num("max_bandwidth_required", r->max_bandwidth_required, "B/s")
      .Bool("storage_bottleneck", r->storage_bottleneck)
      .Num("mfu_penalty_pct", r->mfu_penalty_pct);
  return out;
}

Record SolveResponsibleReq(Args& a) {
  const double base = a.Qty("base_training_time", dims::kTime, 0, true);
  const double eps = a.Num("epsilon", 1.0);
  const double delta = a.Num("delta", 1e-5);
  const double prev = a.Num("min_subgroup_prevalence", 0.01);
  if (!a.ok()) return {};
  auto r = SolveResponsible(base, eps, delta, prev);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("dp_slowdown_factor", r->dp_slowdown_factor)
      .Num("effective_training_time", r->effective_training_time_s, "s")
      .Num("additional_data_requirement", r->additional_data_requirement)
      .Num("epsilon", r->epsilon)
      .Num("delta", r->delta)
      .Num("min_subgroup_prevalence", r->min_subgroup_prevalence)
      .Num("privacy_cost_ratio", r->dp_slowdown_factor)
      .Num("fairness_data_ratio", r->additional_data_requirement);
  return out;
}

Record SolveParallelismReq(Args& a) {
  const ModelSpec* m = a.Model();
  const FleetSpec* f = a.Fleet();
  ParallelismSearch s;
  s.batch_size = a.Int32("batch_size", 1);
  s.precision = a.Precision();
  s.efficiency = a.Num("efficiency", 0.5);
  s.max_tp = a.Int32("max_tp", 0);
  s.max_pp = a.Int32("max_pp", 0);
  s.overlap_comm = a.Bool("overlap_comm", true);
  if (!a.ok()) return {};
  auto r = OptimizeParallelism(*m, *f, s);
  if (!Check(a, r)) return {};
  return ParallelismRecord(*r);
}

}  // namespace

void AddFleetSolvers(SolverTable* table) {
  table->insert(
      {{"TopologyModel", {{"fabric", "topology", "num_nodes"}, SolveTopologyReq}},
       {"ScalingModel", {{"compute_budget", "target_model_size"}, SolveScalingReq}},
       {"DistributedModel",
        {{"model",
          "fleet",
          "batch_size",
          "precision",
          "efficiency",
          "tp_size",
          "pp_size",
          "ep_size",
          "v_stages",
          "microbatch_count",
          "topology_override",
          "zero_stage",
          "is_lora",
          "activation_recomputation",
          "overlap_comm",
          "overlap_efficiency",
          "congestion_factor",
          "straggler_factor",
          "gradient_accumulation_steps",
          "seq_len"},
         SolveDistributedReq}},
       {"NetworkRooflineModel",
        {{"model", "fleet", "precision", "efficiency"}, SolveNetworkRooflineReq}},
       {"ReliabilityModel",
        {{"fleet", "job_duration_hours", "checkpoint_time_s", "avg_recovery_time_s"},
         SolveReliabilityReq}},
       {"OrchestrationModel",
        {{"fleet", "arrival_rate_jobs_per_day", "avg_job_duration_days"}, SolveOrchestrationReq}},
       {"SustainabilityModel",
        {{"fleet", "duration_days", "datacenter", "mfu", "embodied_carbon_per_device"},
         SolveSustainabilityReq}},
       {"EconomicsModel",
        {{"fleet", "duration_days", "kwh_price", "datacenter", "grid", "mfu", "amortization_years",
          "infrastructure_multiplier"},
         SolveEconomicsReq}},
       {"CheckpointModel",
        {{"model", "hardware", "optimizer", "checkpoint_interval_hours", "n_writers",
          "filesystem_limit_gbs"},
         SolveCheckpointReq}},
       {"ResponsibleEngineeringModel",
        {{"base_training_time", "epsilon", "delta", "min_subgroup_prevalence"},
         SolveResponsibleReq}},
       {"ParallelismOptimizer",
        {{"model", "fleet", "batch_size", "precision", "efficiency", "max_tp", "max_pp",
          "overlap_comm"},
         SolveParallelismReq}}});
}

}  // namespace solve
}  // namespace mlsysim
