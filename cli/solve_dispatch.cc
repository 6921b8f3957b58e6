// solve_dispatch.cc — argument decoding and the solver table (see solve_dispatch.h).
#include "cli/solve_dispatch.h"

#include <cmath>
#include <functional>
#include <optional>
#include "absl/strings/string_view.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analytic/analysis.h"
#include "analytic/roofline_engine.h"
#include "analytic/fleet.h"
#include "analytic/formulas.h"
#include "analytic/operations.h"
#include "analytic/serving.h"
#include "analytic/units.h"
#include "cli/output.h"

namespace mlsysim {
namespace {

using nlohmann::json;

// Decodes one request's args. The first error is kept (field + message); the
// getters then return defaults so a solver body can read every argument and
// check ok() once.
class Args {
 public:
  Args(const Registry& reg, const json& args, absl::string_view solver,
       std::vector<absl::string_view> accepted)
      : reg_(reg), args_(args) {
    for (auto it = args.begin(); it != args.end(); ++it) {
      bool known = false;
      for (absl::string_view a : accepted) known = known || a == it.key();
      if (!known) {
        Fail(it.key(), absl::StrCat("unknown argument for ", solver,
                                    "; accepted: ", absl::StrJoin(accepted, ", ")));
        return;
      }
    }
  }

  bool ok() const { return error_field_.empty() && error_message_.empty(); }
  const std::string& error_field() const { return error_field_; }
  const std::string& error_message() const { return error_message_; }
  int exit_code() const { return exit_code_; }
  void Fail(absl::string_view field, absl::string_view message, int code = 1) {
    if (!ok()) return;
    error_field_ = std::string(field);
    error_message_ = std::string(message);
    if (error_field_.empty() && error_message_.empty()) error_message_ = "error";
    exit_code_ = code;
  }
  // Adopts a solver's status; the argument named at the start of the message
  // ("efficiency must ...") becomes the field.
  void FailStatus(const absl::Status& s) {
    absl::string_view msg = s.message();
    std::string field;
    const size_t space = msg.find_first_of(" :");
    if (space != absl::string_view::npos) field = std::string(msg.substr(0, space));
    if (field == "Infeasible" || field == "no") field = "";
    Fail(field, msg, s.code() == absl::StatusCode::kFailedPrecondition ? 2 : 1);
  }

  bool Has(const char* key) const { return args_.contains(key) && !args_.at(key).is_null(); }
  bool IsString(const char* key) const { return Has(key) && args_.at(key).is_string(); }

