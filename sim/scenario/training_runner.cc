// training_runner.cc — a resolved training scenario's run (see
// training_config.h): one step in detail at flow level, then the run with
// failures, restarts and checkpoints over replications, the closed forms of
// the same scenario beside every simulated figure, energy, and the trace /
// CSV / Chakra outputs. One function per concern.
#include <algorithm>
#include <cmath>
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
#include "sim/scenario/training_config.h"
#include "sim/scenario/training_plot.h"
#include "sim/training/training_chakra.h"
#include "sim/training/training_layout.h"
#include "sim/training/training_memory.h"
#include "sim/training/training_run.h"
#include "sim/training/training_step.h"
#include "traces/chrome_trace.h"
#include "traces/csv_file.h"
#include "traces/result_report.h"
#include "workloads/failure_presets.h"

namespace mlsysim {
namespace {

// The step in detail (process per pipeline stage, thread per replica and
// stream) and the run's failures, restarts and checkpoints.
absl::Status WriteTrace(const std::string& path, const TrainingStepResult& step,
                        const TrainingRunResult& run, int pp, int64_t max_events, int64_t* events,
                        int64_t* dropped) {
  ChromeTrace t(max_events);
  const char* streams[] = {"compute (TP/EP nested)", "PP receive", "DP all-reduce"};
  std::set<std::pair<int, int>> tracks;
  for (const TraceSpan& s : step.spans) tracks.insert({s.stage, s.replica * 3 + s.stream});
  for (int s = 0; s < pp; ++s)
    t.ProcessName(s, absl::StrCat("pipeline stage ", s, " (one training step)"));
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
      t.Span("restart", "restart", run_pid, 0, r.time_s, r.time_s + r.downtime_s,
             {{"downtime_s", r.downtime_s}});
    } else {
      t.Span(r.kind, r.kind, run_pid, 1, r.time_s, r.time_s + r.downtime_s,
             {{"downtime_s", r.downtime_s}});
    }
  }
  *events = t.events();
  *dropped = t.dropped();
  return t.Write(path);
}

constexpr const char* kEventsHeader = "time_s,kind,component,cause,downtime_s,lost_work_s";

std::string EventRow(const RunLogRow& r) {
  return absl::StrFormat("%.6f,%s,%s,\"%s\",%.6f,%.6f", r.time_s, r.kind, r.component, r.cause,
                         r.downtime_s, r.lost_work_s);
}

absl::Status WriteEventsCsv(const std::string& path, const TrainingRunResult& run) {
  CsvFile f(path, kEventsHeader);
  for (const RunLogRow& r : run.log) f.Row(EventRow(r));
  return f.Commit();
}

// The failure replications' figures (empty vectors when the run is 0 days).
struct FailureRuns {
  std::vector<double> interruptions, ettr, lost, checkpoint_s, restart_s;
  TrainingRunResult first;  // replication 0, with its log
  uint64_t events = 0;
};

absl::StatusOr<FailureRuns> RunFailureReplications(const ResolvedTraining& t, double step_time_s,
                                                   const RunContext& rc) {
  FailureRuns out;
  if (!(t.duration_s() > 0)) return out;
  Progress progress(rc, "replication", t.replications);
  for (int rep = 0; rep < t.replications; ++rep) {
    TrainingRunConfig c;
    c.step_time_s = step_time_s;
    c.duration_s = t.duration_s();
    c.nodes = t.fleet.count;
    c.gpus_per_node = t.fleet.node.accelerators_per_node;
    c.causes = t.causes;
    c.fresh_fleet = t.fresh_fleet;
    c.checkpoint_interval_s = t.checkpoint.interval_s;
    c.checkpoint_write_s = t.checkpoint.write_s;
    c.async_checkpoint = t.checkpoint.async;
    c.detection_s = t.detection_s;
    c.restart_s = t.restart_s;
    c.reschedule_s = t.reschedule_s;
    c.spare_nodes = t.spare_nodes;
    c.seed = t.seed;
    c.replication = static_cast<uint64_t>(rep);
    c.record_log = rep == 0;  // the result's timeline (plot data)
    auto run = SimulateTrainingRun(c);
    if (!run.ok()) return absl::InvalidArgumentError(run.status().message());
    out.interruptions.push_back(run->interruptions);
    out.ettr.push_back(run->ettr);
    out.lost.push_back(run->lost_work_s);
    out.checkpoint_s.push_back(run->checkpoint_time_s);
    out.restart_s.push_back(run->restart_time_s);
    out.events += run->events;
    if (rep == 0) out.first = *run;
    progress.Step(rep + 1,
                  absl::StrFormat("%d interruptions, ETTR %.4f", run->interruptions, run->ettr));
  }
  progress.Done();
  return out;
}

