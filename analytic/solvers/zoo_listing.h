// zoo_listing.h — the registries as mlsysim's records (`mlsysim -o json zoo
// KIND`, Python's mlsysim.Hardware / Models / Systems / Infra): one record per
// entry with mlsysim's field names in SI units, in the listing's order
// (accelerators by peak, models by size).
// Usage: absl::StatusOr<Record> r = ZooListing(registry, "hardware");
#ifndef MLSYSIM_ANALYTIC_SOLVERS_ZOO_LISTING_H_
#define MLSYSIM_ANALYTIC_SOLVERS_ZOO_LISTING_H_

#include <vector>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"
#include "topology/registry.h"
#include "traces/json_writer.h"

namespace mlsysim {

// The kinds ZooListing accepts, in `zoo`'s order.
inline constexpr const char* kZooKinds[] = {"hardware", "models", "systems", "grids", "constants"};

// {"hardware": [...]}, {"models": [...]}, {"clusters": [...], "fabrics": [...],
// "nodes": [...]}, {"grids": [...]} or {"constants": [...]}; InvalidArgument
// naming the accepted kinds, or the registry's error for a cluster that does
// not resolve.
absl::StatusOr<Record> ZooListing(const Registry& registry, absl::string_view kind);

// The listing orders: accelerators by peak (highest first), models by size.
std::vector<const Accelerator*> AcceleratorsByPeak(const Registry& registry);
std::vector<const ModelSpec*> ModelsBySize(const Registry& registry);
const char* ArchitectureName(Architecture a);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_SOLVERS_ZOO_LISTING_H_
