// training_form.cc — the `simulate training` quick form: one flag table
// (flag_table.h) fills a Scenario (cluster, training, failures, checkpoint,
// outputs), which sim/scenario/ runs (training_config.h).
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sim/forms/quick_form.h"
#include "sim/scenario/runners.h"
#include "sim/scenario/scenario_check.h"
#include "topology/registry.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o text|json|markdown] simulate training --model M (--cluster C | --nodes N\n"
    "         [--node DGX_H100] [--fabric InfiniBand_NDR]) --tp T --pp P [--microbatches K] "
    "--batch-size B\n"
    "         [--seq-len S] [--precision P] [--efficiency E] [--topology fat_tree_2]\n"
    "         [--oversubscription X] [--routing dmodk|ecmp|spray] [--no-overlap] [--bucket SIZE] "
    "[--straggler-cv V]\n"
    "         [--days D] [--failures none|registry|llama3] [--weibull-shape K [--fresh-fleet]]\n"
    "         [--checkpoint-interval young|daly|none|DURATION] [--checkpoint-storage "
    "node_nvme|shared]\n"
    "         [--storage-bandwidth BW] [--async-checkpoint] [--restart-time DURATION]\n"
    "         [--detection-time DURATION] [--reschedule-time DURATION] [--spare-nodes N]\n"
    "         [--region GRID] [--seed N] [--replications R] [--recompute none|selective|full]\n"
    "         [--detail full|replica|auto] [--no-aggregation] [--dp-algorithm "
    "auto|ring|double_tree]\n"
    "         [--virtual-stages V] [--ep E]\n"
    "         [--trace FILE.json] [--events-csv FILE.csv] [--trace-max-events N] [--export-chakra "
    "DIR]\n"
    "         [--dump-scenario [--full]]\n"
    "  Outputs: --trace (Perfetto: the step per pipeline stage and replica with compute, TP/EP,\n"
    "  PP and DP spans; the run's failures, restarts and checkpoints), --events-csv (the run's\n"
    "  failures and checkpoints). --dump-scenario prints the equivalent scenario (textproto);\n"
    "  with --full, every default the run applies written out (microbatches, routing, failures, "
    "...).\n";