// The closed forms of the same scenario, each beside its simulated figure.
struct TrainingClosedForms {
  double iron_law = 0, bubble = 0, dp_allreduce = 0;
  absl::StatusOr<DistributedResult> mlsysim_step = absl::UnknownError("not computed");
  double expected_failures = 0;
  std::string failures_source = "rate x T";
  double first_order_ettr = 1.0;
};

TrainingClosedForms ClosedForms(const ResolvedTraining& t, const TrainingStepResult& step) {
  const TrainingStepConfig& sc = t.step;
  const ModelSpec& model = t.model;
  TrainingClosedForms cf;
  const double peak = t.fleet.node.accelerator.PeakFor(sc.precision).si;
  const double tokens = static_cast<double>(sc.global_batch) * sc.seq_len;
  cf.iron_law = 6 * model.parameters * tokens / (t.gpus() * peak * sc.efficiency);
  DistributedOptions d;
  d.batch_size = sc.global_batch;
  d.precision = sc.precision;
  d.efficiency = sc.efficiency;
  d.tp_size = sc.tp;
  d.pp_size = sc.pp;
  d.microbatch_count = sc.microbatches;
  d.v_stages = sc.virtual_stages;
  d.ep_size = sc.ep;
  d.overlap_comm = sc.overlap_gradients;
  d.seq_len = sc.seq_len;
  cf.mlsysim_step = SolveDistributed(model, t.fleet, d);
  // The schedule's own: the step's split and per-device costs, the LM head
  // on the last device ((P-1)/(V*M+P-1) when the devices are equal).
  cf.bubble = step.bubble_fraction_closed_form;
  // Stage 0's gradients (its layers under the step's split) per TP rank;
  // ZeRO-3 reduce-scatters them (half an all-reduce's ring), the rest
  // all-reduce (or reduce-scatter + all-gather: the same ring volume).
  const int stage0_layers = DeviceLayers(
      VirtualStageLayers(model.layers, sc.pp, sc.virtual_stages, sc.stage_layers), sc.pp)[0];
  const double grad_bytes =
      model.parameters * stage0_layers / model.layers * TrainingTensorBytes(sc.precision) / sc.tp;
  cf.dp_allreduce =
      RingAllReduceTime(grad_bytes, step.dp, t.fleet.fabric.bandwidth.si / sc.oversubscription,
                        t.fleet.fabric.latency_s > 0 ? t.fleet.fabric.latency_s : 5e-6) /
      (sc.zero_stage == 3 ? 2 : 1);
  // Expected interruptions: rate × T for exponential processes and for
  // Weibull renewal processes in equilibrium (exactly T / mean per
  // component); the renewal function for a fleet that starts new.
  const double duration = t.duration_s();
  cf.expected_failures = t.failure_rate_per_hour * duration / 3600.0;
  if (t.weibull_shape > 0) {
    if (t.fresh_fleet) {
      cf.expected_failures = 0;
      for (const FailureCause& cause : t.causes) {
        if (cause.rate_per_hour <= 0) continue;
        const double k = cause.weibull_shape;
        const double scale_h = (1.0 / cause.rate_per_hour) / std::tgamma(1.0 + 1.0 / k);
        cf.expected_failures +=
            cause.components * WeibullRenewalFunction(k, scale_h, duration / 3600.0);
      }
      cf.failures_source = "Weibull renewal function M(T), new fleet";
    } else {
      cf.failures_source = "equilibrium renewal: T / mean per component (= rate x T)";
    }
  }
  const TrainingCheckpointPlan& ck = t.checkpoint;
  if (ck.interval_s > 0 && std::isfinite(t.mtbf_s)) {
    cf.first_order_ettr = 1 - (ck.async ? 0 : ck.write_s / ck.interval_s) -
                          (ck.interval_s / 2 + t.restart_total_s()) / t.mtbf_s;
  }
  return cf;
}

