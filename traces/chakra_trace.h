// chakra_trace.h — Chakra execution traces (ASTRA-sim's workload format) in
// and out: one `.et` file per rank, a stream of length-delimited protobuf
// messages (a GlobalMetadata, then Nodes; schema in proto/chakra.proto).
// Reading checks what a runner relies on (unique node ids, dependencies that
// exist, known node types) and names the file, node and field when it fails;
// attributes it does not know are kept. Writing is atomic (temporary + rename).
//
// Usage:
//   absl::StatusOr<ChakraTrace> t = ReadChakraTrace("traces/allreduce.0.et");
//   int64_t bytes = *ChakraIntAttr(t->nodes[0], "comm_size");
#ifndef MLSYSIM_TRACES_CHAKRA_TRACE_H_
#define MLSYSIM_TRACES_CHAKRA_TRACE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/chakra.pb.h"

namespace mlsysim {

struct ChakraTrace {
  chakra::GlobalMetadata metadata;
  std::vector<chakra::Node> nodes;
};

// Reads one rank's trace. Limits: 1 GiB per file, 64 MiB per message.
absl::StatusOr<ChakraTrace> ReadChakraTrace(const std::string& path);
// The same from bytes in memory; `origin` names them in messages.
absl::StatusOr<ChakraTrace> ParseChakraTrace(const std::string& bytes, const std::string& origin);

// The files of a workload given as ASTRA-sim takes it: PREFIX.0.et,
// PREFIX.1.et, ... (ranks counted until the first missing file; at least one).
absl::StatusOr<std::vector<ChakraTrace>> ReadChakraWorkload(const std::string& prefix);

absl::Status WriteChakraTrace(const std::string& path, const ChakraTrace& trace);

// An attribute by name, or nullptr.
const chakra::AttributeProto* FindChakraAttr(const chakra::Node& node, absl::string_view name);
// Integer / boolean attributes, whatever integer encoding the writer chose.
absl::StatusOr<int64_t> ChakraIntAttr(const chakra::Node& node, absl::string_view name);
bool ChakraBoolAttr(const chakra::Node& node, absl::string_view name, bool def);
// A list of booleans (involved_dim); empty when absent.
std::vector<bool> ChakraBoolListAttr(const chakra::Node& node, absl::string_view name);

}  // namespace mlsysim

#endif  // MLSYSIM_TRACES_CHAKRA_TRACE_H_
