// simulate_queue.cc — `mlsysim simulate queue`: the plain c-server queue,
// simulated over replications, beside the exact queueing result (M/M/c, M/D/1,
// M/G/1 mean) and mlsysim v0.1.1's TailLatencyModel figure.
#include <cmath>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/queueing.h"
#include "analytic/serving.h"
#include "cli/simulate_common.h"
#include "sim/queue_sim.h"
#include "sim/time.h"
#include "traces/json_writer.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o json] simulate queue --servers C --arrival-rate L --service-time S\n"
    "         [--service-dist exp|det|gamma] [--cv V] [--arrival poisson|gamma|det|onoff|diurnal]\n"
    "         [--arrival-cv V] --requests N [--warmup F] [--seed N] [--replications R]\n"
    "  Rates and times share one unit (e.g. --arrival-rate 0.8 --service-time 1).\n";

}  // namespace

int RunSimulateQueue(const CommandContext& ctx, const CommandArgs& args) {
  ParsedOptions o;
  std::vector<OptionSpec> specs;
  for (const char* n : {"--servers", "--arrival-rate", "--service-time", "--service-dist", "--cv",
                        "--arrival", "--arrival-cv", "--requests", "--warmup", "--seed",
                        "--replications"})
    specs.push_back({n, "", true});
  specs.push_back({"--help", "-h", false});
  std::string err = ParseOptions(args, specs, "simulate queue", &o);
  if (!err.empty()) return ReportError(ctx, kExitBadInput, "Bad input", err);
  if (o.Has("--help")) {
    *ctx.out << kHelp;
    return kExitOk;
  }
  for (const char* required : {"--servers", "--arrival-rate", "--service-time", "--requests"}) {
    if (!o.Has(required)) return ReportError(ctx, kExitBadInput, "Bad input", absl::StrCat(required, " is required"));
  }
  int servers = 1, requests = 0, seed = 1, reps = 10;
  double lambda = 0, service = 0, cv = 1, arrival_cv = 1, warmup = 0.05;
  std::string e = GetInt(o, "--servers", 1, 1000000, &servers);
  if (e.empty()) e = GetInt(o, "--requests", 100, 2000000000, &requests);
  if (e.empty()) e = GetInt(o, "--seed", 0, 2000000000, &seed);
  if (e.empty()) e = GetInt(o, "--replications", 1, 100000, &reps);
  if (e.empty()) e = GetNumber(o, "--arrival-rate", &lambda);
  if (e.empty()) e = GetNumber(o, "--service-time", &service);
  if (e.empty()) e = GetNumber(o, "--cv", &cv);
  if (e.empty()) e = GetNumber(o, "--arrival-cv", &arrival_cv);
  if (e.empty()) e = GetNumber(o, "--warmup", &warmup);
  if (e.empty() && !(lambda > 0)) e = "--arrival-rate must be > 0";
  if (e.empty() && !(service > 0)) e = "--service-time must be > 0";
  const double rho = lambda * service / servers;
  if (e.empty() && rho >= 1) {
    e = absl::StrFormat("unstable load: rho = lambda*S/c = %.4g >= 1, no steady state to measure", rho);
  }
  // The clock covers 2^63 ns: refuse a horizon (requests / λ, generously
  // doubled for the last sojourns) that could pass it.
  const double horizon_s = 2.0 * requests / lambda + 1000.0 * service;
  if (e.empty() && horizon_s > kMaxSimSeconds) {
    e = absl::StrFormat(
        "--requests / --arrival-rate: the run would span about %.3g s (%.3g years) of simulated "
        "time; the clock's range is %.3g s (292 years): use fewer requests or a faster unit",
        horizon_s / 2, horizon_s / 2 / 3.15576e7, kMaxSimSeconds);
  }
  if (!e.empty()) return ReportError(ctx, kExitBadInput, "Bad input", e);
  // Weak statistics: a run shorter than ~50 relaxation times of the queue
  // (≈ S/(1−√ρ)², Whitt) under-estimates its tails.
  const double relaxation_s = service / ((1 - std::sqrt(rho)) * (1 - std::sqrt(rho)));
  const double covered = requests / lambda * (1 - warmup) / relaxation_s;
  std::string warning;
  if (covered < 50) {
    warning = absl::StrFormat(
        "each replication covers %.3g relaxation times (S/(1-sqrt(rho))^2 = %.4g) < 50: tail "
        "percentiles are biased low; use --requests >= %.3g",
        covered, relaxation_s, std::ceil(50 * relaxation_s * lambda / (1 - warmup)));
    *ctx.err << "warning: " << warning << "\n";
  }
  const std::string dist = o.Get("--service-dist", "exp");
  const std::string arrival = o.Get("--arrival", "poisson");
  QueueConfig qc;
  qc.servers = servers;
  qc.requests = requests;
  qc.warmup_fraction = warmup;
  qc.seed = static_cast<uint64_t>(seed);
  auto svc = MakeDuration(dist, service, cv, "--service-dist");
  if (!svc.ok()) return ReportError(ctx, kExitBadInput, "Bad input", std::string(svc.status().message()));
  qc.service = *svc;
  auto arr = MakeArrivals(arrival, lambda, arrival_cv);
  if (!arr.ok()) return ReportError(ctx, kExitBadInput, "Bad input", std::string(arr.status().message()));
  qc.arrivals = *arr;

  std::vector<QueueRunResult> runs;
  uint64_t events = 0;
  for (int r = 0; r < reps; ++r) {
    qc.replication = static_cast<uint64_t>(r);
    auto res = SimulateQueue(qc);
    if (!res.ok()) return ReportError(ctx, kExitBadInput, "Bad input", std::string(res.status().message()));
    events += res->events;
    runs.push_back(*res);
  }
  Record out;
  out.Int("servers", servers).Num("arrival_rate", lambda).Num("service_time", service)
      .Str("service_dist", dist).Str("arrival", arrival).Num("rho", rho)
      .Int("requests", requests).Int("replications", reps).Int("seed", seed);
  if (!warning.empty()) out.Str("warning", warning);
  auto stat = [&](const char* name, std::function<double(const QueueRunResult&)> get) {
    std::vector<double> x;
    for (const QueueRunResult& r : runs) x.push_back(get(r));
    auto [mean, ci] = MeanCi95(x);
    out.Num(name, mean).Num(absl::StrCat(name, "_ci95"), ci);
    return mean;
  };
  const double wait_mean = stat("wait_mean", [](const auto& r) { return r.wait_mean; });
  const double sojourn_mean = stat("sojourn_mean", [](const auto& r) { return r.sojourn_mean; });
  const double p50 = stat("sojourn_p50", [](const auto& r) { return r.sojourn_p50; });
  const double p90 = stat("sojourn_p90", [](const auto& r) { return r.sojourn_p90; });
  const double p99 = stat("sojourn_p99", [](const auto& r) { return r.sojourn_p99; });
  const double p999 = stat("sojourn_p999", [](const auto& r) { return r.sojourn_p999; });
  const double w99 = stat("wait_p99", [](const auto& r) { return r.wait_p99; });
  stat("utilization", [](const auto& r) { return r.utilization; });
  stat("prob_wait", [](const auto& r) { return r.prob_wait; });
  const double big_l = stat("mean_in_system", [](const auto& r) { return r.mean_in_system; });
  const double obs_lambda = stat("observed_arrival_rate", [](const auto& r) { return r.arrival_rate; });
  out.Num("littles_law_lambda_w", obs_lambda * sojourn_mean)
      .Num("littles_law_relative_gap", RelativeGap(big_l, obs_lambda * sojourn_mean));

  // Exact results where queueing theory has them.
  const bool poisson = arrival == "poisson";
  const double mu = 1.0 / service;
  Record exact;
  if (poisson && qc.service.kind == DurationDistribution::kExponential) {
    exact.Str("model", servers == 1 ? "M/M/1" : "M/M/c")
        .Num("wait_mean", MmcWaitMean(lambda, mu, servers))
        .Num("sojourn_mean", MmcWaitMean(lambda, mu, servers) + service)
        .Num("sojourn_p50", MmcSojournQuantile(lambda, mu, servers, 0.5))
        .Num("sojourn_p90", MmcSojournQuantile(lambda, mu, servers, 0.9))
        .Num("sojourn_p99", MmcSojournQuantile(lambda, mu, servers, 0.99))
        .Num("sojourn_p999", MmcSojournQuantile(lambda, mu, servers, 0.999))
        .Num("wait_p99", MmcWaitQuantile(lambda, mu, servers, 0.99))
        .Num("prob_wait", MmcProbWait(lambda, mu, servers));
  } else if (poisson && qc.service.kind == DurationDistribution::kDeterministic && servers == 1) {
    exact.Str("model", "M/D/1")
        .Num("wait_mean", Md1WaitMean(lambda, service))
        .Num("sojourn_mean", Md1WaitMean(lambda, service) + service)
        .Num("sojourn_p50", Md1WaitQuantile(lambda, service, 0.5) + service)
        .Num("sojourn_p90", Md1WaitQuantile(lambda, service, 0.9) + service)
        .Num("sojourn_p99", Md1WaitQuantile(lambda, service, 0.99) + service)
        .Num("sojourn_p999", Md1WaitQuantile(lambda, service, 0.999) + service)
        .Num("wait_p99", Md1WaitQuantile(lambda, service, 0.99));
  } else if (poisson && servers == 1) {
    const double cv2 = qc.service.Variance() / (service * service);
    exact.Str("model", "M/G/1 (Pollaczek-Khinchine mean)")
        .Num("wait_mean", Mg1WaitMean(lambda, service, cv2))
        .Num("sojourn_mean", Mg1WaitMean(lambda, service, cv2) + service);
  }
  if (!exact.empty()) {
    const double ew = exact.GetNum("wait_mean"), es = exact.GetNum("sojourn_mean");
    exact.Num("wait_mean_relative_gap", RelativeGap(wait_mean, ew))
        .Num("sojourn_mean_relative_gap", RelativeGap(sojourn_mean, es));
    const double e99 = exact.GetNum("sojourn_p99");
    if (!std::isnan(e99)) {
      exact.Num("sojourn_p50_relative_gap", RelativeGap(p50, exact.GetNum("sojourn_p50")))
          .Num("sojourn_p90_relative_gap", RelativeGap(p90, exact.GetNum("sojourn_p90")))
          .Num("sojourn_p99_relative_gap", RelativeGap(p99, e99))
          .Num("sojourn_p999_relative_gap", RelativeGap(p999, exact.GetNum("sojourn_p999")))
          .Num("wait_p99_relative_gap", RelativeGap(w99, exact.GetNum("wait_p99")));
    }
    out.Obj("exact", std::move(exact));
  }
  // mlsysim v0.1.1's TailLatencyModel on the same queue (its p99 adds a wait
  // quantile to the mean service time).
  auto tail = SolveTailLatency(lambda, service * 1000.0, servers,
                               qc.service.kind == DurationDistribution::kDeterministic ? 0.0
                               : qc.service.kind == DurationDistribution::kGamma       ? cv
                                                                                        : 1.0);
  if (tail.ok()) {
    Record m;
    m.Num("p50_latency", tail->p50_latency_ms / 1000.0).Num("p99_latency", tail->p99_latency_ms / 1000.0)
        .Num("p99_relative_gap_vs_simulated", RelativeGap(tail->p99_latency_ms / 1000.0, p99));
    out.Obj("mlsysim", std::move(m));
  }
  out.Int("events", static_cast<long long>(events))
      .Str("fingerprint", absl::StrFormat("%016x", runs[0].fingerprint));
  return PrintResult(ctx, "simulate queue", out);
}

}  // namespace mlsysim
