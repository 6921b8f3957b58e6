// chakra_runner.cc — Chakra workloads on the event engine (see chakra_runner.h).
#include "sim/network/chakra_runner.h"

#include <cmath>
#include <deque>
#include <map>
#include <memory>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "sim/core/packed_fields.h"
#include "sim/core/random.h"
#include "sim/core/simulator.h"
#include "sim/network/astra_direct.h"
#include "sim/network/chakra_workload_graph.h"
#include "sim/network/collective.h"
#include "sim/network/flow_network.h"

namespace mlsysim {

namespace {

class Runner : public EventHandler, public CollectiveObserver, public FlowObserver {
 public:
  Runner(const std::vector<ChakraTrace>& ranks, const ChakraRunConfig& c, ChakraRunResult* out)
      : traces_(ranks), c_(c), out_(out) {
    target_ = sim_.Register(this);
  }

  absl::Status Run() {
    const int n = static_cast<int>(traces_.size());
    if (n != c_.network.npus()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "workload: ", n, " trace files but the network has ", c_.network.npus(), " NPUs"));
    }
    if (c_.backend != ChakraBackend::kFlow && c_.network.dims.size() != 1) {
      return absl::UnimplementedError(absl::StrCat("backend ", ChakraBackendName(c_.backend),
                                                   ": the compatibility mode covers "
                                                   "one-dimensional networks; this one has ",
                                                   c_.network.dims.size(),
                                                   " (use --backend flow)"));
    }
    if (auto s = BuildGraphs(); !s.ok()) return s;
    if (auto s = PlanCollectives(); !s.ok()) return s;
    if (c_.backend == ChakraBackend::kFlow) {
      if (auto s = BuildNetwork(); !s.ok()) return s;
    }
    for (int r = 0; r < n; ++r)
      for (size_t i = 0; i < ranks_[r].pending.size(); ++i)
        if (ranks_[r].pending[i] == 0) Ready(r, static_cast<int>(i));
    sim_.Run();
    if (sim_.clock_saturated())
      return absl::InvalidArgumentError("workload: ran past the clock's range");
    out_->rank_finish_ns.resize(n);
    for (int r = 0; r < n; ++r) {
      const RankState& rs = ranks_[r];
      for (size_t i = 0; i < rs.pending.size(); ++i) {
        if (!rs.finished[i]) {
          return absl::FailedPreconditionError(
              absl::StrCat("workload: rank ", r, " stops at node ", traces_[r].nodes[i].id(), " ('",
                           traces_[r].nodes[i].name(),
                           "'): its dependencies, a peer's matching send/recv or "
                           "its group's collective never complete (deadlock)"));
        }
      }
      out_->rank_finish_ns[r] = rs.finish_s * 1e9;
      out_->finish_ns = std::max(out_->finish_ns, rs.finish_s * 1e9);
    }
    out_->events = sim_.dispatched();
    out_->fingerprint = sim_.fingerprint();
    if (net_) out_->flows = net_->flows_started();
    return absl::OkStatus();
  }

  void HandleEvent(Simulator&, const Event& e) override {
    if (e.kind == kNodeDone) {
      const int r = static_cast<int>(NodeEvent::Get<0>(e.payload)),
                i = static_cast<int>(NodeEvent::Get<1>(e.payload));
      Complete(r, i, ranks_[r].end_s[i]);
    } else if (e.kind == kCollectiveDone) {
      FinishCollective(static_cast<size_t>(e.payload), groups_[e.payload].end_s);
    } else if (e.kind == kP2pArrived) {
      Arrived(static_cast<size_t>(e.payload), transfers_[e.payload].arrival_s);
    }
  }

  void OnCollectiveComplete(uint64_t tag, SimTime) override {
    FinishCollective(static_cast<size_t>(tag), groups_[tag].collective->exact_end_seconds());
  }
  void OnFlowComplete(uint64_t tag, SimTime) override {
    Arrived(static_cast<size_t>(tag), net_->finish_seconds());
  }

