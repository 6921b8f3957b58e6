// resolve.cc — scenario defaults, vocabularies and cluster resolution (see resolve.h).
#include "sim/scenario/resolve.h"

#include "absl/strings/str_cat.h"
#include "topology/hf_config.h"

namespace mlsysim {

std::string CheckHardwareModel(const std::string& text) {
  if (text.empty() || text == "calibrated" || text == "roofline") return "";
  return absl::StrCat("cluster.hardware_model: unknown '", text,
                      "'; accepted: calibrated (default where the accelerator has a machine "
                      "model), roofline");
}

absl::StatusOr<std::optional<KernelModel>> ResolveHardwareModel(const std::string& text,
                                                                const Registry& reg,
                                                                const Accelerator& hw,
                                                                bool efficiency_given) {
  if (text == "roofline" || (text.empty() && efficiency_given)) return std::optional<KernelModel>();
  if (text.empty()) {
    // The default: the calibrated machine where the accelerator has one.
    const KernelModel* km = reg.FindMachine(hw.key);
    return km == nullptr ? std::optional<KernelModel>() : std::optional<KernelModel>(*km);
  }
  if (const std::string e = CheckHardwareModel(text); !e.empty()) {
    return absl::InvalidArgumentError(e);
  }
  const KernelModel* km = reg.FindMachine(hw.key);
  if (km == nullptr) {
    std::string have;
    for (const Accelerator& a : reg.accelerators())
      if (reg.FindMachine(a.key) != nullptr) absl::StrAppend(&have, have.empty() ? "" : ", ", a.key);
    return absl::InvalidArgumentError(absl::StrCat(
        "cluster.hardware_model: calibrated, but accelerator '", hw.key,
        "' has no machine model (calibrated: ", have.empty() ? "none" : have,
        "); fit one with `mlsysim calibrate` and pass it with --registry, or use roofline"));
  }
  return std::optional<KernelModel>(*km);
}

std::string CheckPrecision(const std::string& text, const char* field) {
  if (text.empty() || IsKnownPrecision(text)) return "";
  return absl::StrCat(field, ": unknown precision '", text, "'; accepted: ", kKnownPrecisions);
}

absl::StatusOr<ResolvedCluster> ResolveCluster(const scenario::Cluster& c,
                                               const Registry* registry_or_null) {
  auto builtin = registry_or_null == nullptr ? Registry::Builtin() : nullptr;
  if (registry_or_null == nullptr && !builtin.ok()) return builtin.status();
  const Registry& registry = registry_or_null != nullptr ? *registry_or_null : **builtin;
  ResolvedCluster out;
  if (!c.registry_name().empty()) {
    auto fleet = registry.FindFleet(c.registry_name());
    if (!fleet.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("cluster.registry_name: ", fleet.status().message()));
    }
    out.node_key = fleet->node.key;
    out.node = fleet->node;
    out.nodes = fleet->count;
  } else {
    out.node_key = c.node().empty() ? ScenarioDefaults::kNode : c.node();
    auto node = registry.FindNode(out.node_key);
    if (!node.ok())
      return absl::InvalidArgumentError(absl::StrCat("cluster.node: ", node.status().message()));
    out.node = *node;
    out.nodes = c.nodes();
  }
  out.gpus_per_node = out.node.accelerators_per_node;
  out.gpus = out.nodes * out.gpus_per_node;
  if (out.gpus > kMaxAccelerators) {
    return absl::InvalidArgumentError(
        absl::StrCat("cluster.nodes x ", out.gpus_per_node, " GPUs per ", out.node_key, " = ",
                     out.gpus, "; at most ", kMaxAccelerators, " are accepted"));
  }
  return out;
}

absl::StatusOr<ModelSpec> ResolveModel(const Registry& registry, const std::string& name,
                                       const char* field) {
  auto model =
      IsHuggingFaceConfigPath(name) ? LoadHuggingFaceConfig(name) : registry.FindModel(name);
  if (!model.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", model.status().message()));
  }
  return model;
}

}  // namespace mlsysim
