// cluster_graph.cc — building the cluster graph and routing on it (see cluster_graph.h).
#include "topology/cluster_graph.h"

#include <algorithm>
#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#include "boost/graph/breadth_first_search.hpp"
#include "boost/graph/visitors.hpp"
#pragma GCC diagnostic pop

namespace mlsysim {

absl::StatusOr<FabricKind> ParseFabricKind(absl::string_view name) {
  if (name == "single_switch") return FabricKind::kSingleSwitch;
  if (name == "fat_tree" || name == "fat_tree_2" || name == "fat-tree") return FabricKind::kFatTree2;
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

int ClusterGraph::LinkBetween(int a, int b) const {
  const uint64_t key = (static_cast<uint64_t>(a) << 32) | static_cast<uint32_t>(b);
  auto it = std::lower_bound(link_index_.begin(), link_index_.end(), std::make_pair(key, -1));
  return it != link_index_.end() && it->first == key ? it->second : -1;
}

absl::StatusOr<ClusterGraph> ClusterGraph::Build(const ClusterShape& s) {
  if (s.nodes < 1 || s.gpus_per_node < 1) {
    return absl::InvalidArgumentError("nodes and gpus_per_node must be >= 1");
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
  ClusterGraph g;
  g.shape_ = s;
  const int ranks = s.nodes * s.gpus_per_node;
  for (int r = 0; r < ranks; ++r) g.gpu_vertex_.push_back(g.AddVertex(VertexInfo::kGpu, r));
  for (int n = 0; n < s.nodes; ++n) {
    g.nvswitch_vertex_.push_back(g.AddVertex(VertexInfo::kNvSwitch, n));
    for (int l = 0; l < s.gpus_per_node; ++l) {
      g.AddDuplex(g.gpu_vertex_[n * s.gpus_per_node + l], g.nvswitch_vertex_[n], LinkClass::kNvlink,
                  s.nvlink_bandwidth, s.nvlink_latency);
    }
  }
  if (s.nodes > 1) {
    const double bw = s.nic_bandwidth;
    const double lat = s.nic_latency;
    int leaves = 1;
    g.gpu_leaf_.assign(ranks, 0);
    switch (s.fabric) {
      case FabricKind::kSingleSwitch:
        break;
      case FabricKind::kRailOptimized:
        leaves = s.gpus_per_node;
        for (int r = 0; r < ranks; ++r) g.gpu_leaf_[r] = r % s.gpus_per_node;
        break;
      case FabricKind::kFatTree2:
      case FabricKind::kFatTree3:
        leaves = (ranks + s.leaf_ports - 1) / s.leaf_ports;
        for (int r = 0; r < ranks; ++r) g.gpu_leaf_[r] = r / s.leaf_ports;
        break;
    }
    for (int l = 0; l < leaves; ++l) g.leaf_vertex_.push_back(g.AddVertex(VertexInfo::kLeaf, l));
    for (int r = 0; r < ranks; ++r) {
      g.AddDuplex(g.gpu_vertex_[r], g.leaf_vertex_[g.gpu_leaf_[r]], LinkClass::kNic, bw, lat);
    }
    const int down_ports = s.fabric == FabricKind::kRailOptimized ? s.nodes : s.leaf_ports;
    g.spines_per_group_ =
        std::max(1, static_cast<int>(std::lround(down_ports / s.oversubscription)));
    if (leaves > 1 && s.fabric != FabricKind::kFatTree3) {
      for (int sp = 0; sp < g.spines_per_group_; ++sp) {
        g.spine_vertex_.push_back(g.AddVertex(VertexInfo::kSpine, sp));
        for (int l = 0; l < leaves; ++l)
          g.AddDuplex(g.leaf_vertex_[l], g.spine_vertex_[sp], LinkClass::kLeafSpine, bw, lat);
      }
    } else if (leaves > 1) {
      // Pods of pod_leaves leaves; aggregation switch a of every pod joins core group a.
      const int pods = (leaves + s.pod_leaves - 1) / s.pod_leaves;
      const int aggs = g.spines_per_group_;
      const int cores = std::max(1, static_cast<int>(std::lround(s.pod_leaves / s.oversubscription)));
      for (int p = 0; p < pods; ++p) {
        for (int a = 0; a < aggs; ++a) {
          const int v = g.AddVertex(VertexInfo::kSpine, p * aggs + a);
          g.spine_vertex_.push_back(v);
          for (int l = p * s.pod_leaves; l < std::min(leaves, (p + 1) * s.pod_leaves); ++l)
            g.AddDuplex(g.leaf_vertex_[l], v, LinkClass::kLeafSpine, bw, lat);
        }
      }
      if (pods > 1) {
        for (int a = 0; a < aggs; ++a) {
          for (int c = 0; c < cores; ++c) {
            const int v = g.AddVertex(VertexInfo::kCore, a * cores + c);
            g.core_vertex_.push_back(v);
            for (int p = 0; p < pods; ++p)
              g.AddDuplex(g.spine_vertex_[p * aggs + a], v, LinkClass::kSpineCore, bw, lat);
          }
        }
      }
    }
  }
  std::sort(g.link_index_.begin(), g.link_index_.end());
  return g;
}

std::vector<double> ClusterGraph::LinkCapacities() const {
  std::vector<double> caps(links_.size());
  for (const LinkInfo& l : links_) caps[l.id] = l.bandwidth;
  return caps;
}

std::vector<int> ClusterGraph::Route(int src, int dst, uint64_t h) const {
  std::vector<int> path;
  if (src == dst) return path;
  const int gs = gpu_vertex_[src], gd = gpu_vertex_[dst];
  if (SameNode(src, dst)) {
    const int nvs = nvswitch_vertex_[NodeOf(src)];
    path = {LinkBetween(gs, nvs), LinkBetween(nvs, gd)};
    return path;
  }
  const int ls = leaf_vertex_[gpu_leaf_[src]], ld = leaf_vertex_[gpu_leaf_[dst]];
  path.push_back(LinkBetween(gs, ls));
  if (ls != ld) {
    if (shape_.fabric != FabricKind::kFatTree3) {
      const int sp = spine_vertex_[h % spine_vertex_.size()];
      path.push_back(LinkBetween(ls, sp));
      path.push_back(LinkBetween(sp, ld));
    } else {
      const int aggs = spines_per_group_;
      const int pod_s = gpu_leaf_[src] / shape_.pod_leaves, pod_d = gpu_leaf_[dst] / shape_.pod_leaves;
      const int a = static_cast<int>(h % aggs);
      const int as = spine_vertex_[pod_s * aggs + a], ad = spine_vertex_[pod_d * aggs + a];
      path.push_back(LinkBetween(ls, as));
      if (pod_s != pod_d) {
        const int cores = static_cast<int>(core_vertex_.size()) / aggs;
        const int c = core_vertex_[a * cores + static_cast<int>((h / aggs) % cores)];
        path.push_back(LinkBetween(as, c));
        path.push_back(LinkBetween(c, ad));
      }
      path.push_back(LinkBetween(ad, ld));
    }
  }
  path.push_back(LinkBetween(ld, gd));
  return path;
}

int ClusterGraph::ShortestHops(int src, int dst) const {
  std::vector<int> dist(boost::num_vertices(graph_), -1);
  dist[gpu_vertex_[src]] = 0;
  boost::breadth_first_search(
      graph_, boost::vertex(gpu_vertex_[src], graph_),
      boost::visitor(boost::make_bfs_visitor(
          boost::record_distances(dist.data(), boost::on_tree_edge()))));
  return dist[gpu_vertex_[dst]];
}

}  // namespace mlsysim
