// batch_planner.h — one replica's continuous-batching scheduler, the state it
// works on, and nothing of time or events: each iteration it gives every
// running, prefilled request a decode token (allocating a KV block when a
// sequence crosses a block boundary, preempting the most recently admitted
// request — recompute or swap — when no block is free), continues chunked
// prefills, and admits waiting requests by tenant priority, then first come
// first served, while the batch size, the token budget and the free KV blocks
// allow. Under `reserve_output` (TensorRT-LLM's GUARANTEED_NO_EVICT) admission
// reserves the prompt and the whole output, so nothing is ever preempted (a
// prefill-only replica reserves the prompt: the output is decoded elsewhere).
// ServingModelSim (serving_sim.cc) costs and times the batch it fills.
// Usage: BatchPlanner planner(config, &requests, tenants, kv_bytes_per_token, swap_bw, &result);
//        const double swap_s = planner.Fill(replica);  // replica.decodes, replica.chunks
#ifndef MLSYSIM_SIM_SERVING_BATCH_PLANNER_H_
#define MLSYSIM_SIM_SERVING_BATCH_PLANNER_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "sim/serving/kv_block_pool.h"
#include "sim/serving/serving_sim.h"

namespace mlsysim {

// One request as the replica holding it sees it.
struct RequestState {
  int input = 0, output = 0, replica = 0, tenant = 0;
  int target = 0;  // tokens to prefill (the prompt, or prompt + generated after preemption)
  int prefilled = 0, generated = 0, blocks = 0, preemptions = 0;
  int64_t admit_seq = 0;
  double arrival = 0, start = -1, first_token = -1, last_token = 0, first_itl = -1, finish = -1;
  bool running = false;
  bool swapped = false;  // KV cache in host memory (swap preemption)
};

// One replica: its queues, its running batch, its KV blocks.
struct ReplicaState {
  std::vector<std::deque<int>> waiting;  // per tenant
  std::vector<int> running_by_tenant;
  size_t waiting_count = 0;
  std::vector<int> running;
  std::vector<std::pair<int, int>> chunks;  // (request, tokens) this iteration
  std::vector<int> decodes;
  KvBlockPool kv;
  bool busy = false;
  bool prefill_only = false;  // a disaggregated prefill replica: hands requests on
  double t = 0;  // continuous time the current iteration started
  double iter = 0, iter_flops = 0;
  int outstanding = 0;
};

class BatchPlanner {
 public:
  // `requests` and `out` (its preemption and split-prompt counts) outlive it.
  BatchPlanner(const ServingConfig& c, std::vector<RequestState>* requests, int tenants,
               double kv_bytes_per_token, double swap_bandwidth, ServingRunResult* out)
      : c_(c),
        reqs_(*requests),
        out_(out),
        tenants_(tenants),
        kv_per_token_(kv_bytes_per_token),
        swap_bw_(swap_bandwidth) {}

  // Fills r.decodes and r.chunks with the next iteration's batch (admitting,
  // growing and preempting as it goes); returns the seconds the iteration
  // spends swapping KV caches to and from host memory.
  double Fill(ReplicaState& r);
  // Frees a request's KV blocks.
  static void Release(ReplicaState& r, RequestState& q) { r.kv.Release(&q.blocks); }

 private:
  static bool Grow(ReplicaState& r, RequestState& q, int tokens) {
    return r.kv.Grow(&q.blocks, tokens);
  }
  int Preempt(ReplicaState& r);
  // The tenant whose queue head is admitted next, or -1.
  int NextTenant(const ReplicaState& r) const;

  const ServingConfig& c_;
  std::vector<RequestState>& reqs_;
  ServingRunResult* out_;
  int tenants_ = 1;
  double kv_per_token_ = 0, swap_bw_ = 0;
  double swap_s_ = 0;  // swap time of the iteration being filled
  int64_t admit_seq_ = 0;
  std::vector<int> snapshot_;  // the running set, as preemption edits it
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SERVING_BATCH_PLANNER_H_
