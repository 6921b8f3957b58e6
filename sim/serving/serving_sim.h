// serving_sim.h — LLM serving at iteration level: replicas with continuous
// batching and a paged KV cache behind a router, optionally disaggregated into
// prefill and decode replicas with the KV transfer simulated as network flows.
//
// A replica serves one model on k accelerators (TP = k). Each iteration it
// (1) gives every running, prefilled request one decode token, allocating a
// KV block when a sequence crosses a block boundary and preempting the most
// recently admitted request (recompute: its blocks are freed and it re-enters
// the queue at the front, to prefill prompt + generated tokens again) when no
// block is free (or swapping it out to host memory); (2) admits waiting requests first come first
// served while the batch size, the max-batched-tokens budget and the free KV blocks allow,
// splitting prompts into chunks when chunked prefill is on.
// The iteration lasts the roofline of the actual batch with the constants of
// mlsysim's ServingModel: max(flop / (k·peak·η), bytes / (k·BW)) where prefill
// costs 2·P + 4·L·H·d·context flop per token and decode reads the weights plus
// every running request's KV cache; plus the dispatch tax when the batch
// prefills and L × 0.01 ms when it decodes; plus, for TP, two ring
// all-reduces per layer on NVLink. One request alone therefore sees exactly
// ServingModel's TTFT and ITL.
//
// Usage: absl::StatusOr<ServingRunResult> r = SimulateServing(config, requests);
#ifndef MLSYSIM_SIM_SERVING_SERVING_SIM_H_
#define MLSYSIM_SIM_SERVING_SERVING_SIM_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analytic/kernel_model.h"
#include "analytic/specs.h"
#include "sim/core/simulator.h"
#include "sim/serving/router.h"
#include "workloads/request_stream.h"