// The run's facts: what was simulated and how.
void AddStepFacts(const ResolvedTraining& t, const TrainingStepResult& step, result::Result* out) {
  const TrainingStepConfig& sc = t.step;
  AddFact(out, "model", t.model.key);
  AddFact(out, "cluster", t.fleet.key);
  AddFact(out, "gpus", t.gpus());
  // What the accelerators cost, the spare nodes' included (they are bought
  // too): so that a sweep can weigh goodput against dollars.
  if (t.fleet.node.accelerator.unit_cost_usd > 0) {
    if (t.spare_nodes > 0) AddFact(out, "spare_nodes", t.spare_nodes);
    AddFact(out, "fleet_capex_usd",
            static_cast<double>(t.fleet.count + t.spare_nodes) *
                t.fleet.node.accelerators_per_node * t.fleet.node.accelerator.unit_cost_usd,
            "USD");
  }
  AddFact(out, "tp", sc.tp);
  AddFact(out, "pp", sc.pp);
  AddFact(out, "dp", step.dp / sc.cp);  // data-parallel (the gradient group is dp x cp)
  AddFact(out, "critical_stage", step.critical_stage);
  AddFact(out, "ep", sc.ep);
  AddFact(out, "cp", sc.cp);
  AddFact(out, "microbatches", sc.microbatches);
  AddFact(out, "virtual_stages", sc.virtual_stages);
  AddFact(out, "batch_size", sc.global_batch);
  AddFact(out, "detail", step.representative_replica ? "replica" : "full");
  AddFact(out, "routing", RoutingName(sc.routing));
  // The gradient all-reduce's schedule, and NCCL's predictions behind auto.
  AddFact(out, "dp_algorithm", step.dp_algorithm);
  if (!step.dp_algorithm_why.empty()) AddFact(out, "dp_algorithm_choice", step.dp_algorithm_why);
  // The calibrated machine names itself (absent: mlsysim's roofline machine).
  if (sc.machine.has_value()) AddFact(out, "hardware_model", "calibrated");
  AddFlag(out, "dp_rings_share_fabric_links", step.dp_rings_share_links);
  AddFact(out, "days", t.days, "d");
  AddFact(out, "failures", t.failures);
  // The checkpoint policy that shaped the run, also when it is none.
  AddFact(out, "checkpoints",
          t.checkpoint.interval_s > 0 ? absl::StrCat(t.checkpoint.policy, ", every ",
                                                     SecondsQuantity(t.checkpoint.interval_s))
                                      : std::string("none"));
  AddFact(out, "flows", static_cast<double>(step.flows));
  // Flow classes (sim/training/step_classes.h): what the network ran instead
  // of every flow, or why it ran every flow.
  AddFact(out, "flow_aggregation", step.aggregation);
  if (step.flows_aggregated) {
    AddFact(out, "flow_classes", static_cast<double>(step.flow_classes));
    AddFact(out, "simulated_flows", static_cast<double>(step.simulated_flows));
  }
}

