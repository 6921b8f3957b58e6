// failure_presets.h — failure processes for a training cluster: mlsysim's
// registry MTTFs (GPU 50,000 h, NIC 150,000 h, PSU 100,000 h) or the Llama 3
// 405B pre-training cause table (Meta, 2024: 419 unexpected interruptions in
// 54 days on 16,384 H100s), scaled per component to any cluster size.
// Usage: std::vector<FailureCause> causes = FailurePreset("llama3", nodes, 8);
#ifndef MLSYSIM_WORKLOADS_FAILURE_PRESETS_H_
#define MLSYSIM_WORKLOADS_FAILURE_PRESETS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlsysim {

struct FailureCause {
  std::string cause;         // e.g. "Faulty GPU"
  std::string component;     // gpu | hbm | nic | psu | switch | link | host | software
  int components = 0;        // how many of them in the cluster
  double rate_per_hour = 0;  // per component
  double weibull_shape = 0;  // 0: exponential; otherwise Weibull with this shape
  bool node_level = true;    // the failure takes its node down
};

// "none", "registry" or "llama3". `weibull_shape` > 0 turns every process into
// a Weibull renewal process with the same mean.
absl::StatusOr<std::vector<FailureCause>> FailurePreset(absl::string_view name, int nodes,
                                                        int gpus_per_node,
                                                        double weibull_shape = 0);

// Total failure rate (per hour) of a set of causes.
double TotalRatePerHour(const std::vector<FailureCause>& causes);

}  // namespace mlsysim

#endif  // MLSYSIM_WORKLOADS_FAILURE_PRESETS_H_