namespace mlsysim {

// A tenant's share of the fleet: higher priority is admitted first; at most
// `max_running` of its requests run on a replica at once (0: no limit).
struct TenantPolicy {
  std::string name;
  int priority = 0;
  int max_running = 0;
};

struct ServingConfig {
  ModelSpec model;
  Accelerator hardware;
  int tp = 1;
  double nvlink_bandwidth = 900e9;  // for TP all-reduces
  int replicas = 1;
  std::string precision = "fp16";
  double efficiency = 0.5;
  // The calibrated machine (--hardware-model calibrated); empty: roofline.
  std::optional<KernelModel> machine;
  int max_batch = 256;  // sequences per iteration
  // Tokens per iteration: decodes count one each, prefills their chunk. A
  // prompt longer than this is prefilled in budget-sized pieces even without
  // chunked prefill (its output length never counts against the budget).
  int max_batched_tokens = 8192;
  int chunked_prefill_tokens = 0;  // 0: whole prompts (when they fit the budget)
  // Attention FLOPs of a prefill piece of c tokens after p cached ones:
  //   causal (default): 4·L·H·d · (c·p + c(c+1)/2) — what causal kernels
  //     (FlashAttention) compute; a whole prompt costs S(S+1)/2 of it;
  //   square: 4·L·H·d · ((p+c)² − p²) — mlsysim's ServingModel, which
  //     charges S² for a whole prompt; with it one request alone gets
  //     ServingModel's TTFT exactly.
  // Either way the pieces of a chunked prompt sum to the whole prompt's FLOPs;
  // a piece after the first also reads the p cached tokens' KV.
  bool causal_attention = true;
  int block_tokens = 16;  // paged KV block size
  // Preemption when KV blocks run out: recompute (free the blocks, prefill
  // again later) or swap (copy the KV cache to host memory and back over the
  // host link, at swap_bandwidth or the accelerator's interconnect).
  bool swap_preemption = false;
  // Admission reserves the blocks of the prompt and the whole output (the
  // request's max new tokens), so a running request never runs out and is
  // never preempted: TensorRT-LLM's default capacity policy,
  // GUARANTEED_NO_EVICT (`preemption: never`). Fewer run at once.
  bool reserve_output = false;
  double swap_bandwidth = 0;
  double memory_utilization = 0.9;  // share of HBM usable for weights + KV
  RouterPolicy router = RouterPolicy::kRoundRobin;
  double slo_ttft_s = 0, slo_itl_s = 0;  // goodput SLOs (0: none)
  std::vector<TenantPolicy> tenants;     // indexed by Request::tenant; empty: one tenant
  // Prefill/decode disaggregation: the first `prefill_replicas` replicas only
  // prefill; each finished prompt's KV cache then crosses the network (a flow
  // on a switch where every replica has a link of kv_link_bandwidth per GPU)
  // to a decode replica chosen by the router. The first token counts when the
  // KV has arrived (as ServingModel's disaggregated TTFT). 0: colocated.
  int prefill_replicas = 0;
  double kv_link_bandwidth = 50e9;
  double kv_link_latency = 5e-6;
  // Replicas serving over time (time s, count), by time, colocated fleets
  // only: a request is routed among the first `count` replicas at its
  // arrival (at least one); a replica taken out of service finishes what it
  // has. Empty: all replicas, always (an autoscaled fleet sharing a cluster,
  // sim/cluster/shared_cluster.h, gives its schedule here).
  std::vector<std::pair<double, int>> active_replicas;
  bool record_requests = false;    // per-request rows for the CSV trace
  bool record_iterations = false;  // iteration spans for the Perfetto trace
  int64_t max_trace_iterations = 20000;
  // Called every 16,384 finished requests (done, total); may be empty.
  std::function<void(int64_t, int64_t)> progress;
};

struct RequestRecord {
  double arrival_s, start_s, first_token_s, finish_s;
  int input_tokens, output_tokens, replica, preemptions, tenant;
};

struct IterationSpan {
  int replica;
  double start_s, end_s;
  int prefill_tokens, decode_tokens;
  double kv_utilization;  // share of the replica's KV blocks in use
};

struct ServingRunResult {
  std::vector<double> ttft_s, e2e_s, queue_s;  // per finished request
  // Per finished request of more than one output token: (finish − first
  // token) / (output − 1), vLLM's TPOT (the request's mean inter-token gap).
  std::vector<double> tpot_s;
  std::vector<int> tenant;                     // of each finished request
  std::vector<double> first_itl_s;             // each request's first inter-token gap
  double itl_p50_s = 0, itl_p90_s = 0, itl_p99_s = 0, itl_p999_s = 0;  // over all token gaps
  double itl_mean_s = 0;
  std::vector<double> itl_cdf;  // gap quantiles at CdfGridProbabilities() (1 % bins)
  int64_t split_prompts = 0;    // prompts longer than the token budget, prefilled in pieces
  int64_t finished = 0, preemptions = 0, tokens_out = 0, tokens_in = 0, iterations = 0;
  double makespan_s = 0;           // first arrival to last finish
  double kv_utilization_mean = 0;  // time-average share of KV blocks in use
  double kv_utilization_max = 0;
  double busy_fraction = 0;      // replica time spent iterating
  double energy_j = 0;           // TDP·(0.3 + 0.7·util) while busy, 0.3·TDP idle
  int64_t goodput_requests = 0;  // meeting both SLOs
  int64_t kv_blocks_per_replica = 0;
  uint64_t events = 0, fingerprint = 0;
  std::vector<RequestRecord> records;
  std::vector<IterationSpan> spans;
};

// Fails (FailedPrecondition) when the weights do not fit the replica's memory,
// or when a request can never fit the KV cache.
absl::StatusOr<ServingRunResult> SimulateServing(const ServingConfig& config,
                                                 const std::vector<Request>& requests);

// What SimulateServing refuses before running (`blocks`: a replica's KV blocks).
absl::Status CheckServingFits(const ServingConfig& config, const std::vector<Request>& requests,
                              int64_t blocks);

// A colocated serving fleet on an engine it shares with other models (a
// cluster whose idle replicas' nodes training borrows, sim/cluster): the
// same simulation as SimulateServing, its events on `sim`. Start() schedules
// its arrivals; the replicas in service may change at any time (requests are
// routed among the first n; the others finish what they have); Finish()
// after the engine has run returns the result.
class ServingFleet {
 public:
  static absl::StatusOr<std::unique_ptr<ServingFleet>> Create(const ServingConfig& config,
                                                              const std::vector<Request>& requests,
                                                              Simulator* sim);
  ~ServingFleet();
  void Start();
  void SetReplicasInService(int n);
  int replicas() const;
  double last_arrival_s() const;
  int64_t arrived_by(double t) const;  // requests arrived at or before t
  ServingRunResult Finish();

 private:
  ServingFleet();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SERVING_SERVING_SIM_H_
