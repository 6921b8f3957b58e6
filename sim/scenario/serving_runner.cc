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
#include "sim/scenario/resolve.h"
#include "sim/scenario/result_builder.h"
#include "sim/scenario/runners.h"
#include "sim/scenario/scenario_check.h"
#include "sim/scenario/serving_parts.h"
#include "topology/registry.h"
#include "sim/core/random.h"
#include "sim/core/sampling.h"
#include "sim/scenario/result_builder.h"
#include "sim/serving/serving_sim.h"
#include "workloads/request_stream.h"

namespace mlsysim {
namespace {


struct TenantStream {
  double qps;
  TokenDistribution in, out;
};

std::string Rel(const std::string& dir, const std::string& p) { return p.empty() || p[0] == '/' ? p : dir + p; }

}  // namespace

absl::Status RunServingPart(const scenario::Scenario& s, const std::string& dir, const RunContext& rc,
                            result::Result* out) {
  auto bad = [](const std::string& why) { return absl::InvalidArgumentError(why); };
  if (const std::string e = CheckScenarioRanges(s); !e.empty()) return bad(e);
  const auto& w = s.serving();
  auto model = rc.registry->FindModel(w.model());
  if (w.model().empty()) return bad("serving.model: required (a registry model, e.g. Llama3_8B)");
  if (!model.ok()) return bad(absl::StrCat("serving.model: ", model.status().message()));
  if (w.hardware().empty()) return bad("serving.hardware: required (a registry accelerator, e.g. H100)");
  auto hw = rc.registry->FindAccelerator(w.hardware());
  if (!hw.ok()) return bad(absl::StrCat("serving.hardware: ", hw.status().message()));
  ServingConfig c;
  c.model = *model;
  c.hardware = *hw;
  c.precision = w.precision().empty() ? ScenarioDefaults::kServingPrecision : w.precision();
  c.tp = std::max(1, w.tp());
  c.replicas = std::max(1, w.replicas());
  if (w.max_batch() > 0) c.max_batch = w.max_batch();
  if (w.max_batched_tokens() > 0) c.max_batched_tokens = w.max_batched_tokens();
  c.chunked_prefill_tokens = w.chunked_prefill_tokens();
  if (w.efficiency() > 0) c.efficiency = w.efficiency();
  c.prefill_replicas = w.prefill_replicas();
  const bool from_trace = !w.trace_file().empty();
  const double qps = w.qps();
  const int64_t requests = w.requests();
  const uint64_t seed = s.seed() > 0 ? s.seed() : 1;
  int reps = s.replications() > 0 ? static_cast<int>(s.replications()) : ScenarioDefaults::kServingReplications;
  if (reps > 10000) return bad(absl::StrCat("replications: at most 10000 for serving; got ", reps));
  if (!from_trace && (requests < 1 || (!(qps > 0) && w.tenants().empty()))) {
    return bad("serving.qps and serving.requests are required (or serving.trace_file, or serving.tenants "
               "with serving.requests)");
  }
  auto quantity = [](const std::string& text, const char* field, const Dimension& dim, double* v) {
    return ParseScenarioQuantity(text, field, dim, /*positive=*/true, v);
  };
  std::string e = quantity(w.slo_ttft(), "serving.slo_ttft", dims::kTime, &c.slo_ttft_s);
  if (e.empty()) e = quantity(w.slo_itl(), "serving.slo_itl", dims::kTime, &c.slo_itl_s);
  if (e.empty()) e = quantity(w.kv_bandwidth(), "serving.kv_bandwidth", dims::kByteRate, &c.kv_link_bandwidth);
  if (e.empty()) e = quantity(w.kv_latency(), "serving.kv_latency", dims::kTime, &c.kv_link_latency);
  if (!e.empty()) return bad(e);
  const std::string attention = w.attention().empty() ? "causal" : w.attention();
  if (attention != "causal" && attention != "square") {
    return bad(absl::StrCat("serving.attention: unknown '", attention,
                            "'; accepted: causal (default), square (mlsysim ServingModel's S^2)"));
  }
  c.causal_attention = attention == "causal";
  const std::string preemption = w.preemption().empty() ? "recompute" : w.preemption();
  if (preemption != "recompute" && preemption != "swap") {
    return bad(absl::StrCat("serving.preemption: unknown mode '", preemption, "'; accepted: recompute, swap"));
  }
  c.swap_preemption = preemption == "swap";
  auto router = ParseRouter(w.router().empty() ? "rr" : w.router());
  if (!router.ok()) return bad(absl::StrCat("serving.router: ", router.status().message()));
  c.router = *router;
  auto in_dist = ParseTokenDistribution(w.input_tokens().empty() ? "fixed:512" : w.input_tokens(), "serving.input_tokens");
  if (!in_dist.ok()) return bad(std::string(in_dist.status().message()));
  auto out_dist = ParseTokenDistribution(w.output_tokens().empty() ? "fixed:128" : w.output_tokens(), "serving.output_tokens");
  if (!out_dist.ok()) return bad(std::string(out_dist.status().message()));
  const std::string arrival = from_trace ? "trace" : w.arrival().empty() ? "poisson" : w.arrival();
  auto arrivals = MakeArrivals(from_trace ? "poisson" : arrival, from_trace || !w.tenants().empty() ? 1.0 : qps,
                               w.arrival_cv() > 0 ? w.arrival_cv() : 1.0);
  if (!arrivals.ok()) return bad(absl::StrCat("serving.arrival: ", arrivals.status().message()));
  std::vector<Request> trace;
  if (from_trace) {
    auto t = LoadTrace(Rel(dir, w.trace_file()), w.trace_time_scale() > 0 ? w.trace_time_scale() : 1.0, requests);
    if (!t.ok()) return bad(std::string(t.status().message()));
    trace = *std::move(t);
    reps = 1;
  }
  std::vector<TenantStream> streams;
  for (const auto& t : w.tenants()) {
    if (!(t.qps() > 0)) return bad(absl::StrCat("serving.tenants '", t.name(), "': qps must be > 0"));
    if (t.max_running() < 0) return bad(absl::StrCat("serving.tenants '", t.name(), "': max_running must be >= 0"));
    TenantStream ts{t.qps(), *in_dist, *out_dist};
    if (!t.input_tokens().empty()) {
      auto d = ParseTokenDistribution(t.input_tokens(), "serving.tenants.input_tokens");
      if (!d.ok()) return bad(std::string(d.status().message()));
      ts.in = *d;
    }
    if (!t.output_tokens().empty()) {
      auto d = ParseTokenDistribution(t.output_tokens(), "serving.tenants.output_tokens");
      if (!d.ok()) return bad(std::string(d.status().message()));
      ts.out = *d;
    }
    c.tenants.push_back({t.name(), t.priority(), t.max_running()});
    streams.push_back(ts);
  }
  const std::string region = s.cluster().region().empty() ? "US_Avg" : s.cluster().region();
  auto grid = rc.registry->FindGrid(region);
  if (!grid.ok()) return bad(absl::StrCat("cluster.region: ", grid.status().message()));
  const auto& outputs = s.outputs();
  const int64_t max_events = outputs.trace_max_events() > 0 ? outputs.trace_max_events() : 2000000;

  std::vector<ServingRunResult> runs;
  Progress progress(rc, "serving: requests", 0);
  for (int rep = 0; rep < reps; ++rep) {
    c.progress = [&progress, rep, reps](int64_t done, int64_t total) {
      progress.Step(done, absl::StrCat("of ", total, ", replication ", rep + 1, "/", reps));
    };
    std::vector<Request> reqs;
    if (from_trace) {
      reqs = trace;
    } else if (streams.empty()) {
      reqs = GenerateRequests(*arrivals, *in_dist, *out_dist, requests, seed, static_cast<uint64_t>(rep));
    } else {
      // Each tenant gets its share of the requests in proportion to its rate.
      double total_qps = 0;
      for (const TenantStream& ts : streams) total_qps += ts.qps;
      std::vector<std::vector<Request>> parts;
      for (size_t t = 0; t < streams.size(); ++t) {
        const auto count = static_cast<int64_t>(std::llround(requests * streams[t].qps / total_qps));
        parts.push_back(GenerateRequests(*MakeArrivals("poisson", streams[t].qps, 1), streams[t].in,
                                         streams[t].out, std::max<int64_t>(1, count), MixHash(seed, t + 1),
                                         static_cast<uint64_t>(rep)));
      }
      reqs = MergeStreams(std::move(parts));
    }
    const bool tables = rc.tables != nullptr;
    // Replication 0 keeps its records: the plot data's time series.
    c.record_requests = rep == 0;
    c.record_iterations = rep == 0;
    c.max_trace_iterations = outputs.iterations_csv().empty() && !tables ? max_events / 4
                                                                         : std::numeric_limits<int64_t>::max();
    auto r = SimulateServing(c, reqs);
    if (!r.ok()) return r.status();
    runs.push_back(*std::move(r));
  }
  progress.Done();

  *out = NewResult("serving", s.name().empty() ? absl::StrCat(model->key, " on ", c.replicas, " x ", hw->key) : s.name());
  AddFact(out, "model", model->key);
  AddFact(out, "hardware", hw->key);
  AddFact(out, "tp", c.tp);
  AddFact(out, "replicas", c.replicas);
  AddFact(out, "gpus", static_cast<double>(c.replicas) * c.tp);
  if (hw->unit_cost_usd > 0) AddFact(out, "fleet_capex_usd", static_cast<double>(c.replicas) * c.tp * hw->unit_cost_usd, "USD");
  if (c.prefill_replicas > 0) AddFact(out, "prefill_replicas", c.prefill_replicas);
  AddFact(out, "arrival", arrival);
  if (!from_trace && streams.empty()) AddFact(out, "qps", qps, "1/s");
  AddFact(out, "requests", static_cast<double>(runs[0].ttft_s.size()));
  AddFact(out, "router", w.router().empty() ? "rr" : w.router());
  AddFact(out, "attention", attention);
  AddFact(out, "kv_blocks_per_replica", static_cast<double>(runs[0].kv_blocks_per_replica));
  AddFact(out, "split_prompts_replication0", static_cast<double>(runs[0].split_prompts));
  AddFact(out, "iterations", static_cast<double>(runs[0].iterations));
  AddFact(out, "region", grid->key);
  ExtractServingStability(rc, runs[0], from_trace ? 0 : qps, out);
  ServingStatistics(runs, c, streams.size(), out);
  for (size_t t = 0; t < c.tenants.size(); ++t) {
    result::Section* sec = AddSection(out, absl::StrCat("tenant.", c.tenants[t].name),
                                      absl::StrCat("tenant ", c.tenants[t].name));
    AddFact(sec, "priority", c.tenants[t].priority);
    AddFact(sec, "max_running", c.tenants[t].max_running);
    AddFact(sec, "qps", streams[t].qps, "1/s");
    TenantStatistics(runs, static_cast<int>(t), sec);
  }
  // The analytic figures of the same deployment.
  double s_in = from_trace ? 0 : in_dist->Mean(), s_out = from_trace ? 0 : out_dist->Mean();
  if (from_trace) {
    for (const Request& q : trace) {
      s_in += q.input_tokens;
      s_out += q.output_tokens;
    }
    s_in /= trace.size();
    s_out /= trace.size();
  }
  // With tenants: the rate-weighted mean lengths of their streams.
  double tenant_qps = 0, tenant_in = 0, tenant_out = 0;
  for (const TenantStream& ts : streams) {
    tenant_qps += ts.qps;
    tenant_in += ts.qps * ts.in.Mean();
    tenant_out += ts.qps * ts.out.Mean();
  }
  if (tenant_qps > 0) {
    s_in = tenant_in / tenant_qps;
    s_out = tenant_out / tenant_qps;
  }
  const double lambda = from_trace        ? runs[0].finished / std::max(runs[0].makespan_s, 1e-9)
                        : !streams.empty() ? tenant_qps
                                           : qps;
  ServingClosedForms(c, s_in, s_out, lambda, *grid, out);
  uint64_t events = 0;
  for (const auto& r : runs) events += r.events;
  out->set_events(events);
  out->set_fingerprint(absl::StrFormat("%016x", runs[0].fingerprint));
  AddServingPlotData(runs, c, out);
  return WriteServingOutputs(rc, outputs, runs[0], c, max_events, out);
}

absl::StatusOr<result::Result> RunServing(const scenario::Scenario& s, const std::string& dir,
                                          const RunContext& rc) {
  scenario::Scenario echo = s;
  echo.set_seed(s.seed() > 0 ? s.seed() : 1);
  if (!s.has_job_queue()) {
    result::Result out;
    if (auto st = RunServingPart(s, dir, rc, &out); !st.ok()) return st;
    echo.set_replications(s.serving().trace_file().empty() && s.replications() > 0 ? s.replications()
                                                                                  : ScenarioDefaults::kServingReplications);
    SetEcho(&out, std::move(echo));
    return out;
  }
  // Serving and the job queue share the cluster: run both, report both.
  auto cluster = ResolveCluster(s.cluster(), rc.registry.get());
  if (!cluster.ok()) return cluster.status();
  const int64_t total = cluster->gpus;
  const int64_t serving_gpus = int64_t{std::max(1, s.serving().replicas())} * std::max(1, s.serving().tp());
  if (total <= serving_gpus) {
    return absl::InvalidArgumentError(absl::StrCat("cluster.nodes x ", cluster->gpus_per_node, " GPUs per ",
                                                   cluster->node_key, " = ", total,
                                                   " GPUs leave none for the job queue after ", serving_gpus,
                                                   " serving GPUs"));
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

}  // namespace mlsysim
