// cluster_graph.cc — building the cluster graph and routing on it (see cluster_graph.h).
#include "topology/cluster_graph.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#pragma GCC diagnostic push
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#pragma GCC diagnostic ignored "-Wuninitialized"
#include "boost/graph/breadth_first_search.hpp"
#include "boost/graph/visitors.hpp"
#pragma GCC diagnostic pop

namespace mlsysim {

const char* FabricKindName(FabricKind kind) {
  switch (kind) {
    case FabricKind::kSingleSwitch: return "single_switch";
    case FabricKind::kFatTree2: return "fat_tree_2";
    case FabricKind::kFatTree3: return "fat_tree_3";
    case FabricKind::kRailOptimized: return "rail_optimized";
  }
  return "single_switch";
}

absl::StatusOr<FabricKind> ParseFabricKind(absl::string_view name) {
  if (name == "single_switch") return FabricKind::kSingleSwitch;
  if (name == "fat_tree" || name == "fat_tree_2" || name == "fat-tree")
    return FabricKind::kFatTree2;
  if (name == "fat_tree_3") return FabricKind::kFatTree3;
  if (name == "rail_optimized") return FabricKind::kRailOptimized;
  return absl::InvalidArgumentError(
      absl::StrCat("topology: unknown fabric '", name,
                   "'; accepted: single_switch, fat_tree_2, fat_tree_3, rail_optimized"));
}

int ClusterGraph::AddVertex(VertexInfo::Kind kind, int index) {
  return static_cast<int>(boost::add_vertex(VertexInfo{kind, index}, graph_));
}

int ClusterGraph::AddDuplex(int a, int b, LinkClass cls, double bw, double lat) {
  const int id = static_cast<int>(links_.size());
  links_.push_back({id, cls, bw, lat});
  links_.push_back({id + 1, cls, bw, lat});
  boost::add_edge(a, b, links_[id], graph_);
  boost::add_edge(b, a, links_[id + 1], graph_);
  link_index_.emplace_back((static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b), id);
  link_index_.emplace_back((static_cast<uint64_t>(b) << 32) | static_cast<uint32_t>(a), id + 1);
  return id;
}

void ClusterGraph::AddAlias(int a, int b, int id) {
  boost::add_edge(a, b, links_[id], graph_);
  boost::add_edge(b, a, links_[id + 1], graph_);
  link_index_.emplace_back((static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b), id);
  link_index_.emplace_back((static_cast<uint64_t>(b) << 32) | static_cast<uint32_t>(a), id + 1);
}

int ClusterGraph::LinkBetween(int a, int b) const {
  const uint64_t key = (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b);
  auto it = std::lower_bound(link_index_.begin(), link_index_.end(), std::make_pair(key, -1));
  return it != link_index_.end() && it->first == key ? it->second : -1;
}

absl::StatusOr<Routing> ParseRouting(absl::string_view name) {
  if (name == "dmodk" || name == "d-mod-k") return Routing::kDmodk;
  if (name == "ecmp") return Routing::kEcmp;
  if (name == "spray" || name == "adaptive") return Routing::kSpray;
  return absl::InvalidArgumentError(
      absl::StrCat("routing: unknown policy '", name, "'; accepted: dmodk, ecmp, spray"));
}

const char* RoutingName(Routing routing) {
  switch (routing) {
    case Routing::kDmodk: return "dmodk";
    case Routing::kEcmp: return "ecmp";
    case Routing::kSpray: return "spray";
  }
  return "?";
}

absl::StatusOr<ClusterGraph> ClusterGraph::Build(const ClusterShape& s) {
  if (s.nodes < 1 || s.gpus_per_node < 1) {
    return absl::InvalidArgumentError("nodes and gpus_per_node must be >= 1");
  }
  if (static_cast<int64_t>(s.nodes) * s.gpus_per_node > (int64_t{1} << 26)) {
    return absl::InvalidArgumentError(
        absl::StrCat("nodes x gpus_per_node = ", static_cast<int64_t>(s.nodes) * s.gpus_per_node,
                     " accelerators; the cluster graph accepts at most 67,108,864"));
  }
  if (!(s.nvlink_bandwidth > 0) || !(s.nic_bandwidth > 0)) {
    return absl::InvalidArgumentError("link bandwidths must be > 0");
  }
  if (s.nvlink_latency < 0 || s.nic_latency < 0) {
    return absl::InvalidArgumentError("link latencies must be >= 0");
  }
  if (!(s.oversubscription >= 1.0)) {
    return absl::InvalidArgumentError(
        absl::StrCat("oversubscription must be >= 1; got ", s.oversubscription));
  }
  if (s.leaf_ports < 1 || s.pod_leaves < 1) {
    return absl::InvalidArgumentError("leaf_ports and pod_leaves must be >= 1");
  }
  const int nics = s.nics_per_node > 0 ? s.nics_per_node : s.gpus_per_node;
  if (s.nics_per_node < 0 || nics > s.gpus_per_node || s.gpus_per_node % nics != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "nics_per_node (", s.nics_per_node, ") must divide gpus_per_node (", s.gpus_per_node,
        "): accelerators share NICs evenly (0: one NIC per accelerator)"));
  }
  ClusterGraph g;
  g.shape_ = s;
  g.nics_ = nics;
  const int share = s.gpus_per_node / nics;
  const int ranks = s.nodes * s.gpus_per_node;
  for (int r = 0; r < ranks; ++r) g.gpu_vertex_.push_back(g.AddVertex(VertexInfo::kGpu, r));
  g.nvl_up_.assign(ranks, -1);
  g.nvl_down_.assign(ranks, -1);
  for (int n = 0; n < s.nodes; ++n) {
    g.nvswitch_vertex_.push_back(g.AddVertex(VertexInfo::kNvSwitch, n));
    for (int l = 0; l < s.gpus_per_node; ++l) {
      const int r = n * s.gpus_per_node + l;
      g.nvl_up_[r] = g.AddDuplex(g.gpu_vertex_[r], g.nvswitch_vertex_[n], LinkClass::kNvlink,
                                 s.nvlink_bandwidth, s.nvlink_latency);
      g.nvl_down_[r] = g.nvl_up_[r] + 1;
    }
  }
  if (s.nodes > 1) {
    const double bw = s.nic_bandwidth;
    const double lat = s.nic_latency;
    int leaves = 1;
    g.gpu_leaf_.assign(ranks, 0);
    switch (s.fabric) {
      case FabricKind::kSingleSwitch: break;
      case FabricKind::kRailOptimized:
        leaves = nics;
        for (int r = 0; r < ranks; ++r) g.gpu_leaf_[r] = g.PortOf(r) % nics;
        break;
      case FabricKind::kFatTree2:
      case FabricKind::kFatTree3:
        leaves = (s.nodes * nics + s.leaf_ports - 1) / s.leaf_ports;
        for (int r = 0; r < ranks; ++r) g.gpu_leaf_[r] = g.PortOf(r) / s.leaf_ports;
        break;
    }
    for (int l = 0; l < leaves; ++l) g.leaf_vertex_.push_back(g.AddVertex(VertexInfo::kLeaf, l));
    g.nic_up_.assign(ranks, -1);
    g.nic_down_.assign(ranks, -1);
    for (int r = 0; r < ranks; ++r) {
      const int leaf = g.leaf_vertex_[g.gpu_leaf_[r]];
      if (r % share == 0) {
        g.nic_up_[r] = g.AddDuplex(g.gpu_vertex_[r], leaf, LinkClass::kNic, bw, lat);
      } else {
        // The port's first accelerator's link: one more edge pair in the
        // graph (for searches over it), the same link for the flows.
        g.nic_up_[r] = g.nic_up_[r - r % share];
        g.AddAlias(g.gpu_vertex_[r], leaf, g.nic_up_[r]);
      }
      g.nic_down_[r] = g.nic_up_[r] + 1;
    }
    const int down_ports = s.fabric == FabricKind::kRailOptimized ? s.nodes : s.leaf_ports;
    g.spines_per_group_ =
        std::max(1, static_cast<int>(std::lround(down_ports / s.oversubscription)));
    const int width = g.spines_per_group_;
    if (leaves > 1 && s.fabric != FabricKind::kFatTree3) {
      g.leaf_up_.assign(static_cast<size_t>(leaves) * width, -1);
      g.leaf_down_.assign(static_cast<size_t>(leaves) * width, -1);
      for (int sp = 0; sp < width; ++sp) {
        g.spine_vertex_.push_back(g.AddVertex(VertexInfo::kSpine, sp));
        for (int l = 0; l < leaves; ++l) {
          const int id =
              g.AddDuplex(g.leaf_vertex_[l], g.spine_vertex_[sp], LinkClass::kLeafSpine, bw, lat);
          g.leaf_up_[static_cast<size_t>(l) * width + sp] = id;
          g.leaf_down_[static_cast<size_t>(l) * width + sp] = id + 1;
        }
      }
    } else if (leaves > 1) {
      // Pods of pod_leaves leaves; aggregation switch a of every pod joins core group a.
      const int pods = (leaves + s.pod_leaves - 1) / s.pod_leaves;
      const int aggs = width;
      const int cores =
          std::max(1, static_cast<int>(std::lround(s.pod_leaves / s.oversubscription)));
      g.spines_total_ = cores;
      g.leaf_up_.assign(static_cast<size_t>(leaves) * aggs, -1);
      g.leaf_down_.assign(static_cast<size_t>(leaves) * aggs, -1);
      for (int p = 0; p < pods; ++p) {
        for (int a = 0; a < aggs; ++a) {
          const int v = g.AddVertex(VertexInfo::kSpine, p * aggs + a);
          g.spine_vertex_.push_back(v);
          for (int l = p * s.pod_leaves; l < std::min(leaves, (p + 1) * s.pod_leaves); ++l) {
            const int id = g.AddDuplex(g.leaf_vertex_[l], v, LinkClass::kLeafSpine, bw, lat);
            g.leaf_up_[static_cast<size_t>(l) * aggs + a] = id;
            g.leaf_down_[static_cast<size_t>(l) * aggs + a] = id + 1;
          }
        }
      }
      if (pods > 1) {
        g.core_up_.assign(static_cast<size_t>(pods) * aggs * cores, -1);
        g.core_down_.assign(static_cast<size_t>(pods) * aggs * cores, -1);
        for (int a = 0; a < aggs; ++a) {
          for (int c = 0; c < cores; ++c) {
            const int v = g.AddVertex(VertexInfo::kCore, a * cores + c);
            g.core_vertex_.push_back(v);
            for (int p = 0; p < pods; ++p) {
              const int id =
                  g.AddDuplex(g.spine_vertex_[p * aggs + a], v, LinkClass::kSpineCore, bw, lat);
              const size_t k = (static_cast<size_t>(p) * aggs + a) * cores + c;
              g.core_up_[k] = id;
              g.core_down_[k] = id + 1;
            }
          }
        }
      }
    }
    if (s.routing == Routing::kSpray && leaves > 1) g.BuildTrunks();
  }
  std::sort(g.link_index_.begin(), g.link_index_.end());
  return g;
}

