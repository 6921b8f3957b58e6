// simulate_collective.cc — `mlsysim simulate collective`: one collective on an
// idle cluster, simulated at flow level, beside its α-β closed form.
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/formulas.h"
#include "analytic/units.h"
#include "cli/commands.h"
#include "cli/simulate_common.h"
#include "sim/collective.h"
#include "sim/flow_network.h"
#include "topology/cluster_graph.h"
#include "traces/json_writer.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o json] simulate collective --op allreduce|allgather|reducescatter|alltoall\n"
    "         --algorithm ring|tree|hierarchical --ranks N [--gpus-per-node G]\n"
    "         --message SIZE --bandwidth BW --latency LAT\n"
    "         [--inter-bandwidth BW --inter-latency LAT] [--topology single_switch|fat_tree_2|\n"
    "          fat_tree_3|rail_optimized] [--oversubscription X] [--routing dmodk|ecmp|spray]\n"
    "  With G = 1 every rank has one link of BW and LAT per message. With G > 1,\n"
    "  BW/LAT are the intra-node (NVLink) link and --inter-* the fabric NIC.\n"
    "  --routing: dmodk (default; InfiniBand's deterministic fat-tree routing),\n"
    "  ecmp (per-flow hash, Ethernet/RoCE) or spray (adaptive routing).\n";

}  // namespace

