// astra_platform.h — ASTRA-sim's platform files as input: the network YAML
// (one entry per dimension: topology Ring | Switch | FullyConnected,
// npus_count, bandwidth in "GB/s", latency in ns) and the system JSON knobs
// that decide collective timing (preferred-dataset-splits,
// active-chunks-per-dimension, endpoint-delay, local-mem-bw, the collective
// implementations). ASTRA-sim converts "GB/s" as GiB/s: bytes per ns =
// GB/s × 2^30 / 10^9; this reader does the same and keeps both figures.
//
// Usage: auto net = ReadAstraNetwork("network.yml"); auto sys = ReadAstraSystem("system.json");
#ifndef MLSYSIM_TRACES_ASTRA_PLATFORM_H_
#define MLSYSIM_TRACES_ASTRA_PLATFORM_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace mlsysim {

enum class AstraTopology { kRing, kSwitch, kFullyConnected };
const char* AstraTopologyName(AstraTopology t);

struct AstraDimension {
  AstraTopology topology = AstraTopology::kRing;
  int npus = 1;
  double bandwidth_gb_s = 0;  // as written
  double bytes_per_ns = 0;    // ASTRA-sim's conversion (GiB/s)
  double latency_ns = 0;
};

struct AstraNetwork {
  std::vector<AstraDimension> dims;
  // Optional keys ASTRA-sim ignores, written by `--export-chakra` so that the
  // flow backend rebuilds the exported cluster: the fabric of the last
  // dimension (fat_tree_2, ...), its routing, oversubscription and leaf ports.
  std::string mlsysim_fabric, mlsysim_routing;
  double mlsysim_oversubscription = 1.0;
  int mlsysim_leaf_ports = 32;
  int64_t npus() const;
};

// One `*-implementation` entry of the system JSON. Modelled: "ring" and
// "direct" / "directK" (ASTRA-sim's AllToAll algorithm with at most K
// messages in flight; plain "direct": N−1). Other names ASTRA-sim knows
// (oneRing, oneDirect, doubleBinaryTree, halvingDoubling, ...) are refused
// when the file is read, never replaced by another algorithm.
struct AstraImplementation {
  enum Kind { kRing, kDirect } kind = kRing;
  int window = -1;  // direct: messages in flight; -1 = N−1
  std::string name = "ring";
};
absl::StatusOr<AstraImplementation> ParseAstraImplementation(const std::string& name);

struct AstraSystem {
  int splits = 1;              // preferred-dataset-splits
  int active_chunks = 1;       // active-chunks-per-dimension
  double endpoint_delay = 10;  // cycles
  double local_mem_bw = 1e30;  // bytes per cycle (GB/s)
  // Per dimension; an empty list means ring (the dimension's first entry is used).
  std::vector<AstraImplementation> all_reduce, all_gather, reduce_scatter, all_to_all;
  // The implementation of dimension 0 for a chakra::CollectiveCommType.
  AstraImplementation ImplementationFor(int comm_type) const;
  double peak_perf_tflops = 0;  // roofline for COMP nodes without a duration
  bool roofline_enabled = false;
};

absl::StatusOr<AstraNetwork> ReadAstraNetwork(const std::string& path);
absl::StatusOr<AstraSystem> ReadAstraSystem(const std::string& path);

}  // namespace mlsysim

#endif  // MLSYSIM_TRACES_ASTRA_PLATFORM_H_
