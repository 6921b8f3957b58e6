// cluster_graph.h — the hardware as a graph (Boost.Graph): accelerators, the
// NVSwitch of each node, fabric switches, and directed links with bandwidth
// and latency per link class. Routes are shortest (up/down) paths; how the
// equal-cost choices between them are made is the fabric's routing policy:
//   dmodk  deterministic destination-mod-k, as InfiniBand's subnet manager
//          routes fat-trees: the up-port at each level is fixed by the
//          destination's index, so every down-link serves one destination and
//          shift permutations (ring steps, pairwise exchange) never collide.
//   ecmp   per-flow hashing, as Ethernet/RoCE switches do: a flow's 5-tuple
//          (here a stable hash) picks one path; collisions are real.
//   spray  adaptive routing / packet spraying: a flow's rate is split evenly
//          over every equal-cost path (fluid). Exactly equivalent, for max-min
//          sharing, to sending it through one "trunk" per leaf (and per pod)
//          whose capacity is the sum of that switch's up- (or down-) links; the
//          graph adds those trunks as extra links when spraying.
//
// Fabrics:
//   single_switch   every NIC on one non-blocking switch
//   fat_tree_2      leaves of `leaf_ports` NICs, every leaf linked to every
//                   spine; uplink capacity = downlink capacity / oversubscription
//   fat_tree_3      pods of leaves and aggregation switches under core switches
//   rail_optimized  NIC r of every node on rail switch r; rails joined by spines
// Each accelerator has its own NIC (one rail per local rank, as on DGX H100)
// unless nics_per_node says fewer: then consecutive accelerators share one.
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
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#pragma GCC diagnostic ignored "-Wuninitialized"
#include "boost/graph/adjacency_list.hpp"
#pragma GCC diagnostic pop

namespace mlsysim {

enum class FabricKind { kSingleSwitch, kFatTree2, kFatTree3, kRailOptimized };
absl::StatusOr<FabricKind> ParseFabricKind(absl::string_view name);
// "single_switch" | "fat_tree_2" | "fat_tree_3" | "rail_optimized".
const char* FabricKindName(FabricKind kind);

enum class LinkClass { kNvlink, kNic, kLeafSpine, kSpineCore, kTrunk };

enum class Routing { kDmodk, kEcmp, kSpray };
// "dmodk" | "ecmp" | "spray".
absl::StatusOr<Routing> ParseRouting(absl::string_view name);
const char* RoutingName(Routing routing);

struct ClusterShape {
  int nodes = 1;
  int gpus_per_node = 8;
  double nvlink_bandwidth = 900e9;  // B/s per accelerator into the NVSwitch
  double nvlink_latency = 500e-9;   // s
  // NIC ports per node; 0 (or gpus_per_node): one per accelerator, as on a
  // DGX. Fewer must divide gpus_per_node: consecutive accelerators share one
  // port (4 NICs for 8 GPUs: GPUs 0–1 on NIC 0, …), the rail of a
  // rail-optimized fabric is the port's index.
  int nics_per_node = 0;
  double nic_bandwidth = 50e9;      // B/s per NIC port
  double nic_latency = 5e-6;        // s, per message across the fabric
  FabricKind fabric = FabricKind::kFatTree2;
  double oversubscription = 1.0;  // >= 1: leaf downlink / uplink capacity
  int leaf_ports = 32;            // NIC ports per leaf switch
  int pod_leaves = 8;             // leaves per pod (fat_tree_3)
  Routing routing = Routing::kDmodk;
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
  using Graph =
      boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, VertexInfo, LinkInfo>;

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
  // chosen by the routing policy (`flow_hash` matters only for ecmp). Empty
  // when src == dst. Under spray the fabric hops are trunk links.
  std::vector<int> Route(int src, int dst, uint64_t flow_hash) const {
    std::vector<int> path;
    RouteInto(src, dst, flow_hash, path);
    return path;
  }
  // The same, into a caller's buffer (no allocation once it has grown).
  void RouteInto(int src, int dst, uint64_t flow_hash, std::vector<int>& path) const;
  // A rank's own NVLink port: up into its node's NVSwitch and down out of it
  // (-1 when the node has one GPU and no NVSwitch). For switch-side
  // reductions (NVLink SHARP), whose flows end or start in the switch.
  int NvlinkUp(int rank) const { return nvl_up_[rank]; }
  int NvlinkDown(int rank) const { return nvl_down_[rank]; }
  // Hop count of the shortest path by breadth-first search over the graph
  // (used to check Route against the graph).
  int ShortestHops(int src, int dst) const;
  bool SameNode(int a, int b) const { return a / shape_.gpus_per_node == b / shape_.gpus_per_node; }
  int NodeOf(int rank) const { return rank / shape_.gpus_per_node; }
  // The NIC port a rank sends through: node · NICs per node + its NIC.
  int PortOf(int rank) const {
    return NodeOf(rank) * nics_ + (rank % shape_.gpus_per_node) / (shape_.gpus_per_node / nics_);
  }
  // The leaf switch of a rank's NIC (0 on a single node).
  int LeafOf(int rank) const { return gpu_leaf_.empty() ? 0 : gpu_leaf_[rank]; }
  // Equal-cost up-links out of a leaf switch (0 when there is one leaf).
  int LeafUplinks() const { return leaf_vertex_.size() > 1 ? spines_per_group_ : 0; }

 private:
  int AddVertex(VertexInfo::Kind kind, int index);
  // Adds both directions; returns the id of the a->b link (b->a is id + 1).
  int AddDuplex(int a, int b, LinkClass cls, double bw, double lat);
  // Graph edges a->b and b->a standing for the existing links id and id + 1.
  void AddAlias(int a, int b, int id);
  int LinkBetween(int a, int b) const;
  int AddTrunk(double bw);
  void BuildTrunks();
  // Up-port choices at the leaf and aggregation levels for a flow to `dst`.
  int UpChoice(int dst, uint64_t h, int width) const;
  int CoreChoice(int dst, uint64_t h, int width) const;

  ClusterShape shape_;
  Graph graph_;
  std::vector<LinkInfo> links_;
  std::vector<int> gpu_vertex_, nvswitch_vertex_, leaf_vertex_, spine_vertex_, core_vertex_;
  std::vector<int> gpu_leaf_;  // leaf switch index of each rank's NIC
  int nics_ = 1;               // NIC ports per node
  int spines_per_group_ = 0;   // spines reachable from one leaf (or per pod)
  int spines_total_ = 0;       // fat_tree_3: cores per aggregation group
  // Sorted (from << 32 | to) -> link id, for LinkBetween.
  std::vector<std::pair<uint64_t, int>> link_index_;
  // Direct link-id tables for routing (no search per flow).
  std::vector<int> nvl_up_, nvl_down_;    // rank -> NVSwitch, NVSwitch -> rank
  std::vector<int> nic_up_, nic_down_;    // rank -> leaf, leaf -> rank (shared by a port's ranks)
  std::vector<int> leaf_up_, leaf_down_;  // [leaf * width + spine/agg]: leaf -> it, it -> leaf
  std::vector<int> core_up_,
      core_down_;  // [(pod * aggs + a) * cores + c]: agg -> core, core -> agg
  std::vector<int> leaf_trunk_up_, leaf_trunk_down_, pod_trunk_up_, pod_trunk_down_;  // spray
};

}  // namespace mlsysim

#endif  // MLSYSIM_TOPOLOGY_CLUSTER_GRAPH_H_
