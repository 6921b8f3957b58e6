// collective_runner.cc — `collective {}` scenarios: one collective on an idle
// cluster fabric, simulated at flow level, beside its α-β closed form (per
// level of links for tree and hierarchical schedules).
#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/formulas.h"
#include "analytic/units.h"
#include "sim/network/collective.h"
#include "sim/network/flow_network.h"
#include "sim/scenario/plot_data.h"
#include "sim/scenario/result_builder.h"
#include "sim/scenario/runners.h"
#include "sim/scenario/scenario_check.h"
#include "sim/core/simulator.h"
#include "sim/core/time.h"
#include "topology/cluster_graph.h"

namespace mlsysim {

// The plot data reruns a collective of at most this many flows at smaller messages.
constexpr uint64_t kMaxPlotFlows = 100000;

absl::StatusOr<result::Result> RunCollective(const scenario::Scenario& s, const RunContext& rc) {
  auto bad = [](const std::string& why) { return absl::InvalidArgumentError(why); };
  if (const std::string e = CheckScenarioRanges(s); !e.empty()) return bad(e);
  const auto& w = s.collective();
  CollectiveSpec spec;
  if (auto st = ParseCollectiveOp(w.op().empty() ? "allreduce" : w.op(), &spec.op); !st.ok()) {
    return bad(absl::StrCat("collective.op: ", st.message()));
  }
  if (auto st = ParseCollectiveAlgorithm(w.algorithm().empty() ? "ring" : w.algorithm(), &spec.algorithm); !st.ok()) {
    return bad(absl::StrCat("collective.algorithm: ", st.message()));
  }
  const int ranks = w.ranks(), gpn = std::max(1, w.gpus_per_node());
  const double over = s.cluster().oversubscription() > 0 ? s.cluster().oversubscription() : 1.0;
  if (ranks < 1) return bad("collective.ranks: must lie in [1, 1048576]");
  auto quantity = [](const std::string& text, const char* field, const Dimension& dim, bool positive,
                     double* v) -> std::string {
    if (text.empty()) return absl::StrCat(field, " is required");
    return ParseScenarioQuantity(text, field, dim, positive, v);
  };
  double message = 0, bw = 0, lat = 0, ibw = 0, ilat = 0;
  std::string e = quantity(w.message(), "collective.message", dims::kBytes, false, &message);
  if (e.empty()) e = quantity(w.bandwidth(), "collective.bandwidth", dims::kByteRate, true, &bw);
  if (e.empty()) e = quantity(w.latency(), "collective.latency", dims::kTime, false, &lat);
  if (e.empty() && ranks % gpn != 0) {
    e = absl::StrCat("collective.ranks (", ranks, ") must be a multiple of collective.gpus_per_node (", gpn, ")");
  }
  // Flat schedules (ring, pairwise all-to-all) move about N² flows: bounded
  // at 8,192 ranks (~134 M flows, tens of seconds); tree and hierarchical
  // schedules are cheaper and take up to 1,048,576.
  if (e.empty() && ranks > 8192 &&
      (spec.algorithm == CollectiveAlgorithm::kRing || spec.algorithm == CollectiveAlgorithm::kDirect ||
       spec.op == CollectiveOp::kAllToAll)) {
    e = absl::StrCat("collective.ranks: a ring, direct or all-to-all schedule takes at most 8192 ranks (N^2 flows); got ",
                     ranks, " (use algorithm hierarchical or tree for larger groups)");
  }
  const int nodes = ranks / gpn;
  if (e.empty() && gpn > 1 && nodes > 1) {
    if (w.inter_bandwidth().empty() || w.inter_latency().empty()) {
      e = "collective.inter_bandwidth and collective.inter_latency are required when ranks span several nodes";
    } else {
      e = quantity(w.inter_bandwidth(), "collective.inter_bandwidth", dims::kByteRate, true, &ibw);
      if (e.empty()) e = quantity(w.inter_latency(), "collective.inter_latency", dims::kTime, false, &ilat);
    }
  }
  if (!e.empty()) return bad(e);

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
  const std::string topology = s.cluster().topology().empty() ? "single_switch" : s.cluster().topology();
  auto kind = ParseFabricKind(topology);
  if (!kind.ok()) return bad(absl::StrCat("cluster.topology: ", kind.status().message()));
  shape.fabric = *kind;
  auto routing = ParseRouting(s.cluster().routing().empty() ? "dmodk" : s.cluster().routing());
  if (!routing.ok()) return bad(absl::StrCat("cluster.", routing.status().message()));
  shape.routing = *routing;
  auto graph = ClusterGraph::Build(shape);
  if (!graph.ok()) return bad(std::string(graph.status().message()));

  spec.ranks.resize(ranks);
  std::iota(spec.ranks.begin(), spec.ranks.end(), 0);
  // One simulation of the collective at `bytes`: its time (s), events and fingerprint.
  struct CollectiveRun {
    double seconds;
    uint64_t events, fingerprint, flows;
    int steps;
    double ecmp_factor;
  };
  auto run_at = [&](double bytes) -> absl::StatusOr<CollectiveRun> {
    CollectiveSpec at = spec;
    at.message_bytes = bytes;
    Simulator sim;
    FlowNetwork net(sim, graph->LinkCapacities());
    Collective c(sim, net, *graph, at, nullptr, 1);
    if (auto st = c.Validate(); !st.ok()) return absl::InvalidArgumentError(st.message());
    c.Start();
    sim.Run();
    return CollectiveRun{TimeToSeconds(c.end_time() - c.start_time()), sim.dispatched(), sim.fingerprint(),
                         static_cast<uint64_t>(net.flows_started()), c.total_steps(),
                         shape.routing == Routing::kEcmp ? c.ExpectedEcmpSlowdown() : 0.0};
  };
  auto main_run = run_at(message);
  if (!main_run.ok()) return main_run.status();

  // The closed form of the same collective: the slowest link class bounds each step.
  const bool crosses = nodes > 1;
  const double beta = crosses ? shape.nic_bandwidth : shape.nvlink_bandwidth;
  const double alpha = crosses ? shape.nic_latency : shape.nvlink_latency;
  const int n = ranks;
  std::string source;
  auto closed_form = [&](double message, double* mlsysim_quirk) {
  double analytic = 0;
  if (spec.algorithm == CollectiveAlgorithm::kDirect) {
    // Every rank sends M/N to each peer at once: its NVLink carries the G−1
    // in-node shares and its NIC the N−G others (disjoint links, so the
    // slower class sets the step); two steps for all-reduce.
    const int g = crosses ? gpn : n;
    const double in_node = g > 1 ? (g - 1.0) / n * message / shape.nvlink_bandwidth + shape.nvlink_latency : 0.0;
    const double across = crosses ? (n - g + 0.0) / n * message / shape.nic_bandwidth + shape.nic_latency : 0.0;
    analytic = n > 1 ? std::max(in_node, across) : 0.0;
    if (spec.op == CollectiveOp::kAllReduce) analytic *= 2;
    source = spec.op == CollectiveOp::kAllReduce ? "direct: 2*((N-1)/N*M/beta + alpha)"
                                                  : "direct: (N-1)/N*M/beta + alpha";
    return analytic;
  }
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
        *mlsysim_quirk = HierarchicalAllReduceTime(message, nodes, gpn, shape.nvlink_bandwidth,
                                                  shape.nic_bandwidth, shape.nvlink_latency,
                                                  shape.nic_latency);
        source = "hierarchical: ring(M,G) + ring(M/G,K)";
      }
      break;
  }
  return analytic;
  };
  double mlsysim_quirk = -1;
  const double analytic = closed_form(message, &mlsysim_quirk);
  const double simulated = main_run->seconds;
  const std::string op = w.op().empty() ? "allreduce" : w.op();
  const std::string algorithm = w.algorithm().empty() ? "ring" : w.algorithm();
  result::Result out = NewResult("collective", s.name().empty() ? absl::StrCat(op, "/", algorithm, ", ", ranks, " ranks, ", w.message()) : s.name());
  AddFact(&out, "op", op);
  AddFact(&out, "algorithm", algorithm);
  AddFact(&out, "ranks", ranks);
  AddFact(&out, "gpus_per_node", gpn);
  AddFact(&out, "message_bytes", message, "B");
  AddFact(&out, "topology", topology);
  AddFact(&out, "routing", RoutingName(shape.routing));
  AddFact(&out, "steps", main_run->steps);
  AddFact(&out, "flows", static_cast<double>(main_run->flows));
  SetAnalytic(AddMetric(&out, "simulated_time_s", "s", simulated), analytic, source);
  if (shape.routing == Routing::kEcmp) {
    AddFact(&out, "ecmp_expected_uplink_collision_factor", main_run->ecmp_factor);
  }
  if (mlsysim_quirk >= 0) {
    SetAnalytic(AddMetric(&out, "mlsysim_v011_time_s", "s", simulated), mlsysim_quirk,
                "mlsysim v0.1.1 HierarchicalAllReduce", "v0.1.1 counts the intra-node phase twice");
  }
  // Plot data: simulated against the closed form by message size, from
  // 1/1024 of the message up (collectives of at most kMaxPlotFlows flows).
  // Reruns happen only when the series will be used (JSON, a report, Python).
  std::vector<double> sizes, sim_s, closed_s;
  if (rc.plot_series && main_run->flows <= kMaxPlotFlows) {
    for (int k = 5; k >= 1; --k) {
      const double bytes = std::floor(message / std::pow(4.0, k));
      if (bytes < 1) continue;
      auto r = run_at(bytes);
      if (!r.ok()) return r.status();
      double unused = -1;
      sizes.push_back(bytes);
      sim_s.push_back(r->seconds);
      closed_s.push_back(closed_form(bytes, &unused));
    }
  }
  sizes.push_back(message);
  sim_s.push_back(simulated);
  closed_s.push_back(analytic);
  AddCurve(&out, "time_by_message", "curve", "simulated", "B", "s", sizes, sim_s)
      ->set_note(sizes.size() > 1 ? "the same collective rerun at smaller messages" : "the run's message only");
  AddCurve(&out, "time_by_message", "curve", source, "B", "s", sizes, closed_s);
  out.set_events(main_run->events);
  out.set_fingerprint(absl::StrFormat("%016x", main_run->fingerprint));
  SetEcho(&out, s);
  return out;
}

}  // namespace mlsysim
