// jobs_runner.cc — `job_queue {}` scenarios: training/batch jobs queueing for
// a shared cluster under FIFO, backfill or priority-with-preemption, beside
// mlsysim's OrchestrationModel and, for whole-cluster jobs, the exact M/G/1 wait.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/fleet.h"
#include "analytic/queueing.h"
#include "analytic/units.h"
#include "sim/queueing/cluster_scheduler.h"
#include "sim/scenario/plot_data.h"
#include "sim/scenario/resolve.h"
#include "sim/scenario/result_builder.h"
#include "sim/scenario/runners.h"
#include "sim/scenario/scenario_check.h"
#include "topology/registry.h"
#include "workloads/distributions.h"

namespace mlsysim {
namespace {

double Quantile(std::vector<double> v, double p) { return NearestRankQuantile(v, p); }

absl::StatusOr<double> Hours(const std::string& text, const char* field, double def) {
  double seconds = def * 3600.0;
  if (auto e = ParseScenarioQuantity(text, field, dims::kTime, /*positive=*/false, &seconds); !e.empty()) {
    return absl::InvalidArgumentError(e);
  }
  return seconds / 3600.0;
}

}  // namespace

absl::Status RunJobQueue(const scenario::Scenario& s, int gpus, const RunContext& rc, result::Result* out) {
  auto bad = [](const std::string& why) { return absl::InvalidArgumentError(why); };
  if (const std::string e = CheckScenarioRanges(s); !e.empty()) return bad(e);
  const auto& q = s.job_queue();
  ClusterJobsConfig c;
  c.gpus = gpus;
  if (c.gpus < 1) return bad("job_queue.gpus: must be >= 1");
  const int jobs = q.jobs() > 0 ? static_cast<int>(q.jobs()) : 20000;
  if (jobs < 10) return bad(absl::StrCat("job_queue.jobs: must lie in [10, 10000000]; got ", jobs));
  const uint64_t seed = s.seed() > 0 ? s.seed() : 1;
  const int reps = s.replications() > 0 ? static_cast<int>(s.replications()) : ScenarioDefaults::kJobReplications;
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
  Progress progress(rc, "job-queue replication", reps);
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
  // Plot data: each class's wait CDF, all replications pooled.
  for (size_t k = 0; k < c.classes.size(); ++k) {
    std::vector<double> waits;
    for (const auto& r : runs) waits.insert(waits.end(), r.waits_h[k].begin(), r.waits_h[k].end());
    AddSampleCdf(out, "wait_h", "h", std::move(waits), c.classes.size() > 1 ? c.classes[k].name : "",
                 absl::StrCat("jobs after the warm-up of ", reps, " replication(s), pooled"));
  }
  out->set_fingerprint(absl::StrFormat("%016x", runs[0].fingerprint));
  return absl::OkStatus();
}

absl::StatusOr<result::Result> RunJobs(const scenario::Scenario& s, const RunContext& rc) {
  int64_t gpus = s.job_queue().gpus();
  if (gpus <= 0) {  // the cluster's: nodes × the node type's GPUs
    auto cluster = ResolveCluster(s.cluster(), rc.registry.get());
    if (!cluster.ok()) return cluster.status();
    gpus = cluster->gpus;
  }
  if (gpus < 1 || gpus > kMaxAccelerators) {
    return absl::InvalidArgumentError(
        "job_queue.gpus: set it, or cluster.nodes (times the node type's GPUs), to 1…2^24 GPUs");
  }
  result::Result out;
  if (auto st = RunJobQueue(s, static_cast<int>(gpus), rc, &out); !st.ok()) return st;
  scenario::Scenario echo = s;
  echo.set_seed(s.seed() > 0 ? s.seed() : 1);
  echo.set_replications(s.replications() > 0 ? s.replications() : ScenarioDefaults::kJobReplications);
  SetEcho(&out, std::move(echo));
  return out;
}

}  // namespace mlsysim
