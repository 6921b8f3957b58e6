// astra_timing.cc — ASTRA-sim's analytical collective timing and the ring
// α-β forms beside it (see astra_timing.h).
#include "sim/network/astra_timing.h"

#include <cmath>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "proto/chakra.pb.h"

namespace mlsysim {

absl::StatusOr<ChakraBackend> ParseChakraBackend(absl::string_view name) {
  if (name == "astra-aware") return ChakraBackend::kAstraAware;
  if (name == "astra-unaware") return ChakraBackend::kAstraUnaware;
  if (name == "flow") return ChakraBackend::kFlow;
  return absl::InvalidArgumentError(
      absl::StrCat("backend: unknown '", name, "'; accepted: astra-aware, astra-unaware, flow"));
}

const char* ChakraBackendName(ChakraBackend b) {
  switch (b) {
    case ChakraBackend::kAstraAware: return "astra-aware";
    case ChakraBackend::kAstraUnaware: return "astra-unaware";
    case ChakraBackend::kFlow: return "flow";
  }
  return "?";
}

namespace {

bool Reduces(int op) {
  return op == chakra::ALL_REDUCE || op == chakra::REDUCE_SCATTER ||
         op == chakra::REDUCE_SCATTER_BLOCK;
}

}  // namespace

absl::Status CheckChakraCollective(int op) {
  switch (op) {
    case chakra::ALL_REDUCE:
    case chakra::ALL_GATHER:
    case chakra::REDUCE_SCATTER:
    case chakra::REDUCE_SCATTER_BLOCK:
    case chakra::ALL_TO_ALL:
    case chakra::BARRIER: return absl::OkStatus();
    default:
      return absl::UnimplementedError(
          absl::StrCat("comm_type ", op,
                       " (REDUCE, GATHER, SCATTER or BROADCAST) is not supported; accepted: "
                       "ALL_REDUCE 0, ALL_GATHER 2, ALL_TO_ALL 6, REDUCE_SCATTER 7/8, BARRIER 9"));
  }
}

double RingAlphaBetaNs(int op, int64_t size, int n, double b, double a) {
  if (n <= 1) return 0;
  const double m = static_cast<double>(size);
  switch (op) {
    case chakra::ALL_REDUCE: return 2.0 * (n - 1) * (m / n / b + a);
    case chakra::ALL_GATHER: return (n - 1) * (m / b + a);
    case chakra::BARRIER: return 2.0 * (n - 1) * a;
    default: return (n - 1) * (m / n / b + a);  // reduce-scatter, all-to-all
  }
}

double DirectAlphaBetaNs(int op, int64_t size, int n, double b, double a) {
  if (n <= 1) return 0;
  const double m = static_cast<double>(size);
  switch (op) {
    case chakra::ALL_REDUCE: return 2.0 * ((n - 1) * m / n / b + a);
    case chakra::ALL_GATHER: return (n - 1) * m / b + a;
    case chakra::BARRIER: return 2.0 * a;
    default: return (n - 1) * m / n / b + a;  // reduce-scatter, all-to-all
  }
}

absl::StatusOr<int64_t> AstraCollectiveCycles(int op, int64_t comm_size, const AstraDimension& dim,
                                              const AstraSystem& sys, bool aware) {
  if (auto s = CheckChakraCollective(op); !s.ok()) return s;
  const int n = dim.npus;
  const double chunk = static_cast<double>(comm_size) / sys.splits;
  const double step = op == chakra::ALL_GATHER ? chunk : chunk / n;
  int64_t k;
  switch (op) {
    case chakra::ALL_REDUCE:
    case chakra::BARRIER: k = 2 * (n - 1); break;
    case chakra::ALL_TO_ALL: k = static_cast<int64_t>(n) * (n - 1) / 2; break;
    default: k = n - 1; break;
  }
  const int64_t r = Reduces(op) ? n - 1 : 0;
  const double b = dim.bytes_per_ns, a = dim.latency_ns;
  const bool sw = dim.topology == AstraTopology::kSwitch;
  double hop;
  if (sw && aware) {
    hop = 2 * std::floor(a + step / b);  // store and forward: each of two links serialises the step
  } else if (sw) {
    hop = std::floor(2 * a + step / b);
  } else {
    hop = std::floor(a + step / b);
  }
  const double e = sys.endpoint_delay;
  const double per_chunk = k * (hop + e) + r * 3 * std::floor(step / sys.local_mem_bw) + e;
  const int64_t rounds = (sys.splits + sys.active_chunks - 1) / sys.active_chunks;
  double total = rounds * per_chunk;
  if (sw && aware && sys.active_chunks > 1) total += (sys.active_chunks - 1) * std::floor(step / b);
  if (!(total >= 0 && total < 9e18)) {
    return absl::InvalidArgumentError("collective duration outside the clock's range");
  }
  return static_cast<int64_t>(total);
}

absl::StatusOr<ClusterShape> FlowShapeOf(const AstraNetwork& network, Routing routing) {
  const auto& dims = network.dims;
  if (dims.size() > 2) {
    return absl::UnimplementedError(
        absl::StrCat("backend flow: networks of up to two dimensions (inside a node, across "
                     "nodes); this one has ",
                     dims.size()));
  }
  auto alpha = [](const AstraDimension& d) {
    return (d.topology == AstraTopology::kSwitch ? 2 : 1) * d.latency_ns * 1e-9;
  };
  ClusterShape s;
  s.fabric = FabricKind::kSingleSwitch;
  s.routing = routing;
  if (!network.mlsysim_fabric.empty()) {
    auto kind = ParseFabricKind(network.mlsysim_fabric);
    if (!kind.ok()) return kind.status();
    s.fabric = *kind;
    s.oversubscription = network.mlsysim_oversubscription;
    s.leaf_ports = network.mlsysim_leaf_ports;
  }
  if (!network.mlsysim_routing.empty()) {
    auto parsed = ParseRouting(network.mlsysim_routing);
    if (!parsed.ok()) return parsed.status();
    s.routing = *parsed;
  }
  if (dims.size() == 1) {
    s.nodes = dims[0].npus;
    s.gpus_per_node = 1;
    s.nic_bandwidth = dims[0].bytes_per_ns * 1e9;
    s.nic_latency = alpha(dims[0]);
  } else {
    s.gpus_per_node = dims[0].npus;
    s.nodes = dims[1].npus;
    s.nvlink_bandwidth = dims[0].bytes_per_ns * 1e9;
    s.nvlink_latency = alpha(dims[0]);
    s.nic_bandwidth = dims[1].bytes_per_ns * 1e9;
    s.nic_latency = alpha(dims[1]);
  }
  return s;
}

}  // namespace mlsysim