// Facts, the headline figures and the step's critical path.
void AddStepFigures(const ResolvedTraining& t, const TrainingStepResult& step,
                    const TrainingClosedForms& cf, const FailureRuns& runs, result::Result* out) {
  const TrainingStepConfig& sc = t.step;
  AddStepFacts(t, step, out);
  SetAnalytic(AddMetric(out, "step_time_s", "s", step.step_time_s), cf.iron_law,
              "Iron Law 6PD/(N*peak*eta)");
  if (cf.mlsysim_step.ok()) {
    SetAnalytic(AddMetric(out, "step_time_mlsysim", "s", step.step_time_s),
                cf.mlsysim_step->step_latency_total_s, "mlsysim v0.1.1 DistributedModel");
  }
  AddMetric(out, "tokens_per_s", "tokens/s", step.tokens_per_s);
  const double tokens = static_cast<double>(sc.global_batch) * sc.seq_len;
  const double six_p =
      6 * tokens *
      (t.model.architecture == Architecture::kSparse && t.model.active_parameters > 0
           ? t.model.active_parameters
           : t.model.parameters);
  SetAnalytic(AddMetric(out, "model_flops_per_step", "FLOP", step.model_flops_per_step), six_p,
              "6PD");
  AddMetric(out, "hardware_flops_per_step", "FLOP", step.hardware_flops_per_step);
  AddMetric(out, "mfu", "1", step.mfu);
  AddMetric(out, "mfu_6pd", "1", step.mfu_6p);
  SetAnalytic(AddMetric(out, "bubble_fraction", "1", step.bubble_fraction), cf.bubble,
              "F/(M*Tmax+F), F=(sum T_d - Tmax)/V");
  SetAnalytic(AddMetric(out, "dp_allreduce_s", "s", step.dp_allreduce_s), cf.dp_allreduce,
              "ring alpha-beta, idle fabric");
  if (t.duration_s() > 0) {
    SetAnalytic(AddReplicated(out, "interruptions", "1", runs.interruptions), cf.expected_failures,
                cf.failures_source);
    SetAnalytic(AddReplicated(out, "ettr", "1", runs.ettr), cf.first_order_ettr,
                "1 - d/tau - (tau/2 + R)/M");
    AddReplicated(out, "lost_work_s", "s", runs.lost);
    AddReplicated(out, "time_in_checkpoints_s", "s", runs.checkpoint_s);
    AddReplicated(out, "time_in_restarts_s", "s", runs.restart_s);
  }
  result::Section* part =
      AddSection(out, "step", "one training step, critical path (the busiest stage, replica 0)");
  AddMetric(part, "compute_s", "s", step.compute_time_s);
  AddMetric(part, "tp_communication_s", "s", step.tp_communication_s);
  AddMetric(part, "ep_communication_s", "s", step.ep_communication_s);
  if (sc.cp > 1) AddMetric(part, "cp_communication_s", "s", step.cp_communication_s);
  if (sc.zero_stage == 3) AddMetric(part, "zero3_allgather_s", "s", step.zero3_allgather_s);
  AddMetric(part, "pipeline_bubble_s", "s", step.bubble_time_s);
  AddMetric(part, "exposed_dp_communication_s", "s", step.exposed_dp_s);
  AddMetric(part, "pp_p2p_bytes", "B", step.pp_p2p_bytes);
  AddMetric(part, "memory_per_gpu_bytes", "B", step.memory_per_gpu_bytes);
}

