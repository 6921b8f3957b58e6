// training_scenario.cc — training scenarios: the loader (Scenario → the
// TrainingJob the models take, defaults filled in, errors naming the field)
// and `simulate training`'s flags, which only fill a Scenario.
#include "absl/strings/str_cat.h"
#include "analytic/units.h"
#include "cli/simulate_common.h"
#include "cli/simulate_training.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o text|json|markdown] simulate training --model M (--cluster C | --nodes N\n"
    "         [--node DGX_H100] [--fabric InfiniBand_NDR]) --tp T --pp P [--microbatches K] --batch-size B\n"
    "         [--seq-len S] [--precision P] [--efficiency E] [--topology fat_tree_2]\n"
    "         [--oversubscription X] [--routing dmodk|ecmp|spray] [--no-overlap] [--bucket SIZE] [--straggler-cv V]\n"
    "         [--days D] [--failures none|registry|llama3] [--weibull-shape K [--fresh-fleet]]\n"
    "         [--checkpoint-interval young|daly|none|DURATION] [--checkpoint-storage node_nvme|shared]\n"
    "         [--storage-bandwidth BW] [--async-checkpoint] [--restart-time DURATION]\n"
    "         [--detection-time DURATION] [--reschedule-time DURATION] [--spare-nodes N]\n"
    "         [--region GRID] [--seed N] [--replications R] [--recompute none|selective|full]\n"
    "         [--detail full|replica|auto] [--virtual-stages V] [--ep E]\n"
    "         [--trace FILE.json] [--events-csv FILE.csv] [--trace-max-events N] [--export-chakra DIR]\n"
    "         [--dump-scenario]\n"
    "  Outputs: --trace (Perfetto: the step per pipeline stage and replica with compute, TP/EP,\n"
    "  PP and DP spans; the run's failures, restarts and checkpoints), --events-csv (the run's\n"
    "  failures and checkpoints). --dump-scenario prints the equivalent scenario (textproto).\n";

const FieldFlags kTrainingFlags = {
    {"training.model", "--model"}, {"cluster.registry_name", "--cluster"}, {"cluster.nodes", "--nodes"},
    {"cluster.node", "--node"}, {"cluster.fabric", "--fabric"}, {"cluster.topology", "--topology"},
    {"cluster.oversubscription", "--oversubscription"}, {"cluster.routing", "--routing"},
    {"training.tp", "--tp"}, {"training.pp", "--pp"}, {"training.microbatches", "--microbatches"},
    {"training.global_batch_size", "--batch-size"}, {"training.seq_len", "--seq-len"},
    {"training.precision", "--precision"}, {"training.efficiency", "--efficiency"},
    {"training.bucket_size", "--bucket"}, {"training.straggler_cv", "--straggler-cv"},
    {"training.duration", "--days"}, {"failures.preset", "--failures"},
    {"failures.weibull_shape", "--weibull-shape"}, {"checkpoint.interval", "--checkpoint-interval"},
    {"checkpoint.storage_bandwidth", "--storage-bandwidth"}, {"checkpoint.storage", "--checkpoint-storage"},
    {"failures.restart_time", "--restart-time"}, {"failures.detection_time", "--detection-time"},
    {"failures.reschedule_time", "--reschedule-time"}, {"cluster.spare_nodes", "--spare-nodes"},
    {"cluster.region", "--region"}, {"training.activation_recompute", "--recompute"},
    {"training.detail", "--detail"}, {"training.virtual_stages", "--virtual-stages"}, {"training.ep", "--ep"},
    {"outputs.trace_json", "--trace"}, {"outputs.events_csv", "--events-csv"},
    {"outputs.trace_max_events", "--trace-max-events"}, {"outputs.chakra_dir", "--export-chakra"},
    {"replications", "--replications"}, {"seed", "--seed"}};

std::string Seconds(const std::string& text, const char* field, double* out) {
  if (text.empty()) return "";
  auto q = ParseQuantityAs(text, dims::kTime, field);
  if (!q.ok()) return std::string(q.status().message());
  if (q->si < 0) return absl::StrCat(field, ": must be >= 0");
  *out = q->si;
  return "";
}

}  // namespace