// The quick form's flags: each fills one scenario field (flag_table.h).
// --days and --weibull-shape fill two fields each and are handled below.
constexpr FlagRow kTrainingRows[] = {
    {"--model", "training.model", FlagRow::kString, 0, -1, "",
     "registry model or PATH/config.json (required)"},
    {"--cluster", "cluster.registry_name", FlagRow::kString, 0, -1, "", "registry cluster"},
    {"--nodes", "cluster.nodes", FlagRow::kInt, 1, kMaxClusterNodes, "",
     "nodes (without --cluster)"},
    {"--node", "cluster.node", FlagRow::kString, 0, -1, "", "registry node type (DGX_H100)"},
    {"--fabric", "cluster.fabric", FlagRow::kString, 0, -1, "", "registry fabric (InfiniBand_NDR)"},
    {"--topology", "cluster.topology", FlagRow::kString, 0, -1, "", "fabric shape (fat_tree_2)"},
    {"--oversubscription", "cluster.oversubscription", FlagRow::kNumber, 1, -1, "", "fabric ratio"},
    {"--routing", "cluster.routing", FlagRow::kString, 0, -1, "", "dmodk | ecmp | spray"},
    {"--intra-node-bandwidth", "cluster.intra_node_bandwidth", FlagRow::kString, 0, -1, "",
     "NVLink per GPU, e.g. 450 GB/s"},
    {"--tp", "training.tp", FlagRow::kInt, 1, 1024, "1", "tensor parallel size"},
    {"--pp", "training.pp", FlagRow::kInt, 1, 1024, "1", "pipeline stages"},
    {"--microbatches", "training.microbatches", FlagRow::kInt, 1, 1 << 20, "", "per step"},
    {"--batch-size", "training.global_batch_size", FlagRow::kInt, 1, 1 << 30, "",
     "sequences per step (required)"},
    {"--seq-len", "training.seq_len", FlagRow::kInt, 1, 1 << 24, "", "tokens per sequence (2048)"},
    {"--precision", "training.precision", FlagRow::kString, 0, -1, "",
     "bf16 (default), fp16, fp8, ..."},
    {"--efficiency", "training.efficiency", FlagRow::kPositive, 0, 1, "",
     "fraction of peak (0.5); selects the roofline machine"},
    {"--hardware-model", "cluster.hardware_model", FlagRow::kString, 0, -1, "",
     "calibrated (default with a profile, no --efficiency) | roofline"},
    {"--bucket", "training.bucket_size", FlagRow::kString, 0, -1, "",
     "DP gradient bucket (500 MB)"},
    {"--straggler-cv", "training.straggler_cv", FlagRow::kNumber, 0, -1, "", "device speed CV"},
    {"--no-overlap", "training.overlap_gradients", FlagRow::kAbsent, 0, -1, "",
     "DP all-reduce after backward"},
    {"--recompute", "training.activation_recompute", FlagRow::kString, 0, -1, "",
     "none | selective | full"},
    {"--detail", "training.detail", FlagRow::kString, 0, -1, "", "full | replica | auto"},
    {"--no-aggregation", "training.no_flow_aggregation", FlagRow::kPresent, 0, -1, "",
     "simulate every flow (no flow classes)"},
    {"--dp-algorithm", "training.gradient_algorithm", FlagRow::kString, 0, -1, "",
     "auto (NCCL's choice) | ring | double_tree"},
    {"--attention", "training.attention", FlagRow::kString, 0, -1, "",
     "causal (default) | square attention FLOPs"},
    {"--attention-kernel", "training.attention_kernel", FlagRow::kString, 0, -1, "",
     "flash (default) | unfused (calibrated machine)"},
    {"--sequence-parallel", "training.sequence_parallel", FlagRow::kString, 0, -1, "",
     "on (default with tp > 1) | off"},
    {"--zero", "training.zero_stage", FlagRow::kInt, 0, 3, "", "ZeRO stage 0 | 1 | 2 | 3 (FSDP)"},
    {"--stage-layers", "", FlagRow::kString, 0, -1, "",
     "layers per (virtual) stage, e.g. 7,8,8,7 [training.stage_layers]"},
    {"--virtual-stages", "training.virtual_stages", FlagRow::kInt, 1, 1024, "", "interleaved 1F1B"},
    {"--ep", "training.ep", FlagRow::kInt, 1, 1 << 20, "", "expert parallel size"},
    {"--cp", "training.cp", FlagRow::kInt, 1, 1024, "", "context parallel size (ring attention)"},
    {"--days", "", FlagRow::kNumber, 0, -1, "", "run length with failures [training.duration]"},
    {"--failures", "failures.preset", FlagRow::kString, 0, -1, "", "none | registry | llama3"},
    {"--weibull-shape", "", FlagRow::kPositive, 0, -1, "",
     "Weibull failures [failures.weibull_shape]"},
    {"--fresh-fleet", "failures.fresh_fleet", FlagRow::kPresent, 0, -1, "",
     "Weibull: all parts new"},
    {"--detection-time", "failures.detection_time", FlagRow::kString, 0, -1, "", "e.g. 30 s"},
    {"--restart-time", "failures.restart_time", FlagRow::kString, 0, -1, "", "e.g. 10 min"},
    {"--reschedule-time", "failures.reschedule_time", FlagRow::kString, 0, -1, "", "e.g. 1 min"},
    {"--checkpoint-interval", "checkpoint.interval", FlagRow::kString, 0, -1, "",
     "young | daly | none | DURATION"},
    {"--checkpoint-storage", "checkpoint.storage", FlagRow::kString, 0, -1, "",
     "node_nvme | shared"},
    {"--storage-bandwidth", "checkpoint.storage_bandwidth", FlagRow::kString, 0, -1, "",
     "shared storage, e.g. 100 GB/s"},
    {"--async-checkpoint", "checkpoint.asynchronous", FlagRow::kPresent, 0, -1, "",
     "overlap writes"},
    {"--spare-nodes", "cluster.spare_nodes", FlagRow::kInt, 0, kMaxClusterNodes, "", "hot spares"},
    {"--region", "cluster.region", FlagRow::kString, 0, -1, "", "grid for energy and carbon"},
    {"--seed", "seed", FlagRow::kInt, 0, 2000000000, "", "random seed (1)"},
    {"--replications", "replications", FlagRow::kInt, 1, 100000, "", "independent runs (1)"},
    {"--trace", "outputs.trace_json", FlagRow::kString, 0, -1, "", "Perfetto trace file"},
    {"--events-csv", "outputs.events_csv", FlagRow::kString, 0, -1, "", "failures and checkpoints"},
    {"--trace-max-events", "outputs.trace_max_events", FlagRow::kInt, 2, 100000000, "", "cap"},
    {"--export-chakra", "outputs.chakra_dir", FlagRow::kString, 0, -1, "", "one step as Chakra"},
};

