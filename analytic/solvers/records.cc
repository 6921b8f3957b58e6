// records.cc — result records and tables (see records.h).
#include "analytic/solvers/records.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace mlsysim {

Record EngineRecord(const EngineResult& r) {
  Record out;
  out.Num("latency", r.latency_ms / 1000.0, "s")
      .Num("latency_compute", r.latency_compute_ms / 1000.0, "s")
      .Num("latency_memory", r.latency_memory_ms / 1000.0, "s")
      .Num("latency_overhead", r.latency_overhead_ms / 1000.0, "s")
      .Num("throughput", r.throughput, "1/s")
      .Str("bottleneck", r.bottleneck)
      .Num("arithmetic_intensity", r.arithmetic_intensity, "flop/B")
      .Num("energy", r.energy_j, "J")
      .Num("memory_footprint", r.memory_footprint, "B")
      .Num("peak_flops_actual", r.peak_flops_actual, "flop/s")
      .Num("peak_bw_actual", r.peak_bw_actual, "B/s")
      .Num("mfu", r.mfu)
      .Num("hfu", r.hfu)
      .Bool("feasible", r.feasible);
  if (r.offloaded) {
    out.Num("offload_spill_bytes", r.offload_spill_bytes, "B")
        .Num("offload_effective_bw", r.offload_effective_bw, "B/s");
  } else {
    out.Null("offload_spill_bytes").Null("offload_effective_bw");
  }
  return out;
}

Record ServingRecord(const ServingResult& r) {
  Record out;
  out.Bool("feasible", r.feasible)
      .Num("ttft", r.ttft_ms / 1000.0, "s")
      .Num("itl", r.itl_ms / 1000.0, "s")
      .Num("kv_cache_size", r.kv_cache_size, "B")
      .Num("model_weights_size", r.model_weights_size, "B")
      .Num("total_memory_required", r.total_memory_required, "B")
      .Num("memory_utilization", r.memory_utilization)
      .Num("prompt_cache_hit_ratio", r.prompt_cache_hit_ratio);
  return out;
}

Record TailLatencyRecord(const TailLatencyResult& r) {
  Record out;
  out.Num("p50_latency", r.p50_latency_ms / 1000.0, "s")
      .Num("p99_latency", r.p99_latency_ms / 1000.0, "s")
      .Num("queue_utilization", r.queue_utilization)
      .Bool("is_stable", r.is_stable)
      .Num("slo_headroom_ratio", r.slo_headroom_ratio)
      .Num("slo_violation_probability", r.slo_violation_probability);
  return out;
}

Record DistributedRecord(const DistributedResult& r) {
  Record par;
  par.Int("dp", r.dp).Int("tp", r.tp).Int("pp", r.pp).Int("ep", r.ep);
  Record out;
  out.Num("dp_communication_latency", r.dp_communication_latency_s, "s")
      .Num("tp_communication_latency", r.tp_communication_latency_s, "s")
      .Num("ep_communication_latency", r.ep_communication_latency_s, "s")
      .Num("communication_latency", r.communication_latency_s, "s")
      .Num("pipeline_bubble_latency", r.pipeline_bubble_latency_s, "s")
      .Num("bubble_fraction", r.bubble_fraction)
      .Num("step_latency_total", r.step_latency_total_s, "s")
      .Num("scaling_efficiency", r.scaling_efficiency)
      .Num("effective_throughput", r.effective_throughput, "1/s")
      .Obj("parallelism", std::move(par))
      .Obj("node_profile", EngineRecord(r.node_profile));
  return out;
}

Record SustainabilityRecord(const SustainabilityResult& r, bool with_embodied) {
  Record out;
  out.Num("it_energy_kwh", r.it_energy_kwh, "kWh")
      .Num("total_energy_kwh", r.total_energy_kwh, "kWh")
      .Num("carbon_footprint_kg", r.carbon_footprint_kg)
      .Num("water_usage_liters", r.water_usage_liters)
      .Num("pue", r.pue)
      .Str("region_name", r.region_name);
  if (with_embodied) out.Num("embodied_carbon_kg", r.embodied_carbon_kg);
  return out;
}

