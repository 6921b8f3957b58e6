// training_layout.cc — layout facts of a training job (see training_layout.h).
#include "sim/training/training_layout.h"

#include <algorithm>
#include <numeric>

#include "sim/core/random.h"
#include "sim/core/simulator.h"
#include "sim/network/collective.h"
#include "sim/network/flow_network.h"

namespace mlsysim {

std::vector<PipelineOp> OneFOneBOrder(int s, int p, int m, int v) {
  const int total = m * v;
  auto chunk_of = [&](int k, bool forward) {
    const int c = (k % (p * v)) / p;
    return forward ? c : v - 1 - c;
  };
  auto mb_of = [&](int k) { return v == 1 ? k : (k / (p * v)) * p + k % p; };
  const int warmup = std::min(v == 1 ? p - s - 1 : (p - s - 1) * 2 + (v - 1) * p, total);
  std::vector<PipelineOp> ops;
  for (int k = 0; k < warmup; ++k) ops.push_back({true, mb_of(k), chunk_of(k, true)});
  for (int i = 0; i < total - warmup; ++i) {
    ops.push_back({true, mb_of(warmup + i), chunk_of(warmup + i, true)});
    ops.push_back({false, mb_of(i), chunk_of(i, false)});
  }
  for (int i = total - warmup; i < total; ++i) ops.push_back({false, mb_of(i), chunk_of(i, false)});
  return ops;
}

bool GradientRingsShareLinks(const ClusterGraph& graph, int tp, int pp, int dp) {
  if (dp <= 1) return false;
  const double nic = graph.shape().nic_bandwidth;
  std::vector<int> load(graph.num_links(), 0), path;
  for (int s = 0; s < pp; ++s) {
    for (int t = 0; t < tp; ++t) {
      for (int r = 0; r < dp; ++r) {
        const int src = (s * dp + r) * tp + t, dst = (s * dp + (r + 1) % dp) * tp + t;
        // The same flow hash as the ring collective uses (it matters for ecmp).
        graph.RouteInto(src, dst,
                        MixHash(MixHash((static_cast<uint64_t>(s) << 20) | static_cast<uint64_t>(t),
                                        static_cast<uint64_t>(src)),
                                static_cast<uint64_t>(dst)),
                        path);
        for (int l : path) {
          const LinkClass k = graph.link(l).link_class;
          if (k == LinkClass::kNvlink || k == LinkClass::kNic) continue;
          // A trunk (spray) holds as many NIC-rate flows as its capacity allows.
          if (++load[l] * nic > graph.link(l).bandwidth * (1 + 1e-9)) return true;
        }
      }
    }
  }
  return false;
}

int DefaultMicrobatches(long long global_batch, long long gpus, int tp, int pp) {
  const long long want = 4LL * std::max(1, pp);
  if (tp < 1 || pp < 1 || gpus < 1 || global_batch < 1) return static_cast<int>(want);
  const long long group = static_cast<long long>(tp) * pp;
  if (gpus % group != 0) return static_cast<int>(want);
  const long long dp = gpus / group;
  if (global_batch % dp != 0) return static_cast<int>(want);
  const long long per_replica = global_batch / dp;
  for (long long m = std::min(want, per_replica); m >= 1; --m)
    if (per_replica % m == 0) return static_cast<int>(m);
  return 1;
}

double TpAllReduceSeconds(int gpus_per_node, double nvlink_bw, int tp, double bytes) {
  ClusterShape s;
  s.nodes = 1;
  s.gpus_per_node = gpus_per_node;
  s.nvlink_bandwidth = nvlink_bw;
  auto g = ClusterGraph::Build(s);
  if (!g.ok()) return 0;
  Simulator sim;
  FlowNetwork net(sim, g->LinkCapacities());
  std::vector<int> ranks(tp);
  std::iota(ranks.begin(), ranks.end(), 0);
  Collective col(sim, net, *g, {CollectiveOp::kAllReduce, CollectiveAlgorithm::kRing, ranks, bytes},
                 nullptr, 0);
  col.Start();
  sim.Run();
  return col.exact_seconds();
}

double EpAllToAllSeconds(const ClusterGraph& graph, int ep, int tp, double bytes) {
  Simulator sim;
  FlowNetwork net(sim, graph.LinkCapacities());
  std::vector<int> ranks;
  for (int r = 0; r < ep; ++r) ranks.push_back(r * tp);  // stage 0, TP rank 0
  Collective a2a(sim, net, graph,
                 {CollectiveOp::kAllToAll, CollectiveAlgorithm::kRing, ranks, bytes}, nullptr, 0);
  a2a.Start();
  sim.Run();
  return a2a.exact_seconds();
}

std::vector<int> VirtualStageLayers(int layers, int p, int v,
                                    const std::vector<int>& explicit_split) {
  if (!explicit_split.empty()) return explicit_split;
  const int k = p * v;
  std::vector<int> split(k, layers / k);
  const int extra = layers % k;
  const int first = (k - extra) / 2;  // centred on the middle stages
  for (int j = first; j < first + extra; ++j) ++split[j];
  return split;
}

std::vector<int> DeviceLayers(const std::vector<int>& virtual_stage_layers, int p) {
  std::vector<int> device(p, 0);
  for (size_t j = 0; j < virtual_stage_layers.size(); ++j) device[j % p] += virtual_stage_layers[j];
  return device;
}

}  // namespace mlsysim
