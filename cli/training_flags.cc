// training_flags.cc — `mlsysim simulate training`: its flags only fill a
// Scenario (cluster, training, failures, checkpoint, outputs), which
// sim/scenario/ runs (training_config.h).
#include "absl/strings/str_cat.h"
#include "cli/simulate_common.h"
#include "sim/scenario/runners.h"
#include "topology/registry.h"

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

}  // namespace

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
  return PrintRun(ctx, RunTraining(s, s.name(), RunContextOf(ctx)), kTrainingFlags);
}

}  // namespace mlsysim
