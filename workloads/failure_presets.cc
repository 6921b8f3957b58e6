// failure_presets.cc — the failure presets (see failure_presets.h).
#include "workloads/failure_presets.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mlsysim {
namespace {

// Llama 3 405B, 54-day snapshot, 16,384 GPUs on 2,048 nodes (validation_targets.md §3).
struct Llama3Row {
  const char* cause;
  const char* component;
  int count;
  bool per_gpu;
};
constexpr Llama3Row kLlama3[] = {
    {"Faulty GPU", "gpu", 148, true},
    {"GPU HBM3 memory", "hbm", 72, true},
    {"Software bug", "software", 54, false},
    {"Network switch/cable", "switch", 35, false},
    {"Host maintenance", "host", 32, false},
    {"GPU SRAM memory", "gpu", 19, true},
    {"GPU system processor", "gpu", 17, true},
    {"NIC", "nic", 7, true},
    {"NCCL watchdog timeout", "software", 7, false},
    {"Silent data corruption", "gpu", 6, true},
    {"GPU thermal interface/sensor", "gpu", 6, true},
    {"SSD", "host", 3, false},
    {"Power supply", "psu", 3, false},
    {"Server chassis", "host", 2, false},
    {"IO expansion board", "host", 2, false},
    {"Dependency", "software", 2, false},
    {"CPU", "host", 2, false},
    {"System memory", "host", 2, false},
};
constexpr double kLlama3Hours = 54 * 24.0;
constexpr int kLlama3Gpus = 16384, kLlama3Nodes = 2048;

}  // namespace

absl::StatusOr<std::vector<FailureCause>> FailurePreset(absl::string_view name, int nodes,
                                                        int gpus_per_node, double shape) {
  if (nodes < 1 || gpus_per_node < 1) return absl::InvalidArgumentError("empty cluster");
  if (shape < 0) return absl::InvalidArgumentError("failures.weibull_shape must be > 0");
  std::vector<FailureCause> causes;
  const int gpus = nodes * gpus_per_node;
  if (name == "none") return causes;
  if (name == "registry") {
    causes.push_back({"GPU failure", "gpu", gpus, 1.0 / 50000, shape, true});
    causes.push_back({"NIC failure", "nic", gpus, 1.0 / 150000, shape, true});
    causes.push_back({"PSU failure", "psu", 2 * nodes, 1.0 / 100000, shape, true});
    return causes;
  }
  if (name == "llama3") {
    for (const Llama3Row& row : kLlama3) {
      const double per_component =
          row.count / (kLlama3Hours * (row.per_gpu ? kLlama3Gpus : kLlama3Nodes));
      causes.push_back(
          {row.cause, row.component, row.per_gpu ? gpus : nodes, per_component, shape, true});
    }
    return causes;
  }
  return absl::InvalidArgumentError(absl::StrCat("failures.preset: unknown preset '", name,
                                                 "'; accepted: none, registry, llama3"));
}

double TotalRatePerHour(const std::vector<FailureCause>& causes) {
  double total = 0;
  for (const FailureCause& c : causes) total += c.components * c.rate_per_hour;
  return total;
}

}  // namespace mlsysim