int RunSimulateCollective(const CommandContext& ctx, const CommandArgs& args) {
  ParsedOptions o;
  std::string err = ParseOptions(args,
                                 {{"--op", "", true},
                                  {"--algorithm", "", true},
                                  {"--ranks", "", true},
                                  {"--gpus-per-node", "", true},
                                  {"--message", "", true},
                                  {"--bandwidth", "", true},
                                  {"--latency", "", true},
                                  {"--inter-bandwidth", "", true},
                                  {"--inter-latency", "", true},
                                  {"--topology", "", true},
                                  {"--oversubscription", "", true},
                                  {"--routing", "", true},
                                  {"--help", "-h", false}},
                                 "simulate collective", &o);
  if (!err.empty()) return ReportError(ctx, kExitBadInput, "Bad input", err);
  if (o.Has("--help")) {
    *ctx.out << kHelp;
    return kExitOk;
  }
  if (!o.positional.empty()) {
    return ReportError(ctx, kExitBadInput, "Bad input",
                       absl::StrCat("unexpected argument '", o.positional[0], "'"));
  }
  CollectiveSpec spec;
  if (auto s = ParseCollectiveOp(o.Get("--op", "allreduce"), &spec.op); !s.ok())
    return ReportError(ctx, kExitBadInput, "Bad input", std::string(s.message()));
  if (auto s = ParseCollectiveAlgorithm(o.Get("--algorithm", "ring"), &spec.algorithm); !s.ok())
    return ReportError(ctx, kExitBadInput, "Bad input", std::string(s.message()));
  for (const char* required : {"--ranks", "--message", "--bandwidth", "--latency"}) {
    if (!o.Has(required)) {
      return ReportError(ctx, kExitBadInput, "Bad input", absl::StrCat(required, " is required"));
    }
  }
  int ranks = 0, gpn = 1;
  double message = 0, bw = 0, lat = 0, ibw = 0, ilat = 0, over = 1;
  std::string e;
  e = GetInt(o, "--ranks", 1, 1 << 20, &ranks);
  if (e.empty()) e = GetInt(o, "--gpus-per-node", 1, 1024, &gpn);
  if (e.empty()) e = GetQuantity(o, "--message", dims::kBytes, &message);
  if (e.empty()) e = GetQuantity(o, "--bandwidth", dims::kByteRate, &bw);
  if (e.empty()) e = GetQuantity(o, "--latency", dims::kTime, &lat);
  if (e.empty()) e = GetNumber(o, "--oversubscription", &over);
  if (e.empty() && !(bw > 0)) e = "--bandwidth must be > 0";
  if (e.empty() && lat < 0) e = "--latency must be >= 0";
  if (e.empty() && message < 0) e = "--message must be >= 0";
  if (e.empty() && ranks % gpn != 0) {
    e = absl::StrCat("--ranks (", ranks, ") must be a multiple of --gpus-per-node (", gpn, ")");
  }
  // Flat schedules (ring, pairwise all-to-all) move about N² flows: bounded
  // at 8,192 ranks (~134 M flows, tens of seconds); tree and hierarchical
  // schedules are cheaper and take up to 1,048,576.
  if (e.empty() && ranks > 8192 &&
      (spec.algorithm == CollectiveAlgorithm::kRing || spec.op == CollectiveOp::kAllToAll)) {
    e = absl::StrCat("--ranks: a ring or all-to-all schedule takes at most 8192 ranks (N^2 flows); got ", ranks,
                     " (use --algorithm hierarchical or tree for larger groups)");
  }
  const int nodes = ranks / std::max(gpn, 1);
  if (e.empty() && gpn > 1 && nodes > 1) {
    if (!o.Has("--inter-bandwidth") || !o.Has("--inter-latency")) {
      e = "--inter-bandwidth and --inter-latency are required when ranks span several nodes";
    } else {
      e = GetQuantity(o, "--inter-bandwidth", dims::kByteRate, &ibw);
      if (e.empty()) e = GetQuantity(o, "--inter-latency", dims::kTime, &ilat);
      if (e.empty() && !(ibw > 0)) e = "--inter-bandwidth must be > 0";
      if (e.empty() && ilat < 0) e = "--inter-latency must be >= 0";
    }
  }
  if (!e.empty()) return ReportError(ctx, kExitBadInput, "Bad input", e);

  ClusterShape shape;
  shape.nodes = nodes;
  shape.gpus_per_node = gpn;
  if (gpn == 1) {
    shape.nic_bandwidth = bw;
    shape.nic_latency = lat;
  } else {
    shape.nvlink_bandwidth = bw;
    shape.nvlink_latency = lat;
    shape.nic_bandwidth = nodes > 1 ? ibw : bw;
    shape.nic_latency = nodes > 1 ? ilat : lat;
  }
  shape.oversubscription = over;
  auto kind = ParseFabricKind(o.Get("--topology", "single_switch"));
  if (!kind.ok()) return ReportError(ctx, kExitBadInput, "Bad input", std::string(kind.status().message()));
  shape.fabric = *kind;
  auto routing = ParseRouting(o.Get("--routing", "dmodk"));
  if (!routing.ok()) {
    return ReportError(ctx, kExitBadInput, "Bad input",
                       absl::StrCat("--", routing.status().message()));
  }
  shape.routing = *routing;
  auto graph = ClusterGraph::Build(shape);
  if (!graph.ok()) return ReportError(ctx, kExitBadInput, "Bad input", std::string(graph.status().message()));

  spec.ranks.resize(ranks);
  std::iota(spec.ranks.begin(), spec.ranks.end(), 0);
  spec.message_bytes = message;
  Simulator sim;
  FlowNetwork net(sim, graph->LinkCapacities());
  Collective c(sim, net, *graph, spec, nullptr, 1);
  if (auto s = c.Validate(); !s.ok()) return ReportError(ctx, kExitBadInput, "Bad input", std::string(s.message()));
  c.Start();
  sim.Run();

  // The closed form of the same collective: the slowest link class bounds each step.
  const bool crosses = nodes > 1;
  const double beta = crosses ? shape.nic_bandwidth : shape.nvlink_bandwidth;
  const double alpha = crosses ? shape.nic_latency : shape.nvlink_latency;
  const int n = ranks;
  double analytic = 0, mlsysim_quirk = -1;
  std::string source;
  switch (spec.op) {
    case CollectiveOp::kAllToAll:
      analytic = AllToAllTime(message, n, beta, alpha);
      source = "(N-1)/N*M/beta + (N-1)*alpha";
      break;
    case CollectiveOp::kReduceScatter:
    case CollectiveOp::kAllGather:
      analytic = n > 1 ? (n - 1.0) / n * message / beta + (n - 1) * alpha : 0.0;
      source = "(N-1)/N*M/beta + (N-1)*alpha";
      break;
    case CollectiveOp::kAllReduce:
      if (spec.algorithm == CollectiveAlgorithm::kRing) {
        analytic = RingAllReduceTime(message, n, beta, alpha);
        source = "ring: 2(N-1)/N*M/beta + 2(N-1)*alpha";
      } else if (spec.algorithm == CollectiveAlgorithm::kTree) {
        // Per level of the binomial tree: NVLink when every pair of the level
        // stays inside a node, else the NIC.
        analytic = 0;
        for (int s = 1; s < n; s *= 2) {
          bool nic = false;
          for (int p = s; p < n && !nic; p += 2 * s) nic = p / gpn != (p - s) / gpn;
          analytic += 2 * (message / (nic ? shape.nic_bandwidth : shape.nvlink_bandwidth) +
                           (nic ? shape.nic_latency : shape.nvlink_latency));
        }
        source = "tree: sum over 2*ceil(log2 N) levels of (M/beta + alpha), beta/alpha of the level's links";
      } else {
        analytic = RingAllReduceTime(message, gpn, shape.nvlink_bandwidth, shape.nvlink_latency) +
                   RingAllReduceTime(message / gpn, nodes, shape.nic_bandwidth, shape.nic_latency);
        mlsysim_quirk = HierarchicalAllReduceTime(message, nodes, gpn, shape.nvlink_bandwidth,
                                                  shape.nic_bandwidth, shape.nvlink_latency,
                                                  shape.nic_latency);
        source = "hierarchical: ring(M,G) + ring(M/G,K)";
      }
      break;
  }
  const double simulated = TimeToSeconds(c.end_time() - c.start_time());
  Record r;
  r.Str("op", o.Get("--op", "allreduce"))
      .Str("algorithm", o.Get("--algorithm", "ring"))
      .Int("ranks", ranks)
      .Int("gpus_per_node", gpn)
      .Num("message_bytes", message)
      .Str("topology", o.Get("--topology", "single_switch"))
      .Str("routing", RoutingName(shape.routing))
      .Num("simulated_time_s", simulated)
      .Num("analytic_time_s", analytic)
      .Str("analytic_source", source)
      .Num("relative_gap", RelativeGap(simulated, analytic));
  const double ecmp_factor =
      shape.routing == Routing::kEcmp ? c.ExpectedEcmpSlowdown() : -1.0;
  if (ecmp_factor > 0) r.Num("ecmp_expected_uplink_collision_factor", ecmp_factor);
  if (mlsysim_quirk >= 0) {
    r.Num("mlsysim_v011_time_s", mlsysim_quirk)
        .Num("mlsysim_v011_relative_gap", RelativeGap(simulated, mlsysim_quirk));
  }
  r.Int("steps", c.total_steps())
      .Int("flows", static_cast<long long>(net.flows_started()))
      .Int("events", static_cast<long long>(sim.dispatched()))
      .Str("fingerprint", absl::StrFormat("%016x", sim.fingerprint()));
  if (ctx.format == OutputFormat::kJson) {
    *ctx.out << r.ToJson() << "\n";
  } else {
    *ctx.out << absl::StrFormat(
        "simulate collective: %s/%s, %d ranks (%d per node), %s message\n"
        "  simulated   %.9g s\n  analytic    %.9g s   (%s)\n  gap         %+.3g %%\n",
        o.Get("--op", "allreduce"), o.Get("--algorithm", "ring"), ranks, gpn,
        o.Get("--message", ""), simulated, analytic, source,
        100.0 * RelativeGap(simulated, analytic));
    if (ecmp_factor > 0) {
      *ctx.out << absl::StrFormat(
          "  ecmp        expected up-link collision factor %.3g (balls in bins, busiest leaf)\n",
          ecmp_factor);
    }
    if (mlsysim_quirk >= 0) {
      *ctx.out << absl::StrFormat("  mlsysim     %.9g s   (v0.1.1 counts the intra phase twice)\n",
                                  mlsysim_quirk);
    }
    *ctx.out << absl::StrFormat("  steps %d, flows %d, events %d\n", c.total_steps(),
                                net.flows_started(), sim.dispatched());
  }
  return kExitOk;
}

}  // namespace mlsysim
