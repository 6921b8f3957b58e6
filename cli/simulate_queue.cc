// simulate_queue.cc — `mlsysim simulate queue` and `queue {}` scenarios: the
// plain c-server queue, simulated over replications, beside the exact
// queueing result (M/M/c, M/D/1, M/G/1 mean) and mlsysim v0.1.1's
// TailLatencyModel figure. Flags only fill a Scenario; one runner serves both.
#include <cmath>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/queueing.h"
#include "analytic/serving.h"
#include "cli/simulate_common.h"
#include "sim/queue_sim.h"
#include "sim/scenario/result_builder.h"
#include "sim/time.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o text|json|markdown] simulate queue --servers C --arrival-rate L --service-time S\n"
    "         [--service-dist exp|det|gamma] [--cv V] [--arrival poisson|gamma|det|onoff|diurnal]\n"
    "         [--arrival-cv V] --requests N [--warmup F] [--seed N] [--replications R] [--dump-scenario]\n"
    "  Rates and times share one unit, reported as seconds (e.g. --arrival-rate 0.8 --service-time 1).\n"
    "  --dump-scenario prints the equivalent scenario (textproto) instead of running it.\n";

// Which flag fills which scenario field (for messages about flag input).
const FieldFlags kQueueFlags = {
    {"queue.servers", "--servers"},           {"queue.arrival_rate", "--arrival-rate"},
    {"queue.service_time", "--service-time"}, {"queue.service_distribution", "--service-dist"},
    {"queue.service_cv", "--cv"},             {"queue.arrival_cv", "--arrival-cv"},
    {"queue.arrival", "--arrival"},           {"queue.requests", "--requests"},
    {"queue.warmup_fraction", "--warmup"},    {"replications", "--replications"},
    {"seed", "--seed"}};

}  // namespace

