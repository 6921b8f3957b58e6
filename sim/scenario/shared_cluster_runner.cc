// shared_cluster_runner.cc — `job_queue { placement: … job_trace: … }`
// scenarios: a trace of training jobs on one cluster whose steps meet on the
// fabric (sim/cluster/shared_cluster.h), beside the GPU-count scheduler on
// the same trace (no placement, no network: what the job queue was before),
// with what placement and contention cost each job.
#include <algorithm>
#include <cmath>
#include <thread>

#include "absl/strings/str_cat.h"
#include "analytic/units.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "sim/cluster/autoscaler.h"
#include "sim/cluster/shared_cluster.h"
#include "sim/scenario/jobs_config.h"
#include "sim/scenario/plot_data.h"
#include "sim/scenario/resolve.h"
#include "sim/scenario/result_builder.h"
#include "sim/scenario/runners.h"
#include "sim/scenario/scenario_check.h"
#include "sim/scenario/training_config.h"

namespace mlsysim {
namespace {

absl::Status Bad(const std::string& why) { return absl::InvalidArgumentError(why); }

constexpr int kDefaultBatchPerReplica = 4;

struct ResolvedSharedCluster {
  ResolvedJobs jobs;
  SharedClusterConfig config;
  std::string model;
  // With a serving fleet: its autoscaler's inputs and the sharing mode.
  double capacity_qps = 0, target = 0, interval_s = 0;
  std::string sharing, autoscaler;
};

// The step every multi-node job trains: job_training resolved as a training
// job on the whole cluster (registry entries, precision, machine model,
// microbatches), each job then taking its own nodes.
absl::Status ResolveJobStep(const scenario::Scenario& s, const Registry& registry,
                            ResolvedSharedCluster* r) {
  const scenario::JobQueue& q = s.job_queue();
  scenario::Scenario t;
  *t.mutable_cluster() = s.cluster();
  scenario::TrainingWorkload& w = *t.mutable_training();
  w = q.job_training();
  if (w.model().empty()) w.set_model("Llama3_8B");
  auto cluster = ResolveCluster(s.cluster(), &registry);
  if (!cluster.ok()) return cluster.status();
  if (w.tp() == 0) w.set_tp(cluster->gpus_per_node);
  const int per_replica = w.global_batch_size() > 0 ? w.global_batch_size()
                                                    : kDefaultBatchPerReplica;
  const int pp = std::max(1, w.pp());
  const int64_t dp = cluster->gpus / (static_cast<int64_t>(w.tp()) * pp);
  if (dp < 1 || cluster->gpus % (static_cast<int64_t>(w.tp()) * pp) != 0) {
    return Bad(absl::StrCat("job_queue.job_training.tp: tp × pp = ", w.tp() * pp,
                            " must divide the cluster's ", cluster->gpus, " GPUs"));
  }
  w.set_global_batch_size(static_cast<int32_t>(per_replica * dp));
  auto resolved = ResolveTraining(t, "job", registry);
  if (!resolved.ok()) {  // its fields are the job queue's
    return absl::Status(resolved.status().code(),
                        absl::StrReplaceAll(resolved.status().message(),
                                            {{"training.", "job_queue.job_training."}}));
  }
  SharedClusterConfig& c = r->config;
  c.step = resolved->step;
  c.batch_per_replica = per_replica;
  c.shape = StepClusterShape(c.step, static_cast<int>(cluster->nodes));
  r->model = w.model();
  return absl::OkStatus();
}

absl::StatusOr<double> Seconds(const std::string& text, const char* field, double fallback) {
  double seconds = fallback;
  if (auto e = ParseScenarioQuantity(text, field, dims::kTime, /*positive=*/true, &seconds);
      !e.empty()) {
    return Bad(e);
  }
  return seconds;
}

// The serving fleet on the cluster's last nodes, its autoscaler's demand over
// its run (from the arrival process's rate and one replica's measured
// throughput), and how borrowed nodes are taken back.
absl::Status ResolveFleet(const scenario::Scenario& s, const RunContext& rc,
                          ResolvedSharedCluster* r) {
  const scenario::JobQueue& q = s.job_queue();
  auto plan = PlanServingFleet(s, rc.input_dir, *rc.registry);
  if (!plan.ok()) return plan.status();
  if (plan->disaggregated) {
    return Bad("serving.prefill_replicas: a fleet that shares a cluster with placed jobs is "
               "colocated (no prefill replicas)");
  }
  SharedClusterConfig& c = r->config;
  const int gpn = c.shape.gpus_per_node;
  if (plan->tp % gpn != 0) {
    return Bad(absl::StrCat("serving.tp: a fleet sharing the cluster lends whole nodes: tp = ",
                            plan->tp, " must be a multiple of the node's ", gpn, " GPUs"));
  }
  ElasticServing& f = c.serving;
  f.nodes_per_replica = plan->tp / gpn;
  f.replicas = plan->replicas;
  f.first_node = c.shape.nodes - f.replicas * f.nodes_per_replica;
  if (f.first_node < 1) {
    return Bad(absl::StrCat("serving.replicas: ", f.replicas, " replicas of ", f.nodes_per_replica,
                            " node(s) leave no node of the cluster's ", c.shape.nodes,
                            " to the job queue"));
  }
  const std::string sharing = q.sharing().empty() ? "elastic" : q.sharing();
  if (sharing != "elastic" && sharing != "static") {
    return Bad(absl::StrCat("job_queue.sharing: '", sharing, "'; accepted: elastic, static"));
  }
  f.elastic = sharing == "elastic";
  auto ckpt = Seconds(q.checkpoint_interval(), "job_queue.checkpoint_interval", 1800);
  auto reclaim = Seconds(q.reclaim(), "job_queue.reclaim", 60);
  auto interval = Seconds(q.autoscale_interval(), "job_queue.autoscale_interval", 900);
  for (const auto* v : {&ckpt, &reclaim, &interval})
    if (!v->ok()) return v->status();
  f.checkpoint_interval_s = *ckpt;
  f.reclaim_s = *reclaim;
  f.restart_s = r->jobs.c.restart_penalty_h * 3600;
  const double target = q.autoscale_target() > 0 ? q.autoscale_target() : 0.7;
  const ArrivalProcess a = plan->arrivals;
  const double mean = plan->mean_qps;
  auto rate = [a, mean](double t) {
    if (a.kind != ArrivalProcess::kDiurnal) return mean;
    return mean * (1 + a.amplitude * std::sin(2 * M_PI * t / a.period_s));
  };
  if (!(plan->capacity_qps > 0)) return Bad("serving: a replica finished no request");
  const std::string autoscaler = q.autoscaler().empty() ? "reactive" : q.autoscaler();
  if (autoscaler == "predictive" && (plan->from_trace || plan->tenants)) {
    return Bad("job_queue.autoscaler: predictive sizes the fleet for one stream's load curve "
               "(serving.qps, serving.arrival); a trace or tenants need reactive");
  }
  if (autoscaler == "predictive") {
    f.demand = AutoscaleDemand(rate, plan->horizon_s, *interval, plan->capacity_qps, target,
                               f.replicas);
  } else if (autoscaler == "reactive") {
    f.autoscale_interval_s = *interval;
    f.autoscale_target = target;
    f.capacity_qps = plan->capacity_qps;
  } else {
    return Bad(absl::StrCat("job_queue.autoscaler: '", autoscaler,
                            "'; accepted: reactive, predictive"));
  }
  r->autoscaler = autoscaler;
  r->capacity_qps = plan->capacity_qps;
  r->target = target;
  r->interval_s = *interval;
  r->sharing = sharing;
  return absl::OkStatus();
}

absl::StatusOr<ResolvedSharedCluster> ResolveSharedCluster(const scenario::Scenario& s,
                                                           const RunContext& rc) {
  const scenario::JobQueue& q = s.job_queue();
  if (q.job_trace().empty()) {
    return Bad("job_queue.placement: a shared cluster replays a job trace (job_queue.job_trace); "
               "the Poisson job stream runs on the GPU-count scheduler (drop placement)");
  }
  ResolvedSharedCluster r;
  SharedClusterConfig& c = r.config;
  auto placement = ParsePlacementPolicy(q.placement());
  if (!placement.ok()) return Bad(absl::StrCat("job_queue.placement: ", placement.status().message()));
  c.placement = *placement;
  if (q.contention() != "" && q.contention() != "on" && q.contention() != "off") {
    return Bad(absl::StrCat("job_queue.contention: '", q.contention(), "'; accepted: on, off"));
  }
  c.contention = q.contention() != "off";
  if (auto st = ResolveJobStep(s, *rc.registry, &r); !st.ok()) return st;
  const int gpus = c.shape.nodes * c.shape.gpus_per_node;
  if (q.gpus() != 0 && q.gpus() != gpus) {
    return Bad(absl::StrCat("job_queue.gpus: a shared cluster schedules all its ", gpus,
                            " GPUs (cluster.nodes × the node's); leave it unset"));
  }
  auto jobs = ResolveJobs(s, gpus, rc.input_dir);
  if (!jobs.ok()) return jobs.status();
  r.jobs = *std::move(jobs);
  if (r.jobs.c.policy == SchedulerPolicy::kPriority) {
    return Bad("job_queue.policy: a shared cluster schedules fifo or backfill (priority with "
               "preemption runs on the GPU-count scheduler: drop placement)");
  }
  c.policy = r.jobs.c.policy;
  for (const JobTraceRow& j : r.jobs.rows) c.jobs.push_back({j.submit_s, j.duration_s, j.gpus});
  if (s.has_serving()) {
    if (auto st = ResolveFleet(s, rc, &r); !st.ok()) return st;
  }
  return r;
}

double Quantile(std::vector<double> v, double p) { return NearestRankQuantile(v, p); }

double Mean(const std::vector<double>& v) {
  double sum = 0;
  for (double x : v) sum += x;
  return v.empty() ? 0 : sum / v.size();
}

// Per job: what it waited, how much longer than its work it ran, and the
// GPU-hours lost to where it was placed and to whom it met.
// What the run is set beside: the GPU-count scheduler on the same trace, or
// (with a serving fleet) the static split.
struct Baseline {
  double wait_mean_h = 0, jct_mean_h = 0, makespan_h = 0, utilization = 0;
  std::string source;
};

Baseline GpuCountBaseline(const ClusterJobsResult& b) {
  Baseline x{0, 0, b.makespan_h, b.utilization,
             "GPU-count scheduler, same trace (no placement, no network)"};
  for (const JobOutcome& o : b.outcomes) {
    x.wait_mean_h += (o.start_h - o.submit_h) / b.outcomes.size();
    x.jct_mean_h += (o.end_h - o.submit_h) / b.outcomes.size();
  }
  return x;
}

Baseline StaticSplitBaseline(const SharedClusterResult& b) {
  Baseline x{0, 0, b.makespan_s / 3600, b.utilization,
             "static split: the serving fleet keeps its nodes (same trace, placement, network)"};
  for (const SharedJobOutcome& o : b.jobs) {
    x.wait_mean_h += (o.start_s - o.submit_s) / 3600 / b.jobs.size();
    x.jct_mean_h += (o.end_s - o.submit_s) / 3600 / b.jobs.size();
  }
  return x;
}

void AddOutcomes(const ResolvedSharedCluster& r, const SharedClusterResult& run,
                 const Baseline& base, const RunContext& rc, result::Result* out) {
  std::vector<double> waits_h, slowdown, jct_h;
  double placement_gpu_h = 0, contention_gpu_h = 0;
  int contended = 0;
  std::string csv =
      "job,submit_h,start_h,end_h,wait_h,gpus,nodes,reference_step_s,placed_step_s,"
      "worst_step_s,slowdown\n";
  for (size_t i = 0; i < run.jobs.size(); ++i) {
    const SharedJobOutcome& o = run.jobs[i];
    const double work = r.config.jobs[i].duration_s, ran = o.end_s - o.start_s;
    waits_h.push_back((o.start_s - o.submit_s) / 3600);
    jct_h.push_back((o.end_s - o.submit_s) / 3600);
    slowdown.push_back(ran / work);
    const double placed_factor =
        o.reference_step_s > 0 ? o.placed_step_s / o.reference_step_s : 1.0;
    placement_gpu_h += o.gpus * work * (placed_factor - 1) / 3600;
    const double contended_s = ran - work * placed_factor;  // rounding below 1e-9 of the run
    if (contended_s > 1e-9 * ran) contention_gpu_h += o.gpus * contended_s / 3600;
    if (o.worst_step_s > o.placed_step_s * (1 + 1e-9)) ++contended;
    absl::StrAppend(&csv, r.jobs.rows[i].job_id, ",", o.submit_s / 3600, ",", o.start_s / 3600,
                    ",", o.end_s / 3600, ",", (o.start_s - o.submit_s) / 3600, ",", o.gpus, ",",
                    absl::StrJoin(o.nodes, " "), ",", o.reference_step_s, ",", o.placed_step_s,
                    ",", o.worst_step_s, ",", ran / work, "\n");
  }
  SetAnalytic(AddMetric(out, "wait_mean_h", "h", Mean(waits_h)), base.wait_mean_h, base.source);
  AddMetric(out, "wait_p50_h", "h", Quantile(waits_h, 0.5));
  AddMetric(out, "wait_p99_h", "h", Quantile(waits_h, 0.99));
  SetAnalytic(AddMetric(out, "jct_mean_h", "h", Mean(jct_h)), base.jct_mean_h, base.source);
  SetAnalytic(AddMetric(out, "makespan_h", "h", run.makespan_s / 3600), base.makespan_h,
              base.source);
  SetAnalytic(AddMetric(out, "utilization", "1", run.utilization), base.utilization, base.source);
  AddMetric(out, "slowdown_mean", "1", Mean(slowdown));
  AddMetric(out, "slowdown_p99", "1", Quantile(slowdown, 0.99));
  AddMetric(out, "slowdown_max", "1", *std::max_element(slowdown.begin(), slowdown.end()));
  AddMetric(out, "placement_cost_gpu_h", "GPU h", placement_gpu_h);
  AddMetric(out, "contention_cost_gpu_h", "GPU h", contention_gpu_h);
  AddMetric(out, "jobs_contended", "1", contended);
  AddSampleCdf(out, "wait_h", "h", waits_h, "", "every job of the trace");
  AddSampleCdf(out, "slowdown", "1", slowdown, "",
               "run time / work per job: placement and contention");
  // Utilisation over time and the placements (one lane per node).
  std::vector<double> x, y;
  const double total = static_cast<double>(r.config.shape.nodes) * r.config.shape.gpus_per_node;
  for (const auto& [t, busy] : run.busy_gpus) {
    x.push_back(t);
    y.push_back(busy / total);
  }
  AddCurve(out, "gpus_busy", "time", "simulated", "s", "1", x, y);
  for (size_t i = 0; i < run.jobs.size(); ++i) {
    const SharedJobOutcome& o = run.jobs[i];
    const bool contended = o.worst_step_s > o.placed_step_s * (1 + 1e-9);
    for (const SharedJobOutcome::Run& segment : o.runs) {
      for (int node : segment.nodes) {
        AddSpan(out, absl::StrCat("node ", node), contended ? "contended" : "job",
                segment.start_s, segment.end_s, static_cast<double>(i));
      }
    }
  }
  if (rc.tables != nullptr) (*rc.tables)["jobs"] = std::move(csv);
}

}  // namespace

namespace {

void AddClusterFacts(const ResolvedSharedCluster& r, const SharedClusterResult& run,
                     const scenario::Scenario& s, result::Result* out) {
  const SharedClusterConfig& c = r.config;
  AddFact(out, "gpus", c.shape.nodes * c.shape.gpus_per_node);
  AddFact(out, "nodes", c.shape.nodes);
  AddFact(out, "job_trace", s.job_queue().job_trace());  // as written: no checkout path
  AddFact(out, "jobs", static_cast<double>(c.jobs.size()));
  AddFact(out, "policy", r.jobs.policy_name);
  AddFact(out, "placement", PlacementPolicyName(c.placement));
  AddFact(out, "contention", c.contention ? "on" : "off");
  AddFact(out, "job_model", r.model);
  AddFact(out, "job_tp", c.step.tp);
  AddFact(out, "batch_per_replica", c.batch_per_replica);
  AddFact(out, "topology", FabricKindName(c.shape.fabric));
  AddFact(out, "routing", RoutingName(c.shape.routing));
  AddFact(out, "oversubscription", c.shape.oversubscription);
  AddFact(out, "hardware_model", c.step.machine.has_value() ? "calibrated" : "roofline");
  AddFact(out, "step_simulations", static_cast<double>(run.step_simulations));
}

double MetricOf(const result::Result& r, const std::string& name) {
  for (const result::Metric& m : r.metrics())
    if (m.name() == name) return m.simulated();
  return 0;
}

// The serving fleet's side: replicas in service, SLO attainment, tail TTFT,
// against the static split's fleet (all replicas, always).
void AddSharingMetrics(const ResolvedSharedCluster& r, const SharedClusterResult& run,
                       const SharedClusterResult& fixed, const result::Result& serving,
                       const result::Result& serving_fixed, result::Result* out) {
  const ElasticServing& f = r.config.serving;
  const char* kStatic = "static split: the serving fleet keeps its nodes";
  AddFact(out, "sharing", r.sharing);
  AddFact(out, "autoscaler", r.autoscaler);
  AddFact(out, "serving_nodes", f.replicas * f.nodes_per_replica);
  AddFact(out, "replica_capacity_qps", r.capacity_qps, "1/s");
  AddFact(out, "autoscale_target", r.target);
  AddFact(out, "autoscale_interval_s", r.interval_s, "s");
  double area = 0;
  for (size_t i = 0; i + 1 < run.serving_replicas.size(); ++i) {
    area += run.serving_replicas[i].second *
            (run.serving_replicas[i + 1].first - run.serving_replicas[i].first);
  }
  const double span = run.serving_replicas.size() > 1 ? run.serving_replicas.back().first : 0;
  SetAnalytic(AddMetric(out, "serving_replicas_mean", "1",
                        span > 0 ? area / span : f.replicas), f.replicas, kStatic);
  SetAnalytic(AddMetric(out, "lent_gpu_h", "GPU h", run.lent_gpu_s / 3600), 0, kStatic);
  SetAnalytic(AddMetric(out, "training_preemptions", "1", static_cast<double>(run.preemptions)),
              0, kStatic);
  double lost = 0;
  for (size_t i = 0; i < run.jobs.size(); ++i) lost += run.jobs[i].gpus * run.jobs[i].lost_work_s;
  SetAnalytic(AddMetric(out, "preemption_loss_gpu_h", "GPU h", lost / 3600), 0, kStatic);
  const Baseline mine = StaticSplitBaseline(run), theirs = StaticSplitBaseline(fixed);
  SetAnalytic(AddMetric(out, "training_wait_mean_h", "h", mine.wait_mean_h), theirs.wait_mean_h,
              kStatic);
  SetAnalytic(AddMetric(out, "training_jct_mean_h", "h", mine.jct_mean_h), theirs.jct_mean_h,
              kStatic);
  SetAnalytic(AddMetric(out, "training_makespan_h", "h", run.makespan_s / 3600),
              fixed.makespan_s / 3600, kStatic);
  for (const char* name : {"ttft_p99_s", "ttft_mean_s", "itl_p99_s"}) {
    SetAnalytic(AddMetric(out, name, "s", MetricOf(serving, name)), MetricOf(serving_fixed, name),
                kStatic);
  }
  auto attainment = [](const result::Result& x) {
    const double done = MetricOf(x, "throughput_requests_per_s");
    return done > 0 ? MetricOf(x, "goodput_requests_per_s") / done : 0.0;
  };
  SetAnalytic(AddMetric(out, "slo_attainment", "1", attainment(serving)),
              attainment(serving_fixed), kStatic);
  std::vector<double> x, y;
  for (const auto& [t, n] : run.serving_replicas) {
    x.push_back(t);
    y.push_back(n);
  }
  AddCurve(out, "serving_replicas", "time", "simulated", "s", "1", x, y);
}

// The serving part's simulation: the fleet on the shared cluster's engine,
// the cluster's run kept in *run.
ServingSimulateFn OnOneEngine(const SharedClusterConfig& config, SharedClusterResult* run) {
  return [config, run](const ServingConfig& sc,
                       const std::vector<Request>& requests) -> absl::StatusOr<ServingRunResult> {
    Simulator sim;
    auto fleet = ServingFleet::Create(sc, requests, &sim);
    if (!fleet.ok()) return fleet.status();
    auto cluster = SimulateSharedCluster(config, &sim, fleet->get());
    if (!cluster.ok()) return Bad(absl::StrCat("job_queue: ", cluster.status().message()));
    *run = *std::move(cluster);
    return (*fleet)->Finish();
  };
}

absl::StatusOr<result::Result> RunWithServing(const scenario::Scenario& s, const RunContext& rc,
                                              const ResolvedSharedCluster& r) {
  if (s.replications() > 1) {
    return Bad("replications: a shared cluster replays one trace and one day of serving (use 1)");
  }
  SharedClusterConfig fixed_config = r.config;
  fixed_config.serving.elastic = false;
  SharedClusterResult run, fixed;
  const ServingSimulateFn shared = OnOneEngine(r.config, &run);
  const ServingSimulateFn fixed_fn = OnOneEngine(fixed_config, &fixed);
  result::Result serving, serving_fixed, jobs;
  // The static split (the fleet keeps its nodes) runs on a second thread:
  // independent runs, the same results either way.
  absl::Status fixed_status;
  std::thread fixed_thread([&] {
    RunContext quiet = rc;
    quiet.tables = nullptr;
    quiet.diagnostics = nullptr;
    quiet.progress = false;
    scenario::Scenario no_outputs = s;
    no_outputs.clear_outputs();
    fixed_status = RunServingPart(no_outputs, rc.input_dir, quiet, &serving_fixed, &fixed_fn);
  });
  const absl::Status status = RunServingPart(s, rc.input_dir, rc, &serving, &shared);
  fixed_thread.join();
  if (!status.ok()) return status;
  if (!fixed_status.ok()) return fixed_status;
  const SharedClusterConfig& c = r.config;
  jobs = NewResult("jobs", absl::StrCat(c.shape.nodes * c.shape.gpus_per_node, " GPUs shared, ",
                                        PlacementPolicyName(c.placement)));
  AddClusterFacts(r, run, s, &jobs);
  AddOutcomes(r, run, StaticSplitBaseline(fixed), rc, &jobs);
  jobs.set_fingerprint(absl::StrFormat("%016x", run.fingerprint));
  result::Result out = NewResult(
      "serving+jobs",
      s.name().empty() ? absl::StrCat("serving and training share ",
                                      c.shape.nodes * c.shape.gpus_per_node, " GPUs, ", r.sharing)
                       : s.name());
  AddSharingMetrics(r, run, fixed, serving, serving_fixed, &out);
  out.set_events(run.events);  // the one engine's: the fleet's and the cluster's events
  out.set_fingerprint(absl::StrFormat("%016x", run.fingerprint));
  for (const auto& f : serving.files()) out.add_files(f);
  *out.add_parts() = std::move(serving);
  *out.add_parts() = std::move(jobs);
  return out;
}

}  // namespace

absl::StatusOr<result::Result> RunSharedClusterJobs(const scenario::Scenario& s,
                                                    const RunContext& rc) {
  auto resolved = ResolveSharedCluster(s, rc);
  if (!resolved.ok()) return resolved.status();
  const ResolvedSharedCluster& r = *resolved;
  scenario::Scenario echo = s;
  echo.set_seed(s.seed() > 0 ? s.seed() : 1);
  echo.set_replications(1);
  if (r.config.serving.replicas > 0) {
    auto out = RunWithServing(s, rc, r);
    if (out.ok()) SetEcho(&*out, std::move(echo));
    return out;
  }
  auto run = SimulateSharedCluster(r.config);
  if (!run.ok()) return Bad(absl::StrCat("job_queue: ", run.status().message()));
  auto baseline = SimulateClusterJobs(r.jobs.c);
  if (!baseline.ok()) return Bad(std::string(baseline.status().message()));
  const SharedClusterConfig& c = r.config;
  result::Result out = NewResult(
      "jobs", s.name().empty() ? absl::StrCat(c.shape.nodes * c.shape.gpus_per_node,
                                              " GPUs shared, ", PlacementPolicyName(c.placement))
                               : s.name());
  AddClusterFacts(r, *run, s, &out);
  AddOutcomes(r, *run, GpuCountBaseline(*baseline), rc, &out);
  out.set_fingerprint(absl::StrFormat("%016x", run->fingerprint));
  SetEcho(&out, std::move(echo));
  return out;
}

absl::Status FillSharedClusterDefaults(const RunContext& rc, scenario::Scenario* s) {
  auto r = ResolveSharedCluster(*s, rc);
  if (!r.ok()) return r.status();
  scenario::JobQueue& q = *s->mutable_job_queue();
  if (s->seed() == 0) s->set_seed(1);
  if (s->replications() == 0) s->set_replications(1);
  if (q.policy().empty()) q.set_policy(r->jobs.policy_name);
  if (q.contention().empty()) q.set_contention("on");
  scenario::TrainingWorkload& w = *q.mutable_job_training();
  if (w.model().empty()) w.set_model(r->model);
  if (w.tp() == 0) w.set_tp(r->config.step.tp);
  if (w.global_batch_size() == 0) w.set_global_batch_size(r->config.batch_per_replica);
  scenario::Cluster& c = *s->mutable_cluster();
  if (c.registry_name().empty() && c.node().empty()) c.set_node(ScenarioDefaults::kNode);
  if (c.registry_name().empty() && c.fabric().empty()) c.set_fabric(ScenarioDefaults::kFabric);
  if (c.topology().empty()) c.set_topology(FabricKindName(r->config.shape.fabric));
  if (c.routing().empty()) c.set_routing(RoutingName(r->config.shape.routing));
  if (c.oversubscription() == 0) c.set_oversubscription(r->config.shape.oversubscription);
  if (c.hardware_model().empty())
    c.set_hardware_model(r->config.step.machine.has_value() ? "calibrated" : "roofline");
  return absl::OkStatus();
}

}  // namespace mlsysim
