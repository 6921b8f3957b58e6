// registry.h — the hardware, model, node, fabric, cluster and grid registries.
//
// The mlsysim v0.1.1 entries are protobuf text files compiled into the binary
// (topology/data/*.textproto, models included); users add or
// override entries at run time with `--registry FILE`. Names resolve the way
// mlsysim users type them: "H100", "Hardware.H100", "Hardware.Cloud.H100",
// "Models.Language.Llama3_8B", "Systems.Clusters.Research_256", "Infra.Quebec",
// and aliases ("GB200_NVL72"). Unknown names fail with the closest matches.
// Usage: auto reg = Registry::Builtin(); auto hw = reg->FindAccelerator("H100");
#ifndef MLSYSIM_TOPOLOGY_REGISTRY_H_
#define MLSYSIM_TOPOLOGY_REGISTRY_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "absl/strings/string_view.h"

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "analytic/kernel_model.h"
#include "analytic/specs.h"
#include "proto/registry.pb.h"

namespace mlsysim {

// Size limits every input path enforces (a registry file, a scenario, flags):
// beyond them counts would overflow or a run would not finish.
inline constexpr int kMaxClusterNodes = 1 << 21;      // 2,097,152 nodes
inline constexpr int64_t kMaxAccelerators = 1 << 24;  // 16,777,216 accelerators

class Registry {
 public:
  // The compiled-in mlsysim v0.1.1 registry. Parsed once per process.
  static absl::StatusOr<std::shared_ptr<const Registry>> Builtin();
  // A copy of the built-in registry with a user file layered on top.
  static absl::StatusOr<std::shared_ptr<const Registry>> WithFile(const std::string& path);

  // Adds (or replaces, by key) every entry of a text-format Registry. `origin`
  // names the source in error messages. Entries are validated: every quantity
  // must parse with the right dimension.
  absl::Status AddText(absl::string_view text, absl::string_view origin);

  absl::StatusOr<Accelerator> FindAccelerator(absl::string_view name) const;
  absl::StatusOr<ModelSpec> FindModel(absl::string_view name) const;
  absl::StatusOr<NodeSpec> FindNode(absl::string_view name) const;
  absl::StatusOr<FabricSpec> FindFabric(absl::string_view name) const;
  absl::StatusOr<FleetSpec> FindFleet(absl::string_view name) const;
  absl::StatusOr<GridSpec> FindGrid(absl::string_view name) const;

  // Entries in registry order (built-in order, user additions last).
  const std::vector<Accelerator>& accelerators() const { return accelerators_; }
  const std::vector<ModelSpec>& models() const { return models_; }
  const std::vector<registry::Node>& nodes() const { return nodes_; }
  const std::vector<FabricSpec>& fabrics() const { return fabrics_; }
  const std::vector<registry::Cluster>& clusters() const { return clusters_; }
  const std::vector<GridSpec>& grids() const { return grids_; }
  const std::vector<registry::Constant>& constants() const { return constants_; }
  // The calibrated machine model of an accelerator (registry `machine`
  // entries, keyed by the accelerator's registry key), or nullptr.
  const KernelModel* FindMachine(absl::string_view accelerator_key) const;
  // Entries a user file replaced ("hardware 'H100'"), for the CLI to report.
  const std::vector<std::string>& overridden() const { return overridden_; }

 private:
  absl::Status AddAccelerator(const registry::Accelerator& a);
  absl::Status AddModel(const registry::Model& m);
  absl::Status AddFabric(const registry::Fabric& f);
  absl::Status AddGrid(const registry::Grid& g);
  absl::StatusOr<FleetSpec> ResolveCluster(const registry::Cluster& c) const;
  absl::StatusOr<NodeSpec> ResolveNode(const registry::Node& n) const;

  std::vector<Accelerator> accelerators_;
  std::vector<ModelSpec> models_;
  std::vector<registry::Node> nodes_;
  std::vector<FabricSpec> fabrics_;
  std::vector<registry::Cluster> clusters_;
  std::vector<GridSpec> grids_;
  std::vector<registry::Constant> constants_;
  absl::flat_hash_map<std::string, KernelModel> machines_;  // by accelerator key
  // Lookup name (key or alias) -> position in the vector above.
  absl::flat_hash_map<std::string, size_t> accelerator_index_, model_index_, node_index_,
      fabric_index_, cluster_index_, grid_index_;
  std::vector<std::string> overridden_;
};

// The last dotted component ("Hardware.Cloud.H100" -> "H100").
absl::string_view StripNamespace(absl::string_view name);

// Up to `limit` keys closest to `name` (edit distance, case-insensitive), for
// "did you mean" messages.
std::vector<std::string> ClosestNames(absl::string_view name, const std::vector<std::string>& keys,
                                      size_t limit = 3);

// The one key a typo most likely meant: the closest (edit distance,
// case-insensitive) when within max(2, |name|/3) edits, otherwise "" (no
// suggestion is better than a wrong one). "--qsp" -> "--qps".
std::string DidYouMean(absl::string_view name, const std::vector<std::string>& keys);

}  // namespace mlsysim

#endif  // MLSYSIM_TOPOLOGY_REGISTRY_H_