int RunQueueScenario(const CommandContext& ctx, const scenario::Scenario& s, const FieldFlags& flags) {
  auto bad = [&](const std::string& why) {
    return ReportError(ctx, kExitBadInput, "Bad input", NameFlags(why, flags));
  };
  if (const std::string e = CheckScenarioRanges(s); !e.empty()) return bad(e);
  const auto& q = s.queue();
  const int servers = std::max(1, q.servers());
  const double lambda = q.arrival_rate(), service = q.service_time();
  const int64_t requests = q.requests();
  const double cv = q.service_cv() > 0 ? q.service_cv() : 1.0;
  const double arrival_cv = q.arrival_cv() > 0 ? q.arrival_cv() : 1.0;
  const double warmup = q.warmup_fraction() > 0 ? q.warmup_fraction() : 0.05;
  const uint64_t seed = s.seed() > 0 ? s.seed() : 1;
  const int reps = s.replications() > 0 ? static_cast<int>(s.replications()) : 10;
  if (!(lambda > 0)) return bad("queue.arrival_rate: must be > 0");
  if (!(service > 0)) return bad("queue.service_time: must be > 0");
  if (requests < 100) return bad(absl::StrCat("queue.requests: must lie in [100, 2000000000]; got ", requests));
  const double rho = lambda * service / servers;
  if (rho >= 1) {
    return bad(absl::StrFormat(
        "queue.arrival_rate: unstable load: rho = lambda*S/c = %.4g >= 1, no steady state to measure", rho));
  }
  // The clock covers 2^63 ns: refuse a horizon (requests / λ, generously
  // doubled for the last sojourns) that could pass it.
  const double horizon_s = 2.0 * requests / lambda + 1000.0 * service;
  if (horizon_s > kMaxSimSeconds) {
    return bad(absl::StrFormat(
        "queue.requests / queue.arrival_rate: the run would span about %.3g s (%.3g years) of simulated "
        "time; the clock's range is %.3g s (292 years): use fewer requests or a faster unit",
        horizon_s / 2, horizon_s / 2 / 3.15576e7, kMaxSimSeconds));
  }
  const std::string dist = q.service_distribution().empty() ? "exp" : q.service_distribution();
  const std::string arrival = q.arrival().empty() ? "poisson" : q.arrival();
  QueueConfig qc;
  qc.servers = servers;
  qc.requests = requests;
  qc.warmup_fraction = warmup;
  qc.seed = seed;
  auto svc = MakeDuration(dist, service, cv, "queue.service_distribution");
  if (!svc.ok()) return bad(std::string(svc.status().message()));
  qc.service = *svc;
  auto arr = MakeArrivals(arrival, lambda, arrival_cv);
  if (!arr.ok()) return bad(absl::StrCat("queue.arrival: ", arr.status().message()));
  qc.arrivals = *arr;

  result::Result out = NewResult("queue", s.name().empty() ? absl::StrCat(servers == 1 ? "1 server" : absl::StrCat(servers, " servers"), ", ", arrival, " arrivals, ", dist, " service") : s.name());
  // Weak statistics: a run shorter than ~50 relaxation times of the queue
  // (≈ S/(1−√ρ)², Whitt) under-estimates its tails.
  const double relaxation_s = service / ((1 - std::sqrt(rho)) * (1 - std::sqrt(rho)));
  const double covered = requests / lambda * (1 - warmup) / relaxation_s;
  if (covered < 50) {
    const std::string w = absl::StrFormat(
        "each replication covers %.3g relaxation times (S/(1-sqrt(rho))^2 = %.4g) < 50: tail "
        "percentiles are biased low; use queue.requests (--requests) >= %.3g",
        covered, relaxation_s, std::ceil(50 * relaxation_s * lambda / (1 - warmup)));
    *ctx.err << "warning: " << w << "\n";
    out.add_warnings(w);
  }

  std::vector<QueueRunResult> runs;
  uint64_t events = 0;
  Progress progress(ctx, "replication", reps);
  for (int r = 0; r < reps; ++r) {
    qc.replication = static_cast<uint64_t>(r);
    auto res = SimulateQueue(qc);
    if (!res.ok()) return bad(std::string(res.status().message()));
    events += res->events;
    runs.push_back(*res);
    progress.Step(r + 1);
  }
  progress.Done();

  AddFact(&out, "servers", servers);
  AddFact(&out, "arrival", arrival);
  AddFact(&out, "arrival_rate", lambda, "1/s");
  AddFact(&out, "service_dist", dist);
  AddFact(&out, "service_time", service, "s");
  AddFact(&out, "rho", rho);
  AddFact(&out, "requests", static_cast<double>(requests));
  auto stat = [&](const char* name, const char* unit, std::function<double(const QueueRunResult&)> get) {
    std::vector<double> x;
    for (const QueueRunResult& r : runs) x.push_back(get(r));
    return AddReplicated(&out, name, unit, x);
  };
  result::Metric* wait_mean = stat("wait_mean", "s", [](const auto& r) { return r.wait_mean; });
  result::Metric* sojourn_mean = stat("sojourn_mean", "s", [](const auto& r) { return r.sojourn_mean; });
  result::Metric* p50 = stat("sojourn_p50", "s", [](const auto& r) { return r.sojourn_p50; });
  result::Metric* p90 = stat("sojourn_p90", "s", [](const auto& r) { return r.sojourn_p90; });
  result::Metric* p99 = stat("sojourn_p99", "s", [](const auto& r) { return r.sojourn_p99; });
  result::Metric* p999 = stat("sojourn_p999", "s", [](const auto& r) { return r.sojourn_p999; });
  result::Metric* w99 = stat("wait_p99", "s", [](const auto& r) { return r.wait_p99; });
  result::Metric* util = stat("utilization", "1", [](const auto& r) { return r.utilization; });
  result::Metric* prob_wait = stat("prob_wait", "1", [](const auto& r) { return r.prob_wait; });
  result::Metric* big_l = stat("mean_in_system", "1", [](const auto& r) { return r.mean_in_system; });
  result::Metric* obs_lambda = stat("observed_arrival_rate", "1/s", [](const auto& r) { return r.arrival_rate; });
  SetAnalytic(util, rho, "rho = lambda*S/c");
  SetAnalytic(obs_lambda, lambda, "the arrival rate asked for");
  SetAnalytic(big_l, obs_lambda->simulated() * sojourn_mean->simulated(),
              "Little's law L = lambda*W (observed lambda and W)");

  // Exact results where queueing theory has them.
  const bool poisson = arrival == "poisson";
  const double mu = 1.0 / service;
  if (poisson && qc.service.kind == DurationDistribution::kExponential) {
    const std::string model = servers == 1 ? "M/M/1" : "M/M/c";
    SetAnalytic(wait_mean, MmcWaitMean(lambda, mu, servers), model);
    SetAnalytic(sojourn_mean, MmcWaitMean(lambda, mu, servers) + service, model);
    SetAnalytic(p50, MmcSojournQuantile(lambda, mu, servers, 0.5), model);
    SetAnalytic(p90, MmcSojournQuantile(lambda, mu, servers, 0.9), model);
    SetAnalytic(p99, MmcSojournQuantile(lambda, mu, servers, 0.99), model);
    SetAnalytic(p999, MmcSojournQuantile(lambda, mu, servers, 0.999), model);
    SetAnalytic(w99, MmcWaitQuantile(lambda, mu, servers, 0.99), model);
    SetAnalytic(prob_wait, MmcProbWait(lambda, mu, servers), model);
  } else if (poisson && qc.service.kind == DurationDistribution::kDeterministic && servers == 1) {
    SetAnalytic(wait_mean, Md1WaitMean(lambda, service), "M/D/1");
    SetAnalytic(sojourn_mean, Md1WaitMean(lambda, service) + service, "M/D/1");
    SetAnalytic(p50, Md1WaitQuantile(lambda, service, 0.5) + service, "M/D/1");
    SetAnalytic(p90, Md1WaitQuantile(lambda, service, 0.9) + service, "M/D/1");
    SetAnalytic(p99, Md1WaitQuantile(lambda, service, 0.99) + service, "M/D/1");
    SetAnalytic(p999, Md1WaitQuantile(lambda, service, 0.999) + service, "M/D/1");
    SetAnalytic(w99, Md1WaitQuantile(lambda, service, 0.99), "M/D/1");
  } else if (poisson && servers == 1) {
    const double cv2 = qc.service.Variance() / (service * service);
    SetAnalytic(wait_mean, Mg1WaitMean(lambda, service, cv2), "M/G/1 (Pollaczek-Khinchine mean)");
    SetAnalytic(sojourn_mean, Mg1WaitMean(lambda, service, cv2) + service, "M/G/1 (Pollaczek-Khinchine mean)");
  }
  // mlsysim v0.1.1's TailLatencyModel on the same queue (its p99 adds a wait
  // quantile to the mean service time).
  auto tail = SolveTailLatency(lambda, service * 1000.0, servers,
                               qc.service.kind == DurationDistribution::kDeterministic ? 0.0
                               : qc.service.kind == DurationDistribution::kGamma       ? cv
                                                                                        : 1.0);
  if (tail.ok()) {
    result::Section* m = AddSection(&out, "mlsysim", "mlsysim v0.1.1 TailLatencyModel on the same queue");
    SetAnalytic(AddMetric(m, "p50_latency", "s", p50->simulated()), tail->p50_latency_ms / 1000.0,
                "mlsysim TailLatencyModel");
    SetAnalytic(AddMetric(m, "p99_latency", "s", p99->simulated()), tail->p99_latency_ms / 1000.0,
                "mlsysim TailLatencyModel", "its p99 adds an M/M/c wait quantile to the mean service time");
  }
  out.set_events(events);
  out.set_fingerprint(absl::StrFormat("%016x", runs[0].fingerprint));
  scenario::Scenario echo = s;
  echo.set_seed(seed);
  echo.set_replications(static_cast<uint32_t>(reps));
  return PrintSimResult(ctx, std::move(echo), std::move(out));
}

