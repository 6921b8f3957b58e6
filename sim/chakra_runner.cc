// chakra_runner.cc — Chakra workloads on the event engine (see chakra_runner.h).
#include "sim/chakra_runner.h"

#include <cmath>
#include <deque>
#include <map>
#include <memory>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "sim/collective.h"
#include "sim/flow_network.h"
#include "sim/random.h"
#include "sim/simulator.h"

namespace mlsysim {

absl::StatusOr<ChakraBackend> ParseChakraBackend(absl::string_view name) {
  if (name == "astra-aware") return ChakraBackend::kAstraAware;
  if (name == "astra-unaware") return ChakraBackend::kAstraUnaware;
  if (name == "flow") return ChakraBackend::kFlow;
  return absl::InvalidArgumentError(absl::StrCat(
      "backend: unknown '", name, "'; accepted: astra-aware, astra-unaware, flow"));
}

const char* ChakraBackendName(ChakraBackend b) {
  switch (b) {
    case ChakraBackend::kAstraAware: return "astra-aware";
    case ChakraBackend::kAstraUnaware: return "astra-unaware";
    case ChakraBackend::kFlow: return "flow";
  }
  return "?";
}

namespace {

bool Reduces(int op) {
  return op == chakra::ALL_REDUCE || op == chakra::REDUCE_SCATTER ||
         op == chakra::REDUCE_SCATTER_BLOCK;
}

absl::Status CheckSupported(int op) {
  switch (op) {
    case chakra::ALL_REDUCE: case chakra::ALL_GATHER: case chakra::REDUCE_SCATTER:
    case chakra::REDUCE_SCATTER_BLOCK: case chakra::ALL_TO_ALL: case chakra::BARRIER:
      return absl::OkStatus();
    default:
      return absl::UnimplementedError(absl::StrCat(
          "comm_type ", op, " (REDUCE, GATHER, SCATTER or BROADCAST) is not supported; accepted: "
          "ALL_REDUCE 0, ALL_GATHER 2, ALL_TO_ALL 6, REDUCE_SCATTER 7/8, BARRIER 9"));
  }
}

}  // namespace

double RingAlphaBetaNs(int op, int64_t size, int n, double b, double a) {
  if (n <= 1) return 0;
  const double m = static_cast<double>(size);
  switch (op) {
    case chakra::ALL_REDUCE: return 2.0 * (n - 1) * (m / n / b + a);
    case chakra::ALL_GATHER: return (n - 1) * (m / b + a);
    case chakra::BARRIER: return 2.0 * (n - 1) * a;
    default: return (n - 1) * (m / n / b + a);  // reduce-scatter, all-to-all
  }
}

absl::StatusOr<int64_t> AstraCollectiveCycles(int op, int64_t comm_size, const AstraDimension& dim,
                                              const AstraSystem& sys, bool aware) {
  if (auto s = CheckSupported(op); !s.ok()) return s;
  const int n = dim.npus;
  const double chunk = static_cast<double>(comm_size) / sys.splits;
  const double step = op == chakra::ALL_GATHER ? chunk : chunk / n;
  int64_t k;
  switch (op) {
    case chakra::ALL_REDUCE: case chakra::BARRIER: k = 2 * (n - 1); break;
    case chakra::ALL_TO_ALL: k = static_cast<int64_t>(n) * (n - 1) / 2; break;
    default: k = n - 1; break;
  }
  const int64_t r = Reduces(op) ? n - 1 : 0;
  const double b = dim.bytes_per_ns, a = dim.latency_ns;
  const bool sw = dim.topology == AstraTopology::kSwitch;
  double hop;
  if (sw && aware) {
    hop = 2 * std::floor(a + step / b);  // store and forward: each of two links serialises the step
  } else if (sw) {
    hop = std::floor(2 * a + step / b);
  } else {
    hop = std::floor(a + step / b);
  }
  const double e = sys.endpoint_delay;
  const double per_chunk = k * (hop + e) + r * 3 * std::floor(step / sys.local_mem_bw) + e;
  const int64_t rounds = (sys.splits + sys.active_chunks - 1) / sys.active_chunks;
  double total = rounds * per_chunk;
  if (sw && aware && sys.active_chunks > 1) total += (sys.active_chunks - 1) * std::floor(step / b);
  if (!(total >= 0 && total < 9e18)) {
    return absl::InvalidArgumentError("collective duration outside the clock's range");
  }
  return static_cast<int64_t>(total);
}

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
      return absl::UnimplementedError(absl::StrCat(
          "backend ", ChakraBackendName(c_.backend), ": the compatibility mode covers "
          "one-dimensional networks; this one has ", c_.network.dims.size(),
          " (use --backend flow)"));
    }
    if (auto s = BuildGraphs(); !s.ok()) return s;
    if (c_.backend == ChakraBackend::kFlow) {
      if (auto s = BuildNetwork(); !s.ok()) return s;
    }
    for (int r = 0; r < n; ++r)
      for (size_t i = 0; i < ranks_[r].pending.size(); ++i)
        if (ranks_[r].pending[i] == 0) Ready(r, static_cast<int>(i));
    sim_.Run();
    if (sim_.clock_saturated()) return absl::InvalidArgumentError("workload: ran past the clock's range");
    out_->rank_finish_ns.resize(n);
    for (int r = 0; r < n; ++r) {
      const RankState& rs = ranks_[r];
      if (rs.done != static_cast<int>(rs.pending.size())) {
        for (size_t i = 0; i < rs.pending.size(); ++i) {
          if (!rs.finished[i]) {
            return absl::FailedPreconditionError(absl::StrCat(
                "workload: rank ", r, " stops at node ", traces_[r].nodes[i].id(), " ('",
                traces_[r].nodes[i].name(), "'): its dependencies, a peer's matching send/recv or "
                "the other ranks' collective never complete (deadlock)"));
          }
        }
      }
      out_->rank_finish_ns[r] = rs.finish;
      out_->finish_ns = std::max(out_->finish_ns, rs.finish);
    }
    out_->events = sim_.dispatched();
    out_->fingerprint = sim_.fingerprint();
    if (net_) out_->flows = net_->flows_started();
    return absl::OkStatus();
  }

  void HandleEvent(Simulator& sim, const Event& e) override {
    if (e.kind == kNodeDone) {
      Complete(static_cast<int>(e.payload >> 32), static_cast<int>(e.payload & 0xffffffffu));
    } else if (e.kind == kCollectiveDone) {
      FinishCollective(static_cast<size_t>(e.payload), TimeToSeconds(sim.now()) * 1e9);
    } else if (e.kind == kP2pArrived) {
      Arrived(static_cast<size_t>(e.payload));
    }
  }

  void OnCollectiveComplete(uint64_t tag, SimTime) override {
    FinishCollective(static_cast<size_t>(tag), groups_[tag].collective->exact_end_seconds() * 1e9);
  }
  void OnFlowComplete(uint64_t tag, SimTime) override { Arrived(static_cast<size_t>(tag)); }

 private:
  enum Kind : uint32_t { kNodeDone = 1, kCollectiveDone = 2, kP2pArrived = 3 };
  struct RankState {
    std::vector<int> pending;
    std::vector<std::vector<int>> children;
    std::vector<bool> finished;
    std::deque<int> compute_queue;
    bool computing = false;
    int collectives = 0;
    int done = 0;
    double finish = 0;
  };
  struct Group {
    int op = 0;
    int64_t size = 0;
    std::vector<std::pair<int, int>> members;  // (rank, node)
    double start_ns = 0;
    std::unique_ptr<Collective> collective;
  };
  struct Transfer {  // one send, matched with one recv
    int src_node = -1, dst_node = -1;
    bool arrived = false;
  };

  absl::Status BuildGraphs() {
    ranks_.resize(traces_.size());
    std::vector<std::vector<std::pair<int, int64_t>>> colls(traces_.size());
    for (size_t r = 0; r < traces_.size(); ++r) {
      const auto& nodes = traces_[r].nodes;
      RankState& rs = ranks_[r];
      absl::flat_hash_map<uint64_t, int> index;
      for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i].id()] = static_cast<int>(i);
      rs.pending.assign(nodes.size(), 0);
      rs.children.resize(nodes.size());
      rs.finished.assign(nodes.size(), false);
      for (size_t i = 0; i < nodes.size(); ++i) {
        const chakra::Node& nd = nodes[i];
        for (const auto* deps : {&nd.data_deps(), &nd.ctrl_deps()}) {
          for (uint64_t d : *deps) {
            rs.children[index.at(d)].push_back(static_cast<int>(i));
            ++rs.pending[i];
          }
        }
        out_->nodes++;
        if (nd.type() == chakra::COMP_NODE) out_->comp_nodes++;
        if (nd.type() == chakra::COMM_COLL_NODE) {
          out_->comm_nodes++;
          auto op = ChakraIntAttr(nd, "comm_type");
          if (!op.ok()) return Annotate(r, op.status());
          if (auto s = CheckSupported(static_cast<int>(*op)); !s.ok()) return Annotate(r, s);
          auto size = ChakraIntAttr(nd, "comm_size");
          if (!size.ok() && *op != chakra::BARRIER) return Annotate(r, size.status());
          const int64_t bytes = size.ok() ? *size : 0;
          if (bytes < 0) return Annotate(r, absl::InvalidArgumentError(absl::StrCat("node ", nd.id(), ": comm_size < 0")));
          colls[r].push_back({static_cast<int>(*op), bytes});
        }
        if (nd.type() == chakra::COMM_SEND_NODE || nd.type() == chakra::COMM_RECV_NODE) {
          out_->comm_nodes++;
          const char* peer = nd.type() == chakra::COMM_SEND_NODE ? "comm_dst" : "comm_src";
          auto p = ChakraIntAttr(nd, peer);
          if (!p.ok()) return Annotate(r, p.status());
          if (*p < 0 || *p >= static_cast<int64_t>(traces_.size()) || *p == static_cast<int64_t>(r)) {
            return Annotate(r, absl::InvalidArgumentError(absl::StrCat("node ", nd.id(), ": ", peer, " = ", *p,
                                                                        " is not another rank")));
          }
        }
      }
    }
    // The k-th collective of every rank forms one collective: same type and size.
    for (size_t r = 1; r < colls.size(); ++r) {
      if (colls[r].size() != colls[0].size()) {
        return absl::InvalidArgumentError(absl::StrCat("workload: rank ", r, " has ", colls[r].size(),
                                                       " collectives, rank 0 has ", colls[0].size()));
      }
      for (size_t k = 0; k < colls[r].size(); ++k) {
        if (colls[r][k] != colls[0][k]) {
          return absl::InvalidArgumentError(absl::StrCat(
              "workload: collective #", k, " differs between rank 0 (type ", colls[0][k].first, ", ",
              colls[0][k].second, " B) and rank ", r, " (type ", colls[r][k].first, ", ",
              colls[r][k].second, " B)"));
        }
      }
    }
    groups_.resize(colls.empty() ? 0 : colls[0].size());
    for (size_t k = 0; k < groups_.size(); ++k) {
      groups_[k].op = colls[0][k].first;
      groups_[k].size = colls[0][k].second;
    }
    return absl::OkStatus();
  }

  absl::Status Annotate(size_t rank, const absl::Status& s) {
    return absl::Status(s.code(), absl::StrCat("workload rank ", rank, ": ", s.message()));
  }

  absl::Status BuildNetwork() {
    const auto& dims = c_.network.dims;
    if (dims.size() > 2) {
      return absl::UnimplementedError(absl::StrCat(
          "backend flow: networks of up to two dimensions (inside a node, across nodes); this one has ",
          dims.size()));
    }
    auto alpha = [](const AstraDimension& d) {
      return (d.topology == AstraTopology::kSwitch ? 2 : 1) * d.latency_ns * 1e-9;
    };
    ClusterShape s;
    s.fabric = FabricKind::kSingleSwitch;
    s.routing = c_.routing;
    if (dims.size() == 1) {
      s.nodes = dims[0].npus;
      s.gpus_per_node = 1;
      s.nic_bandwidth = dims[0].bytes_per_ns * 1e9;
      s.nic_latency = alpha(dims[0]);
    } else {
      s.gpus_per_node = dims[0].npus;
      s.nodes = dims[1].npus;
      s.nvlink_bandwidth = dims[0].bytes_per_ns * 1e9;
      s.nvlink_latency = alpha(dims[0]);
      s.nic_bandwidth = dims[1].bytes_per_ns * 1e9;
      s.nic_latency = alpha(dims[1]);
    }
    auto g = ClusterGraph::Build(s);
    if (!g.ok()) return g.status();
    graph_ = std::make_unique<ClusterGraph>(*std::move(g));
    net_ = std::make_unique<FlowNetwork>(sim_, graph_->LinkCapacities());
    return absl::OkStatus();
  }

  const chakra::Node& NodeAt(int r, int i) const { return traces_[r].nodes[i]; }
  uint64_t Pack(int r, int i) const { return (static_cast<uint64_t>(r) << 32) | static_cast<uint32_t>(i); }
  double NowNs() const { return TimeToSeconds(sim_.now()) * 1e9; }
  void DoneAfter(int r, int i, double ns) {
    sim_.ScheduleAt(sim_.now() + static_cast<SimTime>(std::ceil(std::max(0.0, ns) - 1e-6)), target_,
                    kNodeDone, Pack(r, i));
  }

  double ComputeNs(const chakra::Node& nd) const {
    if (auto ns = ChakraIntAttr(nd, "duration_ns"); FindChakraAttr(nd, "duration_ns") && ns.ok()) {
      return static_cast<double>(*ns);
    }
    if (nd.duration_micros() > 0) return static_cast<double>(nd.duration_micros()) * 1000.0;
    if (c_.system.peak_perf_tflops > 0) {
      auto ops = ChakraIntAttr(nd, "num_ops");
      if (FindChakraAttr(nd, "num_ops") && ops.ok()) {
        return static_cast<double>(*ops) / (c_.system.peak_perf_tflops * 1e3);
      }
    }
    return 0;
  }

  void Ready(int r, int i) {
    const chakra::Node& nd = NodeAt(r, i);
    switch (nd.type()) {
      case chakra::COMP_NODE:
        ranks_[r].compute_queue.push_back(i);
        TryCompute(r);
        return;
      case chakra::MEM_LOAD_NODE:
      case chakra::MEM_STORE_NODE: {
        auto bytes = ChakraIntAttr(nd, "tensor_size");
        DoneAfter(r, i, bytes.ok() ? static_cast<double>(*bytes) / c_.system.local_mem_bw : 0.0);
        return;
      }
      case chakra::COMM_COLL_NODE: {
        const size_t k = static_cast<size_t>(ranks_[r].collectives++);
        Group& g = groups_[k];
        g.members.push_back({r, i});
        if (g.members.size() == traces_.size()) StartCollective(k);
        return;
      }
      case chakra::COMM_SEND_NODE: {
        const int dst = static_cast<int>(*ChakraIntAttr(nd, "comm_dst"));
        const int64_t tag = ChakraIntAttr(nd, "comm_tag").value_or(0);
        const int64_t bytes = ChakraIntAttr(nd, "comm_size").value_or(0);
        const size_t t = Match(r, dst, tag, /*send=*/true, i);
        StartTransfer(t, r, dst, bytes);
        return;
      }
      case chakra::COMM_RECV_NODE: {
        const int src = static_cast<int>(*ChakraIntAttr(nd, "comm_src"));
        const int64_t tag = ChakraIntAttr(nd, "comm_tag").value_or(0);
        const size_t t = Match(src, r, tag, /*send=*/false, i);
        if (transfers_[t].arrived) DoneAfter(r, i, 0);
        return;
      }
      default:
        DoneAfter(r, i, 0);
        return;
    }
  }

  void TryCompute(int r) {
    RankState& rs = ranks_[r];
    if (rs.computing || rs.compute_queue.empty()) return;
    const int i = rs.compute_queue.front();
    rs.compute_queue.pop_front();
    rs.computing = true;
    DoneAfter(r, i, ComputeNs(NodeAt(r, i)));
  }

  void Complete(int r, int i) {
    RankState& rs = ranks_[r];
    if (rs.finished[i]) return;
    rs.finished[i] = true;
    ++rs.done;
    rs.finish = std::max(rs.finish, NowNs());
    if (NodeAt(r, i).type() == chakra::COMP_NODE) {
      rs.computing = false;
      TryCompute(r);
    }
    for (int child : rs.children[i])
      if (--rs.pending[child] == 0) Ready(r, child);
  }

  // Send/recv pairs in posting order per (src, dst, tag).
  size_t Match(int src, int dst, int64_t tag, bool send, int node) {
    auto& q = send ? sends_[{src, dst, tag}] : recvs_[{src, dst, tag}];
    auto& other = send ? recvs_[{src, dst, tag}] : sends_[{src, dst, tag}];
    size_t t;
    if (!other.empty()) {
      t = other.front();
      other.pop_front();
    } else {
      t = transfers_.size();
      transfers_.emplace_back();
      q.push_back(t);
    }
    (send ? transfers_[t].src_node : transfers_[t].dst_node) = node;
    transfer_ends_.resize(transfers_.size());
    transfer_ends_[t] = {src, dst};
    return t;
  }

  void StartTransfer(size_t t, int src, int dst, int64_t bytes) {
    if (c_.backend == ChakraBackend::kFlow) {
      const bool same = graph_->SameNode(src, dst);
      const ClusterShape& s = graph_->shape();
      net_->Start(graph_->Route(src, dst, MixHash(t, 17)), static_cast<double>(bytes),
                  same ? s.nvlink_latency : s.nic_latency, this, t);
    } else {
      const AstraDimension& d = c_.network.dims[0];
      const double a = d.topology == AstraTopology::kSwitch ? 2 * d.latency_ns : d.latency_ns;
      const double ns = std::floor(a + static_cast<double>(bytes) / d.bytes_per_ns);
      sim_.ScheduleAt(sim_.now() + static_cast<SimTime>(ns), target_, kP2pArrived, t);
    }
  }

  void Arrived(size_t t) {
    Transfer& tr = transfers_[t];
    tr.arrived = true;
    const auto [src, dst] = transfer_ends_[t];
    if (tr.src_node >= 0) Complete(src, tr.src_node);
    if (tr.dst_node >= 0) Complete(dst, tr.dst_node);
  }

  void StartCollective(size_t k) {
    Group& g = groups_[k];
    g.start_ns = NowNs();
    const int n = static_cast<int>(traces_.size());
    const AstraDimension& d0 = c_.network.dims[0];
    const double a0 = d0.topology == AstraTopology::kSwitch ? 2 * d0.latency_ns : d0.latency_ns;
    out_->collectives.push_back({g.op, g.size, g.start_ns, 0,
                                 RingAlphaBetaNs(g.op, g.size, n, d0.bytes_per_ns, a0)});
    if (c_.backend != ChakraBackend::kFlow) {
      const int64_t cycles =
          *AstraCollectiveCycles(g.op, g.size, d0, c_.system, c_.backend == ChakraBackend::kAstraAware);
      sim_.ScheduleAt(sim_.now() + cycles, target_, kCollectiveDone, k);
      return;
    }
    CollectiveSpec spec;
    spec.algorithm = CollectiveAlgorithm::kRing;
    spec.ranks.resize(n);
    for (int r = 0; r < n; ++r) spec.ranks[r] = r;
    switch (g.op) {
      case chakra::ALL_REDUCE: case chakra::BARRIER:
        spec.op = CollectiveOp::kAllReduce;
        spec.message_bytes = static_cast<double>(g.size);
        break;
      case chakra::ALL_GATHER:
        spec.op = CollectiveOp::kAllGather;
        spec.message_bytes = static_cast<double>(g.size) * n;  // comm_size is each rank's share
        break;
      case chakra::ALL_TO_ALL:
        spec.op = CollectiveOp::kAllToAll;
        spec.message_bytes = static_cast<double>(g.size);
        break;
      default:
        spec.op = CollectiveOp::kReduceScatter;
        spec.message_bytes = static_cast<double>(g.size);
        break;
    }
    g.collective = std::make_unique<Collective>(sim_, *net_, *graph_, spec, this, k);
    g.collective->Start();
  }

  void FinishCollective(size_t k, double end_ns) {
    Group& g = groups_[k];
    out_->collectives[k].end_ns = end_ns;
    for (const auto& [r, i] : g.members) Complete(r, i);
  }

  const std::vector<ChakraTrace>& traces_;
  const ChakraRunConfig& c_;
  ChakraRunResult* out_;
  Simulator sim_;
  uint32_t target_ = 0;
  std::vector<RankState> ranks_;
  std::vector<Group> groups_;
  std::vector<Transfer> transfers_;
  std::vector<std::pair<int, int>> transfer_ends_;
  std::map<std::tuple<int, int, int64_t>, std::deque<size_t>> sends_, recvs_;
  std::unique_ptr<ClusterGraph> graph_;
  std::unique_ptr<FlowNetwork> net_;
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
