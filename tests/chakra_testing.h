// chakra_testing.h — test helper: one collective per rank, as Chakra's
// generator writes it (a COMM_COLL node with comm_type and comm_size).
// Usage: auto ranks = OneCollective(8, chakra::ALL_TO_ALL, 1 << 20);
#ifndef MLSYSIM_TESTS_CHAKRA_TESTING_H_
#define MLSYSIM_TESTS_CHAKRA_TESTING_H_

#include <cstdint>
#include <vector>

#include "proto/chakra.pb.h"
#include "traces/chakra_trace.h"

namespace mlsysim {

inline std::vector<ChakraTrace> OneCollective(int n, int comm_type, int64_t bytes) {
  std::vector<ChakraTrace> ranks(n);
  for (ChakraTrace& t : ranks) {
    t.metadata.set_version("0.0.4");
    chakra::Node& node = t.nodes.emplace_back();
    node.set_id(0);
    node.set_name("coll");
    node.set_type(chakra::COMM_COLL_NODE);
    auto* a = node.add_attr();
    a->set_name("comm_type");
    a->set_int64_val(comm_type);
    a = node.add_attr();
    a->set_name("comm_size");
    a->set_int64_val(bytes);
  }
  return ranks;
}

}  // namespace mlsysim

#endif  // MLSYSIM_TESTS_CHAKRA_TESTING_H_