std::string TrainingJobFromScenario(const scenario::Scenario& s, const std::string& path, TrainingJob* out) {
  if (const std::string e = CheckScenarioRanges(s); !e.empty()) return e;
  const auto& t = s.training();
  TrainingJob j;
  j.name = s.name().empty() ? path : s.name();
  j.model = t.model();
  j.cluster = s.cluster().registry_name();
  j.nodes = s.cluster().nodes();
  if (!s.cluster().node().empty()) j.node = s.cluster().node();
  if (!s.cluster().fabric().empty()) j.fabric = s.cluster().fabric();
  if (!s.cluster().topology().empty()) j.topology = s.cluster().topology();
  if (s.cluster().oversubscription() > 0) j.oversubscription = s.cluster().oversubscription();
  j.routing = s.cluster().routing();
  j.region = s.cluster().region();
  j.spare_nodes = s.cluster().spare_nodes();
  j.tp = std::max(1, t.tp());
  j.pp = std::max(1, t.pp());
  j.microbatches = t.microbatches();
  j.virtual_stages = std::max(1, t.virtual_stages());
  j.ep = std::max(1, t.ep());
  if (t.schedule() == "interleaved" && j.virtual_stages == 1) j.virtual_stages = 2;
  if (!t.schedule().empty() && t.schedule() != "1f1b" && t.schedule() != "interleaved") {
    return "training.schedule: accepted 1f1b, interleaved";
  }
  j.batch_size = t.global_batch_size();
  if (t.seq_len() > 0) j.seq_len = t.seq_len();
  if (!t.precision().empty()) j.precision = t.precision();
  if (t.efficiency() > 0) j.efficiency = t.efficiency();
  j.overlap = t.overlap_gradients();
  j.straggler_cv = t.straggler_cv();
  if (!t.activation_recompute().empty()) j.activation_recompute = t.activation_recompute();
  if (!t.detail().empty()) j.detail = t.detail();
  if (!t.bucket_size().empty()) {
    auto q = ParseQuantityAs(t.bucket_size(), dims::kBytes, "training.bucket_size");
    if (!q.ok()) return std::string(q.status().message());
    j.bucket_bytes = q->si;
  }
  double run_s = 0;
  if (auto e = Seconds(t.duration(), "training.duration", &run_s); !e.empty()) return e;
  j.days = run_s / 86400.0;
  if (!s.failures().preset().empty()) j.failures = s.failures().preset();
  j.fresh_fleet = s.failures().fresh_fleet();
  if (s.failures().distribution() == "weibull") {
    j.weibull_shape = s.failures().weibull_shape() > 0 ? s.failures().weibull_shape() : 0.7;
  } else if (!s.failures().distribution().empty() && s.failures().distribution() != "exponential") {
    return "failures.distribution: accepted: exponential, weibull";
  }
  if (auto e = Seconds(s.failures().detection_time(), "failures.detection_time", &j.detection_s); !e.empty()) return e;
  if (auto e = Seconds(s.failures().restart_time(), "failures.restart_time", &j.restart_s); !e.empty()) return e;
  if (auto e = Seconds(s.failures().reschedule_time(), "failures.reschedule_time", &j.reschedule_s); !e.empty()) {
    return e;
  }
  j.checkpoint_interval = s.checkpoint().interval();
  if (!s.checkpoint().storage().empty()) j.checkpoint_storage = s.checkpoint().storage();
  if (!s.checkpoint().storage_bandwidth().empty()) {
    auto q = ParseQuantityAs(s.checkpoint().storage_bandwidth(), dims::kByteRate, "checkpoint.storage_bandwidth");
    if (!q.ok()) return std::string(q.status().message());
    j.storage_bandwidth = q->si;
  }
  j.async_checkpoint = s.checkpoint().asynchronous();
  j.seed = s.seed() > 0 ? s.seed() : 1;
  j.replications = s.replications() > 0 ? static_cast<int>(s.replications()) : 1;
  j.trace_file = s.outputs().trace_json();
  j.events_csv = s.outputs().events_csv();
  j.export_chakra = s.outputs().chakra_dir();
  if (s.outputs().trace_max_events() > 0) j.trace_max_events = s.outputs().trace_max_events();
  *out = std::move(j);
  return "";
}

