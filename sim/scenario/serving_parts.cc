// serving_parts.cc — see serving_parts.h.
#include "sim/scenario/serving_parts.h"

#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/serving.h"
#include "sim/scenario/result_builder.h"
#include "sim/serving/serving_iteration.h"
#include "sim/serving/ttft_estimate.h"
#include "traces/chrome_trace.h"
#include "traces/csv_file.h"
#include "traces/result_report.h"

namespace mlsysim {
namespace {

double Quantile(std::vector<double> v, double p) { return NearestRankQuantile(v, p); }
double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0.0 : sum / static_cast<double>(v.size());
}

result::Metric* Mutable(result::Result* r, const std::string& name) {
  for (auto& m : *r->mutable_metrics()) {
    if (m.name() == name) return &m;
  }
  return nullptr;
}

constexpr struct {
  const char* name;
  double p;
} kQuantiles[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}};

}  // namespace

void ExtractServingStability(const RunContext& rc, const ServingRunResult& run, double qps,
                             result::Result* out) {
  // Offered load above capacity shows as completions that lag the arrivals
  // and queueing delay that grows over the run.
  if (!(qps > 0) || run.makespan_s <= 0 || run.queue_s.size() < 400) return;
  const auto& qs = run.queue_s;
  const size_t quarter = qs.size() / 4;
  double first = 0, last = 0;
  for (size_t i = 0; i < quarter; ++i) {
    first += qs[i];
    last += qs[qs.size() - 1 - i];
  }
  const double completion_rate = static_cast<double>(qs.size()) / run.makespan_s;
  if (completion_rate < 0.95 * qps && last > 2 * first + 1e-9 * quarter) {
    const std::string warning = absl::StrFormat(
        "offered load exceeds capacity: %.4g requests/s arrive, %.4g/s complete, and queueing "
        "grows from "
        "%.3g s (first quarter) to %.3g s (last quarter); the run is unstable and its percentiles "
        "depend on "
        "its length",
        qps, completion_rate, first / quarter, last / quarter);
    Warn(rc, out, warning);
  }
}

void ServingStatistics(const std::vector<ServingRunResult>& runs, const ServingConfig& c,
                       size_t tenants, result::Result* out) {
  (void)c;
  (void)tenants;
  auto stat = [&](const std::string& name, const char* unit,
                  std::function<double(const ServingRunResult&)> f) {
    std::vector<double> x;
    for (const auto& r : runs) x.push_back(f(r));
    return AddReplicated(out, name, unit, x);
  };
  for (const auto& q : kQuantiles)
    stat(absl::StrCat("ttft_", q.name, "_s"), "s",
         [p = q.p](const auto& r) { return Quantile(r.ttft_s, p); });
  // Means and TPOT, as vLLM's serving benchmark reports them: TPOT per
  // request (its mean gap after the first token), ITL over every gap.
  stat("ttft_mean_s", "s", [](const auto& r) { return Mean(r.ttft_s); });
  stat("tpot_mean_s", "s", [](const auto& r) { return Mean(r.tpot_s); });
  stat("tpot_p50_s", "s", [](const auto& r) { return Quantile(r.tpot_s, 0.5); });
  stat("tpot_p99_s", "s", [](const auto& r) { return Quantile(r.tpot_s, 0.99); });
  stat("itl_mean_s", "s", [](const auto& r) { return r.itl_mean_s; });
  stat("e2e_mean_s", "s", [](const auto& r) { return Mean(r.e2e_s); });
  stat("itl_p50_s", "s", [](const auto& r) { return r.itl_p50_s; });
  stat("itl_p90_s", "s", [](const auto& r) { return r.itl_p90_s; });
  stat("itl_p99_s", "s", [](const auto& r) { return r.itl_p99_s; });
  stat("itl_p999_s", "s", [](const auto& r) { return r.itl_p999_s; });
  for (const auto& q : kQuantiles)
    stat(absl::StrCat("e2e_", q.name, "_s"), "s",
         [p = q.p](const auto& r) { return Quantile(r.e2e_s, p); });
  for (const auto& q : kQuantiles)
    stat(absl::StrCat("queue_", q.name, "_s"), "s",
         [p = q.p](const auto& r) { return Quantile(r.queue_s, p); });
  stat("throughput_tokens_per_s", "tokens/s",
       [](const auto& r) { return r.makespan_s > 0 ? r.tokens_out / r.makespan_s : 0.0; });
  stat("throughput_requests_per_s", "requests/s",
       [](const auto& r) { return r.makespan_s > 0 ? r.finished / r.makespan_s : 0.0; });
  stat("goodput_requests_per_s", "requests/s",
       [](const auto& r) { return r.makespan_s > 0 ? r.goodput_requests / r.makespan_s : 0.0; });
  stat("preemptions", "1", [](const auto& r) { return static_cast<double>(r.preemptions); });
  stat("kv_utilization_mean", "1", [](const auto& r) { return r.kv_utilization_mean; });
  stat("kv_utilization_max", "1", [](const auto& r) { return r.kv_utilization_max; });
  stat("busy_fraction", "1", [](const auto& r) { return r.busy_fraction; });
  stat("energy_per_request_j", "J",
       [](const auto& r) { return r.finished ? r.energy_j / r.finished : 0.0; });
  stat("energy_per_token_j", "J",
       [](const auto& r) { return r.tokens_out ? r.energy_j / r.tokens_out : 0.0; });
}

