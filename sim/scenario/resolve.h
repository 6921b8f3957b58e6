// resolve.h — the start of the typed configuration (issue 19): the scenario
// defaults in one table, closed vocabularies checked where the scenario is
// checked, and a cluster resolved once against the registry (its node spec,
// and so its GPUs per node, instead of an assumed 8).
//
// Every error names the scenario field path; the CLI adds the flag.
// Usage:
//   auto c = ResolveCluster(s.cluster(), rc.registry.get());   // c->gpus, c->gpus_per_node
//   std::string e = CheckPrecision(s.training().precision(), "training.precision");
#ifndef MLSYSIM_SIM_SCENARIO_RESOLVE_H_
#define MLSYSIM_SIM_SCENARIO_RESOLVE_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "analytic/specs.h"
#include "proto/scenario.pb.h"
#include "topology/registry.h"

namespace mlsysim {

// What an unset scenario field means (proto3 zero / empty), in one place.
struct ScenarioDefaults {
  static constexpr const char* kNode = "DGX_H100";
  static constexpr const char* kFabric = "InfiniBand_NDR";
  static constexpr const char* kTrainingPrecision = "bf16";  // what training runs in
  static constexpr const char* kServingPrecision = "fp16";   // mlsysim's ServingModel default
  static constexpr int kTrainingReplications = 1;
  static constexpr int kServingReplications = 1;  // a trace replays once
  static constexpr int kQueueReplications = 10;
  static constexpr int kJobReplications = 5;
};

// "" or "cluster.hardware_model: unknown 'x'; accepted: ..." (empty text,
// the default, is accepted).
std::string CheckHardwareModel(const std::string& text);

// cluster.hardware_model for an accelerator: nullopt for roofline, the
// registry's machine model for calibrated; unset: calibrated where the
// accelerator has a machine model, unless the workload gives a compute
// efficiency (`efficiency_given`: an η is the roofline machine's parameter).
// InvalidArgument naming the field for another word, or calibrated on an
// accelerator without a profile.
absl::StatusOr<std::optional<KernelModel>> ResolveHardwareModel(const std::string& text,
                                                                const Registry& reg,
                                                                const Accelerator& hw,
                                                                bool efficiency_given = false);

// "" or "FIELD: unknown precision 'fp7'; accepted: fp32, ...". Empty text
// (the default) is accepted.
std::string CheckPrecision(const std::string& text, const char* field);

// A model: a registry key, or a Hugging Face config.json path (relative to
// the working directory), read with its shape (topology/hf_config.h).
// Errors start with `field`.
absl::StatusOr<ModelSpec> ResolveModel(const Registry& registry, const std::string& name,
                                       const char* field);

// A scenario cluster with its registry entries looked up.
struct ResolvedCluster {
  std::string node_key;  // registry node
  NodeSpec node;
  int gpus_per_node = 1;  // from the node spec
  int64_t nodes = 0;      // cluster.nodes, or the registry cluster's count
  int64_t gpus = 0;       // nodes × gpus_per_node (≤ kMaxAccelerators)
};

// `cluster.registry_name` (a registry cluster: its node and node count) or
// `cluster.node` (default DGX_H100) × `cluster.nodes`. Errors name the field.
// A null registry means the built-in one.
absl::StatusOr<ResolvedCluster> ResolveCluster(const scenario::Cluster& c,
                                               const Registry* registry);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SCENARIO_RESOLVE_H_