int ClusterGraph::AddTrunk(double bw) {
  const int id = static_cast<int>(links_.size());
  links_.push_back({id, LinkClass::kTrunk, bw, shape_.nic_latency});
  return id;
}

// Spraying splits each flow evenly over a leaf's w up-links, so the load on
// every one of them is (sum of the leaf's leaving flows) / w: the same
// constraint as one link of capacity w·bw. Likewise for down-links into a
// leaf, and for a pod's aggregation-to-core links (aggs·cores of them).
void ClusterGraph::BuildTrunks() {
  const double bw = shape_.nic_bandwidth;
  const int leaves = static_cast<int>(leaf_vertex_.size());
  const int width = spines_per_group_;
  for (int l = 0; l < leaves; ++l) {
    leaf_trunk_up_.push_back(AddTrunk(width * bw));
    leaf_trunk_down_.push_back(AddTrunk(width * bw));
  }
  if (!core_vertex_.empty()) {
    const int pods = (leaves + shape_.pod_leaves - 1) / shape_.pod_leaves;
    const double cap = static_cast<double>(width) * spines_total_ * bw;
    for (int p = 0; p < pods; ++p) {
      pod_trunk_up_.push_back(AddTrunk(cap));
      pod_trunk_down_.push_back(AddTrunk(cap));
    }
  }
}

