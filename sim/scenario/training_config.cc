// training_config.cc — ResolveTraining (see training_config.h): the cluster
// and model, the detailed step's configuration, failures, and checkpoints.
#include "sim/scenario/training_config.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/formulas.h"
#include "analytic/units.h"
#include "sim/core/time.h"
#include "sim/scenario/resolve.h"
#include "sim/scenario/scenario_check.h"
#include "sim/training/step_payloads.h"
#include "sim/training/training_layout.h"

namespace mlsysim {
namespace {

absl::Status Bad(const std::string& why) { return absl::InvalidArgumentError(why); }

absl::Status Seconds(const std::string& text, const char* field, double* out) {
  const std::string e = ParseScenarioQuantity(text, field, dims::kTime, /*positive=*/false, out);
  return e.empty() ? absl::OkStatus() : Bad(e);
}

// The model, the fleet (a registry cluster, or nodes of a node type on a
// fabric) and the grid.
absl::Status ResolveFleet(const scenario::Scenario& s, const Registry& reg, ResolvedTraining* t) {
  const auto& c = s.cluster();
  if (s.training().model().empty()) return Bad("training.model: required (a registry model)");
  auto model = ResolveModel(reg, s.training().model(), "training.model");
  if (!model.ok()) return model.status();
  t->model = *model;
  if (!c.registry_name().empty()) {
    auto f = reg.FindFleet(c.registry_name());
    if (!f.ok()) return Bad(std::string(f.status().message()));
    t->fleet = *f;
  } else {
    const int nodes = c.nodes();
    if (nodes < 1) return Bad("cluster.registry_name or cluster.nodes (>= 1) is required");
    const std::string node_key = c.node().empty() ? ScenarioDefaults::kNode : c.node();
    const std::string fabric_key = c.fabric().empty() ? ScenarioDefaults::kFabric : c.fabric();
    auto node = reg.FindNode(node_key);
    if (!node.ok()) return Bad(std::string(node.status().message()));
    auto fabric = reg.FindFabric(fabric_key);
    if (!fabric.ok()) return Bad(std::string(fabric.status().message()));
    if (static_cast<int64_t>(nodes) * node->accelerators_per_node > kMaxAccelerators) {
      return Bad(absl::StrCat("cluster.nodes x ", node->accelerators_per_node, " accelerators = ",
                              static_cast<int64_t>(nodes) * node->accelerators_per_node,
                              "; at most ", kMaxAccelerators, " are accepted"));
    }
    t->fleet.key = t->fleet.name = absl::StrCat(nodes, "x", node_key);
    t->fleet.node = *node;
    t->fleet.count = nodes;
    t->fleet.fabric = *fabric;
  }
  if (!c.intra_node_bandwidth().empty()) {
    auto bw =
        ParseQuantityAs(c.intra_node_bandwidth(), dims::kByteRate, "cluster.intra_node_bandwidth");
    if (!bw.ok()) return Bad(std::string(bw.status().message()));
    if (!(bw->si > 0)) return Bad("cluster.intra_node_bandwidth: must be > 0");
    t->fleet.node.intra_node_bw = Rate{bw->number, bw->si, bw->MsFactor()};
  }
  auto machine = ResolveHardwareModel(c.hardware_model(), reg, t->fleet.node.accelerator,
                                      /*efficiency_given=*/s.training().efficiency() > 0);
  if (!machine.ok()) return machine.status();
  t->step.machine = *machine;
  if (!c.region().empty()) t->fleet.region = c.region();
  auto grid = reg.FindGrid(t->fleet.region.empty() ? "US_Avg" : t->fleet.region);
  if (!grid.ok()) return Bad(std::string(grid.status().message()));
  t->grid = *grid;
  return absl::OkStatus();
}

// The step's machine and fabric: node, NVLink, topology, routing.
absl::Status ResolveStepFabric(const scenario::Scenario& s, ResolvedTraining* t) {
  const auto& c = s.cluster();
  TrainingStepConfig& sc = t->step;
  sc.model = t->model;
  sc.node = t->fleet.node;
  // The calibrated machine runs NVLink per direction: half the registry's
  // both-direction figure (a figure given in the scenario is per direction).
  // Only the simulated step: the closed forms beside it stay mlsysim's.
  if (sc.machine.has_value() && c.intra_node_bandwidth().empty()) {
    sc.node.intra_node_bw = sc.node.intra_node_bw.Scaled(0.5);
  }
  sc.fabric = t->fleet.fabric;
  sc.nodes = t->fleet.count;
  auto topology = ParseFabricKind(c.topology().empty() ? "fat_tree_2" : c.topology());
  if (!topology.ok()) return Bad(std::string(topology.status().message()));
  sc.topology = *topology;
  sc.oversubscription = c.oversubscription() > 0 ? c.oversubscription() : 1.0;
  auto routing = ParseRouting(c.routing().empty() ? t->fleet.fabric.routing : c.routing());
  if (!routing.ok()) return Bad(std::string(routing.status().message()));
  sc.routing = *routing;
  return absl::OkStatus();
}

// Parallelism, schedule, batch and the pipeline's stage layers.
absl::Status ResolveStepParallelism(const scenario::Scenario& s, ResolvedTraining* t) {
  const auto& w = s.training();
  TrainingStepConfig& sc = t->step;
  if (!w.schedule().empty() && w.schedule() != "1f1b" && w.schedule() != "interleaved") {
    return Bad("training.schedule: accepted 1f1b, interleaved");
  }
  sc.tp = std::max(1, w.tp());
  sc.pp = std::max(1, w.pp());
  sc.ep = std::max(1, w.ep());
  sc.cp = std::max(1, w.cp());
  sc.virtual_stages = std::max(1, w.virtual_stages());
  if (w.schedule() == "interleaved" && sc.virtual_stages == 1) sc.virtual_stages = 2;
  if (w.global_batch_size() < 1) return Bad("training.global_batch_size: required (>= 1)");
  sc.global_batch = w.global_batch_size();
  sc.microbatches = w.microbatches() > 0
                        ? w.microbatches()
                        : DefaultMicrobatches(sc.global_batch, t->gpus(), sc.tp * sc.cp, sc.pp);
  if (w.seq_len() > 0) sc.seq_len = w.seq_len();
  sc.stage_layers.assign(w.stage_layers().begin(), w.stage_layers().end());
  if (!sc.stage_layers.empty()) {
    const int want = sc.pp * sc.virtual_stages;
    long long sum = 0;
    for (int l : sc.stage_layers) {
      if (l < 1) return Bad("training.stage_layers: every count must be >= 1");
      sum += l;
    }
    if (static_cast<int>(sc.stage_layers.size()) != want || sum != t->model.layers) {
      return Bad(absl::StrCat("training.stage_layers: give pp x virtual stages = ", want,
                              " counts summing to the model's ", t->model.layers, " layers; got ",
                              sc.stage_layers.size(), " summing to ", sum));
    }
  }
  return absl::OkStatus();
}

// What the step's kernels compute: precision, attention, sequence
// parallelism, ZeRO, recomputation and the gradient all-reduce.
absl::Status ResolveStepKernels(const scenario::Scenario& s, ResolvedTraining* t) {
  const auto& w = s.training();
  TrainingStepConfig& sc = t->step;
  sc.precision = w.precision().empty() ? ScenarioDefaults::kTrainingPrecision : w.precision();
  if (w.efficiency() > 0) sc.efficiency = w.efficiency();
  sc.overlap_gradients = w.overlap_gradients();
  sc.straggler_cv = w.straggler_cv();
  sc.bucket_bytes = 500e6;
  if (!w.bucket_size().empty()) {
    auto q = ParseQuantityAs(w.bucket_size(), dims::kBytes, "training.bucket_size");
    if (!q.ok()) return Bad(std::string(q.status().message()));
    sc.bucket_bytes = q->si;
  }
  if (auto st = ParseGradientAlgorithm(
          w.gradient_algorithm().empty() ? "auto" : w.gradient_algorithm(), &sc.gradient_algorithm);
      !st.ok()) {
    return Bad(absl::StrCat("training.gradient_algorithm: ", st.message()));
  }
  if (!w.activation_recompute().empty()) sc.activation_recompute = w.activation_recompute();
  const std::string attention = w.attention().empty() ? "causal" : w.attention();
  if (attention != "causal" && attention != "square") {
    return Bad(
        absl::StrCat("training.attention: unknown '", attention, "'; accepted: causal, square"));
  }
  sc.causal_attention = attention == "causal";
  const std::string kernel = w.attention_kernel().empty() ? "flash" : w.attention_kernel();
  if (kernel != "flash" && kernel != "unfused") {
    return Bad(absl::StrCat("training.attention_kernel: unknown '", kernel,
                            "'; accepted: flash (default), unfused"));
  }
  sc.unfused_attention = kernel == "unfused";
  const std::string sp =
      w.sequence_parallel().empty() ? (sc.tp > 1 ? "on" : "off") : w.sequence_parallel();
  if (sp != "on" && sp != "off") {
    return Bad(absl::StrCat("training.sequence_parallel: unknown '", sp, "'; accepted: on, off"));
  }
  sc.sequence_parallel = sp == "on";
  if (w.zero_stage() < 0 || w.zero_stage() > 3) {
    return Bad(absl::StrCat("training.zero_stage: ", w.zero_stage(), "; accepted 0, 1, 2, 3"));
  }
  sc.zero_stage = w.zero_stage();
  return absl::OkStatus();
}

// How the step is simulated (detail, recorded spans) and the bounds on what
// one step may cost.
absl::Status ResolveStepDetail(const scenario::Scenario& s, ResolvedTraining* t) {
  const auto& w = s.training();
  TrainingStepConfig& sc = t->step;
  sc.seed = t->seed;
  // The result's pipeline schedule (plot data: replica 0), and with a trace
  // every simulated replica's.
  sc.record_spans = true;
  sc.span_replicas = t->trace_file.empty() ? 1 : 0;
  sc.record_plan = !t->export_chakra.empty();
  sc.aggregate_flows = !w.no_flow_aggregation() && !sc.record_plan;
  const std::string detail = w.detail().empty() ? "auto" : w.detail();
  if (detail == "replica") {
    sc.representative_replica = true;
  } else if (detail == "auto") {
    // In full where the flows aggregate (exact and fast); if the symmetry
    // breaks during the step, per flow at replica detail above 2,048 GPUs.
    sc.representative_replica = !FlowAggregationApplies(sc) && t->gpus() > 2048;
    sc.replica_fallback = t->gpus() > 2048;
  } else if (detail != "full") {
    return Bad(
        absl::StrCat("training.detail: unknown '", detail, "'; accepted: full, replica, auto"));
  }
  if (sc.record_plan && sc.representative_replica) {
    return Bad(
        "outputs.chakra_dir: the step must be simulated in full detail (training.detail: full)");
  }
  // What one step's events can carry (sim/training/step_payloads.h).
  if (const double buckets = MaxBucketsPerStage(sc); buckets > StepEvent::Max(1) + 1.0) {
    const double most = StepEvent::Max(1) + 1.0;
    return Bad(absl::StrFormat(
        "training.bucket_size: %.0f bytes split a stage's gradients into %.0f buckets; at most "
        "%.0f (a bucket of at least %.0f bytes)",
        sc.bucket_bytes, buckets, most, std::ceil(sc.bucket_bytes * buckets / most)));
  }
  // A bound on the run's time, before anything is built (issue 24).
  if (const double flows =
          FlowAggregationApplies(sc) ? EstimatedAggregatedWork(sc) : EstimatedStepFlows(sc);
      flows > kMaxStepFlows) {
    const long long dp = static_cast<long long>(t->gpus()) / (sc.tp * sc.pp);
    return Bad(absl::StrFormat(
        "cluster.nodes: %d nodes make %d data-parallel ranks per gradient ring; one step would "
        "simulate ~%.2g flows%s, more than the %.0e a step may run (about 10 minutes at flow "
        "level); use fewer nodes or a larger training.tp x training.pp%s",
        sc.nodes, dp, flows,
        FlowAggregationApplies(sc)
            ? " as flow classes (its templates' flows and transfers, 64 per-flow units each)"
            : " (2(DP-1) ring steps of DP flows each)",
        kMaxStepFlows, sc.representative_replica ? "" : ", or training.detail: replica"));
  }
  return absl::OkStatus();
}

// The detailed step: fabric, parallelism, kernels, detail.
absl::Status ResolveStep(const scenario::Scenario& s, ResolvedTraining* t) {
  for (auto part :
       {&ResolveStepFabric, &ResolveStepParallelism, &ResolveStepKernels, &ResolveStepDetail}) {
    if (absl::Status st = part(s, t); !st.ok()) return st;
  }
  return absl::OkStatus();
}

// The failure causes, their rate, and the restart path's times.
absl::Status ResolveFailures(const scenario::Scenario& s, ResolvedTraining* t) {
  const auto& f = s.failures();
  if (!f.preset().empty()) t->failures = f.preset();
  t->fresh_fleet = f.fresh_fleet();
  if (f.distribution() == "weibull") {
    t->weibull_shape = f.weibull_shape() > 0 ? f.weibull_shape() : 0.7;
  } else if (!f.distribution().empty() && f.distribution() != "exponential") {
    return Bad("failures.distribution: accepted: exponential, weibull");
  }
  for (auto st : {Seconds(f.detection_time(), "failures.detection_time", &t->detection_s),
                  Seconds(f.restart_time(), "failures.restart_time", &t->restart_s),
                  Seconds(f.reschedule_time(), "failures.reschedule_time", &t->reschedule_s)}) {
    if (!st.ok()) return st;
  }
  t->spare_nodes = s.cluster().spare_nodes();
  auto causes = FailurePreset(t->failures, t->fleet.count, t->fleet.node.accelerators_per_node,
                              t->weibull_shape);
  if (!causes.ok()) return Bad(std::string(causes.status().message()));
  t->causes = *causes;
  t->failure_rate_per_hour = TotalRatePerHour(t->causes);
  if (t->failure_rate_per_hour > 0) t->mtbf_s = 3600.0 / t->failure_rate_per_hour;
  return absl::OkStatus();
}

// Checkpoint size, where it is written, and the interval policy.
absl::Status ResolveCheckpoints(const scenario::Scenario& s, ResolvedTraining* t) {
  const auto& c = s.checkpoint();
  TrainingCheckpointPlan& ck = t->checkpoint;
  ck.async = c.asynchronous();
  ck.bytes = CheckpointSizeBytes(t->model.parameters);
  const std::string storage = c.storage().empty() ? "node_nvme" : c.storage();
  double shared_bw = 0, storage_bw = 0;
  if (!c.storage_bandwidth().empty()) {
    auto q =
        ParseQuantityAs(c.storage_bandwidth(), dims::kByteRate, "checkpoint.storage_bandwidth");
    if (!q.ok()) return Bad(std::string(q.status().message()));
    shared_bw = q->si;
  }
  if (storage == "shared") {
    storage_bw = shared_bw;
    if (!(storage_bw > 0))
      return Bad("checkpoint.storage_bandwidth (> 0) is required with shared storage");
  } else if (storage == "node_nvme") {
    const Accelerator& hw = t->fleet.node.accelerator;
    storage_bw = t->gpus() * (hw.storage.bandwidth.si > 0 ? hw.storage.bandwidth.si : 1e9);
  } else {
    return Bad(
        absl::StrCat("checkpoint.storage: unknown '", storage, "'; accepted: node_nvme, shared"));
  }
  ck.write_s = ck.bytes / storage_bw;
  ck.young_s = YoungInterval(ck.write_s, t->mtbf_s);
  ck.daly_s = DalyInterval(ck.write_s, t->mtbf_s);
  ck.policy =
      c.interval().empty() ? (t->failure_rate_per_hour > 0 ? "young" : "none") : c.interval();
  if (ck.policy == "young") {
    ck.interval_s = std::isfinite(ck.young_s) ? ck.young_s : 0;
  } else if (ck.policy == "daly") {
    ck.interval_s = std::isfinite(ck.daly_s) ? ck.daly_s : 0;
  } else if (ck.policy != "none") {
    auto q = ParseQuantityAs(ck.policy, dims::kTime, "checkpoint.interval");
    if (!q.ok()) return Bad(absl::StrCat(q.status().message(), " (or young, daly, none)"));
    if (!(q->si > 0)) return Bad("checkpoint.interval: must be > 0");
    ck.interval_s = q->si;
  }
  // A checkpoint every interval must fit in it: an interval no longer than
  // one write would do nothing but checkpoint (and the first-order ETTR
  // turns negative).
  if (ck.interval_s > 0 && ck.interval_s <= ck.write_s) {
    return Bad(absl::StrFormat(
        "checkpoint.interval: %s gives %.6g s, not longer than one checkpoint write (%.6g s of "
        "%.6g "
        "GB at %.6g GB/s); use a longer interval or faster storage",
        ck.policy, ck.interval_s, ck.write_s, ck.bytes / 1e9, ck.bytes / ck.write_s / 1e9));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<ResolvedTraining> ResolveTraining(const scenario::Scenario& s,
                                                 const std::string& name,
                                                 const Registry& registry) {
  if (const std::string e = CheckScenarioRanges(s); !e.empty()) return Bad(e);
  ResolvedTraining t;
  t.name = s.name().empty() ? name : s.name();
  t.seed = s.seed() > 0 ? s.seed() : 1;
  t.replications = s.replications() > 0 ? static_cast<int>(s.replications())
                                        : ScenarioDefaults::kTrainingReplications;
  t.trace_file = s.outputs().trace_json();
  t.events_csv = s.outputs().events_csv();
  t.export_chakra = s.outputs().chakra_dir();
  if (s.outputs().trace_max_events() > 0) t.trace_max_events = s.outputs().trace_max_events();
  double run_s = 0;
  if (auto st = Seconds(s.training().duration(), "training.duration", &run_s); !st.ok()) return st;
  t.days = run_s / 86400.0;
  if (t.days < 0) return Bad("training.duration: must be >= 0");
  if (t.days * 86400.0 > kMaxSimSeconds) {
    return Bad(absl::StrCat("training.duration: ", t.days, " days is past the clock's range of ",
                            static_cast<long long>(kMaxSimSeconds / 86400), " days (292 years)"));
  }
  if (t.replications < 1) return Bad("replications: must be >= 1");
  if (auto st = ResolveFleet(s, registry, &t); !st.ok()) return st;
  for (auto step : {&ResolveStep, &ResolveFailures, &ResolveCheckpoints}) {
    if (auto st = step(s, &t); !st.ok()) return st;
  }
  return t;
}

absl::Status FillTrainingDefaults(const Registry& registry, scenario::Scenario* s) {
  auto t = ResolveTraining(*s, s->name(), registry);
  if (!t.ok()) return t.status();
  const TrainingStepConfig& sc = t->step;
  auto seconds = [](double v) { return absl::StrCat(v, " s"); };
  if (s->seed() == 0) s->set_seed(t->seed);
  if (s->replications() == 0) s->set_replications(static_cast<uint32_t>(t->replications));
  scenario::Cluster& c = *s->mutable_cluster();
  if (c.topology().empty()) c.set_topology("fat_tree_2");
  if (c.oversubscription() == 0) c.set_oversubscription(sc.oversubscription);
  if (c.routing().empty()) c.set_routing(RoutingName(sc.routing));
  if (c.hardware_model().empty())
    c.set_hardware_model(sc.machine.has_value() ? "calibrated" : "roofline");
  if (c.region().empty()) c.set_region(t->grid.key);
  scenario::TrainingWorkload& w = *s->mutable_training();
  if (w.seq_len() == 0) w.set_seq_len(sc.seq_len);
  if (w.precision().empty()) w.set_precision(sc.precision);
  // An efficiency given selects the roofline machine: written only there.
  if (w.efficiency() == 0 && !sc.machine.has_value()) w.set_efficiency(sc.efficiency);
  if (w.tp() == 0) w.set_tp(sc.tp);
  if (w.pp() == 0) w.set_pp(sc.pp);
  if (w.ep() == 0) w.set_ep(sc.ep);
  if (w.cp() == 0) w.set_cp(sc.cp);
  if (w.microbatches() == 0) w.set_microbatches(sc.microbatches);
  if (w.virtual_stages() == 0) w.set_virtual_stages(sc.virtual_stages);
  if (w.schedule().empty()) w.set_schedule(sc.virtual_stages > 1 ? "interleaved" : "1f1b");
  if (w.bucket_size().empty()) w.set_bucket_size(absl::StrCat(sc.bucket_bytes, " B"));
  if (w.gradient_algorithm().empty()) w.set_gradient_algorithm("auto");
  if (w.activation_recompute().empty()) w.set_activation_recompute(sc.activation_recompute);
  if (w.attention().empty()) w.set_attention(sc.causal_attention ? "causal" : "square");
  if (w.attention_kernel().empty())
    w.set_attention_kernel(sc.unfused_attention ? "unfused" : "flash");
  if (w.sequence_parallel().empty()) w.set_sequence_parallel(sc.sequence_parallel ? "on" : "off");
  if (w.detail().empty()) w.set_detail("auto");
  if (w.duration().empty()) w.set_duration(seconds(t->duration_s()));
  scenario::FailureModel& f = *s->mutable_failures();
  if (f.preset().empty()) f.set_preset(t->failures);
  if (f.distribution().empty())
    f.set_distribution(t->weibull_shape > 0 ? "weibull" : "exponential");
  if (f.weibull_shape() == 0 && t->weibull_shape > 0) f.set_weibull_shape(t->weibull_shape);
  if (f.detection_time().empty()) f.set_detection_time(seconds(t->detection_s));
  if (f.restart_time().empty()) f.set_restart_time(seconds(t->restart_s));
  if (f.reschedule_time().empty()) f.set_reschedule_time(seconds(t->reschedule_s));
  scenario::CheckpointPolicy& ck = *s->mutable_checkpoint();
  if (ck.interval().empty()) ck.set_interval(t->checkpoint.policy);
  if (ck.storage().empty()) ck.set_storage("node_nvme");
  return absl::OkStatus();
}

}  // namespace mlsysim
