// placement.h — where a shared cluster's scheduler puts a job: the free
// nodes (and GPUs of partly used nodes) of a fat-tree, and three policies
// that pick among them:
//   contiguous      a job of one leaf or less gets consecutive nodes inside
//                   one leaf; a larger job whole consecutive free leaves (and
//                   waits for them even when enough scattered nodes are free:
//                   fragmentation costs it time in the queue)
//   first-fit       the lowest-numbered free nodes, wherever they are
//   topology-aware  the fewest leaves (and pods): the leaf that holds the job
//                   with the least room to spare, else the fullest-free
//                   leaves first (minimises spine crossings)
// Jobs of fewer GPUs than a node share nodes (best fit on a partly used
// node, else a free one); larger jobs take whole nodes, ceil(gpus / node).
// Usage:
//   NodePool pool(shape);
//   std::optional<std::vector<int>> nodes = pool.Place(16, PlacementPolicy::kTopologyAware);
//   if (nodes) pool.Take(*nodes, 16); … pool.Release(*nodes, 16);
#ifndef MLSYSIM_SIM_CLUSTER_PLACEMENT_H_
#define MLSYSIM_SIM_CLUSTER_PLACEMENT_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "topology/cluster_graph.h"

namespace mlsysim {

enum class PlacementPolicy { kContiguous, kFirstFit, kTopologyAware };
// "contiguous" | "first-fit" | "topology-aware".
absl::StatusOr<PlacementPolicy> ParsePlacementPolicy(const std::string& name);
const char* PlacementPolicyName(PlacementPolicy policy);

class NodePool {
 public:
  explicit NodePool(const ClusterShape& shape);

  // The nodes a job of `gpus` GPUs would get now, or nullopt if it must wait.
  std::optional<std::vector<int>> Place(int gpus, PlacementPolicy policy) const;
  void Take(const std::vector<int>& nodes, int gpus);
  void Release(const std::vector<int>& nodes, int gpus);

  int NodesFor(int gpus) const { return (gpus + gpn_ - 1) / gpn_; }
  int free_gpus() const { return free_gpus_; }
  int LeafOf(int node) const { return node / nodes_per_leaf_; }
  int PodOf(int node) const { return LeafOf(node) / pod_leaves_; }
  int nodes_per_leaf() const { return nodes_per_leaf_; }

 private:
  std::optional<std::vector<int>> PlaceWhole(int n, PlacementPolicy policy) const;
  std::optional<std::vector<int>> PlaceContiguous(int n) const;
  std::optional<std::vector<int>> PlaceFewestLeaves(int n) const;

  int nodes_ = 1, gpn_ = 8, nodes_per_leaf_ = 1, pod_leaves_ = 1, leaves_ = 1;
  std::vector<int> free_;  // free GPUs per node
  int free_gpus_ = 0;
};

// Whether two placed multi-node jobs can share a fabric link: on a fat-tree,
// both cross leaves and meet on a leaf (its up- and down-links), or both
// cross pods and meet in a pod (fat_tree_3); on a single switch never; on a
// rail-optimized fabric whenever both span nodes (conservative).
bool PlacementsMayShareLinks(const NodePool& pool, const ClusterShape& shape,
                             const std::vector<int>& a, const std::vector<int>& b);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_CLUSTER_PLACEMENT_H_