void TenantStatistics(const std::vector<ServingRunResult>& runs, int tenant, result::Section* out) {
  auto pick = [tenant](const ServingRunResult& r, const std::vector<double>& v) {
    std::vector<double> x;
    for (size_t i = 0; i < v.size(); ++i)
      if (r.tenant[i] == tenant) x.push_back(v[i]);
    return x;
  };
  const struct {
    const char* name;
    int which;
    double p;
  } fields[] = {{"ttft_p50_s", 0, 0.5},
                {"ttft_p99_s", 0, 0.99},
                {"e2e_p50_s", 1, 0.5},
                {"e2e_p99_s", 1, 0.99},
                {"queue_p99_s", 2, 0.99}};
  for (const auto& f : fields) {
    std::vector<double> x;
    for (const auto& r : runs) {
      const std::vector<double>& v = f.which == 0 ? r.ttft_s : f.which == 1 ? r.e2e_s : r.queue_s;
      x.push_back(Quantile(pick(r, v), f.p));
    }
    AddReplicated(out, f.name, "s", x);
  }
}

namespace {

// TTFT beside two closed forms that answer different questions: the
// queueing-aware estimate (what a request waits under this load; on the
// TTFT metrics themselves) and mlsysim's ServingModel (one request alone;
// on ttft_p50_mlsysim, a copy of the simulated p50 placed after it).
// The estimate holds where a replica's arrivals are Poisson: one replica.
// Round-robin over r > 1 replicas makes them Erlang-r, more regular, and the
// estimate (which takes arrivals as independent of the iteration in progress)
// then overstates p99 by 25–30 % (8 replicas of Llama-3-8B at 12.5–37.5
// requests/s each), so the caller does not ask for it there.
void QueueingTtft(const ServingConfig& c, double mean_in, double mean_out, double lambda,
                  result::Result* out) {
  IterationModel im = IterationModel::For(c.model, c.hardware, c.precision, c.efficiency, c.tp,
                                          c.nvlink_bandwidth, c.causal_attention);
  im.machine = c.machine;
  auto est =
      EstimateQueueingTtft(im, lambda / c.replicas, c.replicas, mean_in, mean_out, c.max_batch);
  const char* source = "gated batch iterations (queueing)";
  if (est.ok()) {
    const std::string note = absl::StrFormat(
        "every %d-th request of a Poisson stream (%s per replica); iterations of %s on average "
        "with %.1f sequences "
        "decoding; a request waits out the iteration in progress, then is prefilled with "
        "those that arrived meanwhile (sim/serving/ttft_estimate.h)",
        c.replicas, HumaneQuantity(lambda / c.replicas, "requests/s"),
        HumaneQuantity(est->iteration_s, "s"), est->decoding);
    SetAnalytic(Mutable(out, "ttft_mean_s"), est->mean_s, source, note);
    SetAnalytic(Mutable(out, "ttft_p50_s"), est->p50_s, source, note);
    SetAnalytic(Mutable(out, "ttft_p99_s"), est->p99_s, source, note);
  } else if (auto* m = Mutable(out, "ttft_p50_s")) {
    m->set_note(std::string(est.status().message()));
  }
}

// mlsysim's one-request-alone figures: TTFT p50 (as its own metric), ITL and
// the M/M/c end-to-end p99.
void OneRequestAlone(const ServingConfig& c, const ServingOptions& so, double mean_out,
                     double lambda, result::Result* out) {
  auto one = SolveServing(c.model, c.hardware, so);
  if (one.ok()) {
    if (const result::Metric* p50 = Mutable(out, "ttft_p50_s")) {
      result::Metric* alone = out->add_metrics();
      *alone = *p50;
      alone->set_name("ttft_p50_mlsysim");
      alone->clear_analytic();
      alone->clear_analytic_source();
      alone->clear_relative_gap();
      alone->clear_note();
      SetAnalytic(alone, one->ttft_ms / 1000, "mlsysim ServingModel",
                  "one request alone, batch 1, mean input length (TP not modelled): not the "
                  "queueing the simulated p50 includes");
      // Right after ttft_p50_s.
      auto* list = out->mutable_metrics();
      int at = list->size() - 1;
      while (at > 0 && list->Get(at - 1).name() != "ttft_p50_s") {
        list->SwapElements(at - 1, at);
        --at;
      }
    }
    SetAnalytic(Mutable(out, "itl_p50_s"), one->itl_ms / 1000, "mlsysim ServingModel",
                "one request alone, batch 1 (TP not modelled)");
    const double service_ms = one->ttft_ms + one->itl_ms * mean_out;
    auto tail = SolveTailLatency(lambda, service_ms, c.replicas, 1.0);
    if (tail.ok()) {
      SetAnalytic(
          Mutable(out, "e2e_p99_s"), tail->is_stable ? tail->p99_latency_ms / 1000 : INFINITY,
          "mlsysim TailLatencyModel", "M/M/c with one request per replica at a time: no batching");
    }
  }
}

// The decode-only capacity of continuous batching beside the throughput.
void BatchingCapacity(const ServingConfig& c, double mean_in, double mean_out, double lambda,
                      result::Result* out) {
  ContinuousBatchingOptions cb;
  cb.seq_len = std::max(1, static_cast<int>(std::lround(mean_in + mean_out)));
  cb.max_batch_size = c.max_batch;
  cb.precision = c.precision;
  cb.efficiency = c.efficiency;
  auto batching = SolveContinuousBatching(c.model, c.hardware, cb);
  if (batching.ok()) {
    const double cap = batching->throughput_tokens_per_sec * c.replicas;
    const double offered = lambda * mean_out;
    SetAnalytic(Mutable(out, "throughput_tokens_per_s"), std::min(offered, cap),
                "min(offered, ContinuousBatchingModel capacity)",
                absl::StrCat("offered ", HumaneQuantity(offered, "tokens/s"),
                             "; decode-only capacity of all replicas at the full batch ",
                             HumaneQuantity(cap, "tokens/s"), " (", batching->max_active_requests,
                             " active requests each)"));
  }
}

}  // namespace

