// collective_runner.cc — `collective {}` scenarios: one collective on an idle
// cluster fabric, simulated at flow level, beside its α-β closed form (per
// level of links for tree and hierarchical schedules).
#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/formulas.h"
#include "analytic/units.h"
#include "sim/core/simulator.h"
#include "sim/core/time.h"
#include "sim/network/class_transfer.h"
#include "sim/network/collective.h"
#include "sim/network/double_tree.h"
#include "sim/network/flow_classes.h"
#include "sim/network/flow_network.h"
#include "sim/scenario/collective_hardware.h"
#include "sim/scenario/plot_data.h"
#include "sim/scenario/result_builder.h"
#include "sim/scenario/runners.h"
#include "sim/scenario/resolve.h"
#include "sim/scenario/scenario_check.h"
#include "topology/cluster_graph.h"

namespace mlsysim {

// The plot data reruns a collective of at most this many flows at smaller messages.
constexpr uint64_t kMaxPlotFlows = 100000;

namespace {

absl::Status Bad(const std::string& why) { return absl::InvalidArgumentError(why); }

// A `collective {}` workload with its vocabularies, quantities and fabric resolved.
struct ResolvedCollective {
  CollectiveSpec spec;
  ClusterShape shape;
  std::string op, algorithm, topology;
  int ranks = 1, gpn = 1, nodes = 1;
  double message = 0;
  bool aggregate = false;  // a ring as flow classes where its flows are symmetric
};

// The largest ring run as flow classes (its routes are held once: ~N flows).
constexpr int kMaxClassRingRanks = 1 << 17;

// Message, link figures and the rank layout; "" or a message naming the field.
std::string ResolveQuantities(const scenario::CollectiveWorkload& w, ResolvedCollective* c) {
  auto quantity = [](const std::string& text, const char* field, const Dimension& dim,
                     bool positive, double* v) -> std::string {
    if (text.empty()) return absl::StrCat(field, " is required");
    return ParseScenarioQuantity(text, field, dim, positive, v);
  };
  double bw = 0, lat = 0, ibw = 0, ilat = 0;
  std::string e = quantity(w.message(), "collective.message", dims::kBytes, false, &c->message);
  if (e.empty()) e = quantity(w.bandwidth(), "collective.bandwidth", dims::kByteRate, true, &bw);
  if (e.empty()) e = quantity(w.latency(), "collective.latency", dims::kTime, false, &lat);
  if (e.empty() && c->ranks % c->gpn != 0) {
    e = absl::StrCat("collective.ranks (", c->ranks,
                     ") must be a multiple of collective.gpus_per_node (", c->gpn, ")");
  }
  // Flat schedules (ring, direct, pairwise all-to-all) move about N² flows:
  // bounded at 8,192 ranks (~134 M flows, tens of seconds); tree and
  // hierarchical schedules are cheaper and take up to 1,048,576.
  const CollectiveSpec& spec = c->spec;
  // (A ring as flow classes is bounded after the routing is known.)
  if (e.empty() && c->ranks > 8192 &&
      (spec.algorithm == CollectiveAlgorithm::kDirect || spec.op == CollectiveOp::kAllToAll)) {
    e = absl::StrCat(
        "collective.ranks: a direct or all-to-all schedule takes at most 8192 ranks (N^2 "
        "flows); got ",
        c->ranks, " (use algorithm hierarchical or tree for larger groups)");
  }
  c->nodes = c->ranks / c->gpn;
  if (e.empty() && c->gpn > 1 && c->nodes > 1) {
    if (w.inter_bandwidth().empty() || w.inter_latency().empty()) {
      e = "collective.inter_bandwidth and collective.inter_latency are required when ranks span "
          "several nodes";
    } else {
      e = quantity(w.inter_bandwidth(), "collective.inter_bandwidth", dims::kByteRate, true, &ibw);
      if (e.empty())
        e = quantity(w.inter_latency(), "collective.inter_latency", dims::kTime, false, &ilat);
    }
  }
  if (!e.empty()) return e;
  ClusterShape& shape = c->shape;
  shape.nodes = c->nodes;
  shape.gpus_per_node = c->gpn;
  const int nics = w.nics_per_node();
  if (nics < 0 || nics > 1024 || (nics > 0 && (nics > c->gpn || c->gpn % nics != 0))) {
    return absl::StrCat("collective.nics_per_node (", nics, ") must divide gpus_per_node (",
                        c->gpn, "): ranks share a node's NICs evenly (0: one NIC per rank)");
  }
  shape.nics_per_node = nics == c->gpn ? 0 : nics;
  if (c->gpn == 1) {
    shape.nic_bandwidth = bw;
    shape.nic_latency = lat;
  } else {
    shape.nvlink_bandwidth = bw;
    shape.nvlink_latency = lat;
    shape.nic_bandwidth = c->nodes > 1 ? ibw : bw;
    shape.nic_latency = c->nodes > 1 ? ilat : lat;
  }
  return "";
}

absl::StatusOr<ResolvedCollective> ResolveCollective(const scenario::Scenario& s) {
  if (const std::string e = CheckScenarioRanges(s); !e.empty()) return Bad(e);
  const auto& w = s.collective();
  ResolvedCollective c;
  c.op = w.op().empty() ? "allreduce" : w.op();
  c.algorithm = w.algorithm().empty() ? "ring" : w.algorithm();
  if (auto st = ParseCollectiveOp(c.op, &c.spec.op); !st.ok())
    return Bad(absl::StrCat("collective.op: ", st.message()));
  if (auto st = ParseCollectiveAlgorithm(c.algorithm, &c.spec.algorithm); !st.ok()) {
    return Bad(absl::StrCat("collective.algorithm: ", st.message()));
  }
  c.ranks = w.ranks();
  c.gpn = std::max(1, w.gpus_per_node());
  if (c.ranks < 1) return Bad("collective.ranks: must lie in [1, 1048576]");
  if (const std::string e = ResolveQuantities(w, &c); !e.empty()) return Bad(e);
  c.shape.oversubscription =
      s.cluster().oversubscription() > 0 ? s.cluster().oversubscription() : 1.0;
  c.topology = s.cluster().topology().empty() ? "single_switch" : s.cluster().topology();
  auto kind = ParseFabricKind(c.topology);
  if (!kind.ok()) return Bad(absl::StrCat("cluster.topology: ", kind.status().message()));
  c.shape.fabric = *kind;
  auto routing = ParseRouting(s.cluster().routing().empty() ? "dmodk" : s.cluster().routing());
  if (!routing.ok()) return Bad(absl::StrCat("cluster.", routing.status().message()));
  c.shape.routing = *routing;
  // A ring's steps are one set of flows each: as flow classes where they are
  // symmetric (not under ECMP's per-flow hashing).
  c.aggregate = !w.no_flow_aggregation() && c.spec.algorithm == CollectiveAlgorithm::kRing &&
                c.spec.op != CollectiveOp::kAllToAll && c.shape.routing != Routing::kEcmp;
  if (c.spec.algorithm == CollectiveAlgorithm::kRing && c.ranks > 8192 &&
      (!c.aggregate || c.ranks > kMaxClassRingRanks)) {
    return Bad(absl::StrCat(
        "collective.ranks: a ring takes at most 8192 ranks per flow (N^2 flows)",
        c.spec.op == CollectiveOp::kAllToAll ? ""
                                             : ", 131072 as flow classes (not under ecmp routing)",
        "; got ", c.ranks, " (use algorithm hierarchical or tree for larger groups)"));
  }
  c.spec.ranks.resize(c.ranks);
  std::iota(c.spec.ranks.begin(), c.spec.ranks.end(), 0);
  return c;
}

// One simulation of the collective at `bytes`: its time (s), events and fingerprint.
struct CollectiveRun {
  double seconds;
  uint64_t events, fingerprint, flows;
  int steps;
  double ecmp_factor;
  uint64_t simulated_flows = 0;
  std::string aggregation;  // what ran as flow classes, or why not
};

// The ring's flows as one template (one ring step; every step is the same
// set), partitioned into flow classes; null with the reason when they are
// not worth it (or ECMP / --no-aggregation).
std::unique_ptr<FlowClasses> RingClasses(const ResolvedCollective& c, const ClusterGraph& graph,
                                         std::string* why) {
  if (!c.aggregate) {
    *why = c.spec.algorithm != CollectiveAlgorithm::kRing || c.spec.op == CollectiveOp::kAllToAll
               ? "off: only a ring's steps repeat one set of flows"
           : c.shape.routing == Routing::kEcmp ? "off: ECMP routes depend on each flow's hash"
                                               : "off (--no-aggregation)";
    return nullptr;
  }
  auto fc = std::make_unique<FlowClasses>(graph.LinkCapacities());
  const int tmpl = fc->AddTemplate();
  const std::vector<int>& r = c.spec.ranks;
  const int n = static_cast<int>(r.size());
  std::vector<int> path;
  for (int p = 0; p < n; ++p) {
    const int src = r[p], dst = r[(p + 1) % n];
    graph.RouteInto(src, dst, 0, path);
    fc->AddMember(tmpl, path,
                  graph.SameNode(src, dst) ? c.shape.nvlink_latency : c.shape.nic_latency, 0);
  }
  if (absl::Status st = fc->Refine(); !st.ok()) {
    *why = absl::StrCat("off: ", st.message());
    return nullptr;
  }
  const size_t classes = fc->classes().size();
  if (classes * 2 > fc->members()) {
    *why = absl::StrCat("off: ", classes, " flow classes for ", fc->members(),
                        " flows (too little symmetry to gain)");
    return nullptr;
  }
  *why = absl::StrCat(classes, " flow classes for the ", fc->members(), " flows of a ring step (",
                      fc->refinement_rounds(), " refinement rounds)");
  return fc;
}

class EndTime : public CollectiveObserver {
 public:
  void OnCollectiveComplete(uint64_t, SimTime now) override { end = now; }
  SimTime end = 0;
};

absl::StatusOr<CollectiveRun> SimulateAt(const ResolvedCollective& c, const ClusterGraph& graph,
                                         double bytes, const FlowClasses* classes,
                                         const std::string& why) {
  CollectiveSpec at = c.spec;
  at.message_bytes = bytes;
  Simulator sim;
  if (classes != nullptr) {  // the ring's steps as flow-class instances
    const int n = static_cast<int>(at.ranks.size());
    FlowNetwork net(sim, classes->cell_capacity());
    ClassTransfers xfer(sim, net, *classes);
    EndTime end;
    ClassCollective ring(xfer, 0,
                   at.op == CollectiveOp::kAllReduce ? CollectiveOp::kAllReduce
                                                     : CollectiveOp::kReduceScatter,
                   CollectiveAlgorithm::kRing, n, bytes, &end, 1);
    ring.StartAt(0);
    sim.Run();
    const int steps = n <= 1 ? 0 : at.op == CollectiveOp::kAllReduce ? 2 * (n - 1) : n - 1;
    return CollectiveRun{TimeToSeconds(end.end), sim.dispatched(), sim.fingerprint(),
                         xfer.member_flows(),  steps, 0.0, net.flows_started(), why};
  }
  FlowNetwork net(sim, graph.LinkCapacities());
  Collective col(sim, net, graph, at, nullptr, 1);
  if (auto st = col.Validate(); !st.ok()) return Bad(std::string(st.message()));
  col.Start();
  sim.Run();
  return CollectiveRun{TimeToSeconds(col.end_time() - col.start_time()),
                       sim.dispatched(),
                       sim.fingerprint(),
                       static_cast<uint64_t>(net.flows_started()),
                       col.total_steps(),
                       c.shape.routing == Routing::kEcmp ? col.ExpectedEcmpSlowdown() : 0.0,
                       static_cast<uint64_t>(net.flows_started()),
                       why};
}

// The closed form of the same collective at `message`: the slowest link class
// bounds each step. Sets its source; mlsysim's hierarchical figure (which
// counts the intra-node phase twice) goes to *mlsysim_quirk.
double ClosedForm(const ResolvedCollective& c, double message, std::string* source,
                  double* mlsysim_quirk) {
  const ClusterShape& shape = c.shape;
  const int n = c.ranks, gpn = c.gpn, nodes = c.nodes;
  const bool crosses = nodes > 1;
  const double beta = crosses ? shape.nic_bandwidth : shape.nvlink_bandwidth;
  const double alpha = crosses ? shape.nic_latency : shape.nvlink_latency;
  if (c.spec.algorithm == CollectiveAlgorithm::kNvls) {
    // One step inside one NVSwitch: every GPU's port streams up and down at
    // once, the busier direction sets the time.
    const NvlsPortBytes port = NvlsTraffic(c.spec.op, n, message);
    *source = c.spec.op == CollectiveOp::kAllReduce
                  ? "nvls: (N+1)/N*M/beta + alpha (NVLink SHARP: switch-reduced, multicast)"
                  : "nvls: M/beta + alpha (NVLink SHARP)";
    return n > 1 ? std::max(port.up, port.down) / beta + alpha : 0.0;
  }
  if (c.spec.algorithm == CollectiveAlgorithm::kDirect) {
    // Every rank sends M/N to each peer at once: its NVLink carries the G−1
    // in-node shares and its NIC the N−G others (disjoint links, so the
    // slower class sets the step); two steps for all-reduce.
    const int g = crosses ? gpn : n;
    const double in_node =
        g > 1 ? (g - 1.0) / n * message / shape.nvlink_bandwidth + shape.nvlink_latency : 0.0;
    const double across =
        crosses ? (n - g + 0.0) / n * message / shape.nic_bandwidth + shape.nic_latency : 0.0;
    const double phase = n > 1 ? std::max(in_node, across) : 0.0;
    const bool all_reduce = c.spec.op == CollectiveOp::kAllReduce;
    *source = all_reduce ? "direct: 2*((N-1)/N*M/beta + alpha)" : "direct: (N-1)/N*M/beta + alpha";
    return all_reduce ? 2 * phase : phase;
  }
  switch (c.spec.op) {
    case CollectiveOp::kAllToAll:
      *source = "(N-1)/N*M/beta + (N-1)*alpha";
      return AllToAllTime(message, n, beta, alpha);
    case CollectiveOp::kReduceScatter:
    case CollectiveOp::kAllGather:
      *source = "(N-1)/N*M/beta + (N-1)*alpha";
      return n > 1 ? (n - 1.0) / n * message / beta + (n - 1) * alpha : 0.0;
    case CollectiveOp::kAllReduce: break;
  }
  if (c.spec.algorithm == CollectiveAlgorithm::kRing) {
    *source = "ring: 2(N-1)/N*M/beta + 2(N-1)*alpha";
    return RingAllReduceTime(message, n, beta, alpha);
  }
  if (c.spec.algorithm == CollectiveAlgorithm::kTree) {
    // Per level of the binomial tree: NVLink when every pair of the level
    // stays inside a node, else the NIC.
    double t = 0;
    for (int s = 1; s < n; s *= 2) {
      bool nic = false;
      for (int p = s; p < n && !nic; p += 2 * s) nic = p / gpn != (p - s) / gpn;
      t += 2 * (message / (nic ? shape.nic_bandwidth : shape.nvlink_bandwidth) +
                (nic ? shape.nic_latency : shape.nvlink_latency));
    }
    *source =
        "tree: sum over 2*ceil(log2 N) levels of (M/beta + alpha), beta/alpha of the level's links";
    return t;
  }
  if (c.spec.algorithm == CollectiveAlgorithm::kDoubleTree) {
    // Every edge of both trees streams M/2 each way at once: per link class
    // (NVLink inside a node, the NIC across), the busiest rank's egress or
    // ingress flows share its link; each flow waits out the pipeline's fill.
    if (n <= 1) {
      *source = "double_tree: 0 (one rank)";
      return 0;
    }
    std::vector<int> out_nv(n), in_nv(n), out_nic(n), in_nic(n);
    for (const TreeEdge& e : DoubleBinaryTreeEdges(n)) {
      const bool same_node = e.child / gpn == e.parent / gpn;
      auto& up_out = same_node ? out_nv : out_nic;
      auto& up_in = same_node ? in_nv : in_nic;
      ++up_out[e.child], ++up_in[e.parent], ++up_out[e.parent], ++up_in[e.child];
    }
    auto busiest = [](const std::vector<int>& a, const std::vector<int>& b) {
      return std::max(*std::max_element(a.begin(), a.end()), *std::max_element(b.begin(), b.end()));
    };
    const double fill = 2.0 * DoubleBinaryTreeDepth(n);
    const int nv = busiest(out_nv, in_nv), nic = busiest(out_nic, in_nic);
    double t = 0;
    if (nv > 0)
      t = std::max(t, fill * shape.nvlink_latency + nv * message / 2 / shape.nvlink_bandwidth);
    if (nic > 0) t = std::max(t, fill * shape.nic_latency + nic * message / 2 / shape.nic_bandwidth);
    *source = "double_tree: 2*depth*alpha + (busiest link's flows)*M/2/beta";
    return t;
  }
  *mlsysim_quirk =
      HierarchicalAllReduceTime(message, nodes, gpn, shape.nvlink_bandwidth, shape.nic_bandwidth,
                                shape.nvlink_latency, shape.nic_latency);
  *source = "hierarchical: ring(M,G) + ring(M/G,K)";
  return RingAllReduceTime(message, gpn, shape.nvlink_bandwidth, shape.nvlink_latency) +
         RingAllReduceTime(message / gpn, nodes, shape.nic_bandwidth, shape.nic_latency);
}

// Plot data: simulated against the closed form by message size, from 1/1024
// of the message up — the reruns only when the series will be used and the
// collective has at most kMaxPlotFlows flows.
absl::Status AddMessageSweep(const ResolvedCollective& c, const ClusterGraph& graph,
                             const FlowClasses* classes, const CollectiveRun& main, double analytic,
                             const std::string& source, bool rerun, result::Result* out) {
  std::vector<double> sizes, sim_s, closed_s;
  if (rerun && main.simulated_flows <= kMaxPlotFlows) {
    for (int k = 5; k >= 1; --k) {
      const double bytes = std::floor(c.message / std::pow(4.0, k));
      if (bytes < 1) continue;
      auto r = SimulateAt(c, graph, bytes, classes, main.aggregation);
      if (!r.ok()) return r.status();
      double unused = -1;
      std::string unused_source;
      sizes.push_back(bytes);
      sim_s.push_back(r->seconds);
      closed_s.push_back(ClosedForm(c, bytes, &unused_source, &unused));
    }
  }
  sizes.push_back(c.message);
  sim_s.push_back(main.seconds);
  closed_s.push_back(analytic);
  AddCurve(out, "time_by_message", "curve", "simulated", "B", "s", sizes, sim_s)
      ->set_note(sizes.size() > 1 ? "the same collective rerun at smaller messages"
                                  : "the run's message only");
  AddCurve(out, "time_by_message", "curve", source, "B", "s", sizes, closed_s);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<result::Result> RunCollective(const scenario::Scenario& in, const RunContext& rc) {
  auto resolved = WithRegistryHardware(in, rc.registry.get());
  if (!resolved.ok()) return resolved.status();
  const scenario::Scenario& s = *resolved;
  auto c = ResolveCollective(s);
  if (!c.ok()) return c.status();
  {
    // Every form stays inside the clock's range: refuse a collective whose
    // closed form alone lasts longer (a tiny bandwidth, a vast message).
    double quirk = -1;
    std::string source;
    const double t = ClosedForm(*c, c->message, &source, &quirk);
    if (!(t <= kMaxSimSeconds)) {
      return Bad(absl::StrFormat(
          "collective.message / collective.bandwidth: the collective would last about %.3g s "
          "(%s), past the clock's range of %.3g s (292 years)",
          t, source, kMaxSimSeconds));
    }
  }
  auto graph = ClusterGraph::Build(c->shape);
  if (!graph.ok()) return Bad(std::string(graph.status().message()));
  std::string why;
  std::unique_ptr<FlowClasses> classes = RingClasses(*c, *graph, &why);
  if (classes == nullptr && c->ranks > 8192 && c->spec.algorithm == CollectiveAlgorithm::kRing) {
    return Bad(absl::StrCat("collective.ranks: a ring of more than 8192 ranks runs only as flow "
                            "classes, and these flows have none (",
                            why, "); got ", c->ranks));
  }
  auto main_run = SimulateAt(*c, *graph, c->message, classes.get(), why);
  if (!main_run.ok()) return main_run.status();
  double mlsysim_quirk = -1;
  std::string source;
  const double analytic = ClosedForm(*c, c->message, &source, &mlsysim_quirk);
  const double simulated = main_run->seconds;
  const auto& w = s.collective();
  result::Result out =
      NewResult("collective", s.name().empty() ? absl::StrCat(c->op, "/", c->algorithm, ", ",
                                                              c->ranks, " ranks, ", w.message())
                                               : s.name());
  AddFact(&out, "op", c->op);
  AddFact(&out, "algorithm", c->algorithm);
  AddFact(&out, "ranks", c->ranks);
  AddFact(&out, "gpus_per_node", c->gpn);
  AddFact(&out, "message_bytes", c->message, "B");
  if (!in.cluster().node().empty()) AddFact(&out, "node", in.cluster().node());
  if (!in.cluster().node().empty() && in.cluster().hardware_model() != "roofline" &&
      rc.registry != nullptr) {
    auto node = rc.registry->FindNode(in.cluster().node());
    if (node.ok() && rc.registry->FindMachine(node->accelerator.key) != nullptr) {
      AddFact(&out, "hardware_model", "calibrated");
    }
  }
  AddFact(&out, "topology", c->topology);
  AddFact(&out, "routing", RoutingName(c->shape.routing));
  AddFact(&out, "steps", main_run->steps);
  AddFact(&out, "flows", static_cast<double>(main_run->flows));
  AddFact(&out, "flow_aggregation", main_run->aggregation);
  if (classes != nullptr) {
    AddFact(&out, "flow_classes", static_cast<double>(classes->classes().size()));
    AddFact(&out, "simulated_flows", static_cast<double>(main_run->simulated_flows));
  }
  SetAnalytic(AddMetric(&out, "simulated_time_s", "s", simulated), analytic, source);
  if (c->shape.routing == Routing::kEcmp) {
    AddFact(&out, "ecmp_expected_uplink_collision_factor", main_run->ecmp_factor);
  }
  if (mlsysim_quirk >= 0) {
    SetAnalytic(AddMetric(&out, "mlsysim_v011_time_s", "s", simulated), mlsysim_quirk,
                "mlsysim v0.1.1 HierarchicalAllReduce", "v0.1.1 counts the intra-node phase twice");
  }
  if (auto st = AddMessageSweep(*c, *graph, classes.get(), *main_run, analytic, source,
                                rc.plot_series, &out);
      !st.ok())
    return st;
  out.set_events(main_run->events);
  out.set_fingerprint(absl::StrFormat("%016x", main_run->fingerprint));
  SetEcho(&out, s);
  return out;
}

}  // namespace mlsysim