const FieldFlags kTrainingFlags = [] {
  FieldFlags f = FieldFlagsOf(kTrainingRows);
  f.push_back({"training.duration", "--days"});
  f.push_back({"failures.weibull_shape", "--weibull-shape"});
  f.push_back({"training.stage_layers", "--stage-layers"});
  return f;
}();

std::string BuildTraining(const ParsedOptions& o, scenario::Scenario* out) {
  if (!o.Has("--model")) return "--model is required";
  if (!o.Has("--batch-size")) return "--batch-size is required (>= 1)";
  scenario::Scenario& s = *out;
  std::string e = ApplyFlagTable(o, kTrainingRows, &s);
  double days = 0, shape = 0;
  if (e.empty()) e = GetNumber(o, "--days", &days);
  if (e.empty()) e = GetNumber(o, "--weibull-shape", &shape);
  if (e.empty() && days < 0) e = "training.duration (--days): must be >= 0";
  if (e.empty() && o.Has("--weibull-shape") && !(shape > 0)) {
    e = "failures.weibull_shape (--weibull-shape): must be > 0";
  }
  if (e.empty() && o.Has("--stage-layers")) {
    for (absl::string_view piece : absl::StrSplit(o.Get("--stage-layers", ""), ',')) {
      int layers = 0;
      if (!absl::SimpleAtoi(piece, &layers) || layers < 1) {
        e = absl::StrCat("training.stage_layers (--stage-layers): '", piece,
                         "' is not a layer count >= 1 (give e.g. 7,8,8,7)");
        break;
      }
      s.mutable_training()->add_stage_layers(layers);
    }
  }
  if (!e.empty()) return e;
  if (days > 0) s.mutable_training()->set_duration(absl::StrCat(ExactNumber(days), " day"));
  if (shape > 0) {
    s.mutable_failures()->set_distribution("weibull");
    s.mutable_failures()->set_weibull_shape(shape);
  }
  if (s.cluster().ByteSizeLong() == 0) s.clear_cluster();
  if (s.failures().ByteSizeLong() == 0) s.clear_failures();
  if (s.checkpoint().ByteSizeLong() == 0) s.clear_checkpoint();
  if (s.outputs().ByteSizeLong() == 0) s.clear_outputs();
  s.set_name(
      absl::StrCat(s.training().model(), " tp", s.training().tp(), " pp", s.training().pp()));
  return "";
}

absl::StatusOr<result::Result> Run(const scenario::Scenario& s, const RunContext& rc) {
  return RunTraining(s, s.name(), rc);
}

}  // namespace

const QuickForm& TrainingForm() {
  static const QuickForm kForm = [] {
    QuickForm f = TableForm("training", kHelp, kTrainingRows, BuildTraining, Run);
    f.flags = kTrainingFlags;
    return f;
  }();
  return kForm;
}

}  // namespace mlsysim
