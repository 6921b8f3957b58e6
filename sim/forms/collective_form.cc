// collective_form.cc — the `simulate collective` quick form: one flag table
// (flag_table.h) fills a Scenario (collective {}, cluster {}), which
// sim/scenario/collective_runner.cc runs.
#include "absl/strings/str_cat.h"
#include "sim/forms/quick_form.h"
#include "sim/scenario/runners.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o text|json|markdown] simulate collective --op "
    "allreduce|allgather|reducescatter|alltoall\n"
    "         --algorithm ring|tree|hierarchical|direct|double_tree|nvls --ranks N\n"
    "         [--gpus-per-node G]"
    " [--nics-per-node K]\n"
    "         --message SIZE (--bandwidth BW --latency LAT | --node NODE [--nodes N]\n"
    "         [--fabric FABRIC] [--hardware-model roofline|calibrated])\n"
    "         [--inter-bandwidth BW --inter-latency LAT] [--topology single_switch|fat_tree_2|\n"
    "          fat_tree_3|rail_optimized] [--oversubscription X] [--routing dmodk|ecmp|spray]\n"
    "         [--no-aggregation]\n"
    "  With G = 1 every rank has one link of BW and LAT per message. With G > 1,\n"
    "  BW/LAT are the intra-node (NVLink) link and --inter-* the fabric NIC.\n"
    "  --node takes registry hardware instead: ranks = N nodes x its GPUs, NVLink per\n"
    "  direction (half the registry's both-direction figure), the fabric's NICs (the\n"
    "  node's NIC count: fewer than its GPUs are shared, --nics-per-node for raw links);\n"
    "  --hardware-model calibrated runs NVLink at NCCL's measured bus efficiency.\n"
    "  --routing: dmodk (default; InfiniBand's deterministic fat-tree routing),\n"
    "  ecmp (per-flow hash, Ethernet/RoCE) or spray (adaptive routing).\n"
    "  A ring runs as flow classes where its flows are symmetric (exact; up to 131,072\n"
    "  ranks); --no-aggregation simulates every flow (up to 8,192 ranks).\n"
    "  double_tree is NCCL's pipelined double binary tree (all-reduce; every tree edge\n"
    "  streams M/2 each way at once): latency 2*depth*alpha instead of the ring's 2(N-1)*alpha.\n"
    "  nvls is NVLink SHARP inside one node (all-reduce, reduce-scatter, all-gather): the\n"
    "  NVSwitch sums and multicasts, each GPU moving (N+1)/N*M each way in one step; on\n"
    "  registry hardware only where the switch has it (H100, H200, B200 nodes), calibrated\n"
    "  at NCCL's published 8 x H100 figure.\n"
    "  --dump-scenario prints the equivalent scenario (textproto) instead of running it.\n";

// The quick form's flags: each fills one scenario field (flag_table.h).
constexpr FlagRow kCollectiveRows[] = {
    {"--op", "collective.op", FlagRow::kString, 0, -1, "",
     "allreduce (default) | allgather | reducescatter | alltoall"},
    {"--algorithm", "collective.algorithm", FlagRow::kString, 0, -1, "",
     "ring (default) | tree | hierarchical | direct | double_tree | nvls"},
    {"--ranks", "collective.ranks", FlagRow::kInt, 1, 1 << 20, "", "ranks (without --node)"},
    {"--gpus-per-node", "collective.gpus_per_node", FlagRow::kInt, 1, 1024, "",
     "ranks per node (1)"},
    {"--nics-per-node", "collective.nics_per_node", FlagRow::kInt, 1, 1024, "",
     "fabric ports per node (one per GPU)"},
    {"--message", "collective.message", FlagRow::kString, 0, -1, "", "e.g. 1 GB (required)"},
    {"--bandwidth", "collective.bandwidth", FlagRow::kString, 0, -1, "",
     "per-rank link, per direction, e.g. 450 GB/s"},
    {"--latency", "collective.latency", FlagRow::kString, 0, -1, "", "e.g. 0.5 us"},
    {"--inter-bandwidth", "collective.inter_bandwidth", FlagRow::kString, 0, -1, "",
     "fabric NIC, e.g. 50 GB/s"},
    {"--inter-latency", "collective.inter_latency", FlagRow::kString, 0, -1, "", "e.g. 2 us"},
    {"--topology", "cluster.topology", FlagRow::kString, 0, -1, "",
     "single_switch | fat_tree_2 | fat_tree_3 | rail_optimized"},
    {"--oversubscription", "cluster.oversubscription", FlagRow::kNumber, 1, -1, "", "fabric ratio"},
    {"--routing", "cluster.routing", FlagRow::kString, 0, -1, "", "dmodk | ecmp | spray"},
    {"--node", "cluster.node", FlagRow::kString, 0, -1, "", "registry node (registry hardware)"},
    {"--nodes", "cluster.nodes", FlagRow::kInt, 1, 1 << 20, "", "nodes (with --node)"},
    {"--fabric", "cluster.fabric", FlagRow::kString, 0, -1, "", "registry fabric (with --node)"},
    {"--hardware-model", "cluster.hardware_model", FlagRow::kString, 0, -1, "",
     "calibrated | roofline (with --node)"},
    {"--no-aggregation", "collective.no_flow_aggregation", FlagRow::kPresent, 0, -1, "",
     "simulate every flow (no flow classes)"},
};

std::string BuildCollective(const ParsedOptions& o, scenario::Scenario* s) {
  if (!o.positional.empty()) {
    return absl::StrCat("unexpected argument '", o.positional[0], "'");
  }
  const bool registry_hardware = o.Has("--node");
  for (const char* required : {"--ranks", "--message", "--bandwidth", "--latency"}) {
    if (registry_hardware && std::string(required) != "--message") continue;
    if (!o.Has(required)) {
      return absl::StrCat(required, " is required (or --node NODE: registry hardware)");
    }
  }
  s->mutable_collective();
  return ApplyFlagTable(o, kCollectiveRows, s);
}

absl::StatusOr<result::Result> Run(const scenario::Scenario& s, const RunContext& rc) {
  return RunCollective(s, rc);
}

}  // namespace

const QuickForm& CollectiveForm() {
  static const QuickForm kForm = [] {
    QuickForm f = TableForm("collective", kHelp, kCollectiveRows, BuildCollective, Run);
    f.dump_full = false;
    return f;
  }();
  return kForm;
}

}  // namespace mlsysim
