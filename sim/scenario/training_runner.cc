// training_runner.cc — a training scenario run (see training_job.h): one
// step in detail at flow level, then the run with failures, restarts and
// checkpoints over replications, with the closed forms of the same scenario
// beside every simulated figure, and the trace / CSV / Chakra outputs.
#include <cmath>
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/fleet.h"
#include "analytic/formulas.h"
#include "analytic/operations.h"
#include "analytic/renewal.h"
#include "analytic/roofline_engine.h"
#include "analytic/units.h"
#include "sim/core/time.h"
#include "sim/scenario/result_builder.h"
#include "sim/scenario/run_context.h"
#include "sim/scenario/training_job.h"
#include "sim/scenario/training_plot.h"
#include "sim/training/training_chakra.h"
#include "sim/training/training_run.h"
#include "sim/training/training_step.h"
#include "traces/chrome_trace.h"
#include "traces/csv_file.h"
#include "workloads/failure_presets.h"

namespace mlsysim {
namespace {

// The step in detail (process per pipeline stage, thread per replica and
// stream) and the run's failures, restarts and checkpoints.
absl::Status WriteTrace(const std::string& path, const TrainingStepResult& step, const TrainingRunResult& run,
                        int pp, int64_t max_events, int64_t* events, int64_t* dropped) {
  ChromeTrace t(max_events);
  const char* streams[] = {"compute (TP/EP nested)", "PP receive", "DP all-reduce"};
  std::set<std::pair<int, int>> tracks;
  for (const TraceSpan& s : step.spans) tracks.insert({s.stage, s.replica * 3 + s.stream});
  for (int s = 0; s < pp; ++s) t.ProcessName(s, absl::StrCat("pipeline stage ", s, " (one training step)"));
  for (const auto& [stage, tid] : tracks) {
    t.ThreadName(stage, tid, absl::StrCat("replica ", tid / 3, " ", streams[tid % 3]));
  }
  const int run_pid = pp;
  t.ProcessName(run_pid, "training run (failures, restarts, checkpoints)");
  t.ThreadName(run_pid, 0, "failures and restarts");
  t.ThreadName(run_pid, 1, "checkpoints");
  for (const TraceSpan& s : step.spans) {
    t.Span(s.name, s.category, s.stage, s.replica * 3 + s.stream, s.start_s, s.end_s);
  }
  // Pipeline bubbles: the idle gaps between a device's compute ops.
  for (const BubbleInterval& b : FindPipelineBubbles(step.spans)) {
    t.Span("bubble", "bubble", b.stage, b.replica * 3, b.start_s, b.end_s);
  }
  for (const RunLogRow& r : run.log) {
    const bool failure = r.kind == "failure";
    if (failure) {
      t.Instant(r.cause, "failure", run_pid, 0, r.time_s, {{"lost_work_s", r.lost_work_s}});
      t.Span("restart", "restart", run_pid, 0, r.time_s, r.time_s + r.downtime_s, {{"downtime_s", r.downtime_s}});
    } else {
      t.Span(r.kind, r.kind, run_pid, 1, r.time_s, r.time_s + r.downtime_s, {{"downtime_s", r.downtime_s}});
    }
  }
  *events = t.events();
  *dropped = t.dropped();
  return t.Write(path);
}

constexpr const char* kEventsHeader = "time_s,kind,component,cause,downtime_s,lost_work_s";

std::string EventRow(const RunLogRow& r) {
  return absl::StrFormat("%.6f,%s,%s,\"%s\",%.6f,%.6f", r.time_s, r.kind, r.component, r.cause, r.downtime_s,
                         r.lost_work_s);
}

absl::Status WriteEventsCsv(const std::string& path, const TrainingRunResult& run) {
  CsvFile f(path, kEventsHeader);
  for (const RunLogRow& r : run.log) f.Row(EventRow(r));
  return f.Commit();
}

}  // namespace

absl::StatusOr<result::Result> RunTrainingJob(const TrainingJob& job, const RunContext& run_ctx) {
  auto bad = [](const std::string& why) { return absl::InvalidArgumentError(why); };
  const Registry& reg = *run_ctx.registry;
  auto model = reg.FindModel(job.model);
  if (job.model.empty()) return bad("training.model: required (a registry model)");
  if (!model.ok()) return bad(std::string(model.status().message()));
  FleetSpec fleet;
  if (!job.cluster.empty()) {
    auto f = reg.FindFleet(job.cluster);
    if (!f.ok()) return bad(std::string(f.status().message()));
    fleet = *f;
  } else {
    if (job.nodes < 1) return bad("cluster.registry_name or cluster.nodes (>= 1) is required");
    if (job.nodes > kMaxClusterNodes) {
      return bad(absl::StrCat("cluster.nodes: must lie in [1, ", kMaxClusterNodes, "]; got ",
                              job.nodes));
    }
    auto node = reg.FindNode(job.node);
    if (!node.ok()) return bad(std::string(node.status().message()));
    auto fabric = reg.FindFabric(job.fabric);
    if (!fabric.ok()) return bad(std::string(fabric.status().message()));
    if (static_cast<int64_t>(job.nodes) * node->accelerators_per_node > kMaxAccelerators) {
      return bad(absl::StrCat("cluster.nodes x ", node->accelerators_per_node, " accelerators = ",
                              static_cast<int64_t>(job.nodes) * node->accelerators_per_node,
                              "; at most ", kMaxAccelerators, " are accepted"));
    }
    fleet.key = fleet.name = absl::StrCat(job.nodes, "x", job.node);
    fleet.node = *node;
    fleet.count = job.nodes;
    fleet.fabric = *fabric;
  }
  if (!job.region.empty()) fleet.region = job.region;
  auto grid = reg.FindGrid(fleet.region.empty() ? "US_Avg" : fleet.region);
  if (!grid.ok()) return bad(std::string(grid.status().message()));
  auto topology = ParseFabricKind(job.topology);
  if (!topology.ok()) return bad(std::string(topology.status().message()));
  if (job.batch_size < 1) return bad("training.global_batch_size: required (>= 1)");
  if (job.days < 0) return bad("training.duration: must be >= 0");
  if (job.days * 86400.0 > kMaxSimSeconds) {
    return bad(absl::StrCat("training.duration: ", job.days, " days is past the clock's range of ",
                            static_cast<long long>(kMaxSimSeconds / 86400), " days (292 years)"));
  }
  if (job.replications < 1) return bad("replications: must be >= 1");

  // 1. One step in detail.
  TrainingStepConfig sc;
  sc.model = *model;
  sc.node = fleet.node;
  sc.fabric = fleet.fabric;
  sc.nodes = fleet.count;
  sc.topology = *topology;
  sc.oversubscription = job.oversubscription;
  {
    auto routing = ParseRouting(job.routing.empty() ? fleet.fabric.routing : job.routing);
    if (!routing.ok()) return bad(std::string(routing.status().message()));
    sc.routing = *routing;
  }
  sc.tp = job.tp;
  sc.pp = job.pp;
  sc.microbatches = job.microbatches > 0
                        ? job.microbatches
                        : DefaultMicrobatches(job.batch_size, fleet.TotalAccelerators(), job.tp, job.pp);
  sc.virtual_stages = job.virtual_stages;
  sc.ep = job.ep;
  sc.global_batch = job.batch_size;
  sc.seq_len = job.seq_len;
  sc.precision = job.precision;
  sc.efficiency = job.efficiency;
  sc.overlap_gradients = job.overlap;
  sc.bucket_bytes = job.bucket_bytes;
  sc.straggler_cv = job.straggler_cv;
  sc.seed = job.seed;
  sc.record_spans = true;  // the result's pipeline schedule (plot data)
  sc.record_plan = !job.export_chakra.empty();
  sc.activation_recompute = job.activation_recompute;
  if (job.detail == "replica") {
    sc.representative_replica = true;
  } else if (job.detail == "auto") {
    sc.representative_replica = fleet.TotalAccelerators() > 2048;
  } else if (job.detail != "full") {
    return bad(absl::StrCat("training.detail: unknown '", job.detail, "'; accepted: full, replica, auto"));
  }
  if (sc.record_plan && sc.representative_replica) {
    return bad("outputs.chakra_dir: the step must be simulated in full detail (training.detail: full)");
  }
  auto step = SimulateTrainingStep(sc);
  if (!step.ok()) return step.status();
  const int n = fleet.TotalAccelerators();
  const Accelerator& hw = fleet.node.accelerator;
  if (step->representative_replica && step->dp_rings_share_links) {
    Say(run_ctx, absl::StrCat("note: gradient rings share fabric links under ", RoutingName(sc.routing),
                         " routing; replica detail simulates one ring per stage and drops that contention "
                         "(training.detail: full simulates it)"));
  }

  // 2. Failures and checkpoints over the run.
  auto causes = FailurePreset(job.failures, fleet.count, fleet.node.accelerators_per_node,
                              job.weibull_shape);
  if (!causes.ok()) return bad(std::string(causes.status().message()));
  const double rate_h = TotalRatePerHour(*causes);
  const double mtbf_s = rate_h > 0 ? 3600.0 / rate_h : std::numeric_limits<double>::infinity();
  const double ckpt_bytes = CheckpointSizeBytes(model->parameters);
  double storage_bw;
  if (job.checkpoint_storage == "shared") {
    if (!(job.storage_bandwidth > 0)) return bad("checkpoint.storage_bandwidth (> 0) is required with shared storage");
    storage_bw = job.storage_bandwidth;
  } else if (job.checkpoint_storage == "node_nvme") {
    storage_bw = n * (hw.storage.bandwidth.si > 0 ? hw.storage.bandwidth.si : 1e9);
  } else {
    return bad(absl::StrCat("checkpoint.storage: unknown '", job.checkpoint_storage,
                            "'; accepted: node_nvme, shared"));
  }
  const double write_s = ckpt_bytes / storage_bw;
  const double restart_total = job.detection_s + job.restart_s + job.reschedule_s;
  const double young = YoungInterval(write_s, mtbf_s), daly = DalyInterval(write_s, mtbf_s);
  double interval = 0;
  std::string policy = job.checkpoint_interval.empty() ? (rate_h > 0 ? "young" : "none")
                                                       : job.checkpoint_interval;
  if (policy == "young") {
    interval = std::isfinite(young) ? young : 0;
  } else if (policy == "daly") {
    interval = std::isfinite(daly) ? daly : 0;
  } else if (policy != "none") {
    auto q = ParseQuantityAs(policy, dims::kTime, "checkpoint.interval");
    if (!q.ok()) return bad(absl::StrCat(q.status().message(), " (or young, daly, none)"));
    if (!(q->si > 0)) return bad("checkpoint.interval: must be > 0");
    interval = q->si;
  }
  const double duration = job.days * 86400.0;
  std::vector<double> interruptions, ettr, lost, ckpt_time, restart_time;
  TrainingRunResult first;
  uint64_t run_events = 0;
  if (duration > 0) {
    Progress progress(run_ctx, "replication", job.replications);
    for (int rep = 0; rep < job.replications; ++rep) {
      TrainingRunConfig rc;
      rc.step_time_s = step->step_time_s;
      rc.duration_s = duration;
      rc.nodes = fleet.count;
      rc.gpus_per_node = fleet.node.accelerators_per_node;
      rc.causes = *causes;
      rc.fresh_fleet = job.fresh_fleet;
      rc.checkpoint_interval_s = interval;
      rc.checkpoint_write_s = write_s;
      rc.async_checkpoint = job.async_checkpoint;
      rc.detection_s = job.detection_s;
      rc.restart_s = job.restart_s;
      rc.reschedule_s = job.reschedule_s;
      rc.spare_nodes = job.spare_nodes;
      rc.seed = job.seed;
      rc.replication = static_cast<uint64_t>(rep);
      rc.record_log = rep == 0;  // the result's timeline (plot data)
      auto run = SimulateTrainingRun(rc);
      if (!run.ok()) return bad(std::string(run.status().message()));
      interruptions.push_back(run->interruptions);
      ettr.push_back(run->ettr);
      lost.push_back(run->lost_work_s);
      ckpt_time.push_back(run->checkpoint_time_s);
      restart_time.push_back(run->restart_time_s);
      run_events += run->events;
      if (rep == 0) first = *run;
      progress.Step(rep + 1, absl::StrFormat("%d interruptions, ETTR %.4f", run->interruptions, run->ettr));
    }
    progress.Done();
  }

  // 3. The closed forms of the same scenario.
  const double peak = hw.PeakFor(job.precision).si;
  const double tokens = static_cast<double>(job.batch_size) * job.seq_len;
  const double iron_law = 6 * model->parameters * tokens / (n * peak * job.efficiency);
  DistributedOptions d;
  d.batch_size = job.batch_size;
  d.precision = job.precision;
  d.efficiency = job.efficiency;
  d.tp_size = job.tp;
  d.pp_size = job.pp;
  d.microbatch_count = sc.microbatches;
  d.v_stages = job.virtual_stages;
  d.ep_size = job.ep;
  d.overlap_comm = job.overlap;
  d.seq_len = job.seq_len;
  auto mlsysim_step = SolveDistributed(*model, fleet, d);
  const double bubble_formula = PipelineBubble(job.pp, sc.microbatches, job.virtual_stages);
  const double grad_bytes = model->parameters * ((model->layers + job.pp - 1) / job.pp) /
                            model->layers * BytesPerParam(job.precision) / job.tp;
  const double dp_ab = RingAllReduceTime(grad_bytes, step->dp,
                                         fleet.fabric.bandwidth.si / job.oversubscription,
                                         fleet.fabric.latency_s > 0 ? fleet.fabric.latency_s : 5e-6);
  // Expected interruptions: rate × T for exponential processes and for
  // Weibull renewal processes in equilibrium (exactly T / mean per
  // component); the renewal function for a fleet that starts new.
  double expected_failures = rate_h * duration / 3600.0;
  std::string failures_source = "rate x T";
  if (job.weibull_shape > 0) {
    if (job.fresh_fleet) {
      expected_failures = 0;
      for (const FailureCause& cause : *causes) {
        if (cause.rate_per_hour <= 0) continue;
        const double k = cause.weibull_shape;
        const double scale_h = (1.0 / cause.rate_per_hour) / std::tgamma(1.0 + 1.0 / k);
        expected_failures += cause.components * WeibullRenewalFunction(k, scale_h, duration / 3600.0);
      }
      failures_source = "Weibull renewal function M(T), new fleet";
    } else {
      failures_source = "equilibrium renewal: T / mean per component (= rate x T)";
    }
  }
  const double first_order_ettr =
      interval > 0 && std::isfinite(mtbf_s)
          ? 1 - (job.async_checkpoint ? 0 : write_s / interval) - (interval / 2 + restart_total) / mtbf_s
          : 1.0;

  // 4. Energy, carbon and cost from the simulated timeline.
  const double ckpt_mean = ckpt_time.empty() ? 0 : MeanCi95(ckpt_time).first;
  const double restart_mean = restart_time.empty() ? 0 : MeanCi95(restart_time).first;
  const double up = std::max(0.0, duration - ckpt_mean - restart_mean);
  const double tdp = hw.tdp_w > 0 ? hw.tdp_w : 700.0;
  const double down_gpu_s = first.down_gpu_seconds;
  const double it_kwh = (AcceleratorPowerW(tdp, step->mfu) * up * n +
                         AcceleratorIdlePowerW(tdp) * std::max(0.0, (ckpt_mean + restart_mean) * n - down_gpu_s)) /
                        3.6e6;

  result::Result out = NewResult("training", job.name);
  AddFact(&out, "model", model->key);
  AddFact(&out, "cluster", fleet.key);
  AddFact(&out, "gpus", n);
  AddFact(&out, "tp", job.tp);
  AddFact(&out, "pp", job.pp);
  AddFact(&out, "dp", step->dp);
  AddFact(&out, "ep", job.ep);
  AddFact(&out, "microbatches", sc.microbatches);
  AddFact(&out, "virtual_stages", job.virtual_stages);
  AddFact(&out, "batch_size", job.batch_size);
  AddFact(&out, "detail", step->representative_replica ? "replica" : "full");
  AddFact(&out, "routing", RoutingName(sc.routing));
  AddFlag(&out, "dp_rings_share_fabric_links", step->dp_rings_share_links);
  AddFact(&out, "days", job.days, "d");
  AddFact(&out, "failures", job.failures);
  AddFact(&out, "flows", static_cast<double>(step->flows));
  SetAnalytic(AddMetric(&out, "step_time_s", "s", step->step_time_s), iron_law, "Iron Law 6PD/(N*peak*eta)");
  if (mlsysim_step.ok()) {
    SetAnalytic(AddMetric(&out, "step_time_mlsysim", "s", step->step_time_s), mlsysim_step->step_latency_total_s,
                "mlsysim v0.1.1 DistributedModel");
  }
  AddMetric(&out, "tokens_per_s", "tokens/s", step->tokens_per_s);
  AddMetric(&out, "mfu", "1", step->mfu);
  SetAnalytic(AddMetric(&out, "bubble_fraction", "1", step->bubble_fraction), bubble_formula, "(P-1)/(V*M+P-1)");
  SetAnalytic(AddMetric(&out, "dp_allreduce_s", "s", step->dp_allreduce_s), dp_ab, "ring alpha-beta, idle fabric");
  if (duration > 0) {
    SetAnalytic(AddReplicated(&out, "interruptions", "1", interruptions), expected_failures, failures_source);
    SetAnalytic(AddReplicated(&out, "ettr", "1", ettr), first_order_ettr, "1 - d/tau - (tau/2 + R)/M");
    AddReplicated(&out, "lost_work_s", "s", lost);
    AddReplicated(&out, "time_in_checkpoints_s", "s", ckpt_time);
    AddReplicated(&out, "time_in_restarts_s", "s", restart_time);
  }
  result::Section* part = AddSection(&out, "step", "one training step, critical path (stage 0, replica 0)");
  AddMetric(part, "compute_s", "s", step->compute_time_s);
  AddMetric(part, "tp_communication_s", "s", step->tp_communication_s);
  AddMetric(part, "ep_communication_s", "s", step->ep_communication_s);
  AddMetric(part, "pipeline_bubble_s", "s", step->bubble_time_s);
  AddMetric(part, "exposed_dp_communication_s", "s", step->exposed_dp_s);
  AddMetric(part, "pp_p2p_bytes", "B", step->pp_p2p_bytes);
  AddMetric(part, "memory_per_gpu_bytes", "B", step->memory_per_gpu_bytes);
  result::Section* ck = AddSection(&out, "checkpoint", "checkpoints and restarts");
  AddFact(ck, "checkpoint_policy", policy);
  result::Metric* iv = AddMetric(ck, "checkpoint_interval_s", "s", interval);
  if (policy == "young" || policy == "daly") SetAnalytic(iv, policy == "young" ? young : daly, policy == "young" ? "Young sqrt(2dM)" : "Daly");
  AddMetric(ck, "checkpoint_write_s", "s", write_s);
  AddMetric(ck, "checkpoint_bytes", "B", ckpt_bytes);
  AddMetric(ck, "restart_time_s", "s", restart_total);
  AddMetric(ck, "cluster_mtbf_s", "s", mtbf_s);
  AddClosedForm(ck, "young_interval_s", "s", young, "Young sqrt(2dM)");
  AddClosedForm(ck, "daly_interval_s", "s", daly, "Daly");
  if (duration > 0) {
    auto rel = SolveReliability(fleet, job.days * 24, write_s, restart_total);
    if (rel.ok()) {
      AddClosedForm(ck, "mlsysim_goodput_ratio", "1", rel->goodput_ratio, "mlsysim ReliabilityModel");
      AddClosedForm(ck, "mlsysim_fleet_mtbf_s", "s", rel->fleet_mtbf_s, "mlsysim ReliabilityModel");
    }
    result::Section* causes_sec = AddSection(&out, "interruptions_by_cause", "interruptions by cause (replication 0)");
    for (const auto& [cause, count] : first.by_cause) AddFact(causes_sec, cause, count);
  }
  result::Section* en = AddSection(&out, "energy", absl::StrCat("energy, carbon and cost (grid ", grid->key, ")"));
  AddFact(en, "region", grid->key);
  result::Metric* it = AddMetric(en, "it_energy_kwh", "kWh", it_kwh);
  AddMetric(en, "total_energy_kwh", "kWh", it_kwh * grid->pue);
  AddMetric(en, "carbon_footprint_kg", "kg", it_kwh * grid->pue * grid->carbon_g_kwh / 1000);
  AddMetric(en, "water_usage_liters", "L", it_kwh * grid->pue * grid->wue_l_kwh);
  AddMetric(en, "energy_cost_usd", "USD", it_kwh * grid->pue * kDefaultKwhPrice);
  if (duration > 0) {
    const double mfu_for_energy = std::min(1.0, step->mfu);
    auto sus = SolveSustainability(fleet, job.days, *grid, mfu_for_energy);
    if (sus.ok()) SetAnalytic(it, sus->it_energy_kwh, "mlsysim SustainabilityModel");
    EconomicsOptions eo;
    eo.mfu = mfu_for_energy;
    auto econ = SolveEconomics(fleet, job.days, *grid, eo);
    if (econ.ok()) AddClosedForm(en, "mlsysim_tco_usd", "USD", econ->tco_usd, "mlsysim EconomicsModel");
  }
  out.set_events(step->events + run_events);
  out.set_fingerprint(absl::StrFormat("%016x", step->fingerprint));

  CheckpointModel ck_model;
  ck_model.interval_s = interval;
  ck_model.write_s = write_s;
  ck_model.restart_s = restart_total;
  ck_model.mtbf_s = mtbf_s;
  ck_model.young_s = young;
  ck_model.daly_s = daly;
  ck_model.async = job.async_checkpoint;
  ck_model.duration_s = duration;
  AddTrainingPlotData(*step, first, ck_model, ettr, &out);
  if (!job.trace_file.empty()) {
    int64_t events = 0, dropped = 0;
    if (auto s = WriteTrace(job.trace_file, *step, first, job.pp, job.trace_max_events, &events, &dropped); !s.ok()) {
      return bad(std::string(s.message()));
    }
    AnnounceFile(run_ctx, &out, job.trace_file, absl::StrCat(events, " trace events: one step, and the run"));
    if (dropped > 0) {
      const std::string w = absl::StrFormat("trace %s capped at %d events (outputs.trace_max_events, --trace-max-events): %d left out",
                                            job.trace_file, job.trace_max_events, dropped);
      Warn(run_ctx, &out, w);
    }
  }
  if (!job.export_chakra.empty()) {
    auto files = WriteChakraExport(TrainingStepToChakra(step->plan), job.export_chakra, "step");
    if (!files.ok()) return bad(std::string(files.status().message()));
    for (const std::string& f : *files) out.add_files(f);
    Say(run_ctx, absl::StrCat("wrote ", files->size() - 2, " Chakra traces ", job.export_chakra,
                         "/step.<rank>.et with network.yml and system.json (re-run: mlsysim simulate chakra "
                         "--workload ", job.export_chakra, "/step --network ", job.export_chakra,
                         "/network.yml --system ", job.export_chakra, "/system.json --backend flow)"));
  }
  if (run_ctx.tables != nullptr) {
    std::string& text = (*run_ctx.tables)["events"];
    text = std::string(kEventsHeader) + "\n";
    for (const RunLogRow& r : first.log) absl::StrAppend(&text, EventRow(r), "\n");
  }
  if (!job.events_csv.empty()) {
    if (auto s = WriteEventsCsv(job.events_csv, first); !s.ok()) return bad(std::string(s.message()));
    AnnounceFile(run_ctx, &out, job.events_csv, absl::StrCat(first.log.size(), " failure and checkpoint events, replication 0"));
  }
  return out;

}

}  // namespace mlsysim