std::vector<double> ClusterGraph::LinkCapacities() const {
  std::vector<double> caps(links_.size());
  for (const LinkInfo& l : links_) caps[l.id] = l.bandwidth;
  return caps;
}

// The destination's port on its leaf switch: its position among the leaf's NICs.
int ClusterGraph::UpChoice(int dst, uint64_t h, int width) const {
  if (shape_.routing == Routing::kEcmp) return static_cast<int>(h % static_cast<uint64_t>(width));
  const int port =
      shape_.fabric == FabricKind::kRailOptimized ? NodeOf(dst) : PortOf(dst) % shape_.leaf_ports;
  return port % width;
}

int ClusterGraph::CoreChoice(int dst, uint64_t h, int width) const {
  const int aggs = spines_per_group_;
  if (shape_.routing == Routing::kEcmp) {
    return static_cast<int>((h / static_cast<uint64_t>(aggs)) % static_cast<uint64_t>(width));
  }
  const int host = PortOf(dst);  // its leaf · leaf_ports + its position there
  return (host / aggs) % width;
}

void ClusterGraph::RouteInto(int src, int dst, uint64_t h, std::vector<int>& path) const {
  path.clear();
  if (src == dst) return;
  if (SameNode(src, dst)) {
    path.push_back(nvl_up_[src]);
    path.push_back(nvl_down_[dst]);
    return;
  }
  const int lsrc = gpu_leaf_[src], ldst = gpu_leaf_[dst];
  path.push_back(nic_up_[src]);
  if (lsrc != ldst) {
    const bool three_tier = shape_.fabric == FabricKind::kFatTree3;
    const int pod_s = three_tier ? lsrc / shape_.pod_leaves : 0;
    const int pod_d = three_tier ? ldst / shape_.pod_leaves : 0;
    if (shape_.routing == Routing::kSpray) {
      path.push_back(leaf_trunk_up_[lsrc]);
      if (pod_s != pod_d) {
        path.push_back(pod_trunk_up_[pod_s]);
        path.push_back(pod_trunk_down_[pod_d]);
      }
      path.push_back(leaf_trunk_down_[ldst]);
    } else {
      const int width = spines_per_group_;
      const int a = UpChoice(dst, h, width);
      path.push_back(leaf_up_[static_cast<size_t>(lsrc) * width + a]);
      if (pod_s != pod_d) {
        const int cores = spines_total_;
        const int c = CoreChoice(dst, h, cores);
        path.push_back(core_up_[(static_cast<size_t>(pod_s) * width + a) * cores + c]);
        path.push_back(core_down_[(static_cast<size_t>(pod_d) * width + a) * cores + c]);
      }
      path.push_back(leaf_down_[static_cast<size_t>(ldst) * width + a]);
    }
  }
  path.push_back(nic_down_[dst]);
}

int ClusterGraph::ShortestHops(int src, int dst) const {
  std::vector<int> dist(boost::num_vertices(graph_), -1);
  dist[gpu_vertex_[src]] = 0;
  boost::breadth_first_search(graph_, boost::vertex(gpu_vertex_[src], graph_),
                              boost::visitor(boost::make_bfs_visitor(
                                  boost::record_distances(dist.data(), boost::on_tree_edge()))));
  return dist[gpu_vertex_[dst]];
}

}  // namespace mlsysim
