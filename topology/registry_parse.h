// registry_parse.h — internal helpers shared by registry.cc and
// registry_entries.cc: quantity fields as rates or SI values (never
// negative), errors prefixed with the entry, inserting an entry with its
// aliases. Not part of the registry's interface.
// Usage: auto bw = registry_internal::ParseRate(text, dims::kByteRate, "memory_bandwidth");
#ifndef MLSYSIM_TOPOLOGY_REGISTRY_PARSE_H_
#define MLSYSIM_TOPOLOGY_REGISTRY_PARSE_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "analytic/specs.h"
#include "analytic/units.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace mlsysim {
namespace registry_internal {

inline std::string Lower(absl::string_view s) { return absl::AsciiStrToLower(s); }

inline absl::StatusOr<Rate> ParseRate(const std::string& text, const Dimension& dim,
                                      absl::string_view field) {
  absl::StatusOr<Quantity> q = ParseQuantityAs(text, dim, field);
  if (!q.ok()) return q.status();
  if (q->si < 0) return absl::InvalidArgumentError(absl::StrCat(field, " must be >= 0"));
  return Rate{q->number, q->si, q->MsFactor()};
}

inline absl::StatusOr<double> ParseSi(const std::string& text, const Dimension& dim,
                                      absl::string_view field) {
  absl::StatusOr<Quantity> q = ParseQuantityAs(text, dim, field);
  if (!q.ok()) return q.status();
  if (q->si < 0) return absl::InvalidArgumentError(absl::StrCat(field, " must be >= 0"));
  return q->si;
}

// Inserts or replaces `entry` under `key` and its aliases.
template <typename T>
inline void Upsert(std::vector<T>& entries, absl::flat_hash_map<std::string, size_t>& index,
                   const std::string& key,
                   const google::protobuf::RepeatedPtrField<std::string>& aliases, T entry) {
  auto it = index.find(Lower(key));
  size_t pos;
  if (it != index.end()) {
    pos = it->second;
    entries[pos] = std::move(entry);
  } else {
    pos = entries.size();
    entries.push_back(std::move(entry));
  }
  index[Lower(key)] = pos;
  for (const std::string& a : aliases) index[Lower(a)] = pos;
}

inline absl::Status Annotate(const absl::Status& s, absl::string_view kind, absl::string_view key) {
  if (s.ok()) return s;
  return absl::InvalidArgumentError(absl::StrCat(kind, " '", key, "': ", s.message()));
}

}  // namespace registry_internal
}  // namespace mlsysim

#endif  // MLSYSIM_TOPOLOGY_REGISTRY_PARSE_H_