  long long Int(const char* key, long long def) {
    if (!Has(key)) return def;
    const json& v = args_.at(key);
    if (v.is_number_integer()) return v.get<long long>();
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (std::trunc(d) == d && std::abs(d) < 9e15) return static_cast<long long>(d);
    }
    Fail(key, absl::StrCat("must be an integer; got ", v.dump()));
    return def;
  }
  int Int32(const char* key, int def) {
    const long long v = Int(key, def);
    if (v > 2000000000LL || v < -2000000000LL) {
      Fail(key, absl::StrCat("out of range: ", v));
      return def;
    }
    return static_cast<int>(v);
  }
  double Num(const char* key, double def) {
    if (!Has(key)) return def;
    const json& v = args_.at(key);
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
      auto q = ParseQuantityAs(v.get<std::string>(), dims::kNone, key);
      if (q.ok()) return q->si;
    }
    Fail(key, absl::StrCat("must be a number; got ", v.dump()));
    return def;
  }
  bool Bool(const char* key, bool def) {
    if (!Has(key)) return def;
    const json& v = args_.at(key);
    if (v.is_boolean()) return v.get<bool>();
    Fail(key, absl::StrCat("must be true or false; got ", v.dump()));
    return def;
  }
  std::string Str(const char* key, std::string def) {
    if (!Has(key)) return def;
    const json& v = args_.at(key);
    if (v.is_string()) return v.get<std::string>();
    Fail(key, absl::StrCat("must be a string; got ", v.dump()));
    return def;
  }
  std::string Precision(const char* key = "precision") {
    std::string p = Str(key, "fp16");
    static constexpr absl::string_view kKnown[] = {"fp32", "tf32", "bf16", "fp16", "fp8",
                                                  "int8", "int4", "fp4"};
    for (absl::string_view k : kKnown)
      if (p == k) return p;
    Fail(key, absl::StrCat("unknown precision '", p,
                           "'; accepted: fp32, tf32, bf16, fp16, fp8, int8, int4, fp4"));
    return "fp16";
  }
  // A quantity given as a unit string or as an SI number.
  double Qty(const char* key, const Dimension& dim, double def, bool required = false) {
    if (!Has(key)) {
      if (required) Fail(key, "missing required argument");
      return def;
    }
    const json& v = args_.at(key);
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
      auto q = ParseQuantityAs(v.get<std::string>(), dim, key);
      if (q.ok()) return q->si;
      Fail(key, q.status().message());
      return def;
    }
    Fail(key, absl::StrCat("must be ", DimensionName(dim), "; got ", v.dump()));
    return def;
  }
  std::optional<Quantity> RawQty(const char* key) {
    if (!Has(key)) {
      Fail(key, "missing required argument");
      return std::nullopt;
    }
    const json& v = args_.at(key);
    if (v.is_number()) return Quantity{v.get<double>(), dims::kFlop, v.get<double>(), 1.0, false};
    if (v.is_string()) {
      auto q = ParseQuantity(v.get<std::string>());
      if (q.ok()) return *q;
      Fail(key, q.status().message());
      return std::nullopt;
    }
    Fail(key, absl::StrCat("must be a quantity; got ", v.dump()));
    return std::nullopt;
  }
  void Require(const char* key) {
    if (!Has(key)) Fail(key, "missing required argument");
  }

  const ModelSpec* Model(const char* key = "model", bool required = true) {
    return Resolve(key, required, models_, [&](const std::string& n) { return reg_.FindModel(n); });
  }
  const Accelerator* Hardware(const char* key = "hardware", bool required = true) {
    return Resolve(key, required, accels_,
                   [&](const std::string& n) { return reg_.FindAccelerator(n); });
  }
  const FleetSpec* Fleet(const char* key = "fleet", bool required = true) {
    return Resolve(key, required, fleets_, [&](const std::string& n) { return reg_.FindFleet(n); });
  }
  const FabricSpec* Fabric(const char* key = "fabric", bool required = true) {
    return Resolve(key, required, fabrics_,
                   [&](const std::string& n) { return reg_.FindFabric(n); });
  }
  const GridSpec* Grid(const char* key, bool required = false) {
    return Resolve(key, required, grids_, [&](const std::string& n) { return reg_.FindGrid(n); });
  }
  const Registry& registry() const { return reg_; }

 private:
  template <typename T, typename Find>
  const T* Resolve(const char* key, bool required, std::vector<std::unique_ptr<T>>& store,
                   Find find) {
    if (!Has(key)) {
      if (required) Fail(key, "missing required argument");
      return nullptr;
    }
    const json& v = args_.at(key);
    if (!v.is_string()) {
      Fail(key, absl::StrCat("must be a registry name (string); got ", v.dump()));
      return nullptr;
    }
    absl::StatusOr<T> found = find(v.get<std::string>());
    if (!found.ok()) {
      Fail(key, found.status().message());
      return nullptr;
    }
    store.push_back(std::make_unique<T>(*std::move(found)));
    return store.back().get();
  }

  const Registry& reg_;
  const json& args_;
  std::string error_field_, error_message_;
  int exit_code_ = 1;
  std::vector<std::unique_ptr<ModelSpec>> models_;
  std::vector<std::unique_ptr<Accelerator>> accels_;
  std::vector<std::unique_ptr<FleetSpec>> fleets_;
  std::vector<std::unique_ptr<FabricSpec>> fabrics_;
  std::vector<std::unique_ptr<GridSpec>> grids_;
};

// Region resolution of mlsysim's Sustainability/Economics: the explicit
// argument, else the fleet's region, else US_Avg.
const GridSpec* RegionOf(Args& a, const FleetSpec* fleet, const GridSpec* given,
                         GridSpec& storage) {
  if (given != nullptr) return given;
  auto g = a.registry().FindGrid(fleet != nullptr && !fleet->region.empty() ? fleet->region
                                                                             : "US_Avg");
  if (!g.ok()) {
    a.Fail("datacenter", g.status().message());
    return nullptr;
  }
  storage = *g;
  return &storage;
}

template <typename T>
bool Check(Args& a, const absl::StatusOr<T>& r) {
  if (!r.ok()) a.FailStatus(r.status());
  return a.ok();
}

using SolverFn = std::function<Record(Args&)>;
struct SolverEntry {
  std::vector<absl::string_view> accepted;
  SolverFn fn;
};

