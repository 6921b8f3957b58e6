// queue_runner.cc — a `queue {}` scenario: the plain c-server queue,
// simulated over replications, beside the exact queueing result (M/M/c,
// M/D/1, M/G/1 mean) and mlsysim v0.1.1's TailLatencyModel figure.
#include <cmath>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/queueing.h"
#include "analytic/serving.h"
#include "sim/queueing/queue_sim.h"
#include "sim/core/statistics.h"
#include "sim/scenario/plot_data.h"
#include "sim/scenario/result_builder.h"
#include "sim/scenario/runners.h"
#include "sim/scenario/scenario_check.h"
#include "sim/core/time.h"
#include "workloads/distributions.h"

namespace mlsysim {

absl::StatusOr<result::Result> RunQueue(const scenario::Scenario& s, const RunContext& rc) {
  auto bad = [](const std::string& why) { return absl::InvalidArgumentError(why); };
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
        "percentiles are biased low; use queue.requests >= %.3g",
        covered, relaxation_s, std::ceil(50 * relaxation_s * lambda / (1 - warmup)));
    Warn(rc, &out, w);
  }

  std::vector<QueueRunResult> runs;
  uint64_t events = 0;
  Progress progress(rc, "replication", reps);
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
  // Plot data: the sojourn-time CDF (each quantile averaged over the
  // replications) beside the exact distribution where there is one.
  std::vector<double> cdf(CdfGridProbabilities().size(), 0.0);
  for (const QueueRunResult& r : runs) {
    for (size_t i = 0; i < cdf.size() && i < r.sojourn_cdf.size(); ++i) cdf[i] += r.sojourn_cdf[i] / runs.size();
  }
  AddQuantileCdf(&out, "sojourn_s", "s", cdf, "",
                 absl::StrCat("each quantile averaged over ", reps, " replications (warm-up excluded)"));
  const double x_hi = std::max(cdf.size() > 1 ? cdf[cdf.size() - 2] : service, 4 * service);
  if (poisson && qc.service.kind == DurationDistribution::kExponential) {
    AddFunctionCurve(&out, "sojourn_s", "cdf", servers == 1 ? "M/M/1 exact" : "M/M/c exact", "s", "1", 0, x_hi,
                     241, false, [&](double t) { return 1 - MmcSojournTail(lambda, mu, servers, t); });
  } else if (poisson && qc.service.kind == DurationDistribution::kDeterministic && servers == 1) {
    AddFunctionCurve(&out, "sojourn_s", "cdf", "M/D/1 exact", "s", "1", 0, x_hi, 241, false,
                     [&](double t) { return t < service ? 0.0 : Md1WaitCdf(lambda, service, t - service); });
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
  SetEcho(&out, std::move(echo));
  return out;
}

}  // namespace mlsysim
