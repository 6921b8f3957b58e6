// collective.cc — collective schedules (see collective.h).
#include "sim/network/collective.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "analytic/balls_in_bins.h"
#include "sim/core/random.h"
#include "sim/network/double_tree.h"

namespace mlsysim {

absl::Status ParseCollectiveOp(absl::string_view name, CollectiveOp* op) {
  if (name == "allreduce")
    *op = CollectiveOp::kAllReduce;
  else if (name == "reducescatter")
    *op = CollectiveOp::kReduceScatter;
  else if (name == "allgather")
    *op = CollectiveOp::kAllGather;
  else if (name == "alltoall")
    *op = CollectiveOp::kAllToAll;
  else
    return absl::InvalidArgumentError(
        absl::StrCat("unknown collective '", name,
                     "'; accepted: allreduce, allgather, reducescatter, alltoall"));
  return absl::OkStatus();
}

absl::Status ParseCollectiveAlgorithm(absl::string_view name, CollectiveAlgorithm* a) {
  if (name == "ring")
    *a = CollectiveAlgorithm::kRing;
  else if (name == "tree")
    *a = CollectiveAlgorithm::kTree;
  else if (name == "hierarchical")
    *a = CollectiveAlgorithm::kHierarchical;
  else if (name == "direct")
    *a = CollectiveAlgorithm::kDirect;
  else if (name == "double_tree")
    *a = CollectiveAlgorithm::kDoubleTree;
  else if (name == "nvls")
    *a = CollectiveAlgorithm::kNvls;
  else
    return absl::InvalidArgumentError(
        absl::StrCat("unknown algorithm '", name,
                     "'; accepted: ring, tree, hierarchical, direct, double_tree, nvls"));
  return absl::OkStatus();
}

const char* CollectiveAlgorithmName(CollectiveAlgorithm a) {
  switch (a) {
    case CollectiveAlgorithm::kRing: return "ring";
    case CollectiveAlgorithm::kTree: return "tree";
    case CollectiveAlgorithm::kHierarchical: return "hierarchical";
    case CollectiveAlgorithm::kDirect: return "direct";
    case CollectiveAlgorithm::kDoubleTree: return "double_tree";
    case CollectiveAlgorithm::kNvls: return "nvls";
  }
  return "ring";
}

NvlsPortBytes NvlsTraffic(CollectiveOp op, int n, double m) {
  if (n <= 1) return {};
  const double extra = op == CollectiveOp::kAllReduce ? m / n : 0;
  return {(op == CollectiveOp::kAllGather ? m / n : m) + extra,
          (op == CollectiveOp::kReduceScatter ? m / n : m) + extra};
}

namespace {
int CeilLog2(int n) {
  int d = 0;
  while ((1 << d) < n) ++d;
  return d;
}
}  // namespace

Collective::Collective(Simulator& sim, FlowNetwork& net, const ClusterGraph& graph,
                       CollectiveSpec spec, CollectiveObserver* observer, uint64_t tag)
    : sim_(sim), net_(net), graph_(graph), spec_(std::move(spec)), observer_(observer), tag_(tag) {
  n_ = static_cast<int>(spec_.ranks.size());
  std::map<int, std::vector<int>> nodes;
  for (int r : spec_.ranks) nodes[graph_.NodeOf(r)].push_back(r);
  for (auto& [node, ranks] : nodes) by_node_.push_back(ranks);
  k_ = static_cast<int>(by_node_.size());
  g_ = k_ > 0 ? static_cast<int>(by_node_[0].size()) : 1;
  if (n_ <= 1) {
    total_steps_ = 0;
    return;
  }
  switch (spec_.algorithm) {
    case CollectiveAlgorithm::kRing:
      total_steps_ = spec_.op == CollectiveOp::kAllReduce ? 2 * (n_ - 1) : n_ - 1;
      break;
    case CollectiveAlgorithm::kTree: total_steps_ = 2 * CeilLog2(n_); break;
    case CollectiveAlgorithm::kHierarchical: total_steps_ = 2 * (g_ - 1) + 2 * (k_ - 1); break;
    case CollectiveAlgorithm::kDirect:
      total_steps_ = spec_.op == CollectiveOp::kAllReduce ? 2 : 1;
      break;
    case CollectiveAlgorithm::kDoubleTree:
      total_steps_ = 1;
      tree_depth_ = DoubleBinaryTreeDepth(n_);
      break;
    case CollectiveAlgorithm::kNvls: total_steps_ = 1; break;
  }
  if (spec_.op == CollectiveOp::kAllToAll && spec_.algorithm == CollectiveAlgorithm::kRing) {
    total_steps_ = n_ - 1;
  }
}

absl::Status Collective::Validate() const {
  if (n_ < 1) return absl::InvalidArgumentError("collective.ranks must be >= 1");
  if (!(spec_.message_bytes >= 0))
    return absl::InvalidArgumentError("collective.message must be >= 0");
  for (int r : spec_.ranks)
    if (r < 0 || r >= graph_.ranks())
      return absl::InvalidArgumentError(absl::StrCat("rank ", r, " is outside the cluster"));
  if (spec_.op == CollectiveOp::kAllToAll && spec_.algorithm != CollectiveAlgorithm::kRing &&
      spec_.algorithm != CollectiveAlgorithm::kDirect) {
    return absl::InvalidArgumentError(
        "collective.algorithm: all-to-all runs as pairwise exchange (ring) or direct; accepted: "
        "ring, direct");
  }
  if ((spec_.algorithm == CollectiveAlgorithm::kTree ||
       spec_.algorithm == CollectiveAlgorithm::kDoubleTree) &&
      spec_.op != CollectiveOp::kAllReduce) {
    return absl::InvalidArgumentError(absl::StrCat("collective.algorithm: ",
                                                   CollectiveAlgorithmName(spec_.algorithm),
                                                   " supports op allreduce only"));
  }
  if (spec_.algorithm == CollectiveAlgorithm::kNvls) {
    if (k_ > 1) {
      return absl::InvalidArgumentError(absl::StrCat(
          "collective.algorithm: nvls reduces inside one node's NVSwitch; the ranks span ", k_,
          " nodes (NCCL's NVLS across nodes, NVLS-tree, is not modelled; accepted: ranks <= GPUs "
          "per node)"));
    }
  }
  if (spec_.algorithm == CollectiveAlgorithm::kHierarchical) {
    if (spec_.op != CollectiveOp::kAllReduce) {
      return absl::InvalidArgumentError(
          "collective.algorithm: hierarchical supports op allreduce only");
    }
    for (const auto& node : by_node_)
      if (static_cast<int>(node.size()) != g_)
        return absl::InvalidArgumentError(
            "hierarchical all-reduce needs the same number of ranks on every node");
  }
  return absl::OkStatus();
}

void Collective::StepTransfers(int step, std::vector<Transfer>& out) const {
  out.clear();
  const double m = spec_.message_bytes;
  const auto& r = spec_.ranks;
  if (spec_.algorithm == CollectiveAlgorithm::kDirect) {  // every pair at once, M/N each
    for (int p = 0; p < n_; ++p)
      for (int k = 1; k < n_; ++k) out.push_back({r[p], r[(p + k) % n_], m / n_});
    return;
  }
  if (spec_.algorithm == CollectiveAlgorithm::kNvls) {
    // Each GPU's port into the switch and out of it, both streaming at once.
    const NvlsPortBytes port = NvlsTraffic(spec_.op, n_, m);
    for (int p = 0; p < n_; ++p) {
      out.push_back({r[p], r[p], port.up, Transfer::kUp});
      out.push_back({r[p], r[p], port.down, Transfer::kDown});
    }
    return;
  }
  if (spec_.op == CollectiveOp::kAllToAll) {
    const int k = step + 1;  // pairwise exchange: partner p + k
    for (int p = 0; p < n_; ++p) out.push_back({r[p], r[(p + k) % n_], m / n_});
    return;
  }
  switch (spec_.algorithm) {
    case CollectiveAlgorithm::kRing:
      for (int p = 0; p < n_; ++p) out.push_back({r[p], r[(p + 1) % n_], m / n_});
      return;
    case CollectiveAlgorithm::kTree: {
      const int d = CeilLog2(n_);
      if (step < d) {  // reduce towards position 0
        const int s = 1 << step;
        for (int p = s; p < n_; p += 2 * s) out.push_back({r[p], r[p - s], m});
      } else {  // broadcast back out
        const int s = 1 << (2 * d - 1 - step);
        for (int p = 0; p + s < n_; p += 2 * s) out.push_back({r[p], r[p + s], m});
      }
      return;
    }
    case CollectiveAlgorithm::kHierarchical: {
      const int intra = g_ - 1, inter = 2 * (k_ - 1);
      if (step < intra || step >= intra + inter) {  // reduce-scatter / all-gather in nodes
        for (const auto& node : by_node_)
          for (int l = 0; l < g_; ++l) out.push_back({node[l], node[(l + 1) % g_], m / g_});
      } else {  // ring all-reduce of M/G across nodes, one ring per rail
        for (int l = 0; l < g_; ++l)
          for (int k = 0; k < k_; ++k)
            out.push_back({by_node_[k][l], by_node_[(k + 1) % k_][l], m / g_ / k_});
      }
      return;
    }
    case CollectiveAlgorithm::kDoubleTree:  // every edge of both trees, M/2 up and down
      for (const TreeEdge& e : DoubleBinaryTreeEdges(n_)) {
        out.push_back({r[e.child], r[e.parent], m / 2});
        out.push_back({r[e.parent], r[e.child], m / 2});
      }
      return;
    case CollectiveAlgorithm::kDirect:
    case CollectiveAlgorithm::kNvls: return;  // handled above
  }
}

double Collective::ExpectedEcmpSlowdown() const {
  const int width = graph_.LeafUplinks();
  if (width <= 0 || total_steps_ == 0) return 1.0;
  std::map<int, double> cache;  // flows on the busiest leaf -> E[max load]
  std::vector<Transfer> transfers;
  std::map<int, int> leaving;
  double weighted = 0, weight = 0;
  for (int step = 0; step < total_steps_; ++step) {
    StepTransfers(step, transfers);
    leaving.clear();
    double bytes = 0;
    for (const Transfer& t : transfers) {
      if (graph_.LeafOf(t.src) == graph_.LeafOf(t.dst) || graph_.SameNode(t.src, t.dst)) continue;
      ++leaving[graph_.LeafOf(t.src)];
      bytes = std::max(bytes, t.bytes);
    }
    if (leaving.empty()) continue;
    double worst = 1.0;
    for (const auto& [leaf, flows] : leaving) {
      auto it = cache.find(flows);
      if (it == cache.end()) it = cache.emplace(flows, ExpectedMaxBinLoad(flows, width)).first;
      worst = std::max(worst, it->second);
    }
    weighted += worst * bytes;
    weight += bytes;
  }
  return weight > 0 ? weighted / weight : 1.0;
}

void Collective::StartAt(double start_s) {
  start_ = sim_.now();
  step_ = 0;
  done_ = false;
  const double now_s = TimeToSeconds(start_);
  exact_start_s_ = start_s >= 0 && start_s <= now_s ? start_s : now_s;
  step_start_s_ = step_end_s_ = exact_start_s_;
  if (total_steps_ == 0) {
    end_ = start_;
    done_ = true;
    if (observer_ != nullptr) observer_->OnCollectiveComplete(tag_, sim_.now());
    return;
  }
  LaunchStep();
}

void Collective::LaunchStep() {
  StepTransfers(step_, scratch_);
  outstanding_ = static_cast<int>(scratch_.size());
  step_start_s_ = step_end_s_;
  const ClusterShape& shape = graph_.shape();
  for (const Transfer& t : scratch_) {
    const uint64_t h =
        MixHash(MixHash(tag_, static_cast<uint64_t>(t.src)), static_cast<uint64_t>(t.dst));
    double alpha = graph_.SameNode(t.src, t.dst) ? shape.nvlink_latency : shape.nic_latency;
    if (spec_.algorithm == CollectiveAlgorithm::kDoubleTree) alpha *= 2 * tree_depth_;
    if (t.leg == Transfer::kRoute) {
      graph_.RouteInto(t.src, t.dst, h, path_);
    } else {
      path_.assign(1, t.leg == Transfer::kUp ? graph_.NvlinkUp(t.src) : graph_.NvlinkDown(t.dst));
    }
    net_.Start(path_, t.bytes, alpha, this, static_cast<uint64_t>(step_), step_start_s_);
  }
}

void Collective::OnFlowComplete(uint64_t, SimTime now) {
  step_end_s_ = std::max(step_end_s_, net_.finish_seconds());
  if (--outstanding_ > 0) return;
  if (++step_ < total_steps_) {
    LaunchStep();
    return;
  }
  end_ = now;
  done_ = true;
  if (observer_ != nullptr) observer_->OnCollectiveComplete(tag_, now);
}

}  // namespace mlsysim