int RunTrainingScenario(const CommandContext& ctx, const scenario::Scenario& s, const std::string& path,
                        const FieldFlags& flags) {
  TrainingJob j;
  if (std::string e = TrainingJobFromScenario(s, path, &j); !e.empty()) {
    return ReportError(ctx, kExitBadInput, "Bad input", NameFlags(e, flags));
  }
  j.flag_names = flags;
  scenario::Scenario echo = s;
  echo.set_seed(j.seed);
  echo.set_replications(static_cast<uint32_t>(j.replications));
  return RunTrainingJob(ctx, j, echo);
}

int RunSimulateTraining(const CommandContext& ctx, const CommandArgs& args) {
  ParsedOptions o;
  std::vector<OptionSpec> specs;
  for (const char* name :
       {"--model", "--cluster", "--nodes", "--node", "--fabric", "--topology", "--oversubscription", "--routing",
        "--tp", "--pp", "--microbatches", "--batch-size", "--seq-len", "--precision", "--efficiency", "--bucket",
        "--straggler-cv", "--days", "--failures", "--weibull-shape", "--checkpoint-interval",
        "--checkpoint-storage", "--storage-bandwidth", "--restart-time", "--detection-time", "--reschedule-time",
        "--spare-nodes", "--region", "--seed", "--replications", "--trace", "--events-csv", "--trace-max-events",
        "--export-chakra", "--recompute", "--detail", "--virtual-stages", "--ep"}) {
    specs.push_back({name, "", true});
  }
  for (const char* flag : {"--no-overlap", "--async-checkpoint", "--fresh-fleet", "--help", "--dump-scenario"}) {
    specs.push_back({flag, "", false});
  }
  std::string err = ParseOptions(args, specs, "simulate training", &o);
  if (!err.empty()) return ReportError(ctx, kExitBadInput, "Bad input", err);
  if (o.Has("--help")) {
    *ctx.out << kHelp;
    return kExitOk;
  }
  if (!o.Has("--model")) return ReportError(ctx, kExitBadInput, "Bad input", "--model is required");
  if (!o.Has("--batch-size")) return ReportError(ctx, kExitBadInput, "Bad input", "--batch-size is required (>= 1)");
  int nodes = 0, tp = 1, pp = 1, mb = 0, vs = 0, ep = 0, batch = 0, seq = 0, spares = 0, seed = 0, reps = 0;
  long long max_events = 0;
  double over = 0, eff = 0, straggler = 0, days = 0, shape = 0;
  std::string e;
  if (e.empty()) e = GetInt(o, "--nodes", 1, kMaxClusterNodes, &nodes);
  if (e.empty()) e = GetInt(o, "--tp", 1, 1024, &tp);
  if (e.empty()) e = GetInt(o, "--pp", 1, 1024, &pp);
  if (e.empty()) e = GetInt(o, "--microbatches", 1, 1 << 20, &mb);
  if (e.empty()) e = GetInt(o, "--virtual-stages", 1, 1024, &vs);
  if (e.empty()) e = GetInt(o, "--ep", 1, 1 << 20, &ep);
  if (e.empty()) e = GetInt(o, "--batch-size", 1, 1 << 30, &batch);
  if (e.empty()) e = GetInt(o, "--seq-len", 1, 1 << 24, &seq);
  if (e.empty()) e = GetInt(o, "--spare-nodes", 0, kMaxClusterNodes, &spares);
  if (e.empty()) e = GetInt(o, "--seed", 0, 2000000000, &seed);
  if (e.empty()) e = GetInt(o, "--replications", 1, 100000, &reps);
  if (e.empty()) e = GetInt64(o, "--trace-max-events", 2, 100000000, &max_events);
  if (e.empty()) e = GetNumber(o, "--oversubscription", &over);
  if (e.empty()) e = GetNumber(o, "--efficiency", &eff);
  if (e.empty()) e = GetNumber(o, "--straggler-cv", &straggler);
  if (e.empty()) e = GetNumber(o, "--days", &days);
  if (e.empty()) e = GetNumber(o, "--weibull-shape", &shape);
  if (e.empty() && days < 0) e = "training.duration (--days): must be >= 0";
  if (e.empty() && o.Has("--efficiency") && !(eff > 0)) e = "training.efficiency (--efficiency): must lie in (0, 1]";
  if (e.empty() && o.Has("--oversubscription") && !(over >= 1)) e = "cluster.oversubscription (--oversubscription): must be >= 1";
  if (e.empty() && o.Has("--weibull-shape") && !(shape > 0)) e = "failures.weibull_shape (--weibull-shape): must be > 0";
  if (!e.empty()) return ReportError(ctx, kExitBadInput, "Bad input", e);
  scenario::Scenario s;
  auto* c = s.mutable_cluster();
  c->set_registry_name(o.Get("--cluster", ""));
  c->set_nodes(nodes);
  c->set_node(o.Get("--node", ""));
  c->set_fabric(o.Get("--fabric", ""));
  c->set_topology(o.Get("--topology", ""));
  c->set_oversubscription(over);
  c->set_routing(o.Get("--routing", ""));
  c->set_spare_nodes(spares);
  c->set_region(o.Get("--region", ""));
  auto* t = s.mutable_training();
  t->set_model(o.Get("--model", ""));
  t->set_global_batch_size(batch);
  t->set_seq_len(seq);
  t->set_precision(o.Get("--precision", ""));
  t->set_efficiency(eff);
  t->set_tp(tp);
  t->set_pp(pp);
  t->set_ep(ep);
  t->set_microbatches(mb);
  t->set_virtual_stages(vs);
  t->set_overlap_gradients(!o.Has("--no-overlap"));
  t->set_bucket_size(o.Get("--bucket", ""));
  t->set_straggler_cv(straggler);
  if (days > 0) t->set_duration(absl::StrCat(ExactNumber(days), " day"));
  t->set_activation_recompute(o.Get("--recompute", ""));
  t->set_detail(o.Get("--detail", ""));
  auto* f = s.mutable_failures();
  f->set_preset(o.Get("--failures", ""));
  if (shape > 0) {
    f->set_distribution("weibull");
    f->set_weibull_shape(shape);
  }
  f->set_fresh_fleet(o.Has("--fresh-fleet"));
  f->set_detection_time(o.Get("--detection-time", ""));
  f->set_restart_time(o.Get("--restart-time", ""));
  f->set_reschedule_time(o.Get("--reschedule-time", ""));
  auto* k = s.mutable_checkpoint();
  k->set_interval(o.Get("--checkpoint-interval", ""));
  k->set_storage(o.Get("--checkpoint-storage", ""));
  k->set_storage_bandwidth(o.Get("--storage-bandwidth", ""));
  k->set_asynchronous(o.Has("--async-checkpoint"));
  auto* out = s.mutable_outputs();
  out->set_trace_json(o.Get("--trace", ""));
  out->set_events_csv(o.Get("--events-csv", ""));
  out->set_trace_max_events(max_events);
  out->set_chakra_dir(o.Get("--export-chakra", ""));
  if (c->ByteSizeLong() == 0) s.clear_cluster();
  if (f->ByteSizeLong() == 0) s.clear_failures();
  if (k->ByteSizeLong() == 0) s.clear_checkpoint();
  if (out->ByteSizeLong() == 0) s.clear_outputs();
  s.set_name(absl::StrCat(t->model(), " tp", tp, " pp", pp));
  s.set_seed(static_cast<uint64_t>(seed));
  s.set_replications(static_cast<uint32_t>(reps));
  if (o.Has("--dump-scenario")) return DumpScenario(ctx, s);
  return RunTrainingScenario(ctx, s, "", kTrainingFlags);
}

}  // namespace mlsysim