Record SolveEngineReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  EngineOptions o;
  o.batch_size = a.Int32("batch_size", 1);
  o.precision = a.Precision();
  o.efficiency = a.Num("efficiency", 0.5);
  o.is_training = a.Bool("is_training", false);
  o.seq_len = a.Int32("seq_len", 2048);
  o.zero_stage = a.Int32("zero_stage", 0);
  o.dp_size = a.Int32("dp_size", 1);
  o.is_lora = a.Bool("is_lora", false);
  o.activation_recomputation = a.Bool("activation_recomputation", false);
  const bool raise = a.Bool("raise_errors", false);
  if (!a.ok()) return {};
  auto r = SolveEngine(*m, *hw, o);
  if (!Check(a, r)) return {};
  if (raise && !r->feasible) {
    a.Fail("model", absl::StrCat("OOMError: ", m->key, " needs ", r->memory_footprint / 1e9,
                                 " GB but ", hw->key, " has ", hw->capacity / 1e9, " GB"),
           2);
    return {};
  }
  return EngineRecord(*r);
}

Record SolveServingReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  a.Require("seq_len");
  ServingOptions o;
  o.seq_len = a.Int32("seq_len", 2048);
  o.batch_size = a.Int32("batch_size", 1);
  o.precision = a.Precision();
  o.efficiency = a.Num("efficiency", 0.5);
  o.decode_hardware = a.Hardware("decode_hardware", false);
  o.network_bandwidth = a.Qty("network_bandwidth", dims::kByteRate, 100e9);
  o.draft_model = a.Model("draft_model", false);
  o.draft_acceptance_rate = a.Num("draft_acceptance_rate", 0.7);
  o.cached_prefix_len = a.Int32("cached_prefix_len", 0);
  if (!a.ok()) return {};
  auto r = SolveServing(*m, *hw, o);
  if (!Check(a, r)) return {};
  return ServingRecord(*r);
}

Record SolveContinuousBatchingReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  a.Require("seq_len");
  ContinuousBatchingOptions o;
  o.seq_len = a.Int32("seq_len", 2048);
  o.max_batch_size = a.Int32("max_batch_size", 1);
  o.page_size = a.Int32("page_size", 16);
  o.precision = a.Precision();
  o.efficiency = a.Num("efficiency", 0.5);
  if (!a.ok()) return {};
  auto r = SolveContinuousBatching(*m, *hw, o);
  if (!Check(a, r)) return {};
  Record out;
  out.Bool("feasible", r->feasible)
      .Num("throughput_tokens_per_sec", r->throughput_tokens_per_sec)
      .Int("max_active_requests", r->max_active_requests)
      .Num("memory_fragmentation_pct", r->memory_fragmentation_pct)
      .Num("paged_kv_cache_size", r->paged_kv_cache_size)
      .Num("ttft", r->ttft_ms / 1000.0)
      .Num("itl", r->itl_ms / 1000.0)
      .Num("speedup_vs_static", r->speedup_vs_static);
  return out;
}

Record SolveWeightStreamingReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  a.Require("seq_len");
  WeightStreamingOptions o;
  o.seq_len = a.Int32("seq_len", 2048);
  o.batch_size = a.Int32("batch_size", 1);
  o.precision = a.Precision();
  o.efficiency = a.Num("efficiency", 0.5);
  o.phase = a.Str("phase", "decode");
  if (!a.ok()) return {};
  auto r = SolveWeightStreaming(*m, *hw, o);
  if (!Check(a, r)) return {};
  Record out;
  out.Bool("feasible", r->feasible)
      .Num("throughput_tokens_per_sec", r->throughput_tokens_per_sec)
      .Str("bottleneck", r->bottleneck)
      .Num("layer_compute_time", r->layer_compute_time_ms / 1000.0)
      .Num("layer_injection_time", r->layer_injection_time_ms / 1000.0)
      .Int("optimal_batch_size", r->optimal_batch_size)
      .Num("wafer_memory_utilization", r->wafer_memory_utilization);
  return out;
}

