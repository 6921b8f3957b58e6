// cluster_graph.h — the hardware as a graph (Boost.Graph): accelerators, the
// NVSwitch of each node, fabric switches, and directed links with bandwidth
// and latency per link class. Routing is deterministic: the shortest path,
// with equal-cost choices (ECMP) made by a stable hash of the flow.
//
// Fabrics:
//   single_switch   every NIC on one non-blocking switch
//   fat_tree_2      leaves of `leaf_ports` NICs, every leaf linked to every
//                   spine; uplink capacity = downlink capacity / oversubscription
//   fat_tree_3      pods of leaves and aggregation switches under core switches
//   rail_optimized  NIC r of every node on rail switch r; rails joined by spines
// Each accelerator has its own NIC (one rail per local rank, as on DGX H100).
//
// Usage:
//   auto g = ClusterGraph::Build(shape);
//   std::vector<int> path = g->Route(/*src_rank=*/0, /*dst_rank=*/9, /*flow_hash=*/42);
#ifndef MLSYSIM_TOPOLOGY_CLUSTER_GRAPH_H_
#define MLSYSIM_TOPOLOGY_CLUSTER_GRAPH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
// Boost.Graph's edge iterators trip false -Wmaybe-uninitialized warnings in g++ 12.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include "boost/graph/adjacency_list.hpp"
#pragma GCC diagnostic pop

namespace mlsysim {

enum class FabricKind { kSingleSwitch, kFatTree2, kFatTree3, kRailOptimized };
absl::StatusOr<FabricKind> ParseFabricKind(absl::string_view name);

enum class LinkClass { kNvlink, kNic, kLeafSpine, kSpineCore };

struct ClusterShape {
  int nodes = 1;
  int gpus_per_node = 8;
  double nvlink_bandwidth = 900e9;  // B/s per accelerator into the NVSwitch
  double nvlink_latency = 500e-9;   // s
  double nic_bandwidth = 50e9;      // B/s per NIC port
  double nic_latency = 5e-6;        // s, per message across the fabric
  FabricKind fabric = FabricKind::kFatTree2;
  double oversubscription = 1.0;    // >= 1: leaf downlink / uplink capacity
  int leaf_ports = 32;              // NIC ports per leaf switch
  int pod_leaves = 8;               // leaves per pod (fat_tree_3)
};

struct VertexInfo {
  enum Kind { kGpu, kNvSwitch, kLeaf, kSpine, kCore } kind;
  int index;  // rank for GPUs, node for NVSwitches, switch number otherwise
};

struct LinkInfo {
  int id;
  LinkClass link_class;
  double bandwidth;  // B/s, one direction
  double latency;    // s
};

class ClusterGraph {
 public:
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, VertexInfo,
                                      LinkInfo>;

  static absl::StatusOr<ClusterGraph> Build(const ClusterShape& shape);

  int ranks() const { return shape_.nodes * shape_.gpus_per_node; }
  const ClusterShape& shape() const { return shape_; }
  const Graph& graph() const { return graph_; }
  size_t num_links() const { return links_.size(); }
  const LinkInfo& link(int id) const { return links_[id]; }
  // Capacities of every directed link, indexed by link id.
  std::vector<double> LinkCapacities() const;

  // Directed link ids from src rank to dst rank. Same node: up to the NVSwitch
  // and down. Otherwise NIC -> switches -> NIC; equal-cost spines/cores are
  // chosen by `flow_hash`. Empty when src == dst.
  std::vector<int> Route(int src, int dst, uint64_t flow_hash) const;
  // Hop count of the shortest path by breadth-first search over the graph
  // (used to check Route against the graph).
  int ShortestHops(int src, int dst) const;
  bool SameNode(int a, int b) const {
    return a / shape_.gpus_per_node == b / shape_.gpus_per_node;
  }
  int NodeOf(int rank) const { return rank / shape_.gpus_per_node; }

 private:
  int AddVertex(VertexInfo::Kind kind, int index);
  // Adds both directions; returns the id of the a->b link (b->a is id + 1).
  int AddDuplex(int a, int b, LinkClass cls, double bw, double lat);
  int LinkBetween(int a, int b) const;

  ClusterShape shape_;
  Graph graph_;
  std::vector<LinkInfo> links_;
  std::vector<int> gpu_vertex_, nvswitch_vertex_, leaf_vertex_, spine_vertex_, core_vertex_;
  std::vector<int> gpu_leaf_;  // leaf switch index of each rank's NIC
  int spines_per_group_ = 0;   // spines reachable from one leaf (or per pod)
  // Sorted (from << 32 | to) -> link id, for LinkBetween.
  std::vector<std::pair<uint64_t, int>> link_index_;
};

}  // namespace mlsysim

#endif  // MLSYSIM_TOPOLOGY_CLUSTER_GRAPH_H_
