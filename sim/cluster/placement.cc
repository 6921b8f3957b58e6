// placement.cc — see placement.h.
#include "sim/cluster/placement.h"

#include <algorithm>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mlsysim {

absl::StatusOr<PlacementPolicy> ParsePlacementPolicy(const std::string& name) {
  if (name == "contiguous") return PlacementPolicy::kContiguous;
  if (name == "first-fit") return PlacementPolicy::kFirstFit;
  if (name == "topology-aware") return PlacementPolicy::kTopologyAware;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown placement '", name, "'; accepted: contiguous, first-fit, topology-aware"));
}

const char* PlacementPolicyName(PlacementPolicy policy) {
  switch (policy) {
    case PlacementPolicy::kContiguous: return "contiguous";
    case PlacementPolicy::kFirstFit: return "first-fit";
    case PlacementPolicy::kTopologyAware: return "topology-aware";
  }
  return "?";
}

NodePool::NodePool(const ClusterShape& shape)
    : nodes_(shape.nodes), gpn_(shape.gpus_per_node), pod_leaves_(std::max(1, shape.pod_leaves)) {
  const bool tree = shape.fabric == FabricKind::kFatTree2 || shape.fabric == FabricKind::kFatTree3;
  nodes_per_leaf_ = tree ? std::max(1, shape.leaf_ports / gpn_) : nodes_;
  leaves_ = (nodes_ + nodes_per_leaf_ - 1) / nodes_per_leaf_;
  free_.assign(static_cast<size_t>(nodes_), gpn_);
  free_gpus_ = nodes_ * gpn_;
}

void NodePool::Take(const std::vector<int>& nodes, int gpus) {
  for (int n : nodes) {
    const int take = std::min(gpus, gpn_);
    free_[n] -= take;
    free_gpus_ -= take;
    gpus -= take;
  }
}

void NodePool::Release(const std::vector<int>& nodes, int gpus) {
  for (int n : nodes) {
    const int give = std::min(gpus, gpn_);
    free_[n] += give;
    free_gpus_ += give;
    gpus -= give;
  }
}

std::optional<std::vector<int>> NodePool::Place(int gpus, PlacementPolicy policy) const {
  if (gpus < gpn_) {  // a part of one node: the partly used node with the least room that fits
    int best = -1;
    for (int n = 0; n < nodes_; ++n) {
      if (free_[n] < gpus) continue;
      if (best < 0 || (free_[n] < free_[best])) best = n;
    }
    if (best < 0) return std::nullopt;
    return std::vector<int>{best};
  }
  return PlaceWhole(NodesFor(gpus), policy);
}

std::optional<std::vector<int>> NodePool::PlaceWhole(int n, PlacementPolicy policy) const {
  if (policy == PlacementPolicy::kContiguous) return PlaceContiguous(n);
  if (policy == PlacementPolicy::kTopologyAware) return PlaceFewestLeaves(n);
  std::vector<int> picked;
  for (int node = 0; node < nodes_ && static_cast<int>(picked.size()) < n; ++node)
    if (free_[node] == gpn_) picked.push_back(node);
  if (static_cast<int>(picked.size()) < n) return std::nullopt;
  return picked;
}

std::optional<std::vector<int>> NodePool::PlaceContiguous(int n) const {
  const int npl = nodes_per_leaf_;
  auto run_free = [&](int from, int count) {
    if (from + count > nodes_) return false;
    for (int k = from; k < from + count; ++k)
      if (free_[k] != gpn_) return false;
    return true;
  };
  std::vector<int> picked;
  if (n <= npl) {  // inside one leaf: the first run of n free nodes that does not cross a leaf
    for (int leaf = 0; leaf < leaves_; ++leaf) {
      const int end = std::min(nodes_, (leaf + 1) * npl);
      for (int from = leaf * npl; from + n <= end; ++from) {
        if (!run_free(from, n)) continue;
        for (int k = from; k < from + n; ++k) picked.push_back(k);
        return picked;
      }
    }
    return std::nullopt;
  }
  const int need = (n + npl - 1) / npl;  // whole leaves, consecutive
  for (int leaf = 0; leaf + need <= leaves_; ++leaf) {
    if (!run_free(leaf * npl, std::min(need * npl, nodes_ - leaf * npl))) continue;
    if (nodes_ - leaf * npl < n) break;
    for (int k = leaf * npl; k < leaf * npl + n; ++k) picked.push_back(k);
    return picked;
  }
  return std::nullopt;
}

std::optional<std::vector<int>> NodePool::PlaceFewestLeaves(int n) const {
  std::vector<std::vector<int>> free_in(static_cast<size_t>(leaves_));
  for (int node = 0; node < nodes_; ++node)
    if (free_[node] == gpn_) free_in[LeafOf(node)].push_back(node);
  // One leaf that holds it, with the least room to spare.
  int best = -1;
  for (int l = 0; l < leaves_; ++l) {
    const int room = static_cast<int>(free_in[l].size());
    if (room >= n && (best < 0 || room < static_cast<int>(free_in[best].size()))) best = l;
  }
  if (best >= 0) return std::vector<int>(free_in[best].begin(), free_in[best].begin() + n);
  // Else the leaves with the most free nodes first (ties: lower number).
  std::vector<int> order(static_cast<size_t>(leaves_));
  for (int l = 0; l < leaves_; ++l) order[l] = l;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    return free_in[a].size() > free_in[b].size();
  });
  std::vector<int> picked;
  for (int l : order) {
    for (int node : free_in[l]) {
      if (static_cast<int>(picked.size()) == n) break;
      picked.push_back(node);
    }
  }
  if (static_cast<int>(picked.size()) < n) return std::nullopt;
  std::sort(picked.begin(), picked.end());
  return picked;
}

bool PlacementsMayShareLinks(const NodePool& pool, const ClusterShape& shape,
                             const std::vector<int>& a, const std::vector<int>& b) {
  if (a.size() < 2 || b.size() < 2) return false;  // one node: NVLink only
  switch (shape.fabric) {
    case FabricKind::kSingleSwitch: return false;
    case FabricKind::kRailOptimized: return true;
    case FabricKind::kFatTree2:
    case FabricKind::kFatTree3: break;
  }
  auto groups = [&](const std::vector<int>& nodes, bool pods) {
    std::set<int> s;
    for (int n : nodes) s.insert(pods ? pool.PodOf(n) : pool.LeafOf(n));
    return s;
  };
  auto meet = [](const std::set<int>& x, const std::set<int>& y) {
    for (int v : x)
      if (y.count(v) > 0) return true;
    return false;
  };
  const std::set<int> la = groups(a, false), lb = groups(b, false);
  if (la.size() > 1 && lb.size() > 1 && meet(la, lb)) return true;
  if (shape.fabric != FabricKind::kFatTree3) return false;
  const std::set<int> pa = groups(a, true), pb = groups(b, true);
  return pa.size() > 1 && pb.size() > 1 && meet(pa, pb);
}

}  // namespace mlsysim