void ServingClosedForms(const ServingConfig& c, double mean_in, double mean_out, double lambda,
                        bool poisson_arrivals, const GridSpec& grid, result::Result* out) {
  if (auto* e = Mutable(out, "energy_per_request_j"); e && e->has_simulated()) {
    result::Metric* g = AddMetric(out, "carbon_per_request_g", "g",
                                  e->simulated() / 3.6e6 * grid.pue * grid.carbon_g_kwh);
    g->set_note(absl::StrCat("energy x PUE x grid intensity of ", grid.key));
  }
  ServingOptions so;
  so.seq_len = std::max(1, static_cast<int>(std::lround(mean_in)));
  so.precision = c.precision;
  so.efficiency = c.efficiency;
  if (c.prefill_replicas > 0) {
    so.decode_hardware = &c.hardware;  // disaggregated: TTFT includes the KV transfer
    so.network_bandwidth = c.kv_link_bandwidth * c.tp;
  }
  if (poisson_arrivals && c.prefill_replicas == 0 && c.replicas == 1) {
    QueueingTtft(c, mean_in, mean_out, lambda, out);
  }
  OneRequestAlone(c, so, mean_out, lambda, out);
  BatchingCapacity(c, mean_in, mean_out, lambda, out);
}

namespace {

// The Perfetto trace of replication 0: iterations per replica with KV and
// batch counters, the queue length, and each request's queue, prefill and
// decode spans.
absl::Status WriteServingTrace(const RunContext& rc, const scenario::Outputs& outputs,
                               const ServingRunResult& run, const ServingConfig& c,
                               int64_t max_events, result::Result* out) {
  auto bad = [](const absl::Status& s) { return s; };
  ChromeTrace t(max_events);
  t.ProcessName(0, "replicas (batch iterations)");
  const int replicas = c.replicas;
  for (int r = 0; r < replicas && r < 4096; ++r) t.ThreadName(0, r, absl::StrCat("replica ", r));
  t.ProcessName(1, "requests (queue, prefill, decode)");
  t.ProcessName(2, "fleet counters");
  for (const IterationSpan& s : run.spans) {
    t.Span(s.prefill_tokens > 0 ? "prefill+decode" : "decode", "iteration", 0, s.replica, s.start_s,
           s.end_s, {{"prefill_tokens", s.prefill_tokens}, {"decode_sequences", s.decode_tokens}});
    t.Counter(absl::StrCat("replica ", s.replica, " KV use"), 0, s.start_s,
              {{"kv_utilization", s.kv_utilization}});
    t.Counter(absl::StrCat("replica ", s.replica, " batch"), 0, s.start_s,
              {{"decode_sequences", s.decode_tokens}, {"prefill_tokens", s.prefill_tokens}});
  }
  // Queue length over time: +1 at each arrival, −1 when a request starts.
  std::vector<std::pair<double, int>> q;
  for (const RequestRecord& r : run.records) {
    q.push_back({r.arrival_s, +1});
    q.push_back({r.start_s, -1});
  }
  std::sort(q.begin(), q.end());
  int waiting = 0;
  for (const auto& [time, delta] : q) {
    waiting += delta;
    t.Counter("queue length", 2, time, {{"waiting_requests", waiting}});
  }
  for (size_t i = 0; i < run.records.size(); ++i) {
    const RequestRecord& r = run.records[i];
    if (r.start_s > r.arrival_s) t.AsyncSpan("queue", "request", 1, i, r.arrival_s, r.start_s);
    t.AsyncSpan("prefill", "request", 1, i, r.start_s, r.first_token_s);
    t.AsyncSpan("decode", "request", 1, i, r.first_token_s, r.finish_s);
  }
  if (auto s = t.Write(outputs.trace_json()); !s.ok()) return bad(s);
  AnnounceFile(rc, out, outputs.trace_json(),
               absl::StrCat(t.events(), " trace events, replication 0"));
  if (t.truncated() || run.iterations > static_cast<int64_t>(run.spans.size())) {
    const std::string w = absl::StrFormat(
        "trace %s capped at %d events (outputs.trace_max_events, --trace-max-events): %d events "
        "and %d of %d "
        "iterations left out",
        outputs.trace_json(), max_events, t.dropped(),
        run.iterations - static_cast<int64_t>(run.spans.size()), run.iterations);
    Warn(rc, out, w);
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status WriteServingOutputs(const RunContext& rc, const scenario::Outputs& outputs,
                                 const ServingRunResult& run, const ServingConfig& c,
                                 int64_t max_events, result::Result* out) {
  auto bad = [](const absl::Status& s) { return s; };
  // The timestamps, then each request's own latencies (vLLM's names): TTFT,
  // TPOT (empty for a single output token), end to end and queueing.
  constexpr const char* kRequestsHeader =
      "arrival_s,start_s,first_token_s,finish_s,input_tokens,output_tokens,replica,preemptions,"
      "tenant,ttft_s,tpot_s,e2e_s,queue_s";
  constexpr const char* kIterationsHeader =
      "replica,start_s,end_s,prefill_tokens,decode_sequences,kv_utilization";
  auto request_row = [](const RequestRecord& q) {
    const std::string tpot =
        q.output_tokens > 1
            ? absl::StrFormat("%.9f", (q.finish_s - q.first_token_s) / (q.output_tokens - 1))
            : "";
    return absl::StrFormat("%.9f,%.9f,%.9f,%.9f,%d,%d,%d,%d,%d,%.9f,%s,%.9f,%.9f", q.arrival_s,
                           q.start_s, q.first_token_s, q.finish_s, q.input_tokens, q.output_tokens,
                           q.replica, q.preemptions, q.tenant, q.first_token_s - q.arrival_s, tpot,
                           q.finish_s - q.arrival_s, q.start_s - q.arrival_s);
  };
  auto iteration_row = [](const IterationSpan& s) {
    return absl::StrFormat("%d,%.9f,%.9f,%d,%d,%.6f", s.replica, s.start_s, s.end_s,
                           s.prefill_tokens, s.decode_tokens, s.kv_utilization);
  };
  if (rc.tables != nullptr) {
    std::string& req = (*rc.tables)["requests"];
    req = std::string(kRequestsHeader) + "\n";
    for (const RequestRecord& q : run.records) absl::StrAppend(&req, request_row(q), "\n");
    std::string& it = (*rc.tables)["iterations"];
    it = std::string(kIterationsHeader) + "\n";
    for (const IterationSpan& s : run.spans) absl::StrAppend(&it, iteration_row(s), "\n");
  }
  if (!outputs.requests_csv().empty()) {
    CsvFile f(outputs.requests_csv(), kRequestsHeader);
    for (const RequestRecord& q : run.records) f.Row(request_row(q));
    if (auto s = f.Commit(); !s.ok()) return bad(s);
    AnnounceFile(rc, out, outputs.requests_csv(),
                 absl::StrCat(run.records.size(), " requests, replication 0"));
  }
  if (!outputs.iterations_csv().empty()) {
    CsvFile f(outputs.iterations_csv(), kIterationsHeader);
    for (const IterationSpan& s : run.spans) f.Row(iteration_row(s));
    if (auto s = f.Commit(); !s.ok()) return bad(s);
    AnnounceFile(rc, out, outputs.iterations_csv(),
                 absl::StrCat(run.spans.size(), " iterations, replication 0"));
  }
  if (outputs.trace_json().empty()) return absl::OkStatus();
  return WriteServingTrace(rc, outputs, run, c, max_events, out);
}

}  // namespace mlsysim
