// plan.h — mlsysim's YAML plan (`mlsys.yaml`): workload, hardware, ops and
// constraint assertions (contract §5).
// Usage: absl::StatusOr<Plan> plan = LoadPlan("mlsys.yaml");
#ifndef MLSYSIM_CLI_PLAN_H_
#define MLSYSIM_CLI_PLAN_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analytic/specs.h"

namespace mlsysim {

struct PlanAssertion {
  std::string metric;  // "<level>.<key>", level in feasibility | performance | macro
  std::optional<double> min, max;
};

struct Plan {
  std::string version = "1.0";
  std::string name;
  std::string model;
  int batch_size = 1;
  int seq_len = 2048;
  std::string hardware;
  int nodes = 1;
  std::string precision = "fp16";
  double efficiency = 0.5;
  std::string region = "US_Avg";
  double duration_days = 30.0;
  bool has_ops = false;
  std::vector<PlanAssertion> assertions;
};

absl::StatusOr<Plan> LoadPlan(const std::string& path);
// The same from YAML text; `origin` names it in messages.
absl::StatusOr<Plan> ParsePlan(const std::string& text, const std::string& origin);

// The fleet a plan with nodes > 1 describes: nodes // 8 DGX-style nodes of 8
// accelerators, 900 GB/s inside a node, a 50 GB/s "Default IB" fabric.
FleetSpec PlanFleet(const Plan& plan, const Accelerator& hw);

}  // namespace mlsysim

#endif  // MLSYSIM_CLI_PLAN_H_