Record EconomicsRecord(const EconomicsResult& r) {
  Record out;
  out.Num("capex_usd", r.capex_usd)
      .Num("opex_energy_usd", r.opex_energy_usd)
      .Num("opex_maintenance_usd", r.opex_maintenance_usd)
      .Num("total_opex_usd", r.total_opex_usd)
      .Num("tco_usd", r.tco_usd)
      .Num("it_energy_kwh", r.sustainability.it_energy_kwh, "kWh")
      .Num("total_energy_kwh", r.sustainability.total_energy_kwh, "kWh")
      .Num("carbon_footprint_kg", r.sustainability.carbon_footprint_kg)
      .Num("water_usage_liters", r.sustainability.water_usage_liters)
      .Num("pue", r.sustainability.pue)
      .Str("region_name", r.sustainability.region_name);
  return out;
}

Record ParallelismRecord(const ParallelismResult& r) {
  auto config = [](const ParallelismCandidate& c) {
    Record cfg;
    cfg.Int("tp", c.tp).Int("pp", c.pp).Int("dp", c.dp);
    return cfg;
  };
  std::vector<Record> top;
  for (const ParallelismCandidate& c : r.top_candidates) {
    Record row = config(c);
    row.Num("mfu", c.mfu).Num("step_time", c.step_time_s).Num("throughput", c.throughput);
    top.push_back(std::move(row));
  }
  Record out;
  out.Num("objective_value", r.best.mfu)
      .Obj("best_config", config(r.best))
      .Num("best_mfu", r.best.mfu)
      .Num("best_throughput", r.best.throughput)
      .Num("best_step_time", r.best.step_time_s, "s")
      .Int("total_searched", r.total_searched)
      .Int("search_space_size", r.total_searched)
      .List("top_candidates", std::move(top));
  return out;
}

Record BatchingRecord(const BatchingResult& r) {
  Record cfg;
  cfg.Int("max_batch_size", r.best_batch_size);
  Record out;
  out.Num("objective_value", r.objective_value)
      .Obj("best_config", std::move(cfg))
      .Int("best_batch_size", r.best_batch_size)
      .Num("max_throughput", r.max_throughput)
      .Num("p99_latency", r.p99_latency_ms / 1000.0, "s")
      .Num("slo_violation_probability", r.slo_violation_probability)
      .Bool("is_feasible", r.is_feasible)
      .Int("total_searched", r.total_searched);
  return out;
}

Record PlacementRecord(const PlacementResult& r) {
  std::vector<Record> top;
  for (const auto& c : r.top_candidates) {
    Record row;
    row.Str("region", c.region)
        .Num("tco_usd", c.tco_usd)
        .Num("carbon_footprint_t", c.carbon_t)
        .Num("objective_value", c.objective);
    top.push_back(std::move(row));
  }
  Record out;
  out.Str("best_region", r.best_region)
      .Num("lowest_tco", r.lowest_tco)
      .Num("carbon_footprint_t", r.carbon_footprint_t)
      .Num("objective_value", r.objective_value)
      .Num("pue", r.pue)
      .Int("total_searched", r.total_searched)
      .List("top_candidates", std::move(top));
  return out;
}

std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size() && i < width.size(); ++i)
      width[i] = std::max(width[i], row[i].size());
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      // First column left-aligned (names); the rest right-aligned (numbers).
      const std::string pad(width[i] - std::min(width[i], cells[i].size()), ' ');
      out += i == 0 ? cells[i] + pad : pad + cells[i];
      if (i + 1 < cells.size()) out += "  ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += '\n';
  };
  line(header);
  std::vector<std::string> rule;
  for (size_t w : width) rule.push_back(std::string(w, '-'));
  line(rule);
  for (const auto& row : rows) line(row);
  return out;
}

}  // namespace mlsysim