 private:
  enum Kind : uint32_t { kNodeDone = 1, kCollectiveDone = 2, kP2pArrived = 3 };
  // Times are exact seconds (doubles); events land on the next nanosecond, so
  // rounding never accumulates along a chain of dependencies.
  struct RankState {
    std::vector<int> pending;
    std::vector<std::vector<int>> children;
    std::vector<bool> finished;
    std::vector<double> ready_s, end_s;
    std::deque<int> compute_queue;
    bool computing = false;
    double compute_free_s = 0, finish_s = 0;
    std::map<std::string, int> collectives;  // per process group: issued so far
  };
  struct Group {
    int op = 0;
    double bytes = 0;
    int64_t comm_size = 0;
    std::vector<int> ranks;                    // ascending
    std::vector<std::pair<int, int>> members;  // (rank, node) as they arrive
    double start_s = 0, end_s = 0;
    int64_t astra_cycles = 0;
    bool direct = false;  // compatibility backends: the duration, known ahead
    size_t record = 0;
    std::unique_ptr<Collective> collective;
  };
  struct Transfer {  // one send, matched with one recv
    int src = 0, dst = 0, src_node = -1, dst_node = -1;
    bool arrived = false;
    double arrival_s = 0;
  };

  absl::Status BuildGraphs() {
    auto graph = BuildChakraWorkloadGraph(traces_, out_);
    if (!graph.ok()) return graph.status();
    ranks_.resize(graph->ranks.size());
    for (size_t r = 0; r < ranks_.size(); ++r) {
      RankState& rs = ranks_[r];
      const size_t nodes = graph->ranks[r].pending.size();
      rs.pending = std::move(graph->ranks[r].pending);
      rs.children = std::move(graph->ranks[r].children);
      rs.finished.assign(nodes, false);
      rs.ready_s.assign(nodes, 0.0);
      rs.end_s.assign(nodes, 0.0);
    }
    for (ChakraCollectiveGroup& cg : graph->groups) {
      Group g;
      g.op = cg.op;
      g.comm_size = cg.comm_size;
      g.bytes = cg.bytes;
      g.ranks = std::move(cg.ranks);
      groups_.push_back(std::move(g));
    }
    pg_groups_ = std::move(graph->pg_groups);
    return absl::OkStatus();
  }

  // The implementation each collective runs with and, for the compatibility
  // backends, its duration (AstraCollectiveTimer: once per type, size, group).
  absl::Status PlanCollectives() {
    AstraCollectiveTimer timer(c_.network.dims[0], c_.system,
                               c_.backend == ChakraBackend::kAstraAware);
    for (Group& g : groups_) {
      const AstraImplementation impl = timer.ImplementationFor(g.op);
      g.direct = impl.kind == AstraImplementation::kDirect;
      if (c_.backend == ChakraBackend::kFlow) {
        if (g.direct && impl.window >= 0) {
          return absl::InvalidArgumentError(absl::StrCat(
              "system: '", impl.name,
              "': the flow backend runs direct with every peer at once (\"direct\"); "
              "a window of messages in flight runs on --backend astra-aware or astra-unaware"));
        }
        continue;
      }
      auto cycles = timer.Cycles(g.op, g.comm_size, static_cast<int>(g.ranks.size()));
      if (!cycles.ok()) return cycles.status();
      g.astra_cycles = *cycles;
    }
    return absl::OkStatus();
  }

  absl::Status BuildNetwork() {
    auto shape = FlowShapeOf(c_.network, c_.routing);
    if (!shape.ok()) return shape.status();
    auto g = ClusterGraph::Build(*shape);
    if (!g.ok()) return g.status();
    graph_ = std::make_unique<ClusterGraph>(*std::move(g));
    net_ = std::make_unique<FlowNetwork>(sim_, graph_->LinkCapacities());
    return absl::OkStatus();
  }

  const chakra::Node& NodeAt(int r, int i) const { return traces_[r].nodes[i]; }
  // A node's completion event: its rank and its index in the rank's trace.
  using NodeEvent = PackedFields<32, 32>;
  uint64_t Pack(int r, int i) const {
    return NodeEvent::Pack({static_cast<uint64_t>(r), static_cast<uint64_t>(i)});
  }

  // Finishes node i of rank r at the exact time `end_s` (event on the next ns).
  void DoneAt(int r, int i, double end_s) {
    ranks_[r].end_s[i] = end_s;
    sim_.ScheduleAt(SecondsToTimeCeil(end_s), target_, kNodeDone, Pack(r, i));
  }

  double ComputeSeconds(const chakra::Node& nd) const {
    const double exact = ChakraDoubleAttr(nd, "duration_s", -1);
    if (exact >= 0) return exact;
    if (nd.duration_micros() > 0) return static_cast<double>(nd.duration_micros()) * 1e-6;
    if (c_.system.peak_perf_tflops > 0 && FindChakraAttr(nd, "num_ops") != nullptr) {
      auto ops = ChakraIntAttr(nd, "num_ops");
      if (ops.ok()) return static_cast<double>(*ops) / (c_.system.peak_perf_tflops * 1e12);
    }
    return 0;
  }