Record SolveTailLatencyReq(Args& a) {
  a.Require("arrival_rate_qps");
  a.Require("service_latency_ms");
  const double lambda = a.Qty("arrival_rate_qps", dims::kFrequency, 0.0);
  double service_ms = 0.0;
  if (a.Has("service_latency_ms")) {
    // Plain numbers are milliseconds; "100 ms" style strings are converted.
    service_ms = a.Qty("service_latency_ms", dims::kTime, 0.0);
    auto raw = a.RawQty("service_latency_ms");
    if (raw.has_value() && raw->has_unit) service_ms = raw->si * 1000.0;
  }
  const double c = a.Num("num_replicas", 1);
  const double cv = a.Num("service_time_cv", 1.0);
  if (!a.ok()) return {};
  auto r = SolveTailLatency(lambda, service_ms, c, cv);
  if (!Check(a, r)) return {};
  return TailLatencyRecord(*r);
}

Record SolveDataReq(Args& a) {
  const double demand = a.Qty("workload_data_rate", dims::kByteRate, 0, true);
  const Accelerator* hw = a.Hardware();
  if (!a.ok()) return {};
  auto r = SolveData(demand, *hw);
  if (!Check(a, r)) return {};
  Record out;
  out.Bool("is_stalled", r->is_stalled)
      .Num("utilization", r->utilization)
      .Num("demand_bw", r->demand_bw)
      .Num("supply_bw", r->supply_bw)
      .Str("bottleneck", r->bottleneck)
      .Num("margin", r->margin);
  return out;
}

Record SolveTransformationReq(Args& a) {
  a.Require("batch_size");
  const int b = a.Int32("batch_size", 1);
  const double sample = a.Qty("sample_size_bytes", dims::kBytes, 0, true);
  const double cpu = a.Qty("cpu_throughput", dims::kByteRate, 0, true);
  const double step = a.Qty("accelerator_step_time", dims::kTime, 0, true);
  if (!a.ok()) return {};
  auto r = SolveTransformation(b, sample, cpu, step);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("transform_time", r->transform_time_s)
      .Num("accelerator_step_time", r->accelerator_step_time_s)
      .Bool("is_bottleneck", r->is_bottleneck)
      .Num("accelerator_utilization", r->accelerator_utilization)
      .Num("slowdown_factor", r->slowdown_factor);
  return out;
}

Record SolveTopologyReq(Args& a) {
  const FabricSpec* f = a.Fabric();
  const std::string topo = a.Str("topology", "fat_tree");
  const int n = a.Int32("num_nodes", 64);
  if (!a.ok()) return {};
  auto r = SolveTopology(*f, topo, n);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("effective_bw", r->effective_bw)
      .Num("bisection_bw", r->bisection_bw)
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
  out.Num("optimal_parameters", r->optimal_parameters)
      .Num("optimal_tokens", r->optimal_tokens)
      .Num("compute_budget_flops", r->compute_budget_flops)
      .Num("tokens_per_parameter", r->tokens_per_parameter);
  return out;
}

Record SolveInferenceScalingReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  const int k = a.Int32("reasoning_steps", 8);
  const int ctx = a.Int32("context_length", 2048);
  const std::string p = a.Precision();
  const double eta = a.Num("efficiency", 0.5);
  if (!a.ok()) return {};
  auto r = SolveInferenceScaling(*m, *hw, k, ctx, p, eta);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("total_reasoning_time", r->total_reasoning_time_ms / 1000.0)
      .Num("ttft", r->ttft_ms / 1000.0)
      .Num("itl", r->itl_ms / 1000.0)
      .Int("tokens_generated", r->tokens_generated)
      .Int("reasoning_steps", r->reasoning_steps)
      .Num("time_per_step", r->time_per_step_ms / 1000.0)
      .Num("energy_per_query", r->energy_per_query_j)
      .Bool("feasible", r->feasible);
  return out;
}

Record SolveCompressionReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  CompressionOptions o;
  o.method = a.Str("method", "quantization");
  o.target_bitwidth = a.Int32("target_bitwidth", 8);
  o.sparsity = a.Num("sparsity", 0.0);
  o.sparsity_type = a.Str("sparsity_type", "unstructured");
  if (!a.ok()) return {};
  auto r = SolveCompression(*m, *hw, o);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("original_size_gb", r->original_size_gb)
      .Num("compressed_size_gb", r->compressed_size_gb)
      .Num("compression_ratio", r->compression_ratio)
      .Num("estimated_accuracy_delta", r->estimated_accuracy_delta)
      .Num("memory_savings_pct", r->memory_savings_pct)
      .Num("inference_speedup", r->inference_speedup);
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
  out.Num("fleet_mtbf", r->fleet_mtbf_s)
      .Num("failure_probability", r->failure_probability)
      .Num("optimal_checkpoint_interval", r->optimal_checkpoint_interval_s)
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
      .Num("avg_wait_time_days", r->avg_wait_time_days)
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
  out.Num("checkpoint_size", r->checkpoint_size)
      .Num("write_time_seconds", r->write_time_seconds)
      .Num("max_bandwidth_required", r->max_bandwidth_required)
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
      .Num("effective_training_time", r->effective_training_time_s)
      .Num("additional_data_requirement", r->additional_data_requirement)
      .Num("epsilon", r->epsilon)
      .Num("delta", r->delta)
      .Num("min_subgroup_prevalence", r->min_subgroup_prevalence)
      .Num("privacy_cost_ratio", r->dp_slowdown_factor)
      .Num("fairness_data_ratio", r->additional_data_requirement);
  return out;
}

