// simulate_jobs.cc — `mlsysim simulate jobs` and `job_queue {}` scenarios:
// training/batch jobs queueing for a shared cluster under FIFO, backfill or
// priority-with-preemption, beside mlsysim's OrchestrationModel and, for
// whole-cluster jobs, the exact M/G/1 wait. Flags only fill a Scenario.
#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "analytic/fleet.h"
#include "analytic/queueing.h"
#include "analytic/units.h"
#include "cli/simulate_common.h"
#include "sim/cluster_scheduler.h"
#include "sim/scenario/result_builder.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o text|json|markdown] simulate jobs --gpus N --arrival-rate JOBS_PER_DAY --duration HOURS\n"
    "         [--duration-dist exp|det|gamma] [--cv V] [--job-gpus 8,64,256] [--policy fifo|backfill|priority]\n"
    "         [--high-priority-share X] [--restart-penalty HOURS] [--jobs N] [--seed N] [--replications R]\n"
    "         [--dump-scenario]\n"
    "  Times are reported in hours (metrics named _h).\n";

const FieldFlags kJobsFlags = {
    {"job_queue.gpus", "--gpus"},
    {"job_queue.arrival_rate_per_day", "--arrival-rate"},
    {"job_queue.duration_distribution", "--duration-dist"},
    {"job_queue.duration_cv", "--cv"},
    {"job_queue.duration", "--duration"},
    {"job_queue.job_gpus", "--job-gpus"},
    {"job_queue.policy", "--policy"},
    {"job_queue.high_priority_share", "--high-priority-share"},
    {"job_queue.restart_penalty", "--restart-penalty"},
    {"job_queue.jobs", "--jobs"},
    {"replications", "--replications"},
    {"seed", "--seed"}};

double Quantile(std::vector<double> v, double p) { return NearestRankQuantile(v, p); }

absl::StatusOr<double> Hours(const std::string& text, const char* field, double def) {
  if (text.empty()) return def;
  auto q = ParseQuantityAs(text, dims::kTime, field);
  if (!q.ok()) return q.status();
  if (q->si < 0) return absl::InvalidArgumentError(absl::StrCat(field, ": must be >= 0"));
  return q->si / 3600.0;
}

}  // namespace