void AddCheckpointSection(const ResolvedTraining& t, const FailureRuns& runs, result::Result* out) {
  const TrainingCheckpointPlan& c = t.checkpoint;
  result::Section* ck = AddSection(out, "checkpoint", "checkpoints and restarts");
  AddFact(ck, "checkpoint_policy", c.policy);
  result::Metric* iv = AddMetric(ck, "checkpoint_interval_s", "s", c.interval_s);
  if (c.policy == "young" || c.policy == "daly") {
    SetAnalytic(iv, c.policy == "young" ? c.young_s : c.daly_s,
                c.policy == "young" ? "Young sqrt(2dM)" : "Daly");
  }
  AddMetric(ck, "checkpoint_write_s", "s", c.write_s);
  AddMetric(ck, "checkpoint_bytes", "B", c.bytes);
  AddMetric(ck, "restart_time_s", "s", t.restart_total_s());
  AddMetric(ck, "cluster_mtbf_s", "s", t.mtbf_s);
  AddClosedForm(ck, "young_interval_s", "s", c.young_s, "Young sqrt(2dM)");
  AddClosedForm(ck, "daly_interval_s", "s", c.daly_s, "Daly");
  if (t.duration_s() > 0) {
    auto rel = SolveReliability(t.fleet, t.days * 24, c.write_s, t.restart_total_s());
    if (rel.ok()) {
      AddClosedForm(ck, "mlsysim_goodput_ratio", "1", rel->goodput_ratio,
                    "mlsysim ReliabilityModel");
      AddClosedForm(ck, "mlsysim_fleet_mtbf_s", "s", rel->fleet_mtbf_s, "mlsysim ReliabilityModel");
    }
    result::Section* causes =
        AddSection(out, "interruptions_by_cause", "interruptions by cause (replication 0)");
    for (const auto& [cause, count] : runs.first.by_cause) AddFact(causes, cause, count);
  }
}

// Energy, carbon and cost from the simulated timeline, beside mlsysim's
// SustainabilityModel and EconomicsModel.
void AddEnergySection(const ResolvedTraining& t, const TrainingStepResult& step,
                      const FailureRuns& runs, result::Result* out) {
  const int n = t.gpus();
  const double duration = t.duration_s();
  const double ckpt_mean = runs.checkpoint_s.empty() ? 0 : MeanCi95(runs.checkpoint_s).first;
  const double restart_mean = runs.restart_s.empty() ? 0 : MeanCi95(runs.restart_s).first;
  const double up = std::max(0.0, duration - ckpt_mean - restart_mean);
  const double tdp = t.fleet.node.accelerator.tdp_w > 0 ? t.fleet.node.accelerator.tdp_w : 700.0;
  const double idle_gpu_s =
      std::max(0.0, (ckpt_mean + restart_mean) * n - runs.first.down_gpu_seconds);
  const double it_kwh =
      (AcceleratorPowerW(tdp, step.mfu) * up * n + AcceleratorIdlePowerW(tdp) * idle_gpu_s) / 3.6e6;
  const GridSpec& grid = t.grid;
  result::Section* en =
      AddSection(out, "energy", absl::StrCat("energy, carbon and cost (grid ", grid.key, ")"));
  AddFact(en, "region", grid.key);
  result::Metric* it = AddMetric(en, "it_energy_kwh", "kWh", it_kwh);
  AddMetric(en, "total_energy_kwh", "kWh", it_kwh * grid.pue);
  AddMetric(en, "carbon_footprint_kg", "kg", it_kwh * grid.pue * grid.carbon_g_kwh / 1000);
  AddMetric(en, "water_usage_liters", "L", it_kwh * grid.pue * grid.wue_l_kwh);
  AddMetric(en, "energy_cost_usd", "USD", it_kwh * grid.pue * kDefaultKwhPrice);
  if (duration > 0) {
    const double mfu_for_energy = std::min(1.0, step.mfu);
    auto sus = SolveSustainability(t.fleet, t.days, grid, mfu_for_energy);
    if (sus.ok()) SetAnalytic(it, sus->it_energy_kwh, "mlsysim SustainabilityModel");
    EconomicsOptions eo;
    eo.mfu = mfu_for_energy;
    auto econ = SolveEconomics(t.fleet, t.days, grid, eo);
    if (econ.ok())
      AddClosedForm(en, "mlsysim_tco_usd", "USD", econ->tco_usd, "mlsysim EconomicsModel");
  }
}

