// chakra_workload_graph.h — the static structure of a Chakra workload, checked
// before anything runs: per rank, each node's count of unfinished
// dependencies (data and control) and its children; the collectives matched
// across each process group's members (pg_name; none = every rank): the k-th
// collective of every member rank is one collective, of the same type and
// size everywhere. Every error names the rank and the node or group.
// ChakraRunner (chakra_runner.cc) executes the graph on the event engine.
// Usage: absl::StatusOr<ChakraWorkloadGraph> g = BuildChakraWorkloadGraph(traces, &result);
#ifndef MLSYSIM_SIM_NETWORK_CHAKRA_WORKLOAD_GRAPH_H_
#define MLSYSIM_SIM_NETWORK_CHAKRA_WORKLOAD_GRAPH_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/network/chakra_runner.h"
#include "traces/chakra_trace.h"

namespace mlsysim {

struct ChakraRankGraph {
  std::vector<int> pending;                // unfinished dependencies of each node
  std::vector<std::vector<int>> children;  // nodes that depend on each node
};

struct ChakraCollectiveGroup {
  int op = 0;        // Chakra comm_type
  double bytes = 0;  // comm_size_bytes where given, else comm_size
  int64_t comm_size = 0;
  std::vector<int> ranks;  // ascending
};

struct ChakraWorkloadGraph {
  std::vector<ChakraRankGraph> ranks;
  std::vector<ChakraCollectiveGroup> groups;
  // Per process group (pg_name), its collectives' indices in `groups`, in order.
  std::map<std::string, std::vector<size_t>> pg_groups;
};

// Builds and checks the graph; counts nodes (all, compute, communication)
// into `counts`.
absl::StatusOr<ChakraWorkloadGraph> BuildChakraWorkloadGraph(const std::vector<ChakraTrace>& traces,
                                                             ChakraRunResult* counts);

// A node's process group (its pg_name attribute; "" for none).
std::string ChakraGroupOf(const chakra::Node& nd);
// A node's non-negative double attribute `name`, or `def`.
double ChakraDoubleAttr(const chakra::Node& nd, const char* name, double def);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_NETWORK_CHAKRA_WORKLOAD_GRAPH_H_
