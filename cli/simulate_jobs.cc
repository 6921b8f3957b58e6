// simulate_jobs.cc — `mlsysim simulate jobs`: training/batch jobs queueing for
// a shared cluster under FIFO, backfill or priority-with-preemption, beside
// mlsysim's OrchestrationModel and, for whole-cluster jobs, the exact M/G/1 wait.
#include <algorithm>
#include <cmath>
#include <functional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "analytic/fleet.h"
#include "analytic/queueing.h"
#include "cli/simulate_common.h"
#include "sim/cluster_scheduler.h"
#include "traces/json_writer.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o json] simulate jobs --gpus N --arrival-rate JOBS_PER_DAY --duration HOURS\n"
    "         [--duration-dist exp|det|gamma] [--cv V] [--job-gpus 8,64,256] [--policy fifo|backfill|priority]\n"
    "         [--high-priority-share X] [--restart-penalty HOURS] [--jobs N] [--seed N] [--replications R]\n";

double Quantile(std::vector<double> v, double p) { return NearestRankQuantile(v, p); }

}  // namespace

int RunSimulateJobs(const CommandContext& ctx, const CommandArgs& args) {
  ParsedOptions o;
  std::vector<OptionSpec> specs;
  for (const char* n : {"--gpus", "--arrival-rate", "--duration", "--duration-dist", "--cv",
                        "--job-gpus", "--policy", "--high-priority-share", "--restart-penalty",
                        "--jobs", "--seed", "--replications"})
    specs.push_back({n, "", true});
  specs.push_back({"--help", "-h", false});
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
  ClusterJobsConfig c;
  int jobs = 20000, seed = 1, reps = 5;
  double per_day = 0, hours = 0, cv = 1, high = 0, penalty = 0.1;
  std::string e = GetInt(o, "--gpus", 1, 10000000, &c.gpus);
  if (e.empty()) e = GetInt(o, "--jobs", 10, 10000000, &jobs);
  if (e.empty()) e = GetInt(o, "--seed", 0, 2000000000, &seed);
  if (e.empty()) e = GetInt(o, "--replications", 1, 10000, &reps);
  if (e.empty()) e = GetNumber(o, "--arrival-rate", &per_day);
  if (e.empty()) e = GetNumber(o, "--duration", &hours);
  if (e.empty()) e = GetNumber(o, "--cv", &cv);
  if (e.empty()) e = GetNumber(o, "--high-priority-share", &high);
  if (e.empty()) e = GetNumber(o, "--restart-penalty", &penalty);
  if (e.empty() && !(per_day > 0)) e = "--arrival-rate must be > 0 (jobs per day)";
  if (e.empty() && (high < 0 || high >= 1)) e = "--high-priority-share must lie in [0, 1)";
  if (e.empty() && penalty < 0) e = "--restart-penalty must be >= 0";
  if (!e.empty()) return bad(e);
  auto duration = MakeDuration(o.Get("--duration-dist", "exp"), hours, cv, "--duration");
  if (!duration.ok()) return bad(std::string(duration.status().message()));
  auto policy = ParseSchedulerPolicy(o.Get("--policy", "fifo"));
  if (!policy.ok()) return bad(std::string(policy.status().message()));
  std::vector<int> sizes;
  for (absl::string_view part : absl::StrSplit(o.Get("--job-gpus", absl::StrCat(c.gpus)), ',')) {
    int g;
    if (!absl::SimpleAtoi(part, &g) || g < 1 || g > c.gpus) {
      return bad(absl::StrCat("--job-gpus: '", part, "' must be an integer in [1, ", c.gpus, "]"));
    }
    sizes.push_back(g);
  }
  c.arrival_rate_per_hour = per_day / 24.0;
  c.jobs = jobs;
  c.policy = *policy;
  c.restart_penalty_h = penalty;
  c.seed = static_cast<uint64_t>(seed);
  c.classes.push_back({"normal", 1.0 - high, 0, sizes, *duration});
  if (high > 0) c.classes.push_back({"high", high, 1, sizes, *duration});

  std::vector<ClusterJobsResult> runs;
  for (int r = 0; r < reps; ++r) {
    c.replication = static_cast<uint64_t>(r);
    auto res = SimulateClusterJobs(c);
    if (!res.ok()) return bad(std::string(res.status().message()));
    runs.push_back(*std::move(res));
  }
  double mean_gpus = 0;
  for (int g : sizes) mean_gpus += g;
  mean_gpus /= sizes.size();
  const double rho = c.arrival_rate_per_hour * hours * mean_gpus / c.gpus;
  Record out;
  out.Int("gpus", c.gpus).Num("arrival_rate_per_day", per_day).Num("mean_duration_h", hours)
      .Str("policy", o.Get("--policy", "fifo")).Num("offered_load", rho).Int("jobs", jobs)
      .Int("replications", reps);
  auto stat = [&](const std::string& name, std::function<double(const ClusterJobsResult&)> f) {
    std::vector<double> x;
    for (const auto& r : runs) x.push_back(f(r));
    auto [mean, ci] = MeanCi95(x);
    out.Num(name, mean).Num(name + "_ci95", ci);
    return mean;
  };
  double wait_all = 0;
  for (size_t k = 0; k < c.classes.size(); ++k) {
    const std::string prefix = c.classes.size() > 1 ? c.classes[k].name + "_" : "";
    const double w = stat(prefix + "wait_mean_h", [k](const auto& r) {
      double s = 0;
      for (double x : r.waits_h[k]) s += x;
      return r.waits_h[k].empty() ? 0.0 : s / r.waits_h[k].size();
    });
    if (k == 0) wait_all = w;
    for (const auto& [label, p] : std::vector<std::pair<const char*, double>>{{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}})
      stat(prefix + "wait_" + label + "_h", [k, p = p](const auto& r) { return Quantile(r.waits_h[k], p); });
  }
  stat("utilization", [](const auto& r) { return r.utilization; });
  stat("mean_jobs_waiting", [](const auto& r) { return r.mean_jobs_waiting; });
  stat("preemptions", [](const auto& r) { return static_cast<double>(r.preemptions); });
  // mlsysim's OrchestrationModel (it ignores the cluster size and job widths).
  auto orch = SolveOrchestration(per_day, hours / 24.0);
  if (orch.ok()) {
    Record m;
    m.Num("cluster_utilization", orch->cluster_utilization)
        .Num("avg_wait_time_h", orch->avg_wait_time_days * 24)
        .Bool("is_stable", orch->is_stable)
        .Num("wait_relative_gap", RelativeGap(wait_all, orch->avg_wait_time_days * 24))
        .Str("note", "one server: every job takes the whole cluster; M/D/1 mean");
    out.Obj("mlsysim", std::move(m));
  }
  if (sizes.size() == 1 && sizes[0] == c.gpus && c.classes.size() == 1) {
    const double cv2 = duration->Variance() / (hours * hours);
    const double exact = Mg1WaitMean(c.arrival_rate_per_hour, hours, cv2);
    Record x;
    x.Str("model", "M/G/1 (whole-cluster jobs, FIFO)").Num("wait_mean_h", exact)
        .Num("wait_relative_gap", RelativeGap(wait_all, exact));
    out.Obj("exact", std::move(x));
  }
  out.Str("fingerprint", absl::StrFormat("%016x", runs[0].fingerprint));
  return PrintResult(ctx, "simulate jobs", out);
}

}  // namespace mlsysim
