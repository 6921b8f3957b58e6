// router.cc — see router.h.
#include "sim/serving/router.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mlsysim {

absl::StatusOr<RouterPolicy> ParseRouter(const std::string& name) {
  if (name == "rr") return RouterPolicy::kRoundRobin;
  if (name == "lor") return RouterPolicy::kLeastOutstanding;
  if (name == "jsq-kv") return RouterPolicy::kJoinShortestKv;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown router policy '", name, "'; accepted: rr, lor, jsq-kv"));
}

}  // namespace mlsysim