int RunJobsScenario(const CommandContext& ctx, const scenario::Scenario& s, const FieldFlags& flags,
                    int gpus, result::Result* out) {
  auto bad = [&](const std::string& why) {
    return ReportError(ctx, kExitBadInput, "Bad input", NameFlags(why, flags));
  };
  if (const std::string e = CheckScenarioRanges(s); !e.empty()) return bad(e);
  const auto& q = s.job_queue();
  ClusterJobsConfig c;
  c.gpus = gpus;
  if (c.gpus < 1) return bad("job_queue.gpus: must be >= 1");
  const int jobs = q.jobs() > 0 ? static_cast<int>(q.jobs()) : 20000;
  if (jobs < 10) return bad(absl::StrCat("job_queue.jobs: must lie in [10, 10000000]; got ", jobs));
  const uint64_t seed = s.seed() > 0 ? s.seed() : 1;
  const int reps = s.replications() > 0 ? static_cast<int>(s.replications()) : 5;
  if (reps > 10000) return bad(absl::StrCat("replications: at most 10000 for a job queue; got ", reps));
  const double per_day = q.arrival_rate_per_day();
  if (!(per_day > 0)) return bad("job_queue.arrival_rate_per_day: must be > 0 (jobs per day)");
  auto hours = Hours(q.duration(), "job_queue.duration", 0);
  if (!hours.ok()) return bad(std::string(hours.status().message()));
  if (!(*hours > 0)) return bad("job_queue.duration: a mean job duration > 0 is required, e.g. \"12 hour\"");
  auto penalty = Hours(q.restart_penalty(), "job_queue.restart_penalty", 0.1);
  if (!penalty.ok()) return bad(std::string(penalty.status().message()));
  const double cv = q.duration_cv() > 0 ? q.duration_cv() : 1.0;
  const double high = q.high_priority_share();
  const std::string dist = q.duration_distribution().empty() ? "exp" : q.duration_distribution();
  auto duration = MakeDuration(dist, *hours, cv, "job_queue.duration_distribution");
  if (!duration.ok()) return bad(std::string(duration.status().message()));
  const std::string policy_name = q.policy().empty() ? "fifo" : q.policy();
  auto policy = ParseSchedulerPolicy(policy_name);
  if (!policy.ok()) return bad(absl::StrCat("job_queue.policy: ", policy.status().message()));
  std::vector<int> sizes(q.job_gpus().begin(), q.job_gpus().end());
  if (sizes.empty()) sizes.push_back(c.gpus);
  for (int g : sizes) {
    if (g < 1 || g > c.gpus) return bad(absl::StrCat("job_queue.job_gpus: ", g, " must lie in [1, ", c.gpus, "]"));
  }
  c.arrival_rate_per_hour = per_day / 24.0;
  c.jobs = jobs;
  c.policy = *policy;
  c.restart_penalty_h = *penalty;
  c.seed = seed;
  c.classes.push_back({"normal", 1.0 - high, 0, sizes, *duration});
  if (high > 0) c.classes.push_back({"high", high, 1, sizes, *duration});

  std::vector<ClusterJobsResult> runs;
  Progress progress(ctx, "job-queue replication", reps);
  for (int r = 0; r < reps; ++r) {
    c.replication = static_cast<uint64_t>(r);
    auto res = SimulateClusterJobs(c);
    if (!res.ok()) return bad(std::string(res.status().message()));
    runs.push_back(*std::move(res));
    progress.Step(r + 1);
  }
  progress.Done();
  double mean_gpus = 0;
  for (int g : sizes) mean_gpus += g;
  mean_gpus /= sizes.size();
  const double rho = c.arrival_rate_per_hour * *hours * mean_gpus / c.gpus;
  *out = NewResult("jobs", s.name().empty() ? absl::StrCat(c.gpus, " GPUs, ", policy_name) : s.name());
  AddFact(out, "gpus", c.gpus);
  AddFact(out, "arrival_rate_per_day", per_day, "1/d");
  AddFact(out, "mean_duration_h", *hours, "h");
  AddFact(out, "policy", policy_name);
  AddFact(out, "offered_load", rho);
  AddFact(out, "jobs", jobs);
  if (rho >= 1) {
    out->add_warnings(absl::StrFormat(
        "offered load %.4g >= 1: the queue grows without bound; waits depend on the number of jobs", rho));
  }
  auto stat = [&](result::Section* where, const std::string& name, const char* unit,
                  std::function<double(const ClusterJobsResult&)> f) {
    std::vector<double> x;
    for (const auto& r : runs) x.push_back(f(r));
    return where ? AddReplicated(where, name, unit, x) : AddReplicated(out, name, unit, x);
  };
  result::Metric* wait_all = nullptr;
  for (size_t k = 0; k < c.classes.size(); ++k) {
    const std::string prefix = c.classes.size() > 1 ? c.classes[k].name + "_" : "";
    result::Metric* w = stat(nullptr, prefix + "wait_mean_h", "h", [k](const auto& r) {
      double sum = 0;
      for (double x : r.waits_h[k]) sum += x;
      return r.waits_h[k].empty() ? 0.0 : sum / r.waits_h[k].size();
    });
    if (k == 0) wait_all = w;
    for (const auto& [label, p] : std::vector<std::pair<const char*, double>>{{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}})
      stat(nullptr, prefix + "wait_" + label + "_h", "h", [k, p = p](const auto& r) { return Quantile(r.waits_h[k], p); });
  }
  SetAnalytic(stat(nullptr, "utilization", "1", [](const auto& r) { return r.utilization; }), std::min(1.0, rho),
              "offered load min(1, lambda*E[S]*E[gpus]/N)");
  stat(nullptr, "mean_jobs_waiting", "1", [](const auto& r) { return r.mean_jobs_waiting; });
  stat(nullptr, "preemptions", "1", [](const auto& r) { return static_cast<double>(r.preemptions); });
  if (sizes.size() == 1 && sizes[0] == c.gpus && c.classes.size() == 1) {
    const double cv2 = duration->Variance() / (*hours * *hours);
    const double exact = rho < 1 ? Mg1WaitMean(c.arrival_rate_per_hour, *hours, cv2)
                                 : std::numeric_limits<double>::infinity();
    SetAnalytic(wait_all, exact, "M/G/1 (whole-cluster jobs, FIFO)");
  }
  // mlsysim's OrchestrationModel (it ignores the cluster size and job widths).
  auto orch = SolveOrchestration(per_day, *hours / 24.0);
  if (orch.ok()) {
    result::Section* m = AddSection(out, "mlsysim", "mlsysim v0.1.1 OrchestrationModel (one server: every job takes the whole cluster; M/D/1 mean)");
    AddFact(m, "cluster_utilization", orch->cluster_utilization);
    AddFlag(m, "is_stable", orch->is_stable);
    SetAnalytic(AddMetric(m, "avg_wait_time_h", "h", wait_all->simulated()),
                orch->is_stable ? orch->avg_wait_time_days * 24 : std::numeric_limits<double>::infinity(),
                "mlsysim OrchestrationModel");
  }
  out->set_fingerprint(absl::StrFormat("%016x", runs[0].fingerprint));
  return kExitOk;
}

