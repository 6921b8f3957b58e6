// astra_timing.h — ASTRA-sim's analytical backends' collective timing, to
// the cycle, for ring implementations on one dimension, and the ring α-β
// closed form shown beside every collective.
//
//   T = ⌈S/A⌉ · (k·(D(s) + e) + r·3·⌊s/L⌋ + e)  [+ (A−1)·⌊s/B⌋ on a
//       congestion-aware Switch with A > 1]
// with S splits, A active chunks, e endpoint delay, L local-mem-bw, chunk
// C = comm_size/S, step s = C/N (all-reduce, reduce-scatter, all-to-all) or C
// (all-gather: comm_size is each NPU's share); k = 2(N−1), N−1, N(N−1)/2
// ring steps; r = N−1 reduce steps for all-reduce and reduce-scatter;
// D(s) = ⌊α + s/B⌋ on a Ring hop, ⌊2α + s/B⌋ on a congestion-unaware Switch,
// 2·⌊α + s/B⌋ on a congestion-aware one (store and forward). Also the flow
// backend's cluster shape for an ASTRA-sim network (FlowShapeOf). The direct
// implementation is in astra_direct.h.
//
// Usage: int64_t cycles = *AstraCollectiveCycles(0, 1 << 20, dim, system, /*aware=*/true);
#ifndef MLSYSIM_SIM_NETWORK_ASTRA_TIMING_H_
#define MLSYSIM_SIM_NETWORK_ASTRA_TIMING_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "topology/cluster_graph.h"
#include "traces/astra_platform.h"

namespace mlsysim {

enum class ChakraBackend { kAstraAware, kAstraUnaware, kFlow };
absl::StatusOr<ChakraBackend> ParseChakraBackend(absl::string_view name);
const char* ChakraBackendName(ChakraBackend backend);

// OK for the collective types the runner executes (chakra::CollectiveCommType).
absl::Status CheckChakraCollective(int comm_type);

// One collective's duration in cycles (ns); `dim.npus` is the group size.
absl::StatusOr<int64_t> AstraCollectiveCycles(int comm_type, int64_t comm_size,
                                              const AstraDimension& dim, const AstraSystem& system,
                                              bool congestion_aware);

// The ring α-β time (ns) of one collective over `n` ranks with link bytes/ns
// `b` and latency `a`: all-reduce 2(n−1)(M/n/b + a), reduce-scatter and
// all-to-all (n−1)(M/n/b + a), all-gather (n−1)(share/b + a).
double RingAlphaBetaNs(int comm_type, int64_t comm_size, int n, double b, double a);

// The flow backend's cluster for an ASTRA-sim network: one dimension is one
// switch of NPUs with the dimension's link; two are nodes of dims[0].npus
// GPUs (NVLink = dims[0]) on a fabric of dims[1].npus nodes. A Switch hop
// counts its latency twice (NPU → switch → NPU). The mlsysim_* keys that
// --export-chakra writes choose the fabric, routing and oversubscription.
absl::StatusOr<ClusterShape> FlowShapeOf(const AstraNetwork& network, Routing routing);

// The direct α-β time (ns): every rank sends its N−1 shares at once through
// one port of `b` bytes/ns, so one latency per phase: all-to-all and
// reduce-scatter (n−1)·M/n/b + a, all-gather (n−1)·share/b + a, all-reduce
// twice the reduce-scatter figure.
double DirectAlphaBetaNs(int comm_type, int64_t comm_size, int n, double b, double a);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_NETWORK_ASTRA_TIMING_H_
