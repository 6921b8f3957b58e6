// nccl_choice.h — which all-reduce algorithm NCCL picks, by its own cost
// model: ring or (double binary) tree, by message size, ranks and nodes.
//
// NCCL predicts each algorithm's time as latency + bytes / bandwidth with
// constants from its tuning table (src/graph/tuning.cc, NVIDIA/nccl; the
// Simple protocol, which it uses for buffers of megabytes, as gradient
// buckets are) and runs the fastest:
//
//   ring  bandwidth  B · N / (2(N − 1))
//         latency    8.4 µs + (2(N−1) − 2(K−1)) · 3.4 µs (NVLink) + 2(K−1) · 9.6 µs
//                    (network), × 1.9 across nodes for buffers ≥ N/16 · 64 KiB
//   tree  bandwidth  0.5 · min(0.9 · B, 80 GB/s; 110 GB/s for K ≤ 2)
//                    × a correction for buffers below 128 MiB
//         latency    2 · ((N/K − 1) · 28 µs + ⌊log2 K⌋ · 50 µs)
//
// N ranks on K nodes, B the bus bandwidth per GPU (the NIC's across nodes,
// NVLink's within one). On DGX H100 with 400 Gb/s NICs the tree wins for a
// 5 GB gradient bucket once the ring spans about 1,000 nodes, where its
// 2(K − 1) network steps cost more than the tree's lower bandwidth. This is
// NCCL's choice only; the chosen schedule's time is then simulated.
//
// Usage:
//   NcclAllReduceChoice c = ChooseNcclAllReduce({.ranks = 3125, .nodes = 3125,
//                                                .bus_bytes_per_s = 50e9}, 4.4e9);
//   c.algorithm  // CollectiveAlgorithm::kDoubleTree
#ifndef MLSYSIM_SIM_NETWORK_NCCL_CHOICE_H_
#define MLSYSIM_SIM_NETWORK_NCCL_CHOICE_H_

#include "sim/network/collective.h"

namespace mlsysim {

struct NcclComm {
  int ranks = 1;
  int nodes = 1;               // nodes the ranks span
  double bus_bytes_per_s = 0;  // per GPU: the NIC's across nodes, NVLink's within one
};

struct NcclAllReduceChoice {
  CollectiveAlgorithm algorithm = CollectiveAlgorithm::kRing;  // kRing or kDoubleTree
  double ring_s = 0, tree_s = 0;                               // NCCL's predictions
};

NcclAllReduceChoice ChooseNcclAllReduce(const NcclComm& comm, double bytes);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_NETWORK_NCCL_CHOICE_H_
