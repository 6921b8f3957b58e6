// simulate_serving.cc — `mlsysim simulate serving`: replicas with continuous
// batching behind a router, over replications, beside mlsysim's ServingModel,
// ContinuousBatchingModel and TailLatencyModel.
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "sim/random.h"
#include "analytic/serving.h"
#include "analytic/units.h"
#include "cli/simulate_common.h"
#include "sim/serving_sim.h"
#include "traces/atomic_file.h"
#include "traces/json_writer.h"
#include "workloads/request_stream.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o json] simulate serving --model M --hardware H [--tp T] --replicas R\n"
    "         --qps Q --requests N [--arrival poisson|gamma|onoff|diurnal] [--cv V]\n"
    "         [--input-tokens DIST] [--output-tokens DIST]   (fixed:N, uniform:A:B, lognormal:MU:SIGMA)\n"
    "         [--trace FILE.csv [--trace-time-scale X]] [--max-batch B] [--max-batched-tokens N]\n"
    "         [--router rr|lor|jsq-kv] [--chunked-prefill TOKENS] [--precision P] [--efficiency E]\n"
    "         [--attention causal|square]\n"
    "         [--slo-ttft DURATION] [--slo-itl DURATION] [--region GRID] [--seed N]\n"
    "         [--replications R] [--requests-csv FILE] [--iterations-trace FILE.json]\n"
    "         [--tenant NAME/QPS/PRIORITY[/MAX_RUNNING[/INPUT_DIST[/OUTPUT_DIST]]] ...]\n"
    "         [--prefill-replicas P [--kv-bandwidth 50GB/s] [--kv-latency 5us]]\n"
    "         [--preemption recompute|swap]\n"
    "  With --tenant (repeatable) each tenant has its own Poisson stream; higher\n"
    "  priority is admitted first, MAX_RUNNING caps its running requests per replica.\n";

double Quantile(std::vector<double> v, double p) { return NearestRankQuantile(v, p); }

absl::Status WriteRequestsCsv(const std::string& path, const ServingRunResult& r) {
  AtomicFile f(path);
  f.stream() << "arrival_s,start_s,first_token_s,finish_s,input_tokens,output_tokens,replica,preemptions,tenant\n";
  for (const RequestRecord& q : r.records) {
    f.stream() << absl::StrFormat("%.9f,%.9f,%.9f,%.9f,%d,%d,%d,%d,%d\n", q.arrival_s, q.start_s,
                                  q.first_token_s, q.finish_s, q.input_tokens, q.output_tokens,
                                  q.replica, q.preemptions, q.tenant);
  }
  return f.Commit();
}

absl::Status WriteIterationsTrace(const std::string& path, const ServingRunResult& r) {
  AtomicFile f(path);
  std::string out = "{\"displayTimeUnit\": \"ms\", \"traceEvents\": [";
  bool first = true;
  for (const IterationSpan& s : r.spans) {
    out += first ? "\n" : ",\n";
    first = false;
    absl::StrAppend(&out, "{\"name\": \"", s.prefill_tokens > 0 ? "prefill+decode" : "decode",
                    "\", \"ph\": \"X\", \"pid\": 0, \"tid\": ", s.replica, ", \"ts\": ");
    AppendJsonNumber(out, s.start_s * 1e6);
    out += ", \"dur\": ";
    AppendJsonNumber(out, (s.end_s - s.start_s) * 1e6);
    absl::StrAppend(&out, ", \"args\": {\"prefill_tokens\": ", s.prefill_tokens,
                    ", \"decode_tokens\": ", s.decode_tokens, "}}");
    // KV utilisation over time, as a counter track per replica.
    absl::StrAppend(&out, ",\n{\"name\": \"kv_utilization\", \"ph\": \"C\", \"pid\": 0, \"tid\": ",
                    s.replica, ", \"ts\": ");
    AppendJsonNumber(out, s.start_s * 1e6);
    absl::StrAppend(&out, ", \"args\": {\"replica ", s.replica, "\": ");
    AppendJsonNumber(out, s.kv_utilization);
    out += "}}";
  }
  out += "\n]}\n";
  f.stream() << out;
  return f.Commit();
}

}  // namespace