  void Ready(int r, int i) {
    const chakra::Node& nd = NodeAt(r, i);
    const double t = ranks_[r].ready_s[i];
    switch (nd.type()) {
      case chakra::COMP_NODE:
        ranks_[r].compute_queue.push_back(i);
        TryCompute(r);
        return;
      case chakra::MEM_LOAD_NODE:
      case chakra::MEM_STORE_NODE: {
        auto bytes = ChakraIntAttr(nd, "tensor_size");
        DoneAt(
            r, i,
            t + (bytes.ok() ? static_cast<double>(*bytes) / c_.system.local_mem_bw * 1e-9 : 0.0));
        return;
      }
      case chakra::COMM_COLL_NODE: {
        const std::string pg = ChakraGroupOf(nd);
        const size_t k = static_cast<size_t>(ranks_[r].collectives[pg]++);
        const size_t gi = pg_groups_.at(pg)[k];
        Group& g = groups_[gi];
        g.members.push_back({r, i});
        g.start_s = std::max(g.start_s, t);
        if (g.members.size() == g.ranks.size()) StartCollective(gi);
        return;
      }
      case chakra::COMM_SEND_NODE: {
        const int dst = static_cast<int>(*ChakraIntAttr(nd, "comm_dst"));
        const int64_t tag = ChakraIntAttr(nd, "comm_tag").value_or(0);
        const double bytes = ChakraDoubleAttr(
            nd, "comm_size_bytes", static_cast<double>(ChakraIntAttr(nd, "comm_size").value_or(0)));
        const size_t tr = Match(r, dst, tag, /*send=*/true, i);
        StartTransfer(tr, r, dst, bytes, t);
        return;
      }
      case chakra::COMM_RECV_NODE: {
        const int src = static_cast<int>(*ChakraIntAttr(nd, "comm_src"));
        const int64_t tag = ChakraIntAttr(nd, "comm_tag").value_or(0);
        const size_t tr = Match(src, r, tag, /*send=*/false, i);
        if (transfers_[tr].arrived) DoneAt(r, i, std::max(t, transfers_[tr].arrival_s));
        return;
      }
      default: DoneAt(r, i, t); return;
    }
  }

  void TryCompute(int r) {
    RankState& rs = ranks_[r];
    if (rs.computing || rs.compute_queue.empty()) return;
    const int i = rs.compute_queue.front();
    rs.compute_queue.pop_front();
    rs.computing = true;
    const double start = std::max(rs.compute_free_s, rs.ready_s[i]);
    rs.compute_free_s = start + ComputeSeconds(NodeAt(r, i));
    DoneAt(r, i, rs.compute_free_s);
  }

  void Complete(int r, int i, double end_s) {
    RankState& rs = ranks_[r];
    if (rs.finished[i]) return;
    rs.finished[i] = true;
    rs.end_s[i] = end_s;
    rs.finish_s = std::max(rs.finish_s, end_s);
    if (NodeAt(r, i).type() == chakra::COMP_NODE) {
      rs.computing = false;
      TryCompute(r);
    }
    for (int child : rs.children[i]) {
      rs.ready_s[child] = std::max(rs.ready_s[child], end_s);
      if (--rs.pending[child] == 0) Ready(r, child);
    }
  }

  // Send/recv pairs in posting order per (src, dst, tag).
  size_t Match(int src, int dst, int64_t tag, bool send, int node) {
    auto& mine = send ? sends_[{src, dst, tag}] : recvs_[{src, dst, tag}];
    auto& other = send ? recvs_[{src, dst, tag}] : sends_[{src, dst, tag}];
    size_t t;
    if (!other.empty()) {
      t = other.front();
      other.pop_front();
    } else {
      t = transfers_.size();
      transfers_.emplace_back();
      transfers_[t].src = src;
      transfers_[t].dst = dst;
      mine.push_back(t);
    }
    (send ? transfers_[t].src_node : transfers_[t].dst_node) = node;
    return t;
  }

