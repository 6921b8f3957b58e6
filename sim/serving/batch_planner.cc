// batch_planner.cc — see batch_planner.h.
#include "sim/serving/batch_planner.h"

#include <algorithm>

namespace mlsysim {

// Preempts the most recently admitted running request (recompute or swap).
int BatchPlanner::Preempt(ReplicaState& r) {
  auto it = std::max_element(r.running.begin(), r.running.end(),
                             [&](int a, int b) { return reqs_[a].admit_seq < reqs_[b].admit_seq; });
  const int victim = *it;
  r.running.erase(it);
  RequestState& v = reqs_[victim];
  Release(r, v);
  v.running = false;
  if (c_.swap_preemption && v.prefilled >= v.target) {
    v.swapped = true;  // keeps its progress; the copy out costs host-link time
    swap_s_ += kv_per_token_ * (v.input + v.generated) / swap_bw_;
  } else {
    v.target = v.input + v.generated;
    v.prefilled = 0;
  }
  ++v.preemptions;
  ++out_->preemptions;
  --r.running_by_tenant[v.tenant];
  r.waiting[v.tenant].push_front(victim);
  ++r.waiting_count;
  return victim;
}

double BatchPlanner::Fill(ReplicaState& r) {
  const bool reserve = c_.reserve_output && !r.prefill_only;
  swap_s_ = 0;
  r.decodes.clear();
  r.chunks.clear();
  int tokens = 0;
  // 1. One decode token for every prefilled running request.
  snapshot_.assign(r.running.begin(), r.running.end());  // preemption edits r.running
  for (int i : snapshot_) {
    RequestState& q = reqs_[i];
    if (!q.running || q.prefilled < q.target) continue;
    while (q.running && !Grow(r, q, q.input + q.generated)) {
      if (Preempt(r) == i) break;
    }
    if (!q.running) continue;
    r.decodes.push_back(i);
    ++tokens;
  }
  // With chunked prefill the chunk size is the iteration's token budget
  // (decodes first, then prefill chunks), as in vLLM.
  const int budget = c_.chunked_prefill_tokens > 0 ? std::max(c_.chunked_prefill_tokens, tokens + 1)
                                                   : c_.max_batched_tokens;
  const int chunk_cap = c_.chunked_prefill_tokens > 0 ? c_.chunked_prefill_tokens : 1 << 30;
  // 2. Continue chunked prefills.
  for (int i : r.running) {
    RequestState& q = reqs_[i];
    if (q.prefilled >= q.target) continue;
    const int chunk = std::min({q.target - q.prefilled, chunk_cap, budget - tokens});
    if (chunk <= 0) break;
    if (!Grow(r, q, q.prefilled + chunk)) continue;
    r.chunks.push_back({i, chunk});
    tokens += chunk;
  }
  // 3. Admit waiting requests: the highest-priority tenant under its limit
  //    first, then first come first served.
  while (r.waiting_count > 0 && static_cast<int>(r.running.size()) < c_.max_batch) {
    const int t = NextTenant(r);
    if (t < 0) break;
    const int i = r.waiting[t].front();
    RequestState& q = reqs_[i];
    if (q.prefilled >= q.target) {
      // Its KV cache arrived from a prefill replica, or comes back from host
      // memory: admit it to decode now.
      if (!Grow(r, q, reserve ? q.input + q.output : q.input + q.generated)) break;
      if (q.swapped) {
        swap_s_ += kv_per_token_ * (q.input + q.generated) / swap_bw_;
        q.swapped = false;
      }
      r.waiting[t].pop_front();
      --r.waiting_count;
      ++r.running_by_tenant[t];
      q.running = true;
      q.admit_seq = ++admit_seq_;
      r.running.push_back(i);
      r.decodes.push_back(i);
      ++tokens;
      continue;
    }
    const int remaining = q.target - q.prefilled;
    int chunk = std::min(remaining, chunk_cap);
    const bool too_long = remaining > c_.max_batched_tokens;
    if (c_.chunked_prefill_tokens > 0 || too_long) chunk = std::min(chunk, budget - tokens);
    if (chunk <= 0 || tokens + chunk > budget) break;
    if (!Grow(r, q, reserve ? q.input + q.output : q.prefilled + chunk)) break;
    r.waiting[t].pop_front();
    --r.waiting_count;
    ++r.running_by_tenant[t];
    q.running = true;
    q.admit_seq = ++admit_seq_;
    if (q.start < 0) q.start = r.t;
    r.running.push_back(i);
    r.chunks.push_back({i, chunk});
    tokens += chunk;
    if (too_long && c_.chunked_prefill_tokens == 0 && q.prefilled == 0) ++out_->split_prompts;
  }
  return swap_s_;
}

int BatchPlanner::NextTenant(const ReplicaState& r) const {
  int best = -1;
  for (int t = 0; t < tenants_; ++t) {
    if (r.waiting[t].empty()) continue;
    if (t < static_cast<int>(c_.tenants.size()) && c_.tenants[t].max_running > 0 &&
        r.running_by_tenant[t] >= c_.tenants[t].max_running)
      continue;
    if (best < 0) {
      best = t;
      continue;
    }
    const int pb = best < static_cast<int>(c_.tenants.size()) ? c_.tenants[best].priority : 0;
    const int pt = t < static_cast<int>(c_.tenants.size()) ? c_.tenants[t].priority : 0;
    if (pt > pb ||
        (pt == pb && reqs_[r.waiting[t].front()].arrival < reqs_[r.waiting[best].front()].arrival))
      best = t;
  }
  return best;
}

}  // namespace mlsysim