Record SolveSensitivityReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  const std::string p = a.Precision();
  const double pct = a.Num("perturbation_pct", 10.0);
  const double eta = a.Num("efficiency", 0.5);
  if (!a.ok()) return {};
  auto r = SolveSensitivity(*m, *hw, p, pct, eta);
  if (!Check(a, r)) return {};
  Record sens;
  sens.Num("peak_flops", r->peak_flops)
      .Num("memory_bandwidth", r->memory_bandwidth)
      .Num("memory_capacity", r->memory_capacity);
  Record out;
  out.Num("baseline_latency", r->baseline_latency_ms / 1000.0)
      .Obj("sensitivities", std::move(sens))
      .Str("binding_constraint", r->binding_constraint)
      .Num("perturbation_pct", r->perturbation_pct);
  return out;
}

Record SolveSynthesisReq(Args& a) {
  const ModelSpec* m = a.Model();
  const double t = a.Qty("target_latency", dims::kTime, 0, true);
  const std::string p = a.Precision();
  const double eta = a.Num("efficiency", 0.5);
  if (!a.ok()) return {};
  auto r = SolveSynthesis(*m, t, p, eta);
  if (!Check(a, r)) return {};
  Record out;
  out.Num("required_bw", r->required_bw)
      .Num("required_flops", r->required_flops)
      .Num("required_memory", r->required_memory)
      .Num("compute_memory_ratio", r->compute_memory_ratio)
      .Num("target_latency", r->target_latency_s)
      .Num("model_size", r->model_size)
      .Num("total_ops", r->total_ops);
  return out;
}

