// nccl_choice.cc — NCCL's all-reduce cost model (see nccl_choice.h).
#include "sim/network/nccl_choice.h"

#include <algorithm>
#include <cmath>

namespace mlsysim {
namespace {

// tuning.cc's constants for the Simple protocol, in µs and GB/s.
constexpr double kRingBaseLatUs = 8.4;
constexpr double kRingNvlinkLatUs = 3.4, kRingNetLatUs = 9.6;
constexpr double kTreeNvlinkLatUs = 28, kTreeNetLatUs = 50;
constexpr double kRingPlateau = 1.9;
constexpr double kTreeBusBwFactor = 0.9;
constexpr double kTreeMaxBwManyNodes = 80, kTreeMaxBwFewNodes = 110;
// Tree bandwidth correction for the Simple protocol, by log2(bytes / 64),
// 64 B to 128 MiB (none above).
constexpr double kTreeCorrection[22] = {.9, .9, .9, .9, .9, .9, .9, .8, .7, .6, .6,
                                        .5, .5, .5, .5, .5, .5, .6, .6, .7, .8, .9};

int FloorLog2(double x) {
  if (!(x >= 1)) return 0;
  return x >= 0x1p60 ? 60 : static_cast<int>(std::floor(std::log2(x)));
}

}  // namespace

NcclAllReduceChoice ChooseNcclAllReduce(const NcclComm& comm, double bytes) {
  NcclAllReduceChoice out;
  const int n = comm.ranks, k = std::max(1, comm.nodes);
  if (n <= 1 || !(comm.bus_bytes_per_s > 0)) return out;
  const double bus_gbs = comm.bus_bytes_per_s / 1e9;
  // Ring.
  const double steps = 2.0 * (n - 1), inter_steps = 2.0 * (k - 1);
  const double ring_bw = bus_gbs * n / steps;
  double ring_lat = kRingBaseLatUs + (steps - inter_steps) * kRingNvlinkLatUs +
                    inter_steps * (k > 1 ? kRingNetLatUs : kRingNvlinkLatUs);
  if (k > 1 && bytes >= n / 16.0 * 65536) ring_lat *= kRingPlateau;
  out.ring_s = (ring_lat + bytes / (1000 * ring_bw)) * 1e-6;
  // Tree.
  double tree_bw =
      0.5 * std::min(bus_gbs * kTreeBusBwFactor, k > 2 ? kTreeMaxBwManyNodes : kTreeMaxBwFewNodes);
  const int log_size = FloorLog2(bytes / 64);
  if (log_size < 22) tree_bw *= kTreeCorrection[log_size];
  const double tree_lat =
      2 * ((n / k - 1) * kTreeNvlinkLatUs + FloorLog2(k) * (k > 1 ? kTreeNetLatUs : 0));
  out.tree_s = (tree_lat + bytes / (1000 * tree_bw)) * 1e-6;
  out.algorithm = out.tree_s < out.ring_s ? CollectiveAlgorithm::kDoubleTree
                                          : CollectiveAlgorithm::kRing;
  return out;
}

}  // namespace mlsysim