  void StartTransfer(size_t t, int src, int dst, double bytes, double start_s) {
    if (c_.backend == ChakraBackend::kFlow) {
      const ClusterShape& s = graph_->shape();
      const double alpha = graph_->SameNode(src, dst) ? s.nvlink_latency : s.nic_latency;
      graph_->RouteInto(src, dst, MixHash(t, 17), path_);
      net_->Start(path_, bytes, alpha, this, t, start_s);
    } else {
      const AstraDimension& d = c_.network.dims[0];
      const double a = d.topology == AstraTopology::kSwitch ? 2 * d.latency_ns : d.latency_ns;
      transfers_[t].arrival_s = start_s + std::floor(a + bytes / d.bytes_per_ns) * 1e-9;
      sim_.ScheduleAt(SecondsToTimeCeil(transfers_[t].arrival_s), target_, kP2pArrived, t);
    }
  }

  void Arrived(size_t t, double at_s) {
    Transfer& tr = transfers_[t];
    tr.arrived = true;
    tr.arrival_s = at_s;
    if (tr.src_node >= 0) Complete(tr.src, tr.src_node, at_s);
    if (tr.dst_node >= 0 && ranks_[tr.dst].pending[tr.dst_node] == 0 &&
        !ranks_[tr.dst].finished[tr.dst_node]) {
      // The recv was posted (its dependencies are done): it ends at arrival.
      DoneAt(tr.dst, tr.dst_node, std::max(at_s, ranks_[tr.dst].ready_s[tr.dst_node]));
    }
  }

  void StartCollective(size_t gi) {
    Group& g = groups_[gi];
    const int n = static_cast<int>(g.ranks.size());
    const AstraDimension& d0 = c_.network.dims[0];
    const double a0 = d0.topology == AstraTopology::kSwitch ? 2 * d0.latency_ns : d0.latency_ns;
    g.record = out_->collectives.size();
    out_->collectives.push_back({g.op, g.comm_size, g.start_s * 1e9, 0,
                                 g.direct
                                     ? DirectAlphaBetaNs(g.op, g.comm_size, n, d0.bytes_per_ns, a0)
                                     : RingAlphaBetaNs(g.op, g.comm_size, n, d0.bytes_per_ns, a0),
                                 g.direct});
    if (c_.backend != ChakraBackend::kFlow) {
      g.end_s = g.start_s + static_cast<double>(g.astra_cycles) * 1e-9;
      sim_.ScheduleAt(SecondsToTimeCeil(g.end_s), target_, kCollectiveDone, gi);
      return;
    }
    CollectiveSpec spec;
    spec.algorithm = g.direct ? CollectiveAlgorithm::kDirect : CollectiveAlgorithm::kRing;
    spec.ranks = g.ranks;
    switch (g.op) {
      case chakra::ALL_REDUCE:
      case chakra::BARRIER:
        spec.op = CollectiveOp::kAllReduce;
        spec.message_bytes = g.bytes;
        break;
      case chakra::ALL_GATHER:
        spec.op = CollectiveOp::kAllGather;
        spec.message_bytes = g.bytes * n;  // comm_size is each rank's share
        break;
      case chakra::ALL_TO_ALL:
        spec.op = CollectiveOp::kAllToAll;
        spec.message_bytes = g.bytes;
        break;
      default:
        spec.op = CollectiveOp::kReduceScatter;
        spec.message_bytes = g.bytes;
        break;
    }
    g.collective = std::make_unique<Collective>(sim_, *net_, *graph_, spec, this, gi);
    g.collective->StartAt(g.start_s);
  }

  void FinishCollective(size_t gi, double end_s) {
    Group& g = groups_[gi];
    g.end_s = end_s;
    out_->collectives[g.record].end_ns = end_s * 1e9;
    for (const auto& [r, i] : g.members) Complete(r, i, end_s);
  }

  const std::vector<ChakraTrace>& traces_;
  const ChakraRunConfig& c_;
  ChakraRunResult* out_;
  Simulator sim_;
  uint32_t target_ = 0;
  std::vector<RankState> ranks_;
  std::vector<Group> groups_;
  std::map<std::string, std::vector<size_t>> pg_groups_;
  std::vector<Transfer> transfers_;
  std::map<std::tuple<int, int, int64_t>, std::deque<size_t>> sends_, recvs_;
  std::unique_ptr<ClusterGraph> graph_;
  std::unique_ptr<FlowNetwork> net_;
  std::vector<int> path_;
};

}  // namespace

absl::StatusOr<ChakraRunResult> RunChakraWorkload(const std::vector<ChakraTrace>& ranks,
                                                  const ChakraRunConfig& config) {
  if (ranks.empty()) return absl::InvalidArgumentError("workload: no ranks");
  ChakraRunResult out;
  Runner runner(ranks, config, &out);
  if (auto s = runner.Run(); !s.ok()) return s;
  return out;
}

}  // namespace mlsysim