Record SolveEfficiencyReq(Args& a) {
  a.Model("model", false);
  const Accelerator* hw = a.Hardware();
  const std::string type = a.Str("workload_type", "ffn");
  const bool flash = a.Bool("use_flash_attention", false);
  const std::string p = a.Precision();
  const double eta = a.Num("efficiency", 0.5);
  if (!a.ok()) return {};
  auto r = SolveEfficiency(*hw, type, flash, p, eta);
  if (!Check(a, r)) return {};
  Record ob;
  ob.Num("occupancy_loss", r->occupancy_loss).Num("memory_stall", r->memory_stall);
  Record out;
  out.Num("mfu", r->mfu)
      .Num("achievable_flops", r->achievable_flops)
      .Num("peak_flops", r->peak_flops)
      .Str("workload_type", r->workload_type)
      .Bool("use_flash_attention", r->use_flash_attention)
      .Obj("overhead_breakdown", std::move(ob));
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

Record SolveBatchingReq(Args& a) {
  const ModelSpec* m = a.Model();
  const Accelerator* hw = a.Hardware();
  a.Require("seq_len");
  a.Require("sla_latency_ms");
  a.Require("arrival_rate_qps");
  BatchingSearch s;
  s.seq_len = a.Int32("seq_len", 2048);
  s.sla_latency_ms = a.Num("sla_latency_ms", 0);
  s.arrival_rate_qps = a.Num("arrival_rate_qps", 0);
  s.num_replicas = a.Int32("num_replicas", 1);
  s.precision = a.Precision();
  s.efficiency = a.Num("efficiency", 0.5);
  s.max_search_batch = a.Int32("max_search_batch", 256);
  if (!a.ok()) return {};
  auto r = OptimizeBatching(*m, *hw, s);
  if (!Check(a, r)) return {};
  return BatchingRecord(*r);
}

double Time1(Args& a, const char* key, double def) { return a.Qty(key, dims::kTime, def); }

// An MTBF in hours: a plain number is hours (mlsysim's convention), a string
// any time quantity. Required.
double Hours(Args& a, const char* key) {
  a.Require(key);
  if (!a.ok()) return 0;
  return a.IsString(key) ? a.Qty(key, dims::kTime, 0) / 3600.0 : a.Num(key, 0);
}

Record FormulaTime(double t) {
  Record out;
  out.Num("time", t);
  return out;
}

const absl::flat_hash_map<std::string, SolverEntry>& SolverTable() {
  static const auto* const kTable = new absl::flat_hash_map<std::string, SolverEntry>{
      {"Engine",
       {{"model", "hardware", "batch_size", "precision", "efficiency", "raise_errors",
         "is_training", "seq_len", "zero_stage", "dp_size", "is_lora",
         "activation_recomputation"},
        SolveEngineReq}},
      {"ServingModel",
       {{"model", "hardware", "seq_len", "batch_size", "precision", "efficiency",
         "decode_hardware", "network_bandwidth", "draft_model", "draft_acceptance_rate",
         "cached_prefix_len"},
        SolveServingReq}},
      {"ContinuousBatchingModel",
       {{"model", "hardware", "seq_len", "max_batch_size", "page_size", "precision",
         "efficiency"},
        SolveContinuousBatchingReq}},
      {"WeightStreamingModel",
       {{"model", "hardware", "seq_len", "batch_size", "precision", "efficiency", "phase"},
        SolveWeightStreamingReq}},
      {"TailLatencyModel",
       {{"arrival_rate_qps", "service_latency_ms", "num_replicas", "service_time_cv"},
        SolveTailLatencyReq}},
      {"DataModel", {{"workload_data_rate", "hardware"}, SolveDataReq}},
      {"TransformationModel",
       {{"batch_size", "sample_size_bytes", "cpu_throughput", "accelerator_step_time"},
        SolveTransformationReq}},
      {"TopologyModel", {{"fabric", "topology", "num_nodes"}, SolveTopologyReq}},
      {"ScalingModel", {{"compute_budget", "target_model_size"}, SolveScalingReq}},
      {"InferenceScalingModel",
       {{"model", "hardware", "reasoning_steps", "context_length", "precision", "efficiency"},
        SolveInferenceScalingReq}},
      {"CompressionModel",
       {{"model", "hardware", "method", "target_bitwidth", "sparsity", "sparsity_type"},
        SolveCompressionReq}},
      {"DistributedModel",
       {{"model", "fleet", "batch_size", "precision", "efficiency", "tp_size", "pp_size",
         "ep_size", "v_stages", "microbatch_count", "topology_override", "zero_stage", "is_lora",
         "activation_recomputation", "overlap_comm", "overlap_efficiency", "congestion_factor",
         "straggler_factor", "gradient_accumulation_steps", "seq_len"},
        SolveDistributedReq}},
      {"NetworkRooflineModel",
       {{"model", "fleet", "precision", "efficiency"}, SolveNetworkRooflineReq}},
      {"ReliabilityModel",
       {{"fleet", "job_duration_hours", "checkpoint_time_s", "avg_recovery_time_s"},
        SolveReliabilityReq}},
      {"OrchestrationModel",
       {{"fleet", "arrival_rate_jobs_per_day", "avg_job_duration_days"},
        SolveOrchestrationReq}},
      {"SustainabilityModel",
       {{"fleet", "duration_days", "datacenter", "mfu", "embodied_carbon_per_device"},
        SolveSustainabilityReq}},
      {"EconomicsModel",
       {{"fleet", "duration_days", "kwh_price", "datacenter", "grid", "mfu",
         "amortization_years", "infrastructure_multiplier"},
        SolveEconomicsReq}},
      {"CheckpointModel",
       {{"model", "hardware", "optimizer", "checkpoint_interval_hours", "n_writers",
         "filesystem_limit_gbs"},
        SolveCheckpointReq}},
      {"ResponsibleEngineeringModel",
       {{"base_training_time", "epsilon", "delta", "min_subgroup_prevalence"},
        SolveResponsibleReq}},
      {"SensitivitySolver",
       {{"model", "hardware", "precision", "perturbation_pct", "efficiency"},
        SolveSensitivityReq}},
      {"SynthesisSolver",
       {{"model", "target_latency", "precision", "efficiency"}, SolveSynthesisReq}},
      {"EfficiencyModel",
       {{"model", "hardware", "workload_type", "use_flash_attention", "precision",
         "efficiency"},
        SolveEfficiencyReq}},
      {"ParallelismOptimizer",
       {{"model", "fleet", "batch_size", "precision", "efficiency", "max_tp", "max_pp",
         "overlap_comm"},
        SolveParallelismReq}},
      {"BatchingOptimizer",
       {{"model", "hardware", "seq_len", "sla_latency_ms", "arrival_rate_qps", "num_replicas",
         "precision", "efficiency", "max_search_batch"},
        SolveBatchingReq}},
      {"calc_ring_allreduce_time",
       {{"message_bytes", "n_gpus", "bandwidth_bytes_s", "latency_s"},
        [](Args& a) {
          const double m = a.Qty("message_bytes", dims::kBytes, 0, true);
          const int n = a.Int32("n_gpus", 1);
          const double bw = a.Qty("bandwidth_bytes_s", dims::kByteRate, 0, true);
          const double lat = Time1(a, "latency_s", kLatencyNvlinkS);
          if (a.ok() && !(bw > 0)) a.Fail("bandwidth_bytes_s", "must be > 0");
          if (a.ok() && n < 1) a.Fail("n_gpus", "must be >= 1");
          return a.ok() ? FormulaTime(RingAllReduceTime(m, n, bw, lat)) : Record();
        }}},
      {"calc_tree_allreduce_time",
       {{"message_bytes", "n_gpus", "bandwidth_bytes_s", "latency_s"},
        [](Args& a) {
          const double m = a.Qty("message_bytes", dims::kBytes, 0, true);
          const int n = a.Int32("n_gpus", 1);
          const double bw = a.Qty("bandwidth_bytes_s", dims::kByteRate, 0, true);
          const double lat = Time1(a, "latency_s", kLatencyNvlinkS);
          if (a.ok() && !(bw > 0)) a.Fail("bandwidth_bytes_s", "must be > 0");
          if (a.ok() && n < 1) a.Fail("n_gpus", "must be >= 1");
          return a.ok() ? FormulaTime(TreeAllReduceTime(m, n, bw, lat)) : Record();
        }}},
      {"calc_all_to_all_time",
       {{"message_bytes", "n_gpus", "bandwidth_bytes_s", "latency_s"},
        [](Args& a) {
          const double m = a.Qty("message_bytes", dims::kBytes, 0, true);
          const int n = a.Int32("n_gpus", 1);
          const double bw = a.Qty("bandwidth_bytes_s", dims::kByteRate, 0, true);
          const double lat = Time1(a, "latency_s", kLatencyInfinibandS);
          if (a.ok() && !(bw > 0)) a.Fail("bandwidth_bytes_s", "must be > 0");
          if (a.ok() && n < 1) a.Fail("n_gpus", "must be >= 1 (0 is rejected)");
          return a.ok() ? FormulaTime(AllToAllTime(m, n, bw, lat)) : Record();
        }}},
      {"calc_hierarchical_allreduce_time",
       {{"message_bytes", "n_nodes", "gpus_per_node", "intra_node_bw", "inter_node_bw",
         "intra_node_lat", "inter_node_lat"},
        [](Args& a) {
          const double m = a.Qty("message_bytes", dims::kBytes, 0, true);
          const int nodes = a.Int32("n_nodes", 1);
          const int g = a.Int32("gpus_per_node", 1);
          const double intra = a.Qty("intra_node_bw", dims::kByteRate, 0, true);
          const double inter = a.Qty("inter_node_bw", dims::kByteRate, 0, true);
          const double il = Time1(a, "intra_node_lat", kLatencyNvlinkS);
          const double xl = Time1(a, "inter_node_lat", kLatencyInfinibandS);
          if (a.ok() && (nodes < 1 || g < 1)) a.Fail("n_nodes", "n_nodes and gpus_per_node must be >= 1");
          if (a.ok() && !(intra > 0 && inter > 0)) a.Fail("intra_node_bw", "bandwidths must be > 0");
          return a.ok() ? FormulaTime(HierarchicalAllReduceTime(m, nodes, g, intra, inter, il, xl))
                        : Record();
        }}},
      {"calc_pipeline_bubble",
       {{"n_stages", "n_microbatches", "v_stages"},
        [](Args& a) {
          a.Require("n_stages");
          a.Require("n_microbatches");
          const int p = a.Int32("n_stages", 1), m = a.Int32("n_microbatches", 1);
          const int v = a.Int32("v_stages", 1);
          if (a.ok() && (p < 1 || m < 1 || v < 1))
            a.Fail("n_stages", "n_stages, n_microbatches and v_stages must be >= 1");
          Record out;
          if (a.ok()) out.Num("bubble_fraction", PipelineBubble(p, m, v));
          return out;
        }}},
      {"calc_transformer_training_flops",
       {{"n_params", "n_tokens"},
        [](Args& a) {
          a.Require("n_params");
          a.Require("n_tokens");
          const double p = a.Num("n_params", 0), d = a.Num("n_tokens", 0);
          Record out;
          if (a.ok()) out.Num("flops", TrainingFlops(p, d));
          return out;
        }}},
      {"calc_young_interval",
       {{"checkpoint_time", "mtbf"},
        [](Args& a) {
          const double d = a.Qty("checkpoint_time", dims::kTime, 0, true);
          const double m = a.Qty("mtbf", dims::kTime, 0, true);
          Record out;
          if (a.ok()) out.Num("interval", YoungInterval(d, m));
          return out;
        }}},
      {"calc_amdahls_speedup",
       {{"p", "s"},
        [](Args& a) {
          a.Require("p");
          a.Require("s");
          const double p = a.Num("p", 0), s = a.Num("s", 1);
          Record out;
          if (a.ok()) out.Num("speedup", AmdahlSpeedup(p, s));
          return out;
        }}},
#include "cli/solve_formula_table.inc"
  };
  return *kTable;
}

Record SolvePlacementWithArgs(Args& a, const json& args) {
  const FleetSpec* f = a.Fleet();
  a.Require("duration_days");
  const double days = a.Num("duration_days", 0);
  const double tax = a.Num("carbon_tax_per_ton", 100.0);
  const double mfu = a.Num("mfu", 1.0);
  std::vector<GridSpec> regions;
  std::vector<std::string> names = {"US_Avg", "Quebec", "Iowa"};
  if (a.Has("regions")) {
    const json& r = args.at("regions");
    if (!r.is_array()) {
      a.Fail("regions", "must be a list of grid names");
    } else {
      names.clear();
      for (const json& n : r) {
        if (n.is_string()) names.push_back(n.get<std::string>());
      }
    }
  }
  for (const std::string& n : names) {
    auto g = a.registry().FindGrid(n);
    if (g.ok()) regions.push_back(*g);  // names that are not grids are skipped
  }
  if (!a.ok()) return {};
  auto r = OptimizePlacement(*f, days, regions, tax, mfu);
  if (!Check(a, r)) return {};
  return PlacementRecord(*r);
}

}  // namespace

