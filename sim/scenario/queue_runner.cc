// queue_runner.cc — a `queue {}` scenario: the plain c-server queue,
// simulated over replications, beside the exact queueing result (M/M/c,
// M/D/1, M/G/1 mean) and mlsysim v0.1.1's TailLatencyModel figure.
#include <cmath>
#include <functional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/queueing.h"
#include "analytic/serving.h"
#include "sim/core/statistics.h"
#include "sim/core/time.h"
#include "sim/queueing/queue_sim.h"
#include "sim/scenario/plot_data.h"
#include "sim/scenario/resolve.h"
#include "sim/scenario/result_builder.h"
#include "sim/scenario/runners.h"
#include "sim/scenario/scenario_check.h"
#include "workloads/distributions.h"

namespace mlsysim {

namespace {

absl::Status Bad(const std::string& why) { return absl::InvalidArgumentError(why); }

// A `queue {}` workload resolved: defaults applied, vocabularies parsed, the
// load and the clock's range checked.
struct ResolvedQueue {
  QueueConfig config;
  double lambda = 0, service = 0, cv = 1, rho = 0;
  std::string dist, arrival;
  int reps = 1;
  bool poisson = true;
};

absl::StatusOr<ResolvedQueue> ResolveQueue(const scenario::Scenario& s) {
  if (const std::string e = CheckScenarioRanges(s); !e.empty()) return Bad(e);
  const auto& q = s.queue();
  ResolvedQueue r;
  QueueConfig& qc = r.config;
  qc.servers = std::max(1, q.servers());
  qc.requests = q.requests();
  qc.warmup_fraction = q.warmup_fraction() > 0 ? q.warmup_fraction() : 0.05;
  qc.seed = s.seed() > 0 ? s.seed() : 1;
  r.lambda = q.arrival_rate();
  r.service = q.service_time();
  r.cv = q.service_cv() > 0 ? q.service_cv() : 1.0;
  r.reps = s.replications() > 0 ? static_cast<int>(s.replications())
                                : ScenarioDefaults::kQueueReplications;
  if (!(r.lambda > 0)) return Bad("queue.arrival_rate: must be > 0");
  if (!(r.service > 0)) return Bad("queue.service_time: must be > 0");
  if (qc.requests < 100) {
    return Bad(absl::StrCat("queue.requests: must lie in [100, 2000000000]; got ", qc.requests));
  }
  r.rho = r.lambda * r.service / qc.servers;
  if (r.rho >= 1) {
    return Bad(
        absl::StrFormat("queue.arrival_rate: unstable load: rho = lambda*S/c = %.4g >= 1, no "
                        "steady state to measure",
                        r.rho));
  }
  // The clock covers 2^63 ns: refuse a horizon (requests / λ, generously
  // doubled for the last sojourns) that could pass it.
  const double horizon_s = 2.0 * qc.requests / r.lambda + 1000.0 * r.service;
  if (horizon_s > kMaxSimSeconds) {
    return Bad(absl::StrFormat(
        "queue.requests / queue.arrival_rate: the run would span about %.3g s (%.3g years) of "
        "simulated "
        "time; the clock's range is %.3g s (292 years): use fewer requests or a faster unit",
        horizon_s / 2, horizon_s / 2 / 3.15576e7, kMaxSimSeconds));
  }
  r.dist = q.service_distribution().empty() ? "exp" : q.service_distribution();
  r.arrival = q.arrival().empty() ? "poisson" : q.arrival();
  r.poisson = r.arrival == "poisson";
  auto svc = MakeDuration(r.dist, r.service, r.cv, "queue.service_distribution");
  if (!svc.ok()) return Bad(std::string(svc.status().message()));
  qc.service = *svc;
  auto arr = MakeArrivals(r.arrival, r.lambda, q.arrival_cv() > 0 ? q.arrival_cv() : 1.0);
  if (!arr.ok()) return Bad(absl::StrCat("queue.arrival: ", arr.status().message()));
  qc.arrivals = *arr;
  return r;
}

// Weak statistics: a run shorter than ~50 relaxation times of the queue
// (≈ S/(1−√ρ)², Whitt) under-estimates its tails.
void WarnIfShort(const ResolvedQueue& q, const RunContext& rc, result::Result* out) {
  const double relaxation_s = q.service / ((1 - std::sqrt(q.rho)) * (1 - std::sqrt(q.rho)));
  const double warmup = q.config.warmup_fraction;
  const double covered = q.config.requests / q.lambda * (1 - warmup) / relaxation_s;
  if (covered >= 50) return;
  Warn(rc, out,
       absl::StrFormat(
           "each replication covers %.3g relaxation times (S/(1-sqrt(rho))^2 = %.4g) < 50: tail "
           "percentiles are biased low; use queue.requests >= %.3g",
           covered, relaxation_s, std::ceil(50 * relaxation_s * q.lambda / (1 - warmup))));
}

// The queue's figures, in report order.
constexpr ReplicatedMetric<QueueRunResult> kQueueMetrics[] = {
    {"wait_mean", "s", &QueueRunResult::wait_mean},
    {"sojourn_mean", "s", &QueueRunResult::sojourn_mean},
    {"sojourn_p50", "s", &QueueRunResult::sojourn_p50},
    {"sojourn_p90", "s", &QueueRunResult::sojourn_p90},
    {"sojourn_p99", "s", &QueueRunResult::sojourn_p99},
    {"sojourn_p999", "s", &QueueRunResult::sojourn_p999},
    {"wait_p99", "s", &QueueRunResult::wait_p99},
    {"utilization", "1", &QueueRunResult::utilization},
    {"prob_wait", "1", &QueueRunResult::prob_wait},
    {"mean_in_system", "1", &QueueRunResult::mean_in_system},
    {"observed_arrival_rate", "1/s", &QueueRunResult::arrival_rate},
};
enum QueueMetricRow {
  kWaitMean,
  kSojournMean,
  kP50,
  kP90,
  kP99,
  kP999,
  kWaitP99,
  kUtil,
  kProbWait,
  kL,
  kLambda
};

// Exact results where queueing theory has them (M/M/c, M/D/1), the M/G/1
// mean otherwise for one server, and the checks every queue has.
void SetQueueClosedForms(const ResolvedQueue& q, const std::vector<result::Metric*>& m) {
  const int c = q.config.servers;
  const double lambda = q.lambda, service = q.service, mu = 1.0 / service;
  SetAnalytic(m[kUtil], q.rho, "rho = lambda*S/c");
  SetAnalytic(m[kLambda], lambda, "the arrival rate asked for");
  SetAnalytic(m[kL], m[kLambda]->simulated() * m[kSojournMean]->simulated(),
              "Little's law L = lambda*W (observed lambda and W)");
  const auto kind = q.config.service.kind;
  if (q.poisson && kind == DurationDistribution::kExponential) {
    const std::string model = c == 1 ? "M/M/1" : "M/M/c";
    SetAnalytic(m[kWaitMean], MmcWaitMean(lambda, mu, c), model);
    SetAnalytic(m[kSojournMean], MmcWaitMean(lambda, mu, c) + service, model);
    const QueueMetricRow rows[] = {kP50, kP90, kP99, kP999};
    const double ps[] = {0.5, 0.9, 0.99, 0.999};
    for (int i = 0; i < 4; ++i)
      SetAnalytic(m[rows[i]], MmcSojournQuantile(lambda, mu, c, ps[i]), model);
    SetAnalytic(m[kWaitP99], MmcWaitQuantile(lambda, mu, c, 0.99), model);
    SetAnalytic(m[kProbWait], MmcProbWait(lambda, mu, c), model);
  } else if (q.poisson && kind == DurationDistribution::kDeterministic && c == 1) {
    SetAnalytic(m[kWaitMean], Md1WaitMean(lambda, service), "M/D/1");
    SetAnalytic(m[kSojournMean], Md1WaitMean(lambda, service) + service, "M/D/1");
    const QueueMetricRow rows[] = {kP50, kP90, kP99, kP999};
    const double ps[] = {0.5, 0.9, 0.99, 0.999};
    for (int i = 0; i < 4; ++i)
      SetAnalytic(m[rows[i]], Md1WaitQuantile(lambda, service, ps[i]) + service, "M/D/1");
    SetAnalytic(m[kWaitP99], Md1WaitQuantile(lambda, service, 0.99), "M/D/1");
  } else if (q.poisson && c == 1) {
    const double cv2 = q.config.service.Variance() / (service * service);
    SetAnalytic(m[kWaitMean], Mg1WaitMean(lambda, service, cv2),
                "M/G/1 (Pollaczek-Khinchine mean)");
    SetAnalytic(m[kSojournMean], Mg1WaitMean(lambda, service, cv2) + service,
                "M/G/1 (Pollaczek-Khinchine mean)");
  }
}

// Plot data: the sojourn-time CDF (each quantile averaged over the
// replications) beside the exact distribution where there is one.
void AddSojournCdf(const ResolvedQueue& q, const std::vector<QueueRunResult>& runs,
                   result::Result* out) {
  const int c = q.config.servers;
  const double lambda = q.lambda, service = q.service, mu = 1.0 / service;
  std::vector<double> cdf(CdfGridProbabilities().size(), 0.0);
  for (const QueueRunResult& r : runs) {
    for (size_t i = 0; i < cdf.size() && i < r.sojourn_cdf.size(); ++i)
      cdf[i] += r.sojourn_cdf[i] / runs.size();
  }
  AddQuantileCdf(
      out, "sojourn_s", "s", cdf, "",
      absl::StrCat("each quantile averaged over ", q.reps, " replications (warm-up excluded)"));
  const double x_hi = std::max(cdf.size() > 1 ? cdf[cdf.size() - 2] : service, 4 * service);
  const auto kind = q.config.service.kind;
  if (q.poisson && kind == DurationDistribution::kExponential) {
    AddFunctionCurve(out, "sojourn_s", "cdf", c == 1 ? "M/M/1 exact" : "M/M/c exact", "s", "1", 0,
                     x_hi, 241, false,
                     [&](double t) { return 1 - MmcSojournTail(lambda, mu, c, t); });
  } else if (q.poisson && kind == DurationDistribution::kDeterministic && c == 1) {
    AddFunctionCurve(
        out, "sojourn_s", "cdf", "M/D/1 exact", "s", "1", 0, x_hi, 241, false,
        [&](double t) { return t < service ? 0.0 : Md1WaitCdf(lambda, service, t - service); });
  }
}

// mlsysim v0.1.1's TailLatencyModel on the same queue (its p99 adds a wait
// quantile to the mean service time).
void AddMlsysimTail(const ResolvedQueue& q, const std::vector<result::Metric*>& m,
                    result::Result* out) {
  const auto kind = q.config.service.kind;
  auto tail = SolveTailLatency(q.lambda, q.service * 1000.0, q.config.servers,
                               kind == DurationDistribution::kDeterministic ? 0.0
                               : kind == DurationDistribution::kGamma       ? q.cv
                                                                            : 1.0);
  if (!tail.ok()) return;
  result::Section* s =
      AddSection(out, "mlsysim", "mlsysim v0.1.1 TailLatencyModel on the same queue");
  SetAnalytic(AddMetric(s, "p50_latency", "s", m[kP50]->simulated()), tail->p50_latency_ms / 1000.0,
              "mlsysim TailLatencyModel");
  SetAnalytic(AddMetric(s, "p99_latency", "s", m[kP99]->simulated()), tail->p99_latency_ms / 1000.0,
              "mlsysim TailLatencyModel",
              "its p99 adds an M/M/c wait quantile to the mean service time");
}

}  // namespace

absl::StatusOr<result::Result> RunQueue(const scenario::Scenario& s, const RunContext& rc) {
  auto resolved = ResolveQueue(s);
  if (!resolved.ok()) return resolved.status();
  ResolvedQueue& q = *resolved;
  const int servers = q.config.servers;
  result::Result out = NewResult(
      "queue", s.name().empty()
                   ? absl::StrCat(servers == 1 ? "1 server" : absl::StrCat(servers, " servers"),
                                  ", ", q.arrival, " arrivals, ", q.dist, " service")
                   : s.name());
  WarnIfShort(q, rc, &out);
  std::vector<QueueRunResult> runs;
  uint64_t events = 0;
  Progress progress(rc, "replication", q.reps);
  for (int r = 0; r < q.reps; ++r) {
    q.config.replication = static_cast<uint64_t>(r);
    auto res = SimulateQueue(q.config);
    if (!res.ok()) return Bad(std::string(res.status().message()));
    events += res->events;
    runs.push_back(*res);
    progress.Step(r + 1);
  }
  progress.Done();
  AddFact(&out, "servers", servers);
  AddFact(&out, "arrival", q.arrival);
  AddFact(&out, "arrival_rate", q.lambda, "1/s");
  AddFact(&out, "service_dist", q.dist);
  AddFact(&out, "service_time", q.service, "s");
  AddFact(&out, "rho", q.rho);
  AddFact(&out, "requests", static_cast<double>(q.config.requests));
  const std::vector<result::Metric*> metrics = AddReplicatedTable(&out, kQueueMetrics, runs);
  SetQueueClosedForms(q, metrics);
  AddSojournCdf(q, runs, &out);
  AddMlsysimTail(q, metrics, &out);
  out.set_events(events);
  out.set_fingerprint(absl::StrFormat("%016x", runs[0].fingerprint));
  scenario::Scenario echo = s;
  echo.set_seed(q.config.seed);
  echo.set_replications(static_cast<uint32_t>(q.reps));
  SetEcho(&out, std::move(echo));
  return out;
}

absl::Status FillQueueDefaults(scenario::Scenario* s) {
  auto r = ResolveQueue(*s);
  if (!r.ok()) return r.status();
  if (s->seed() == 0) s->set_seed(r->config.seed);
  if (s->replications() == 0) s->set_replications(static_cast<uint32_t>(r->reps));
  scenario::QueueWorkload& q = *s->mutable_queue();
  if (q.servers() == 0) q.set_servers(r->config.servers);
  if (q.service_distribution().empty()) q.set_service_distribution(r->dist);
  if (q.service_cv() == 0 && r->dist == "gamma") q.set_service_cv(r->cv);
  if (q.arrival().empty()) q.set_arrival(r->arrival);
  if (q.warmup_fraction() == 0) q.set_warmup_fraction(r->config.warmup_fraction);
  return absl::OkStatus();
}

}  // namespace mlsysim