// The trace, the events CSV (and the Python module's table), the Chakra export.
absl::Status WriteTrainingOutputs(const ResolvedTraining& t, const TrainingStepResult& step,
                                  const FailureRuns& runs, const RunContext& rc,
                                  result::Result* out) {
  auto bad = [](absl::string_view why) { return absl::InvalidArgumentError(why); };
  if (!t.trace_file.empty()) {
    int64_t events = 0, dropped = 0;
    if (auto s = WriteTrace(t.trace_file, step, runs.first, t.step.pp, t.trace_max_events, &events,
                            &dropped);
        !s.ok()) {
      return bad(s.message());
    }
    AnnounceFile(rc, out, t.trace_file,
                 absl::StrCat(events, " trace events: one step, and the run"));
    if (dropped > 0) {
      Warn(rc, out,
           absl::StrFormat(
               "trace %s capped at %d events (outputs.trace_max_events, --trace-max-events): "
               "%d left out",
               t.trace_file, t.trace_max_events, dropped));
    }
  }
  if (!t.export_chakra.empty()) {
    const std::string& dir = t.export_chakra;
    auto files = WriteChakraExport(TrainingStepToChakra(step.plan), dir, "step");
    if (!files.ok()) return bad(files.status().message());
    for (const std::string& f : *files) out->add_files(f);
    Say(rc, absl::StrCat(
                "wrote ", files->size() - 2, " Chakra traces ", dir,
                "/step.<rank>.et with network.yml and system.json (re-run: mlsysim simulate chakra "
                "--workload ",
                dir, "/step --network ", dir, "/network.yml --system ", dir,
                "/system.json --backend flow)"));
  }
  if (rc.tables != nullptr) {
    std::string& text = (*rc.tables)["events"];
    text = std::string(kEventsHeader) + "\n";
    for (const RunLogRow& r : runs.first.log) absl::StrAppend(&text, EventRow(r), "\n");
  }
  if (!t.events_csv.empty()) {
    if (auto s = WriteEventsCsv(t.events_csv, runs.first); !s.ok()) return bad(s.message());
    AnnounceFile(
        rc, out, t.events_csv,
        absl::StrCat(runs.first.log.size(), " failure and checkpoint events, replication 0"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<result::Result> RunResolvedTraining(const ResolvedTraining& t,
                                                   const RunContext& rc) {
  TrainingStepConfig step_config = t.step;
  Progress progress(rc, "training step: flows", 0);
  step_config.progress = [&progress](double started, double estimated) {
    progress.Step(static_cast<long long>(started),
                  absl::StrFormat("of ~%.3g estimated", estimated));
  };
  auto step = SimulateTrainingStep(step_config);
  progress.Done();
  if (!step.ok()) return step.status();
  if (step->representative_replica && step->dp_rings_share_links) {
    Say(rc, absl::StrCat(
                "note: gradient rings share fabric links under ", RoutingName(t.step.routing),
                " routing; replica detail simulates one ring per stage and drops that contention "
                "(training.detail: full simulates it)"));
  }
  auto runs = RunFailureReplications(t, step->step_time_s, rc);
  if (!runs.ok()) return runs.status();
  const TrainingClosedForms cf = ClosedForms(t, *step);
  result::Result out = NewResult("training", t.name);
  AddStepFigures(t, *step, cf, *runs, &out);
  AddCheckpointSection(t, *runs, &out);
  AddEnergySection(t, *step, *runs, &out);
  out.set_events(step->events + runs->events);
  out.set_fingerprint(absl::StrFormat("%016x", step->fingerprint));
  CheckpointModel ck_model;
  ck_model.interval_s = t.checkpoint.interval_s;
  ck_model.write_s = t.checkpoint.write_s;
  ck_model.restart_s = t.restart_total_s();
  ck_model.mtbf_s = t.mtbf_s;
  ck_model.young_s = t.checkpoint.young_s;
  ck_model.daly_s = t.checkpoint.daly_s;
  ck_model.async = t.checkpoint.async;
  ck_model.duration_s = t.duration_s();
  AddTrainingPlotData(*step, runs->first, ck_model, runs->ettr, &out);
  if (auto st = WriteTrainingOutputs(t, *step, *runs, rc, &out); !st.ok()) return st;
  return out;
}

}  // namespace mlsysim
