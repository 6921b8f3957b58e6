// serving_runner.cc — serving scenarios (`serving {}`, from a file or from
// `simulate serving` flags): replicas with continuous batching behind a
// router, over replications, beside mlsysim's ServingModel,
// ContinuousBatchingModel and TailLatencyModel; with a `job_queue {}`, the
// GPUs the fleet leaves free run the job queue and both results are reported.
#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/serving.h"
#include "analytic/units.h"
#include "sim/core/random.h"
#include "sim/core/sampling.h"
#include "sim/scenario/resolve.h"
#include "sim/scenario/result_builder.h"
#include "sim/scenario/runners.h"
#include "sim/scenario/scenario_check.h"
#include "sim/scenario/serving_parts.h"
#include "sim/serving/serving_sim.h"
#include "topology/registry.h"
#include "workloads/request_stream.h"

namespace mlsysim {
namespace {

struct TenantStream {
  double qps;
  TokenDistribution in, out;
};

std::string Rel(const std::string& dir, const std::string& p) {
  return p.empty() || p[0] == '/' ? p : dir + p;
}

absl::Status Bad(const std::string& why) { return absl::InvalidArgumentError(why); }

// A serving workload resolved: registry entries, the replica configuration,
// the request stream (synthetic, trace, or per tenant), the grid.
struct ResolvedServing {
  ServingConfig c;
  ModelSpec model;
  Accelerator hw;
  GridSpec grid;
  bool from_trace = false;
  double qps = 0;
  int64_t requests = 0;
  uint64_t seed = 1;
  int reps = 1;
  std::string attention, arrival;
  TokenDistribution in, out;
  ArrivalProcess arrivals;
  std::vector<Request> trace;
  std::vector<TenantStream> streams;
  int64_t max_events = 2000000;
};

// Model, accelerator, replica shape and batching; the SLOs and the KV link.
absl::Status ResolveFleet(const scenario::Scenario& s, const Registry& reg, ResolvedServing* r) {
  const auto& w = s.serving();
  if (w.model().empty()) return Bad("serving.model: required (a registry model, e.g. Llama3_8B)");
  auto model = ResolveModel(reg, w.model(), "serving.model");
  if (!model.ok()) return model.status();
  if (w.hardware().empty())
    return Bad("serving.hardware: required (a registry accelerator, e.g. H100)");
  auto hw = reg.FindAccelerator(w.hardware());
  if (!hw.ok()) return Bad(absl::StrCat("serving.hardware: ", hw.status().message()));
  r->model = *model;
  r->hw = *hw;
  ServingConfig& c = r->c;
  c.model = *model;
  c.hardware = *hw;
  c.precision = w.precision().empty() ? ScenarioDefaults::kServingPrecision : w.precision();
  c.tp = std::max(1, w.tp());
  c.replicas = std::max(1, w.replicas());
  if (w.max_batch() > 0) c.max_batch = w.max_batch();
  if (w.gpu_memory_utilization() > 0) c.memory_utilization = w.gpu_memory_utilization();
  if (w.max_batched_tokens() > 0) c.max_batched_tokens = w.max_batched_tokens();
  c.chunked_prefill_tokens = w.chunked_prefill_tokens();
  if (w.efficiency() > 0) c.efficiency = w.efficiency();
  auto machine = ResolveHardwareModel(s.cluster().hardware_model(), reg, *hw,
                                      /*efficiency_given=*/w.efficiency() > 0);
  if (!machine.ok()) return machine.status();
  c.machine = *machine;
  if (c.machine.has_value()) {
    // NVLink per direction: half the both-direction figure of the node type
    // that carries this accelerator (half of the 900 GB/s default without one).
    c.nvlink_bandwidth /= 2;
    for (const auto& n : reg.nodes()) {
      auto node = reg.FindNode(n.key());
      if (node.ok() && node->accelerator.key == hw->key) {
        c.nvlink_bandwidth = node->intra_node_bw.si / 2;
        break;
      }
    }
  }
  c.prefill_replicas = w.prefill_replicas();
  auto quantity = [](const std::string& text, const char* field, const Dimension& dim, double* v) {
    return ParseScenarioQuantity(text, field, dim, /*positive=*/true, v);
  };
  std::string e = quantity(w.slo_ttft(), "serving.slo_ttft", dims::kTime, &c.slo_ttft_s);
  if (e.empty()) e = quantity(w.slo_itl(), "serving.slo_itl", dims::kTime, &c.slo_itl_s);
  if (e.empty())
    e = quantity(w.kv_bandwidth(), "serving.kv_bandwidth", dims::kByteRate, &c.kv_link_bandwidth);
  if (e.empty())
    e = quantity(w.kv_latency(), "serving.kv_latency", dims::kTime, &c.kv_link_latency);
  if (!e.empty()) return Bad(e);
  auto grid = reg.FindGrid(s.cluster().region().empty() ? "US_Avg" : s.cluster().region());
  if (!grid.ok()) return Bad(absl::StrCat("cluster.region: ", grid.status().message()));
  r->grid = *grid;
  return absl::OkStatus();
}

// Attention accounting, preemption mode and router.
absl::Status ResolvePolicies(const scenario::ServingWorkload& w, ResolvedServing* r) {
  r->attention = w.attention().empty() ? "causal" : w.attention();
  if (r->attention != "causal" && r->attention != "square") {
    return Bad(absl::StrCat("serving.attention: unknown '", r->attention,
                            "'; accepted: causal (default), square (mlsysim ServingModel's S^2)"));
  }
  r->c.causal_attention = r->attention == "causal";
  const std::string preemption = w.preemption().empty() ? "recompute" : w.preemption();
  if (preemption != "recompute" && preemption != "swap" && preemption != "never") {
    return Bad(absl::StrCat("serving.preemption: unknown mode '", preemption,
                            "'; accepted: recompute (vLLM), swap, never (TensorRT-LLM's "
                            "GUARANTEED_NO_EVICT: prompt + output reserved at admission)"));
  }
  r->c.swap_preemption = preemption == "swap";
  r->c.reserve_output = preemption == "never";
  auto router = ParseRouter(w.router().empty() ? "rr" : w.router());
  if (!router.ok()) return Bad(absl::StrCat("serving.router: ", router.status().message()));
  r->c.router = *router;
  return absl::OkStatus();
}

// The requests: length distributions, the arrival process, a trace, tenants.
absl::Status ResolveRequests(const scenario::ServingWorkload& w, const std::string& dir,
                             ResolvedServing* r) {
  auto in = ParseTokenDistribution(w.input_tokens().empty() ? "fixed:512" : w.input_tokens(),
                                   "serving.input_tokens");
  if (!in.ok()) return Bad(std::string(in.status().message()));
  auto out = ParseTokenDistribution(w.output_tokens().empty() ? "fixed:128" : w.output_tokens(),
                                    "serving.output_tokens");
  if (!out.ok()) return Bad(std::string(out.status().message()));
  r->in = *in;
  r->out = *out;
  r->arrival = r->from_trace ? "trace" : w.arrival().empty() ? "poisson" : w.arrival();
  auto arrivals = MakeArrivals(r->from_trace ? "poisson" : r->arrival,
                               r->from_trace || !w.tenants().empty() ? 1.0 : r->qps,
                               w.arrival_cv() > 0 ? w.arrival_cv() : 1.0);
  if (!arrivals.ok()) return Bad(absl::StrCat("serving.arrival: ", arrivals.status().message()));
  r->arrivals = *arrivals;
  if (r->from_trace) {
    auto t = LoadTrace(Rel(dir, w.trace_file()),
                       w.trace_time_scale() > 0 ? w.trace_time_scale() : 1.0, r->requests);
    if (!t.ok()) return Bad(std::string(t.status().message()));
    r->trace = *std::move(t);
    r->reps = 1;
  }
  for (const auto& t : w.tenants()) {
    if (!(t.qps() > 0) || t.qps() > 1e9)
      return Bad(absl::StrCat("serving.tenants '", t.name(), "': qps must lie in (0, 1e9]; got ",
                              t.qps()));
    if (t.max_running() < 0)
      return Bad(absl::StrCat("serving.tenants '", t.name(), "': max_running must be >= 0"));
    TenantStream ts{t.qps(), r->in, r->out};
    if (!t.input_tokens().empty()) {
      auto d = ParseTokenDistribution(t.input_tokens(), "serving.tenants.input_tokens");
      if (!d.ok()) return Bad(std::string(d.status().message()));
      ts.in = *d;
    }
    if (!t.output_tokens().empty()) {
      auto d = ParseTokenDistribution(t.output_tokens(), "serving.tenants.output_tokens");
      if (!d.ok()) return Bad(std::string(d.status().message()));
      ts.out = *d;
    }
    r->c.tenants.push_back({t.name(), t.priority(), t.max_running()});
    r->streams.push_back(ts);
  }
  return absl::OkStatus();
}

absl::StatusOr<ResolvedServing> ResolveServing(const scenario::Scenario& s, const std::string& dir,
                                               const Registry& reg) {
  if (const std::string e = CheckScenarioRanges(s); !e.empty()) return Bad(e);
  const auto& w = s.serving();
  ResolvedServing r;
  if (auto st = ResolveFleet(s, reg, &r); !st.ok()) return st;
  r.from_trace = !w.trace_file().empty();
  r.qps = w.qps();
  r.requests = w.requests();
  r.seed = s.seed() > 0 ? s.seed() : 1;
  r.reps = s.replications() > 0 ? static_cast<int>(s.replications())
                                : ScenarioDefaults::kServingReplications;
  if (r.reps > 10000)
    return Bad(absl::StrCat("replications: at most 10000 for serving; got ", r.reps));
  if (!r.from_trace && (r.requests < 1 || (!(r.qps > 0) && w.tenants().empty()))) {
    return Bad(
        "serving.qps and serving.requests are required (or serving.trace_file, or serving.tenants "
        "with serving.requests)");
  }
  if (auto st = ResolvePolicies(w, &r); !st.ok()) return st;
  if (auto st = ResolveRequests(w, dir, &r); !st.ok()) return st;
  if (s.outputs().trace_max_events() > 0) r.max_events = s.outputs().trace_max_events();
  return r;
}

// Replication `rep`'s requests: the trace, one synthetic stream, or each
// tenant's share of the requests in proportion to its rate, merged.
std::vector<Request> RequestsFor(const ResolvedServing& r, int rep) {
  if (r.from_trace) return r.trace;
  if (r.streams.empty()) {
    return GenerateRequests(r.arrivals, r.in, r.out, r.requests, r.seed,
                            static_cast<uint64_t>(rep));
  }
  double total_qps = 0;
  for (const TenantStream& ts : r.streams) total_qps += ts.qps;
  std::vector<std::vector<Request>> parts;
  for (size_t t = 0; t < r.streams.size(); ++t) {
    const auto count =
        static_cast<int64_t>(std::llround(r.requests * r.streams[t].qps / total_qps));
    parts.push_back(GenerateRequests(*MakeArrivals("poisson", r.streams[t].qps, 1), r.streams[t].in,
                                     r.streams[t].out, std::max<int64_t>(1, count),
                                     MixHash(r.seed, t + 1), static_cast<uint64_t>(rep)));
  }
  return MergeStreams(std::move(parts));
}

absl::StatusOr<std::vector<ServingRunResult>> SimulateReplications(
    ResolvedServing& r, const scenario::Outputs& outputs, const RunContext& rc,
    const ServingSimulateFn* simulate) {
  std::vector<ServingRunResult> runs;
  Progress progress(rc, "serving: requests", 0);
  const int reps = r.reps;
  for (int rep = 0; rep < reps; ++rep) {
    r.c.progress = [&progress, rep, reps](int64_t done, int64_t total) {
      progress.Step(done, absl::StrCat("of ", total, ", replication ", rep + 1, "/", reps));
    };
    const std::vector<Request> reqs = RequestsFor(r, rep);
    // Replication 0 keeps its records: the plot data's time series.
    r.c.record_requests = rep == 0;
    r.c.record_iterations = rep == 0;
    r.c.max_trace_iterations = outputs.iterations_csv().empty() && rc.tables == nullptr
                                   ? r.max_events / 4
                                   : std::numeric_limits<int64_t>::max();
    auto run = simulate != nullptr ? (*simulate)(r.c, reqs) : SimulateServing(r.c, reqs);
    if (!run.ok()) return run.status();
    runs.push_back(*std::move(run));
  }
  progress.Done();
  return runs;
}

void AddServingFacts(const ResolvedServing& r, const scenario::ServingWorkload& w,
                     const std::vector<ServingRunResult>& runs, result::Result* out) {
  const ServingConfig& c = r.c;
  AddFact(out, "model", r.model.key);
  AddFact(out, "hardware", r.hw.key);
  AddFact(out, "tp", c.tp);
  AddFact(out, "replicas", c.replicas);
  AddFact(out, "gpus", static_cast<double>(c.replicas) * c.tp);
  if (r.hw.unit_cost_usd > 0) {
    AddFact(out, "fleet_capex_usd", static_cast<double>(c.replicas) * c.tp * r.hw.unit_cost_usd,
            "USD");
  }
  if (c.prefill_replicas > 0) AddFact(out, "prefill_replicas", c.prefill_replicas);
  AddFact(out, "arrival", r.arrival);
  if (!r.from_trace && r.streams.empty()) {
    AddFact(out, "qps", r.qps, "1/s");
    // The lengths, defaults included (issue 26: 512/128 appeared nowhere).
    AddFact(out, "input_tokens", w.input_tokens().empty() ? "fixed:512" : w.input_tokens());
    AddFact(out, "output_tokens", w.output_tokens().empty() ? "fixed:128" : w.output_tokens());
  }
  AddFact(out, "precision", c.precision);
  AddFact(out, "requests", static_cast<double>(runs[0].ttft_s.size()));
  AddFact(out, "router", w.router().empty() ? "rr" : w.router());
  AddFact(out, "attention", r.attention);
  if (c.machine.has_value()) AddFact(out, "hardware_model", "calibrated");
  AddFact(out, "kv_blocks_per_replica", static_cast<double>(runs[0].kv_blocks_per_replica));
  AddFact(out, "split_prompts_replication0", static_cast<double>(runs[0].split_prompts));
  AddFact(out, "iterations", static_cast<double>(runs[0].iterations));
  AddFact(out, "region", r.grid.key);
}

// The analytic figures of the same deployment: mean lengths (the trace's, or
// the tenants' rate-weighted ones) and the arrival rate.
void AddClosedForms(const ResolvedServing& r, const std::vector<ServingRunResult>& runs,
                    result::Result* out) {
  double s_in = r.from_trace ? 0 : r.in.Mean(), s_out = r.from_trace ? 0 : r.out.Mean();
  if (r.from_trace) {
    for (const Request& q : r.trace) {
      s_in += q.input_tokens;
      s_out += q.output_tokens;
    }
    s_in /= r.trace.size();
    s_out /= r.trace.size();
  }
  double tenant_qps = 0, tenant_in = 0, tenant_out = 0;
  for (const TenantStream& ts : r.streams) {
    tenant_qps += ts.qps;
    tenant_in += ts.qps * ts.in.Mean();
    tenant_out += ts.qps * ts.out.Mean();
  }
  if (tenant_qps > 0) {
    s_in = tenant_in / tenant_qps;
    s_out = tenant_out / tenant_qps;
  }
  const double lambda = r.from_trace         ? runs[0].finished / std::max(runs[0].makespan_s, 1e-9)
                        : !r.streams.empty() ? tenant_qps
                                             : r.qps;
  const bool poisson = !r.from_trace && r.streams.empty() && r.arrival == "poisson";
  ServingClosedForms(r.c, s_in, s_out, lambda, poisson, r.grid, out);
}

}  // namespace

absl::StatusOr<ServingFleetPlan> PlanServingFleet(const scenario::Scenario& s,
                                                  const std::string& dir, const Registry& reg) {
  auto r = ResolveServing(s, dir, reg);
  if (!r.ok()) return r.status();
  ServingFleetPlan plan;
  plan.replicas = r->c.replicas;
  plan.tp = r->c.tp;
  plan.from_trace = r->from_trace;
  plan.tenants = !r->streams.empty();
  plan.arrivals = r->arrivals;
  plan.mean_qps = r->qps;
  plan.horizon_s = r->qps > 0 ? static_cast<double>(r->requests) / r->qps : 0;
  plan.disaggregated = r->c.prefill_replicas > 0;
  // A replica's sustained throughput: 2,000 requests of the scenario's
  // lengths queued at once on one replica.
  ServingConfig one = r->c;
  one.replicas = 1;
  one.prefill_replicas = 0;
  one.record_requests = one.record_iterations = false;
  one.progress = nullptr;
  std::vector<Request> reqs = RequestsFor(*r, 0);  // the stream, the tenants' or the trace
  if (!reqs.empty()) plan.horizon_s = reqs.back().arrival_s;
  if (reqs.size() > 2000) reqs.resize(2000);
  for (Request& q : reqs) q.arrival_s = 0;
  auto run = SimulateServing(one, reqs);
  if (!run.ok()) return run.status();
  plan.capacity_qps = run->makespan_s > 0 ? run->finished / run->makespan_s : 0;
  return plan;
}

absl::Status RunServingPart(const scenario::Scenario& s, const std::string& dir,
                            const RunContext& rc, result::Result* out,
                            const ServingSimulateFn* simulate) {
  auto resolved = ResolveServing(s, dir, *rc.registry);
  if (!resolved.ok()) return resolved.status();
  ResolvedServing& r = *resolved;
  auto runs = SimulateReplications(r, s.outputs(), rc, simulate);
  if (!runs.ok()) return runs.status();
  const ServingConfig& c = r.c;
  *out = NewResult("serving", s.name().empty()
                                  ? absl::StrCat(r.model.key, " on ", c.replicas, " x ", r.hw.key)
                                  : s.name());
  AddServingFacts(r, s.serving(), *runs, out);
  ExtractServingStability(rc, (*runs)[0], r.from_trace ? 0 : r.qps, out);
  ServingStatistics(*runs, c, r.streams.size(), out);
  for (size_t t = 0; t < c.tenants.size(); ++t) {
    result::Section* sec = AddSection(out, absl::StrCat("tenant.", c.tenants[t].name),
                                      absl::StrCat("tenant ", c.tenants[t].name));
    AddFact(sec, "priority", c.tenants[t].priority);
    AddFact(sec, "max_running", c.tenants[t].max_running);
    AddFact(sec, "qps", r.streams[t].qps, "1/s");
    TenantStatistics(*runs, static_cast<int>(t), sec);
  }
  AddClosedForms(r, *runs, out);
  uint64_t events = 0;
  for (const auto& run : *runs) events += run.events;
  out->set_events(events);
  out->set_fingerprint(absl::StrFormat("%016x", (*runs)[0].fingerprint));
  AddServingPlotData(*runs, c, out);
  return WriteServingOutputs(rc, s.outputs(), (*runs)[0], c, r.max_events, out);
}

absl::StatusOr<result::Result> RunServing(const scenario::Scenario& s, const std::string& dir,
                                          const RunContext& rc) {
  if (s.has_job_queue() && !s.job_queue().placement().empty()) {
    return RunSharedClusterJobs(s, rc);  // serving and the jobs on one shared cluster
  }
  scenario::Scenario echo = s;
  echo.set_seed(s.seed() > 0 ? s.seed() : 1);
  if (!s.has_job_queue()) {
    result::Result out;
    if (auto st = RunServingPart(s, dir, rc, &out); !st.ok()) return st;
    echo.set_replications(s.serving().trace_file().empty() && s.replications() > 0
                              ? s.replications()
                              : ScenarioDefaults::kServingReplications);
    SetEcho(&out, std::move(echo));
    return out;
  }
  // Serving and the job queue share the cluster: run both, report both.
  auto cluster = ResolveCluster(s.cluster(), rc.registry.get());
  if (!cluster.ok()) return cluster.status();
  const int64_t total = cluster->gpus;
  const int64_t serving_gpus =
      int64_t{std::max(1, s.serving().replicas())} * std::max(1, s.serving().tp());
  if (total <= serving_gpus) {
    return absl::InvalidArgumentError(absl::StrCat(
        "cluster.nodes x ", cluster->gpus_per_node, " GPUs per ", cluster->node_key, " = ", total,
        " GPUs leave none for the job queue after ", serving_gpus, " serving GPUs"));
  }
  result::Result combined = NewResult("serving+jobs", s.name());
  AddFact(&combined, "serving_gpus", static_cast<double>(serving_gpus));
  AddFact(&combined, "job_queue_gpus", static_cast<double>(total - serving_gpus));
  result::Result serving, jobs;
  if (auto st = RunServingPart(s, dir, rc, &serving); !st.ok()) return st;
  const int64_t jobs_gpus = s.job_queue().gpus() > 0 ? s.job_queue().gpus() : total - serving_gpus;
  if (auto st = RunJobQueue(s, static_cast<int>(jobs_gpus), rc, &jobs); !st.ok()) return st;
  combined.set_events(serving.events() + jobs.events());
  combined.set_fingerprint(serving.fingerprint());
  for (const auto& f : serving.files()) combined.add_files(f);
  *combined.add_parts() = std::move(serving);
  *combined.add_parts() = std::move(jobs);
  echo.set_replications(s.replications());
  SetEcho(&combined, std::move(echo));
  return combined;
}

absl::Status FillServingDefaults(const std::string& dir, const Registry& registry,
                                 scenario::Scenario* s) {
  auto r = ResolveServing(*s, dir, registry);
  if (!r.ok()) return r.status();
  const ServingConfig& c = r->c;
  if (s->seed() == 0) s->set_seed(r->seed);
  if (s->replications() == 0) s->set_replications(static_cast<uint32_t>(r->reps));
  scenario::Cluster& cl = *s->mutable_cluster();
  if (cl.hardware_model().empty()) cl.set_hardware_model(c.machine.has_value() ? "calibrated" : "roofline");
  if (cl.region().empty()) cl.set_region(r->grid.key);
  scenario::ServingWorkload& w = *s->mutable_serving();
  if (w.tp() == 0) w.set_tp(c.tp);
  if (w.replicas() == 0) w.set_replicas(c.replicas);
  if (w.precision().empty()) w.set_precision(c.precision);
  // An efficiency given selects the roofline machine: written only there.
  if (w.efficiency() == 0 && !c.machine.has_value()) w.set_efficiency(c.efficiency);
  if (w.max_batch() == 0) w.set_max_batch(c.max_batch);
  if (w.max_batched_tokens() == 0) w.set_max_batched_tokens(c.max_batched_tokens);
  if (w.gpu_memory_utilization() == 0) w.set_gpu_memory_utilization(c.memory_utilization);
  if (w.router().empty()) w.set_router("rr");
  if (w.attention().empty()) w.set_attention(r->attention);
  if (w.preemption().empty()) w.set_preemption(c.swap_preemption ? "swap" : "recompute");
  if (w.input_tokens().empty()) w.set_input_tokens("fixed:512");
  if (w.output_tokens().empty()) w.set_output_tokens("fixed:128");
  if (w.arrival().empty() && !r->from_trace) w.set_arrival("poisson");
  return absl::OkStatus();
}

}  // namespace mlsysim