int RunSimulateJobs(const CommandContext& ctx, const CommandArgs& args) {
  ParsedOptions o;
  std::vector<OptionSpec> specs;
  for (const char* n : {"--gpus", "--arrival-rate", "--duration", "--duration-dist", "--cv",
                        "--job-gpus", "--policy", "--high-priority-share", "--restart-penalty",
                        "--jobs", "--seed", "--replications"})
    specs.push_back({n, "", true});
  specs.push_back({"--help", "-h", false});
  specs.push_back({"--dump-scenario", "", false});
  const std::string perr = ParseOptions(args, specs, "simulate jobs", &o);
  auto bad = [&](const std::string& why) { return ReportError(ctx, kExitBadInput, "Bad input", why); };
  if (!perr.empty()) return bad(perr);
  if (o.Has("--help")) {
    *ctx.out << kHelp;
    return kExitOk;
  }
  for (const char* required : {"--gpus", "--arrival-rate", "--duration"}) {
    if (!o.Has(required)) return bad(absl::StrCat(required, " is required"));
  }
  int gpus = 0, jobs = 0, seed = 0, reps = 0;
  double per_day = 0, hours = 0, cv = 0, high = 0, penalty = -1;
  std::string e = GetInt(o, "--gpus", 1, 10000000, &gpus);
  if (e.empty()) e = GetInt(o, "--jobs", 10, 10000000, &jobs);
  if (e.empty()) e = GetInt(o, "--seed", 0, 2000000000, &seed);
  if (e.empty()) e = GetInt(o, "--replications", 1, 10000, &reps);
  if (e.empty()) e = GetNumber(o, "--arrival-rate", &per_day);
  if (e.empty()) e = GetNumber(o, "--duration", &hours);
  if (e.empty()) e = GetNumber(o, "--cv", &cv);
  if (e.empty()) e = GetNumber(o, "--high-priority-share", &high);
  if (e.empty()) e = GetNumber(o, "--restart-penalty", &penalty);
  if (e.empty() && o.Has("--restart-penalty") && penalty < 0) e = "--restart-penalty must be >= 0";
  if (e.empty() && o.Has("--cv") && !(cv > 0)) e = "--cv must be > 0";
  if (e.empty() && !(hours > 0)) e = "--duration must be > 0 (hours)";
  if (!e.empty()) return bad(e);
  scenario::Scenario s;
  auto* q = s.mutable_job_queue();
  q->set_gpus(gpus);
  q->set_arrival_rate_per_day(per_day);
  q->set_duration(absl::StrCat(ExactNumber(hours), " hour"));
  q->set_duration_distribution(o.Get("--duration-dist", ""));
  q->set_duration_cv(cv);
  q->set_policy(o.Get("--policy", ""));
  q->set_high_priority_share(high);
  if (penalty >= 0) q->set_restart_penalty(absl::StrCat(ExactNumber(penalty), " hour"));
  q->set_jobs(jobs);
  if (o.Has("--job-gpus")) {
    for (absl::string_view part : absl::StrSplit(o.Get("--job-gpus", ""), ',')) {
      int g;
      if (!absl::SimpleAtoi(part, &g) || g < 1 || g > gpus) {
        return bad(absl::StrCat("--job-gpus: '", part, "' must be an integer in [1, ", gpus, "]"));
      }
      q->add_job_gpus(g);
    }
  }
  s.set_seed(static_cast<uint64_t>(seed));
  s.set_replications(static_cast<uint32_t>(reps));
  if (o.Has("--dump-scenario")) return DumpScenario(ctx, s);
  return RunJobsFromScenario(ctx, s, kJobsFlags);
}

int RunJobsFromScenario(const CommandContext& ctx, const scenario::Scenario& s, const FieldFlags& flags) {
  const int64_t gpus = s.job_queue().gpus() > 0 ? s.job_queue().gpus()
                                                : int64_t{s.cluster().nodes()} * 8;
  if (gpus < 1 || gpus > kMaxAccelerators) {
    return ReportError(ctx, kExitBadInput, "Bad input",
                       NameFlags("job_queue.gpus: set it, or cluster.nodes (8 GPUs each), to 1…2^24 GPUs", flags));
  }
  result::Result out;
  if (const int code = RunJobsScenario(ctx, s, flags, static_cast<int>(gpus), &out); code != kExitOk) return code;
  scenario::Scenario echo = s;
  echo.set_seed(s.seed() > 0 ? s.seed() : 1);
  echo.set_replications(s.replications() > 0 ? s.replications() : 5);
  return PrintSimResult(ctx, std::move(echo), std::move(out));
}

}  // namespace mlsysim
