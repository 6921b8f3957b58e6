// collective_form.cc — the `simulate collective` quick form: its flags fill a
// Scenario (collective {}, cluster {}), which sim/scenario/collective_runner.cc runs.
#include "absl/strings/str_cat.h"
#include "sim/forms/quick_form.h"
#include "sim/scenario/runners.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o text|json|markdown] simulate collective --op "
    "allreduce|allgather|reducescatter|alltoall\n"
    "         --algorithm ring|tree|hierarchical|direct|double_tree --ranks N [--gpus-per-node G]\n"
    "         [--nics-per-node K]\n"
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
    "  --dump-scenario prints the equivalent scenario (textproto) instead of running it.\n";

const FieldFlags kCollectiveFlags = {{"collective.op", "--op"},
                                     {"collective.algorithm", "--algorithm"},
                                     {"collective.ranks", "--ranks"},
                                     {"collective.gpus_per_node", "--gpus-per-node"},
                                     {"collective.nics_per_node", "--nics-per-node"},
                                     {"collective.message", "--message"},
                                     {"collective.bandwidth", "--bandwidth"},
                                     {"collective.latency", "--latency"},
                                     {"collective.inter_bandwidth", "--inter-bandwidth"},
                                     {"collective.inter_latency", "--inter-latency"},
                                     {"cluster.topology", "--topology"},
                                     {"cluster.oversubscription", "--oversubscription"},
                                     {"cluster.routing", "--routing"},
                                     {"cluster.node", "--node"},
                                     {"cluster.nodes", "--nodes"},
                                     {"cluster.fabric", "--fabric"},
                                     {"cluster.hardware_model", "--hardware-model"},
                                     {"collective.no_flow_aggregation", "--no-aggregation"}};

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
  int ranks = 0, gpn = 0, nodes = 0, nics = 0;
  double over = 0;
  std::string e = GetInt(o, "--ranks", 1, 1 << 20, &ranks);
  if (e.empty()) e = GetInt(o, "--nodes", 1, 1 << 20, &nodes);
  if (e.empty()) e = GetInt(o, "--gpus-per-node", 1, 1024, &gpn);
  if (e.empty()) e = GetInt(o, "--nics-per-node", 1, 1024, &nics);
  if (e.empty()) e = GetNumber(o, "--oversubscription", &over);
  if (e.empty() && o.Has("--oversubscription") && !(over >= 1))
    e = "--oversubscription must be >= 1";
  if (!e.empty()) return e;
  auto* w = s->mutable_collective();
  w->set_op(o.Get("--op", ""));
  w->set_algorithm(o.Get("--algorithm", ""));
  w->set_ranks(ranks);
  w->set_gpus_per_node(gpn);
  w->set_nics_per_node(nics);
  w->set_message(o.Get("--message", ""));
  w->set_bandwidth(o.Get("--bandwidth", ""));
  w->set_latency(o.Get("--latency", ""));
  w->set_inter_bandwidth(o.Get("--inter-bandwidth", ""));
  w->set_inter_latency(o.Get("--inter-latency", ""));
  w->set_no_flow_aggregation(o.Has("--no-aggregation"));
  s->mutable_cluster()->set_topology(o.Get("--topology", ""));
  s->mutable_cluster()->set_oversubscription(over);
  s->mutable_cluster()->set_routing(o.Get("--routing", ""));
  s->mutable_cluster()->set_node(o.Get("--node", ""));
  s->mutable_cluster()->set_nodes(nodes);
  s->mutable_cluster()->set_fabric(o.Get("--fabric", ""));
  s->mutable_cluster()->set_hardware_model(o.Get("--hardware-model", ""));
  if (s->cluster().ByteSizeLong() == 0) s->clear_cluster();
  return "";
}

absl::StatusOr<result::Result> Run(const scenario::Scenario& s, const RunContext& rc) {
  return RunCollective(s, rc);
}

}  // namespace

const QuickForm& CollectiveForm() {
  static const QuickForm kForm = [] {
    QuickForm f;
    f.name = "collective";
    f.help = kHelp;
    f.options = {{"--op", "", true},
                 {"--algorithm", "", true},
                 {"--ranks", "", true},
                 {"--gpus-per-node", "", true},
                 {"--nics-per-node", "", true},
                 {"--message", "", true},
                 {"--bandwidth", "", true},
                 {"--latency", "", true},
                 {"--inter-bandwidth", "", true},
                 {"--inter-latency", "", true},
                 {"--topology", "", true},
                 {"--oversubscription", "", true},
                 {"--routing", "", true},
                 {"--node", "", true},
                 {"--nodes", "", true},
                 {"--fabric", "", true},
                 {"--hardware-model", "", true},
                 {"--no-aggregation", "", false}};
    f.dump_full = false;
    f.build = BuildCollective;
    f.run = Run;
    f.flags = kCollectiveFlags;
    return f;
  }();
  return kForm;
}

}  // namespace mlsysim
