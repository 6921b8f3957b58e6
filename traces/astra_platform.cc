// astra_platform.cc — ASTRA-sim network YAML and system JSON readers (see
// astra_platform.h). Every error names the file, the key and what is accepted.
#include "traces/astra_platform.h"


#include <cmath>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "proto/chakra.pb.h"
#include "traces/small_file.h"
#include "yaml-cpp/yaml.h"

namespace mlsysim {
namespace {

absl::Status Bad(const std::string& path, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(path, ": ", what));
}

absl::Status CheckRegularFile(const std::string& path) {
  return CheckReadableFile(path, "ASTRA-sim input", 16 << 20);
}

}  // namespace

const char* AstraTopologyName(AstraTopology t) {
  switch (t) {
    case AstraTopology::kRing: return "Ring";
    case AstraTopology::kSwitch: return "Switch";
    case AstraTopology::kFullyConnected: return "FullyConnected";
  }
  return "?";
}

int64_t AstraNetwork::npus() const {
  int64_t n = 1;
  for (const AstraDimension& d : dims) n *= d.npus;
  return n;
}

absl::StatusOr<AstraNetwork> ReadAstraNetwork(const std::string& path) {
  if (auto s = CheckRegularFile(path); !s.ok()) return s;
  AstraNetwork net;
  try {
    const YAML::Node root = YAML::LoadFile(path);
    if (!root.IsMap())
      return Bad(path, "expected a map with topology, npus_count, bandwidth, latency");
    auto list = [&](const char* key) -> absl::StatusOr<YAML::Node> {
      const YAML::Node n = root[key];
      if (!n) return Bad(path, absl::StrCat(key, ": missing"));
      if (!n.IsSequence() || n.size() == 0) {
        return Bad(path, absl::StrCat(key, ": expected a non-empty list, one entry per dimension"));
      }
      return n;
    };
    auto topo = list("topology");
    if (!topo.ok()) return topo.status();
    auto npus = list("npus_count");
    if (!npus.ok()) return npus.status();
    auto bw = list("bandwidth");
    if (!bw.ok()) return bw.status();
    auto lat = list("latency");
    if (!lat.ok()) return lat.status();
    const size_t dims = topo->size();
    if (npus->size() != dims || bw->size() != dims || lat->size() != dims) {
      return Bad(
          path,
          "topology, npus_count, bandwidth and latency must list the same number of dimensions");
    }
    if (dims > 8) return Bad(path, "more than 8 dimensions");
    int64_t total = 1;
    for (size_t i = 0; i < dims; ++i) {
      AstraDimension d;
      const std::string t = absl::AsciiStrToLower((*topo)[i].as<std::string>());
      if (t == "ring")
        d.topology = AstraTopology::kRing;
      else if (t == "switch")
        d.topology = AstraTopology::kSwitch;
      else if (t == "fullyconnected" || t == "fully_connected")
        d.topology = AstraTopology::kFullyConnected;
      else
        return Bad(path, absl::StrCat("topology[", i, "]: unknown '", (*topo)[i].as<std::string>(),
                                      "'; accepted: Ring, Switch, FullyConnected"));
      const long long n = (*npus)[i].as<long long>();
      if (n < 2 || n > (1 << 20)) {
        return Bad(path, absl::StrCat("npus_count[", i, "]: must lie in [2, 1048576]; got ", n));
      }
      d.npus = static_cast<int>(n);
      total *= n;
      if (total > (1 << 20)) return Bad(path, "npus_count: more than 1,048,576 NPUs in all");
      d.bandwidth_gb_s = (*bw)[i].as<double>();
      if (!(d.bandwidth_gb_s >= 1e-3 && d.bandwidth_gb_s <= 1e9)) {
        return Bad(path, absl::StrCat("bandwidth[", i, "]: must lie in [0.001, 1e9] GB/s; got ",
                                      d.bandwidth_gb_s));
      }
      d.bytes_per_ns = d.bandwidth_gb_s * 1073741824.0 / 1e9;
      d.latency_ns = (*lat)[i].as<double>();
      if (!(d.latency_ns >= 0 && d.latency_ns <= 1e12)) {
        return Bad(path,
                   absl::StrCat("latency[", i, "]: must lie in [0, 1e12] ns; got ", d.latency_ns));
      }
      net.dims.push_back(d);
    }
    if (const YAML::Node f = root["mlsysim_fabric"]) net.mlsysim_fabric = f.as<std::string>();
    if (const YAML::Node f = root["mlsysim_routing"]) net.mlsysim_routing = f.as<std::string>();
    if (const YAML::Node f = root["mlsysim_oversubscription"]) {
      net.mlsysim_oversubscription = f.as<double>();
      if (!(net.mlsysim_oversubscription >= 1 && net.mlsysim_oversubscription <= 1024)) {
        return Bad(path, "mlsysim_oversubscription: must lie in [1, 1024]");
      }
    }
    if (const YAML::Node f = root["mlsysim_leaf_ports"]) {
      net.mlsysim_leaf_ports = f.as<int>();
      if (net.mlsysim_leaf_ports < 1 || net.mlsysim_leaf_ports > 65536) {
        return Bad(path, "mlsysim_leaf_ports: must lie in [1, 65536]");
      }
    }
  } catch (const YAML::Exception& e) {
    return Bad(path, absl::StrCat(e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
  return net;
}

absl::StatusOr<AstraImplementation> ParseAstraImplementation(const std::string& name) {
  constexpr const char* kAccepted =
      "accepted: ring, direct, directK (K >= 1 messages in flight, e.g. direct4)";
  AstraImplementation impl;
  impl.name = name;
  if (name == "ring") return impl;
  impl.kind = AstraImplementation::kDirect;
  if (name == "direct") return impl;
  if (absl::StartsWith(name, "direct")) {
    int window = 0;
    // ASTRA-sim reads up to five digits after "direct".
    const std::string digits = name.substr(6);
    if (digits.size() <= 5 && absl::SimpleAtoi(digits, &window) && window >= 1 &&
        digits.find_first_not_of("0123456789") == std::string::npos) {
      impl.window = window;
      return impl;
    }
  }
  return absl::InvalidArgumentError(absl::StrCat("'", name, "' is not modelled; ", kAccepted));
}

AstraImplementation AstraSystem::ImplementationFor(int comm_type) const {
  const std::vector<AstraImplementation>* list = &all_reduce;
  switch (comm_type) {
    case chakra::ALL_GATHER: list = &all_gather; break;
    case chakra::REDUCE_SCATTER:
    case chakra::REDUCE_SCATTER_BLOCK: list = &reduce_scatter; break;
    case chakra::ALL_TO_ALL: list = &all_to_all; break;
    default: break;
  }
  return list->empty() ? AstraImplementation{} : list->front();
}

absl::StatusOr<AstraSystem> ReadAstraSystem(const std::string& path) {
  if (auto s = CheckRegularFile(path); !s.ok()) return s;
  std::ifstream in(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in, nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::exception& e) {
    return Bad(path, absl::StrCat("not valid JSON: ", e.what()));
  }
  if (!j.is_object()) return Bad(path, "expected a JSON object");
  AstraSystem s;
  auto number = [&](const char* key, double lo, double hi, double* out) -> absl::Status {
    if (!j.contains(key)) return absl::OkStatus();
    const auto& v = j.at(key);
    if (!v.is_number()) return Bad(path, absl::StrCat(key, ": expected a number"));
    const double x = v.get<double>();
    if (!(x >= lo && x <= hi))
      return Bad(path, absl::StrCat(key, ": must lie in [", lo, ", ", hi, "]; got ", x));
    *out = x;
    return absl::OkStatus();
  };
  double splits = 1, active = 1, roofline = 0;
  for (auto st : {number("preferred-dataset-splits", 1, 1 << 20, &splits),
                  number("active-chunks-per-dimension", 1, 1 << 20, &active),
                  number("endpoint-delay", 0, 1e12, &s.endpoint_delay),
                  number("local-mem-bw", 1e-6, 1e30, &s.local_mem_bw),
                  number("peak-perf", 0, 1e12, &s.peak_perf_tflops),
                  number("roofline-enabled", 0, 1, &roofline)}) {
    if (!st.ok()) return st;
  }
  if (splits != std::floor(splits) || active != std::floor(active)) {
    return Bad(path, "preferred-dataset-splits and active-chunks-per-dimension must be integers");
  }
  s.splits = static_cast<int>(splits);
  s.active_chunks = static_cast<int>(active);
  s.roofline_enabled = roofline != 0;
  auto impls = [&](const char* key, std::vector<AstraImplementation>* out) -> absl::Status {
    if (!j.contains(key)) return absl::OkStatus();
    const auto& v = j.at(key);
    if (!v.is_array())
      return Bad(path, absl::StrCat(key, ": expected a list of names, one per dimension"));
    for (const auto& x : v) {
      if (!x.is_string()) return Bad(path, absl::StrCat(key, ": expected strings"));
      auto impl = ParseAstraImplementation(x.get<std::string>());
      if (!impl.ok()) return Bad(path, absl::StrCat(key, ": ", impl.status().message()));
      out->push_back(*impl);
    }
    return absl::OkStatus();
  };
  for (auto st : {impls("all-reduce-implementation", &s.all_reduce),
                  impls("all-gather-implementation", &s.all_gather),
                  impls("reduce-scatter-implementation", &s.reduce_scatter),
                  impls("all-to-all-implementation", &s.all_to_all)}) {
    if (!st.ok()) return st;
  }
  return s;
}

}  // namespace mlsysim
