// router.h — which replica a request goes to: round robin, least outstanding
// requests, or join-shortest-KV (fewest KV blocks held plus queued). The
// router sees replicas only through the load callbacks it is given.
// Usage: Router r(RouterPolicy::kLeastOutstanding);
//        int rep = r.Pick(0, n, [&](int i) { return outstanding[i]; }, kv_load);
#ifndef MLSYSIM_SIM_SERVING_ROUTER_H_
#define MLSYSIM_SIM_SERVING_ROUTER_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace mlsysim {

enum class RouterPolicy { kRoundRobin, kLeastOutstanding, kJoinShortestKv };
absl::StatusOr<RouterPolicy> ParseRouter(const std::string& name);

class Router {
 public:
  explicit Router(RouterPolicy policy) : policy_(policy) {}
  // A replica in [lo, hi); `pool` (0 or 1) keeps separate round-robin
  // counters for the prefill and decode pools. Ties go to the lowest index.
  template <class Outstanding, class KvLoad>
  int Pick(int lo, int hi, int pool, const Outstanding& outstanding, const KvLoad& kv_load) {
    switch (policy_) {
      case RouterPolicy::kRoundRobin: return lo + static_cast<int>(rr_[pool]++ % (hi - lo));
      case RouterPolicy::kLeastOutstanding: return Lowest(lo, hi, outstanding);
      case RouterPolicy::kJoinShortestKv: return Lowest(lo, hi, kv_load);
    }
    return lo;
  }

 private:
  template <class Load>
  static int Lowest(int lo, int hi, const Load& load) {
    int best = lo;
    int64_t best_load = load(lo);
    for (int i = lo + 1; i < hi; ++i) {
      const int64_t l = load(i);
      if (l < best_load) {
        best = i;
        best_load = l;
      }
    }
    return best;
  }

  RouterPolicy policy_;
  uint64_t rr_[2] = {0, 0};
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SERVING_ROUTER_H_
