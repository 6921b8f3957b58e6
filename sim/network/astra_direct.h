// astra_direct.h — ASTRA-sim's `direct` collective implementation (its
// AllToAll algorithm class) on one dimension, to the cycle, for the
// compatibility backends: every NPU keeps up to W messages in flight (W = N−1
// for "direct", min(k, N−1) for "directK"), one to each peer in ring order.
//
// What is modelled, read from ASTRA-sim 2.x (astra-sim/system/collective/
// AllToAll.cc and Ring.cc, PacketBundle.cc, MemBus.cc; astra-network-analytical
// congestion_aware/Link.cc and congestion_unaware/BasicTopology.cc):
//   - a stream starts by inserting W packets; each packet goes through the
//     memory bus (endpoint-delay e cycles) before the NPU may send it;
//   - a send goes to the next peer clockwise (self skipped), message size
//     C/N (all-to-all, reduce-scatter, all-reduce) or C (all-gather);
//   - each received message inserts a packet that crosses the bus again (e),
//     plus 3·⌊s/L⌋ when it is reduced (reduce-scatter; all-reduce's first half);
//   - all-reduce sends its second N−1 messages only once all N−1 of the first
//     half have arrived (the "middle point");
//   - the stream ends at the bus crossing that brings its free packets back
//     to W after the last send;
//   - congestion-unaware network: ⌊h·α + s/B⌋ per message (h hops: shortest
//     way on a bidirectional Ring, 2 through a Switch, 1 FullyConnected);
//   - congestion-aware network: store and forward over FIFO links, each
//     busy ⌊s/B⌋ per message and delivering it ⌊α + s/B⌋ after it starts;
//   - S chunks, at most A streams at once per NPU, the next starting when one
//     ends; events at the same cycle run in the order they were scheduled.
//
// Usage: auto cycles = AstraDirectCycles(chakra::ALL_TO_ALL, 1 << 20, dim, system, -1, true);
#ifndef MLSYSIM_SIM_NETWORK_ASTRA_DIRECT_H_
#define MLSYSIM_SIM_NETWORK_ASTRA_DIRECT_H_

#include <cstdint>
#include <map>
#include <tuple>

#include "absl/status/statusor.h"
#include "traces/astra_platform.h"

namespace mlsysim {

// The largest simulated work (messages × hops × chunks) one call accepts; a
// direct collective on a congestion-aware Ring grows as N³.
constexpr double kMaxAstraDirectHops = 4e8;

// Cycles of one direct collective over `dim.npus` NPUs; `window` < 0 means
// N−1 (ASTRA-sim's "direct"), k > 0 "directK".
absl::StatusOr<int64_t> AstraDirectCycles(int comm_type, int64_t comm_size,
                                          const AstraDimension& dim, const AstraSystem& system,
                                          int window, bool congestion_aware);

// The compatibility backends' collective durations for one workload: each
// collective type runs with the system JSON's implementation for dimension 0
// (ring: AstraCollectiveCycles; direct: AstraDirectCycles; barriers are ring
// all-reduces of nothing), and each distinct (type, size, group size) is
// computed once.
class AstraCollectiveTimer {
 public:
  AstraCollectiveTimer(const AstraDimension& dim, const AstraSystem& system, bool congestion_aware)
      : dim_(dim), system_(system), aware_(congestion_aware) {}
  AstraImplementation ImplementationFor(int comm_type) const;
  // Errors start with "system: IMPLEMENTATION: ".
  absl::StatusOr<int64_t> Cycles(int comm_type, int64_t comm_size, int group_size);

 private:
  AstraDimension dim_;
  const AstraSystem& system_;
  bool aware_;
  std::map<std::tuple<int, int64_t, int>, int64_t> cache_;
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_NETWORK_ASTRA_DIRECT_H_