int RunSimulateServing(const CommandContext& ctx, const CommandArgs& args) {
  ParsedOptions o;
  std::vector<OptionSpec> specs;
  for (const char* n : {"--model", "--hardware", "--tp", "--replicas", "--qps", "--requests",
                        "--arrival", "--cv", "--input-tokens", "--output-tokens", "--trace",
                        "--trace-time-scale", "--max-batch", "--max-batched-tokens", "--router",
                        "--chunked-prefill", "--precision", "--efficiency", "--slo-ttft",
                        "--slo-itl", "--region", "--seed", "--replications", "--requests-csv",
                        "--iterations-trace", "--tenant", "--prefill-replicas", "--kv-bandwidth",
                        "--kv-latency", "--preemption", "--attention"})
    specs.push_back({n, "", true});
  specs.push_back({"--help", "-h", false});
  const std::string perr = ParseOptions(args, specs, "simulate serving", &o);
  auto bad = [&](const std::string& why) { return ReportError(ctx, kExitBadInput, "Bad input", why); };
  if (!perr.empty()) return bad(perr);
  if (o.Has("--help")) {
    *ctx.out << kHelp;
    return kExitOk;
  }
  for (const char* required : {"--model", "--hardware", "--replicas"}) {
    if (!o.Has(required)) return bad(absl::StrCat(required, " is required"));
  }
  const bool from_trace = o.Has("--trace");
  const bool tenants = o.Has("--tenant");
  if (!from_trace && ((!o.Has("--qps") && !tenants) || !o.Has("--requests"))) {
    return bad("--qps and --requests are required (or --trace FILE, or --tenant ... with --requests)");
  }
  auto model = ctx.registry->FindModel(o.Get("--model", ""));
  if (!model.ok()) return bad(std::string(model.status().message()));
  auto hw = ctx.registry->FindAccelerator(o.Get("--hardware", ""));
  if (!hw.ok()) return bad(std::string(hw.status().message()));
  ServingConfig c;
  c.model = *model;
  c.hardware = *hw;
  c.precision = o.Get("--precision", "fp16");
  int requests = 0, seed = 1, reps = 1;
  double qps = 0, cv = 1, time_scale = 1;
  std::string e = GetInt(o, "--tp", 1, 64, &c.tp);
  if (e.empty()) e = GetInt(o, "--replicas", 1, 100000, &c.replicas);
  if (e.empty()) e = GetInt(o, "--requests", 1, 20000000, &requests);  // ~170 B each: 3.4 GB
  if (e.empty()) e = GetInt(o, "--max-batch", 1, 1 << 20, &c.max_batch);
  if (e.empty()) e = GetInt(o, "--max-batched-tokens", 1, 1 << 26, &c.max_batched_tokens);
  if (e.empty()) e = GetInt(o, "--chunked-prefill", 0, 1 << 26, &c.chunked_prefill_tokens);
  if (e.empty()) e = GetInt(o, "--seed", 0, 2000000000, &seed);
  if (e.empty()) e = GetInt(o, "--replications", 1, 10000, &reps);
  if (e.empty()) e = GetNumber(o, "--qps", &qps);
  if (e.empty()) e = GetNumber(o, "--cv", &cv);
  if (e.empty()) e = GetNumber(o, "--efficiency", &c.efficiency);
  if (e.empty()) e = GetNumber(o, "--trace-time-scale", &time_scale);
  if (e.empty()) e = GetQuantity(o, "--slo-ttft", dims::kTime, &c.slo_ttft_s);
  if (e.empty()) e = GetQuantity(o, "--slo-itl", dims::kTime, &c.slo_itl_s);
  if (e.empty()) e = GetInt(o, "--prefill-replicas", 0, 100000, &c.prefill_replicas);
  if (e.empty()) e = GetQuantity(o, "--kv-bandwidth", dims::kByteRate, &c.kv_link_bandwidth);
  if (e.empty()) e = GetQuantity(o, "--kv-latency", dims::kTime, &c.kv_link_latency);
  if (e.empty() && !from_trace && !tenants && !(qps > 0)) e = "--qps must be > 0";
  if (!e.empty()) return bad(e);
  const std::string attention = o.Get("--attention", "causal");
  if (attention != "causal" && attention != "square") {
    return bad(absl::StrCat("--attention: unknown '", attention,
                            "'; accepted: causal (default), square (mlsysim ServingModel's S^2)"));
  }
  c.causal_attention = attention == "causal";
  const std::string preemption = o.Get("--preemption", "recompute");
  if (preemption != "recompute" && preemption != "swap") {
    return bad(absl::StrCat("--preemption: unknown mode '", preemption, "'; accepted: recompute, swap"));
  }
  c.swap_preemption = preemption == "swap";
  auto router = ParseRouter(o.Get("--router", "rr"));
  if (!router.ok()) return bad(std::string(router.status().message()));
  c.router = *router;
  auto in_dist = ParseTokenDistribution(o.Get("--input-tokens", "fixed:512"), "--input-tokens");
  if (!in_dist.ok()) return bad(std::string(in_dist.status().message()));
  auto out_dist = ParseTokenDistribution(o.Get("--output-tokens", "fixed:128"), "--output-tokens");
  if (!out_dist.ok()) return bad(std::string(out_dist.status().message()));
  auto arrivals = MakeArrivals(o.Get("--arrival", "poisson"), from_trace || tenants ? 1.0 : qps, cv);
  if (!arrivals.ok()) return bad(std::string(arrivals.status().message()));
  std::vector<Request> trace;
  if (from_trace) {
    auto t = LoadTrace(o.Get("--trace", ""), time_scale, requests);
    if (!t.ok()) return bad(std::string(t.status().message()));
    trace = *std::move(t);
    reps = 1;
  }
  // Tenants: NAME/QPS/PRIORITY[/MAX_RUNNING[/INPUT[/OUTPUT]]].
  struct TenantStream {
    double qps;
    TokenDistribution in, out;
  };
  std::vector<TenantStream> streams;
  for (const std::string& spec : o.GetAll("--tenant")) {
    std::vector<std::string> f = absl::StrSplit(spec, '/');
    auto fail = [&](const std::string& why) {
      return bad(absl::StrCat("--tenant '", spec, "': ", why,
                              "; expected NAME/QPS/PRIORITY[/MAX_RUNNING[/INPUT[/OUTPUT]]]"));
    };
    double tq = 0;
    int prio = 0, limit = 0;
    if (f.size() < 3 || f.size() > 6) return fail("wrong number of fields");
    if (!absl::SimpleAtod(f[1], &tq) || !(tq > 0)) return fail("QPS must be a number > 0");
    if (!absl::SimpleAtoi(f[2], &prio)) return fail("PRIORITY must be an integer");
    if (f.size() > 3 && (!absl::SimpleAtoi(f[3], &limit) || limit < 0)) return fail("MAX_RUNNING must be >= 0");
    TenantStream ts{tq, *in_dist, *out_dist};
    if (f.size() > 4) {
      auto d = ParseTokenDistribution(f[4], "--tenant input");
      if (!d.ok()) return fail(std::string(d.status().message()));
      ts.in = *d;
    }
    if (f.size() > 5) {
      auto d = ParseTokenDistribution(f[5], "--tenant output");
      if (!d.ok()) return fail(std::string(d.status().message()));
      ts.out = *d;
    }
    c.tenants.push_back({f[0], prio, limit});
    streams.push_back(ts);
  }
  auto grid = ctx.registry->FindGrid(o.Has("--region") ? o.Get("--region", "") : "US_Avg");
  if (!grid.ok()) return bad(std::string(grid.status().message()));

  std::vector<ServingRunResult> runs;
  const bool tty = isatty(STDERR_FILENO) != 0;
  for (int rep = 0; rep < reps; ++rep) {
    std::vector<Request> reqs;
    if (from_trace) {
      reqs = trace;
    } else if (streams.empty()) {
      reqs = GenerateRequests(*arrivals, *in_dist, *out_dist, requests, static_cast<uint64_t>(seed),
                              static_cast<uint64_t>(rep));
    } else {
      // Each tenant gets its share of --requests in proportion to its rate.
      double total_qps = 0;
      for (const TenantStream& ts : streams) total_qps += ts.qps;
      std::vector<std::vector<Request>> parts;
      for (size_t t = 0; t < streams.size(); ++t) {
        const auto count = static_cast<int64_t>(std::llround(requests * streams[t].qps / total_qps));
        parts.push_back(GenerateRequests(*MakeArrivals("poisson", streams[t].qps, 1), streams[t].in,
                                         streams[t].out, std::max<int64_t>(1, count),
                                         MixHash(static_cast<uint64_t>(seed), t + 1),
                                         static_cast<uint64_t>(rep)));
      }
      reqs = MergeStreams(std::move(parts));
    }
    c.record_requests = rep == 0 && o.Has("--requests-csv");
    c.record_iterations = rep == 0 && o.Has("--iterations-trace");
    auto r = SimulateServing(c, reqs);
    if (!r.ok()) {
      const bool infeasible = absl::IsFailedPrecondition(r.status());
      return ReportError(ctx, infeasible ? kExitInfeasible : kExitBadInput,
                         infeasible ? "Infeasible" : "Bad input", std::string(r.status().message()));
    }
    runs.push_back(*std::move(r));
    if (tty && reps > 1) std::cerr << absl::StrFormat("\rreplication %d/%d", rep + 1, reps) << std::flush;
  }
  if (tty && reps > 1) std::cerr << "\n";

  Record out;
  out.Str("model", model->key).Str("hardware", hw->key).Int("tp", c.tp).Int("replicas", c.replicas)
      .Num("qps", from_trace ? 0.0 : qps).Int("requests", static_cast<long long>(runs[0].ttft_s.size()))
      .Int("replications", reps).Int("seed", seed).Int("kv_blocks_per_replica", runs[0].kv_blocks_per_replica)
      .Str("attention", attention)
      .Int("split_prompts_replication0", static_cast<long long>(runs[0].split_prompts));
  // Stability: offered load above capacity shows as completions that lag the
  // arrivals and queueing delay that grows over the run.
  if (!from_trace && qps > 0 && runs[0].makespan_s > 0 && runs[0].queue_s.size() >= 400) {
    const auto& qs = runs[0].queue_s;
    const size_t quarter = qs.size() / 4;
    double first = 0, last = 0;
    for (size_t i = 0; i < quarter; ++i) {
      first += qs[i];
      last += qs[qs.size() - 1 - i];
    }
    const double completion_rate = static_cast<double>(qs.size()) / runs[0].makespan_s;
    if (completion_rate < 0.95 * qps && last > 2 * first + 1e-9 * quarter) {
      const std::string warning = absl::StrFormat(
          "offered load exceeds capacity: %.4g requests/s arrive, %.4g/s complete, and queueing "
          "grows from %.3g s (first quarter) to %.3g s (last quarter); the run is unstable and "
          "its percentiles depend on its length",
          qps, completion_rate, first / quarter, last / quarter);
      *ctx.err << "warning: " << warning << "\n";
      out.Str("warning", warning);
    }
  }
  auto stat = [&](const std::string& name, std::function<double(const ServingRunResult&)> f) {
    std::vector<double> x;
    for (const auto& r : runs) x.push_back(f(r));
    auto [mean, ci] = MeanCi95(x);
    out.Num(name, mean).Num(name + "_ci95", ci);
    return mean;
  };
  const struct {
    const char* name;
    double p;
  } quantiles[] = {{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}, {"p999", 0.999}};
  double ttft_p50 = 0, e2e_p99 = 0, itl_p50 = 0;
  for (const auto& [label, p] : quantiles) {
    const double v = stat(absl::StrCat("ttft_", label, "_s"), [p = p](const auto& r) { return Quantile(r.ttft_s, p); });
    if (p == 0.5) ttft_p50 = v;
  }
  itl_p50 = stat("itl_p50_s", [](const auto& r) { return r.itl_p50_s; });
  stat("itl_p90_s", [](const auto& r) { return r.itl_p90_s; });
  stat("itl_p99_s", [](const auto& r) { return r.itl_p99_s; });
  stat("itl_p999_s", [](const auto& r) { return r.itl_p999_s; });
  for (const auto& [label, p] : quantiles) {
    const double v = stat(absl::StrCat("e2e_", label, "_s"), [p = p](const auto& r) { return Quantile(r.e2e_s, p); });
    if (p == 0.99) e2e_p99 = v;
  }
  for (const auto& [label, p] : quantiles)
    stat(absl::StrCat("queue_", label, "_s"), [p = p](const auto& r) { return Quantile(r.queue_s, p); });
  const double tput = stat("throughput_tokens_per_s", [](const auto& r) {
    return r.makespan_s > 0 ? r.tokens_out / r.makespan_s : 0.0;
  });
  stat("throughput_requests_per_s", [](const auto& r) {
    return r.makespan_s > 0 ? r.finished / r.makespan_s : 0.0;
  });
  stat("goodput_requests_per_s", [](const auto& r) {
    return r.makespan_s > 0 ? r.goodput_requests / r.makespan_s : 0.0;
  });
  stat("preemptions", [](const auto& r) { return static_cast<double>(r.preemptions); });
  stat("kv_utilization_mean", [](const auto& r) { return r.kv_utilization_mean; });
  stat("kv_utilization_max", [](const auto& r) { return r.kv_utilization_max; });
  stat("busy_fraction", [](const auto& r) { return r.busy_fraction; });
  const double energy_req = stat("energy_per_request_j", [](const auto& r) {
    return r.finished ? r.energy_j / r.finished : 0.0;
  });
  stat("energy_per_token_j", [](const auto& r) { return r.tokens_out ? r.energy_j / r.tokens_out : 0.0; });
  out.Num("carbon_per_request_g", energy_req / 3.6e6 * grid->pue * grid->carbon_g_kwh)
      .Str("region", grid->key);
  if (!c.tenants.empty()) {
    std::vector<Record> per_tenant;
    for (size_t t = 0; t < c.tenants.size(); ++t) {
      Record rt;
      rt.Str("name", c.tenants[t].name).Int("priority", c.tenants[t].priority)
          .Int("max_running", c.tenants[t].max_running).Num("qps", streams[t].qps);
      auto pick = [t](const ServingRunResult& r, const std::vector<double>& v) {
        std::vector<double> x;
        for (size_t i = 0; i < v.size(); ++i)
          if (r.tenant[i] == static_cast<int>(t)) x.push_back(v[i]);
        return x;
      };
      const struct {
        const char* name;
        int which;
        double p;
      } fields[] = {{"ttft_p50_s", 0, 0.5}, {"ttft_p99_s", 0, 0.99}, {"e2e_p50_s", 1, 0.5},
                    {"e2e_p99_s", 1, 0.99}, {"queue_p99_s", 2, 0.99}};
      for (const auto& f : fields) {
        std::vector<double> x;
        for (const auto& r : runs) {
          const std::vector<double>& v = f.which == 0 ? r.ttft_s : f.which == 1 ? r.e2e_s : r.queue_s;
          x.push_back(Quantile(pick(r, v), f.p));
        }
        auto [mean, ci] = MeanCi95(x);
        rt.Num(f.name, mean).Num(absl::StrCat(f.name, "_ci95"), ci);
      }
      per_tenant.push_back(std::move(rt));
    }
    out.List("tenants", std::move(per_tenant));
  }

  // The analytic figures of the same deployment.
  const double mean_in = from_trace ? 0 : in_dist->Mean(), mean_out = from_trace ? 0 : out_dist->Mean();
  double s_in = mean_in, s_out = mean_out;
  if (from_trace) {
    for (const Request& q : trace) {
      s_in += q.input_tokens;
      s_out += q.output_tokens;
    }
    s_in /= trace.size();
    s_out /= trace.size();
  }
  Record analytic;
  ServingOptions so;
  so.seq_len = std::max(1, static_cast<int>(std::lround(s_in)));
  so.precision = c.precision;
  so.efficiency = c.efficiency;
  if (c.prefill_replicas > 0) {
    so.decode_hardware = &c.hardware;  // disaggregated: TTFT includes the KV transfer
    so.network_bandwidth = c.kv_link_bandwidth * c.tp;
  }
  auto one = SolveServing(*model, *hw, so);
  if (one.ok()) {
    Record r;
    r.Num("ttft_s", one->ttft_ms / 1000).Num("itl_s", one->itl_ms / 1000)
        .Num("ttft_p50_relative_gap", RelativeGap(ttft_p50, one->ttft_ms / 1000))
        .Num("itl_p50_relative_gap", RelativeGap(itl_p50, one->itl_ms / 1000))
        .Str("note", "one request alone, batch 1, mean input length (TP not modelled)");
    analytic.Obj("serving_model", std::move(r));
    const double service_ms = one->ttft_ms + one->itl_ms * s_out;
    const double lambda = from_trace ? runs[0].finished / std::max(runs[0].makespan_s, 1e-9) : qps;
    auto tail = SolveTailLatency(lambda, service_ms, c.replicas, 1.0);
    if (tail.ok()) {
      Record t;
      t.Num("p99_latency_s", tail->p99_latency_ms / 1000).Bool("is_stable", tail->is_stable)
          .Num("e2e_p99_relative_gap", RelativeGap(e2e_p99, tail->p99_latency_ms / 1000))
          .Str("note", "M/M/c with one request per replica at a time: no batching");
      analytic.Obj("tail_latency_model", std::move(t));
    }
  }
  ContinuousBatchingOptions cb;
  cb.seq_len = std::max(1, static_cast<int>(std::lround(s_in + s_out)));
  cb.max_batch_size = c.max_batch;
  cb.precision = c.precision;
  cb.efficiency = c.efficiency;
  auto batching = SolveContinuousBatching(*model, *hw, cb);
  if (batching.ok()) {
    Record b;
    const double cap = batching->throughput_tokens_per_sec * c.replicas;
    b.Num("throughput_tokens_per_s", cap).Int("max_active_requests", batching->max_active_requests)
        .Num("offered_tokens_per_s", from_trace ? 0.0 : qps * s_out)
        .Num("throughput_relative_gap", RelativeGap(tput, cap))
        .Str("note", "decode-only capacity of all replicas at the full batch");
    analytic.Obj("continuous_batching_model", std::move(b));
  }
  out.Obj("analytic", std::move(analytic));
  uint64_t events = 0;
  for (const auto& r : runs) events += r.events;
  out.Int("events", static_cast<long long>(events))
      .Int("iterations", runs[0].iterations)
      .Str("fingerprint", absl::StrFormat("%016x", runs[0].fingerprint));
  if (o.Has("--requests-csv")) {
    if (auto s = WriteRequestsCsv(o.Get("--requests-csv", ""), runs[0]); !s.ok()) return bad(std::string(s.message()));
  }
  if (o.Has("--iterations-trace")) {
    if (auto s = WriteIterationsTrace(o.Get("--iterations-trace", ""), runs[0]); !s.ok()) return bad(std::string(s.message()));
  }
  return PrintResult(ctx, absl::StrCat("simulate serving: ", model->key, " on ", c.replicas, " x ", hw->key), out);
}

}  // namespace mlsysim