std::vector<std::string> SolverNames() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : SolverTable()) names.push_back(name);
  names.push_back("PlacementOptimizer");
  std::sort(names.begin(), names.end());
  return names;
}

SolveOutcome SolveRequest(const Registry& registry, const json& request) {
  SolveOutcome out;
  out.exit_code = 1;
  if (!request.is_object() || !request.contains("solver") || !request.at("solver").is_string()) {
    out.error_field = "solver";
    out.error_message = "request must be an object with a string 'solver' and an object 'args'";
    return out;
  }
  static const json kEmpty = json::object();
  const json& args = request.contains("args") ? request.at("args") : kEmpty;
  if (!args.is_object()) {
    out.error_field = "args";
    out.error_message = "args must be an object";
    return out;
  }
  const std::string solver = request.at("solver").get<std::string>();
  Record result;
  std::unique_ptr<Args> a;
  if (solver == "PlacementOptimizer") {
    a = std::make_unique<Args>(registry, args, solver,
                               std::vector<absl::string_view>{"fleet", "duration_days", "regions",
                                                             "carbon_tax_per_ton", "mfu"});
    if (a->ok()) result = SolvePlacementWithArgs(*a, args);
  } else {
    const auto& table = SolverTable();
    auto it = table.find(solver);
    if (it == table.end()) {
      out.error_field = "solver";
      out.error_message = absl::StrCat("unknown solver '", solver,
                                       "'; accepted: ", absl::StrJoin(SolverNames(), ", "));
      return out;
    }
    a = std::make_unique<Args>(registry, args, solver, it->second.accepted);
    if (a->ok()) result = it->second.fn(*a);
  }
  if (!a->ok()) {
    out.error_field = a->error_field();
    out.error_message = a->error_message();
    out.exit_code = a->exit_code();
    return out;
  }
  out.ok = true;
  out.exit_code = 0;
  out.result = std::move(result);
  return out;
}

}  // namespace mlsysim
