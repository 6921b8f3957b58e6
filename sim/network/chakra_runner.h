// chakra_runner.h — runs ASTRA-sim workloads (Chakra execution traces, one per
// rank) on the event engine.
//
// Each rank executes its graph: a node may start when all its data and
// control dependencies have finished; COMP nodes run one at a time per rank
// (duration_micros, or our `duration_ns` attribute, or the roofline of
// num_ops at the system's peak-perf), MEM nodes take tensor_size / local-mem-bw,
// COMM_COLL nodes are grouped across ranks by their order on each rank (the
// k-th collective of every rank forms one collective over all ranks) and
// start when the last rank reaches it, SEND/RECV are matched by (src, dst, tag).
//
// Backends:
//   astra-aware / astra-unaware  ASTRA-sim's analytical backends' timing,
//       to the cycle, for ring implementations on one-dimensional networks:
//       T = ⌈S/A⌉·(k·(D(s) + e) + r·3·⌊s/L⌋ + e) [+ (A−1)·⌊s/B⌋ on an aware
//       Switch with A > 1] (see AstraCollectiveCycles);
//   flow  our flow-level network and collectives on the mapped topology
//       (dimension 0 inside a node, dimension 1 across nodes), with contention.
//
// Usage:
//   auto ranks = ReadChakraWorkload("dir/all_reduce");
//   auto r = RunChakraWorkload(*ranks, {.network = net, .system = sys});
//   r->finish_ns  // the last rank's finish (= ASTRA-sim's cycles)
#ifndef MLSYSIM_SIM_NETWORK_CHAKRA_RUNNER_H_
#define MLSYSIM_SIM_NETWORK_CHAKRA_RUNNER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/network/astra_timing.h"
#include "topology/cluster_graph.h"
#include "traces/astra_platform.h"
#include "traces/chakra_trace.h"

namespace mlsysim {

struct ChakraRunConfig {
  AstraNetwork network;
  AstraSystem system;
  ChakraBackend backend = ChakraBackend::kAstraAware;
  Routing routing = Routing::kDmodk;  // flow backend, two-dimensional networks
};

struct ChakraCollectiveRecord {
  int op = 0;             // chakra::CollectiveCommType
  int64_t comm_size = 0;  // bytes, as in the trace
  double start_ns = 0, end_ns = 0;
  double alpha_beta_ns = 0;  // α-β of its implementation on dimension 0 (idle, unchunked)
  bool direct = false;       // run with the "direct" implementation (else ring)
};

struct ChakraRunResult {
  std::vector<double> rank_finish_ns;
  double finish_ns = 0;  // the last rank's finish
  std::vector<ChakraCollectiveRecord> collectives;
  int64_t nodes = 0, comp_nodes = 0, comm_nodes = 0;
  uint64_t events = 0, fingerprint = 0, flows = 0;
};

absl::StatusOr<ChakraRunResult> RunChakraWorkload(const std::vector<ChakraTrace>& ranks,
                                                  const ChakraRunConfig& config);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_NETWORK_CHAKRA_RUNNER_H_