int RunSimulateQueue(const CommandContext& ctx, const CommandArgs& args) {
  ParsedOptions o;
  std::vector<OptionSpec> specs;
  for (const char* n : {"--servers", "--arrival-rate", "--service-time", "--service-dist", "--cv",
                        "--arrival", "--arrival-cv", "--requests", "--warmup", "--seed",
                        "--replications"})
    specs.push_back({n, "", true});
  specs.push_back({"--help", "-h", false});
  specs.push_back({"--dump-scenario", "", false});
  std::string err = ParseOptions(args, specs, "simulate queue", &o);
  if (!err.empty()) return ReportError(ctx, kExitBadInput, "Bad input", err);
  if (o.Has("--help")) {
    *ctx.out << kHelp;
    return kExitOk;
  }
  for (const char* required : {"--servers", "--arrival-rate", "--service-time", "--requests"}) {
    if (!o.Has(required)) return ReportError(ctx, kExitBadInput, "Bad input", absl::StrCat(required, " is required"));
  }
  scenario::Scenario s;
  auto* q = s.mutable_queue();
  int servers = 1, seed = 0, reps = 0;
  long long requests = 0;
  double lambda = 0, service = 0, cv = 0, arrival_cv = 0, warmup = 0;
  std::string e = GetInt(o, "--servers", 1, 1000000, &servers);
  if (e.empty()) e = GetInt64(o, "--requests", 100, 2000000000, &requests);
  if (e.empty()) e = GetInt(o, "--seed", 0, 2000000000, &seed);
  if (e.empty()) e = GetInt(o, "--replications", 1, 100000, &reps);
  if (e.empty()) e = GetNumber(o, "--arrival-rate", &lambda);
  if (e.empty()) e = GetNumber(o, "--service-time", &service);
  if (e.empty()) e = GetNumber(o, "--cv", &cv);
  if (e.empty()) e = GetNumber(o, "--arrival-cv", &arrival_cv);
  if (e.empty()) e = GetNumber(o, "--warmup", &warmup);
  if (!e.empty()) return ReportError(ctx, kExitBadInput, "Bad input", e);
  if (o.Has("--cv") && !(cv > 0)) return ReportError(ctx, kExitBadInput, "Bad input", "queue.service_cv (--cv): must be > 0");
  q->set_servers(servers);
  q->set_requests(requests);
  q->set_arrival_rate(lambda);
  q->set_service_time(service);
  q->set_service_cv(cv);
  q->set_arrival_cv(arrival_cv);
  q->set_warmup_fraction(warmup);
  q->set_service_distribution(o.Get("--service-dist", ""));
  q->set_arrival(o.Get("--arrival", ""));
  s.set_seed(static_cast<uint64_t>(seed));
  s.set_replications(static_cast<uint32_t>(reps));
  if (o.Has("--dump-scenario")) return DumpScenario(ctx, s);
  return RunQueueScenario(ctx, s, kQueueFlags);
}

}  // namespace mlsysim
