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
#include "sim/scenario/jobs_config.h"
#include "sim/scenario/resolve.h"
#include "sim/scenario/result_builder.h"
#include "sim/scenario/runners.h"
#include "sim/scenario/scenario_check.h"
#include "topology/registry.h"
#include "traces/job_trace.h"
#include "workloads/distributions.h"

namespace mlsysim {
namespace {

double Quantile(std::vector<double> v, double p) { return NearestRankQuantile(v, p); }

absl::StatusOr<double> Hours(const std::string& text, const char* field, double def) {
  double seconds = def * 3600.0;
  if (auto e = ParseScenarioQuantity(text, field, dims::kTime, /*positive=*/false, &seconds);
      !e.empty()) {
    return absl::InvalidArgumentError(e);
  }
  return seconds / 3600.0;
}

}  // namespace

namespace {

absl::Status Bad(const std::string& why) { return absl::InvalidArgumentError(why); }


// A replayed trace: the jobs as recorded, in hours; the stream's fields are
// refused beside it (they would be silently ignored).
absl::Status ResolveJobTrace(const scenario::JobQueue& q, const std::string& dir,
                             ResolvedJobs* r) {
  const std::pair<const char*, bool> stream_fields[] = {
      {"arrival_rate_per_day", q.arrival_rate_per_day() != 0},
      {"duration", !q.duration().empty()},
      {"duration_distribution", !q.duration_distribution().empty()},
      {"duration_cv", q.duration_cv() != 0},
      {"job_gpus", q.job_gpus_size() > 0},
      {"high_priority_share", q.high_priority_share() != 0},
      {"jobs", q.jobs() != 0}};
  for (const auto& [name, set] : stream_fields) {
    if (set) {
      return Bad(absl::StrCat("job_queue.", name,
                              ": describes the Poisson job stream; with job_queue.job_trace the "
                              "trace gives the jobs (drop one of them)"));
    }
  }
  r->trace_path = q.job_trace()[0] == '/' ? q.job_trace() : dir + q.job_trace();
  auto rows = LoadJobTrace(r->trace_path);
  if (!rows.ok()) return Bad(absl::StrCat("job_queue.job_trace: ", rows.status().message()));
  ClusterJobsConfig& c = r->c;
  double gpu_hours = 0;
  for (const JobTraceRow& j : *rows) {
    if (j.gpus > c.gpus) {
      return Bad(absl::StrCat("job_queue.job_trace: ", r->trace_path, ":", j.line, ": job '",
                              j.job_id, "' asks for ", j.gpus, " GPUs; the queue has ", c.gpus));
    }
    c.trace.push_back({j.submit_s / 3600.0, j.duration_s / 3600.0, j.gpus, j.priority});
    r->rows.push_back(j);
    r->hours += j.duration_s / 3600.0 / static_cast<double>(rows->size());
    gpu_hours += j.gpus * j.duration_s / 3600.0;
  }
  c.jobs = static_cast<int64_t>(rows->size());
  c.classes.push_back({"trace", 1.0, 0, {1}, DurationDistribution{}});
  const double span_h = c.trace.back().submit_h;
  r->per_day = span_h > 0 ? (static_cast<double>(c.jobs) - 1) / span_h * 24.0 : 0;
  r->rho = span_h > 0 ? gpu_hours / (c.gpus * span_h) : 0;
  r->reps = 1;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ResolvedJobs> ResolveJobs(const scenario::Scenario& s, int gpus,
                                         const std::string& dir) {
  if (const std::string e = CheckScenarioRanges(s); !e.empty()) return Bad(e);
  const auto& q = s.job_queue();
  ResolvedJobs r;
  ClusterJobsConfig& c = r.c;
  c.gpus = gpus;
  if (c.gpus < 1) return Bad("job_queue.gpus: must be >= 1");
  if (!q.job_trace().empty()) {
    c.seed = s.seed() > 0 ? s.seed() : 1;
    if (s.replications() > 1) {
      return Bad(absl::StrCat("replications: a job trace replay has no randomness; ",
                              s.replications(), " replications would repeat one run (use 1)"));
    }
    r.policy_name = q.policy().empty() ? "fifo" : q.policy();
    auto policy = ParseSchedulerPolicy(r.policy_name);
    if (!policy.ok()) return Bad(absl::StrCat("job_queue.policy: ", policy.status().message()));
    c.policy = *policy;
    auto penalty = Hours(q.restart_penalty(), "job_queue.restart_penalty", 0.1);
    if (!penalty.ok()) return Bad(std::string(penalty.status().message()));
    c.restart_penalty_h = *penalty;
    if (auto st = ResolveJobTrace(q, dir, &r); !st.ok()) return st;
    return r;
  }
  c.jobs = q.jobs() > 0 ? static_cast<int>(q.jobs()) : 20000;
  if (c.jobs < 10)
    return Bad(absl::StrCat("job_queue.jobs: must lie in [10, 10000000]; got ", c.jobs));
  c.seed = s.seed() > 0 ? s.seed() : 1;
  r.reps = s.replications() > 0 ? static_cast<int>(s.replications())
                                : ScenarioDefaults::kJobReplications;
  if (r.reps > 10000)
    return Bad(absl::StrCat("replications: at most 10000 for a job queue; got ", r.reps));
  r.per_day = q.arrival_rate_per_day();
  if (!(r.per_day > 0)) return Bad("job_queue.arrival_rate_per_day: must be > 0 (jobs per day)");
  auto hours = Hours(q.duration(), "job_queue.duration", 0);
  if (!hours.ok()) return Bad(std::string(hours.status().message()));
  r.hours = *hours;
  if (!(r.hours > 0))
    return Bad("job_queue.duration: a mean job duration > 0 is required, e.g. \"12 hour\"");
  auto penalty = Hours(q.restart_penalty(), "job_queue.restart_penalty", 0.1);
  if (!penalty.ok()) return Bad(std::string(penalty.status().message()));
  const std::string dist = q.duration_distribution().empty() ? "exp" : q.duration_distribution();
  auto duration = MakeDuration(dist, r.hours, q.duration_cv() > 0 ? q.duration_cv() : 1.0,
                               "job_queue.duration_distribution");
  if (!duration.ok()) return Bad(std::string(duration.status().message()));
  r.duration = *duration;
  r.policy_name = q.policy().empty() ? "fifo" : q.policy();
  auto policy = ParseSchedulerPolicy(r.policy_name);
  if (!policy.ok()) return Bad(absl::StrCat("job_queue.policy: ", policy.status().message()));
  r.sizes.assign(q.job_gpus().begin(), q.job_gpus().end());
  if (r.sizes.empty()) r.sizes.push_back(c.gpus);
  for (int g : r.sizes) {
    if (g < 1 || g > c.gpus)
      return Bad(absl::StrCat("job_queue.job_gpus: ", g, " must lie in [1, ", c.gpus, "]"));
  }
  c.arrival_rate_per_hour = r.per_day / 24.0;
  c.policy = *policy;
  c.restart_penalty_h = *penalty;
  const double high = q.high_priority_share();
  c.classes.push_back({"normal", 1.0 - high, 0, r.sizes, r.duration});
  if (high > 0) c.classes.push_back({"high", high, 1, r.sizes, r.duration});
  double mean_gpus = 0;
  for (int g : r.sizes) mean_gpus += g;
  mean_gpus /= r.sizes.size();
  r.rho = c.arrival_rate_per_hour * r.hours * mean_gpus / c.gpus;
  return r;
}

namespace {

double MeanOf(const std::vector<double>& x) {
  double sum = 0;
  for (double v : x) sum += v;
  return x.empty() ? 0.0 : sum / x.size();
}

// Per class: the mean wait and its percentiles, replicated; returns class 0's
// mean (the whole queue's when there is one class).
result::Metric* AddWaits(const ResolvedJobs& r, const std::vector<ClusterJobsResult>& runs,
                         result::Result* out) {
  result::Metric* wait_all = nullptr;
  const auto& classes = r.c.classes;
  for (size_t k = 0; k < classes.size(); ++k) {
    const std::string prefix = classes.size() > 1 ? classes[k].name + "_" : "";
    std::vector<double> mean;
    for (const auto& run : runs) mean.push_back(MeanOf(run.waits_h[k]));
    result::Metric* w = AddReplicated(out, prefix + "wait_mean_h", "h", mean);
    if (k == 0) wait_all = w;
    for (const auto& [label, p] :
         {std::pair<const char*, double>{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}}) {
      std::vector<double> q;
      for (const auto& run : runs) q.push_back(Quantile(run.waits_h[k], p));
      AddReplicated(out, prefix + "wait_" + label + "_h", "h", q);
    }
  }
  return wait_all;
}

constexpr ReplicatedMetric<ClusterJobsResult> kJobMetrics[] = {
    {"utilization", "1", &ClusterJobsResult::utilization},
    {"mean_jobs_waiting", "1", &ClusterJobsResult::mean_jobs_waiting},
};

// The closed forms: offered load, M/G/1 for whole-cluster FIFO jobs, and
// mlsysim's OrchestrationModel (it ignores the cluster size and job widths).
void AddJobClosedForms(const ResolvedJobs& r, result::Metric* wait_all, result::Metric* utilization,
                       result::Result* out) {
  const ClusterJobsConfig& c = r.c;
  if (c.trace.empty()) {  // (a trace's load is its own: no stream to compare with)
    SetAnalytic(utilization, std::min(1.0, r.rho), "offered load min(1, lambda*E[S]*E[gpus]/N)");
  }
  if (c.trace.empty() && r.sizes.size() == 1 && r.sizes[0] == c.gpus && c.classes.size() == 1) {
    const double cv2 = r.duration.Variance() / (r.hours * r.hours);
    const double exact = r.rho < 1 ? Mg1WaitMean(c.arrival_rate_per_hour, r.hours, cv2)
                                   : std::numeric_limits<double>::infinity();
    SetAnalytic(wait_all, exact, "M/G/1 (whole-cluster jobs, FIFO)");
  }
  if (!(r.per_day > 0)) return;  // a trace with one submission instant
  auto orch = SolveOrchestration(r.per_day, r.hours / 24.0);
  if (!orch.ok()) return;
  result::Section* m = AddSection(out, "mlsysim",
                                  "mlsysim v0.1.1 OrchestrationModel (one server: every job takes "
                                  "the whole cluster; M/D/1 mean)");
  AddFact(m, "cluster_utilization", orch->cluster_utilization);
  AddFlag(m, "is_stable", orch->is_stable);
  SetAnalytic(
      AddMetric(m, "avg_wait_time_h", "h", wait_all->simulated()),
      orch->is_stable ? orch->avg_wait_time_days * 24 : std::numeric_limits<double>::infinity(),
      "mlsysim OrchestrationModel");
}

// A replayed trace's makespan and, per job, when it ran (table "jobs": the
// CSV columns job, submit_h, start_h, end_h, wait_h, gpus, preemptions).
void AddTraceOutcomes(const ClusterJobsResult& run, const RunContext& rc, result::Result* out) {
  AddMetric(out, "makespan_h", "h", run.makespan_h);
  if (rc.tables == nullptr) return;
  std::string csv = "job,submit_h,start_h,end_h,wait_h,gpus,preemptions\n";
  for (size_t i = 0; i < run.outcomes.size(); ++i) {
    const JobOutcome& o = run.outcomes[i];
    absl::StrAppend(&csv, i, ",", o.submit_h, ",", o.start_h, ",", o.end_h, ",",
                    o.start_h - o.submit_h, ",", o.gpus, ",", o.preemptions, "\n");
  }
  (*rc.tables)["jobs"] = std::move(csv);
}

}  // namespace

absl::Status RunJobQueue(const scenario::Scenario& s, int gpus, const RunContext& rc,
                         result::Result* out) {
  auto resolved = ResolveJobs(s, gpus, rc.input_dir);
  if (!resolved.ok()) return resolved.status();
  ResolvedJobs& r = *resolved;
  std::vector<ClusterJobsResult> runs;
  Progress progress(rc, "job-queue replication", r.reps);
  for (int rep = 0; rep < r.reps; ++rep) {
    r.c.replication = static_cast<uint64_t>(rep);
    auto res = SimulateClusterJobs(r.c);
    if (!res.ok()) return Bad(std::string(res.status().message()));
    runs.push_back(*std::move(res));
    progress.Step(rep + 1);
  }
  progress.Done();
  *out = NewResult("jobs",
                   s.name().empty() ? absl::StrCat(r.c.gpus, " GPUs, ", r.policy_name) : s.name());
  AddFact(out, "gpus", r.c.gpus);
  if (!r.trace_path.empty()) AddFact(out, "job_trace", s.job_queue().job_trace());
  AddFact(out, "arrival_rate_per_day", r.per_day, "1/d");
  AddFact(out, "mean_duration_h", r.hours, "h");
  AddFact(out, "policy", r.policy_name);
  AddFact(out, "offered_load", r.rho);
  AddFact(out, "jobs", r.c.jobs);
  if (!r.trace_path.empty()) AddTraceOutcomes(runs[0], rc, out);
  if (r.rho >= 1) {
    out->add_warnings(absl::StrFormat(
        "offered load %.4g >= 1: the queue grows without bound; waits depend on the number of jobs",
        r.rho));
  }
  result::Metric* wait_all = AddWaits(r, runs, out);
  const std::vector<result::Metric*> m = AddReplicatedTable(out, kJobMetrics, runs);
  std::vector<double> preemptions;
  for (const auto& run : runs) preemptions.push_back(static_cast<double>(run.preemptions));
  AddReplicated(out, "preemptions", "1", preemptions);
  AddJobClosedForms(r, wait_all, m[0], out);
  // Plot data: each class's wait CDF, all replications pooled.
  for (size_t k = 0; k < r.c.classes.size(); ++k) {
    std::vector<double> waits;
    for (const auto& run : runs)
      waits.insert(waits.end(), run.waits_h[k].begin(), run.waits_h[k].end());
    AddSampleCdf(out, "wait_h", "h", std::move(waits),
                 r.c.classes.size() > 1 ? r.c.classes[k].name : "",
                 absl::StrCat("jobs after the warm-up of ", r.reps, " replication(s), pooled"));
  }
  out->set_fingerprint(absl::StrFormat("%016x", runs[0].fingerprint));
  return absl::OkStatus();
}

absl::StatusOr<result::Result> RunJobs(const scenario::Scenario& s, const RunContext& rc) {
  if (!s.job_queue().placement().empty()) return RunSharedClusterJobs(s, rc);
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
  echo.set_replications(s.replications() > 0           ? s.replications()
                        : !s.job_queue().job_trace().empty() ? 1
                                                             : ScenarioDefaults::kJobReplications);
  SetEcho(&out, std::move(echo));
  return out;
}

absl::Status FillJobsDefaults(const RunContext& rc, scenario::Scenario* s) {
  if (!s->job_queue().placement().empty()) return FillSharedClusterDefaults(rc, s);
  int64_t gpus = s->job_queue().gpus();
  if (gpus <= 0) {
    auto cluster = ResolveCluster(s->cluster(), rc.registry.get());
    if (!cluster.ok()) return cluster.status();
    gpus = cluster->gpus;
  }
  if (gpus < 1 || gpus > kMaxAccelerators) {
    return absl::InvalidArgumentError(
        "job_queue.gpus: set it, or cluster.nodes (times the node type's GPUs), to 1…2^24 GPUs");
  }
  auto r = ResolveJobs(*s, static_cast<int>(gpus), rc.input_dir);
  if (!r.ok()) return r.status();
  if (s->seed() == 0) s->set_seed(r->c.seed);
  if (s->replications() == 0) s->set_replications(static_cast<uint32_t>(r->reps));
  scenario::JobQueue& q = *s->mutable_job_queue();
  if (q.gpus() == 0) q.set_gpus(gpus);
  if (!q.job_trace().empty()) {  // the trace gives the jobs; the stream's fields stay unset
    if (q.policy().empty()) q.set_policy(r->policy_name);
    if (q.restart_penalty().empty())
      q.set_restart_penalty(absl::StrCat(r->c.restart_penalty_h, " hour"));
    return absl::OkStatus();
  }
  if (q.jobs() == 0) q.set_jobs(r->c.jobs);
  if (q.duration_distribution().empty()) q.set_duration_distribution("exp");
  if (q.policy().empty()) q.set_policy(r->policy_name);
  if (q.job_gpus().empty()) q.add_job_gpus(static_cast<int32_t>(gpus));
  if (q.restart_penalty().empty())
    q.set_restart_penalty(absl::StrCat(r->c.restart_penalty_h, " hour"));
  return absl::OkStatus();
}

}  // namespace mlsysim
