// serving_sim.cc — iteration-level LLM serving (see serving_sim.h).
#include "sim/serving/serving_sim.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <memory>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analytic/formulas.h"
#include "analytic/roofline_engine.h"
#include "analytic/serving.h"
#include "sim/core/simulator.h"
#include "sim/core/statistics.h"
#include "sim/network/flow_network.h"
#include "sim/serving/batch_planner.h"
#include "sim/serving/kv_block_pool.h"
#include "sim/serving/router.h"
#include "sim/serving/serving_iteration.h"
#include "topology/cluster_graph.h"

namespace mlsysim {

// Named, not anonymous: ServingFleet::Impl (external linkage) holds a
// ServingModelSim.
namespace serving_internal {

enum Kind : uint32_t { kArrival = 1, kIterationEnd = 2 };

using Req = RequestState;
using Replica = ReplicaState;

class ServingModelSim : public EventHandler, public FlowObserver {
 public:
  ServingModelSim(const ServingConfig& c, const std::vector<Request>& reqs, ServingRunResult* out,
                  Simulator* shared = nullptr)
      : c_(c),
        out_(out),
        own_sim_(shared != nullptr ? nullptr : std::make_unique<Simulator>()),
        sim_(shared != nullptr ? shared : own_sim_.get()),
        router_(c.router) {
    target_ = sim_->Register(this);
    const ModelSpec& m = c.model;
    const AttentionGeometry g = GeometryOf(m);
    bpp_ = BytesPerParam(c.precision);
    weights_ = m.parameters * bpp_;
    kv_per_token_ = 2.0 * g.layers * g.kv_heads * g.head_dim * bpp_;
    iteration_ = IterationModel::For(m, c.hardware, c.precision, c.efficiency, c.tp,
                                     c.nvlink_bandwidth, c.causal_attention);
    iteration_.machine = c.machine;
    peak_ = iteration_.peak_flops;
    swap_bw_ = (c.swap_bandwidth > 0               ? c.swap_bandwidth
                : c.hardware.interconnect_bw.set() ? c.hardware.interconnect_bw.si
                                                   : kOffloadDefaultGBs * 1e9) *
               c.tp;
    const double kv_budget = c.memory_utilization * c.hardware.capacity * c.tp - weights_;
    blocks_ = static_cast<int64_t>(kv_budget / (kv_per_token_ * c.block_tokens));
    reqs_.resize(reqs.size());
    for (size_t i = 0; i < reqs.size(); ++i) {
      reqs_[i].input = reqs[i].input_tokens;
      reqs_[i].output = reqs[i].output_tokens;
      reqs_[i].arrival = reqs[i].arrival_s;
      reqs_[i].target = reqs[i].input_tokens;
      reqs_[i].tenant = reqs[i].tenant;
      tenants_ = std::max(tenants_, reqs[i].tenant + 1);
    }
    tenants_ = std::max<int>(tenants_, static_cast<int>(c.tenants.size()));
    if (c.prefill_replicas > 0) {
      ClusterShape shape;
      shape.nodes = c.replicas;
      shape.gpus_per_node = 1;
      shape.nic_bandwidth = c.kv_link_bandwidth * c.tp;
      shape.nic_latency = c.kv_link_latency;
      shape.fabric = FabricKind::kSingleSwitch;
      graph_ = std::make_unique<ClusterGraph>(*ClusterGraph::Build(shape));
      net_ = std::make_unique<FlowNetwork>(*sim_, graph_->LinkCapacities());
    }
    replicas_.resize(c.replicas);
    for (size_t i = 0; i < replicas_.size(); ++i) {
      Replica& r = replicas_[i];
      r.prefill_only = static_cast<int>(i) < c.prefill_replicas;
      r.kv = KvBlockPool(blocks_, c.block_tokens);
      r.waiting.resize(tenants_);
      r.running_by_tenant.assign(tenants_, 0);
    }
    planner_.emplace(c, &reqs_, tenants_, kv_per_token_, swap_bw_, out_);
  }

  int64_t blocks() const { return blocks_; }

  void Run() {
    Start();
    sim_->Run();
    Finish();
  }

  // Run() in parts, for a fleet on an engine it shares (ServingFleet).
  void Start() {
    if (!reqs_.empty()) ScheduleArrival(0);
  }
  void SetInService(int n) { in_service_ = n; }

  void Finish() {
    double first = reqs_.empty() ? 0 : reqs_.front().arrival, last = first;
    for (const Req& q : reqs_) last = std::max(last, q.finish);
    out_->makespan_s = last - first;
    const double span = std::max(out_->makespan_s, 1e-12);
    out_->busy_fraction = busy_time_ / (span * c_.replicas);
    out_->kv_utilization_mean = kv_area_ / (span * c_.replicas * std::max<int64_t>(blocks_, 1));
    const double tdp = c_.hardware.tdp_w * c_.tp;
    out_->energy_j =
        energy_busy_ + AcceleratorIdlePowerW(tdp) * std::max(0.0, span * c_.replicas - busy_time_);
    out_->itl_p50_s = gaps_.Quantile(0.5);
    out_->itl_p90_s = gaps_.Quantile(0.9);
    out_->itl_p99_s = gaps_.Quantile(0.99);
    out_->itl_p999_s = gaps_.Quantile(0.999);
    out_->itl_mean_s = gaps_.Mean();
    for (double p : CdfGridProbabilities()) out_->itl_cdf.push_back(gaps_.Quantile(p));
    for (size_t i = 0; i < reqs_.size(); ++i) {
      const Req& q = reqs_[i];
      if (q.finish < 0) continue;
      ++out_->finished;
      out_->ttft_s.push_back(q.first_token - q.arrival);
      out_->e2e_s.push_back(q.finish - q.arrival);
      out_->queue_s.push_back(q.start - q.arrival);
      out_->tenant.push_back(q.tenant);
      if (q.first_itl >= 0) out_->first_itl_s.push_back(q.first_itl);
      out_->tokens_in += q.input;
      out_->tokens_out += q.output;
      const bool ttft_ok = c_.slo_ttft_s <= 0 || q.first_token - q.arrival <= c_.slo_ttft_s;
      const double mean_itl = q.output > 1 ? (q.finish - q.first_token) / (q.output - 1) : 0;
      if (q.output > 1) out_->tpot_s.push_back(mean_itl);
      const bool itl_ok = c_.slo_itl_s <= 0 || mean_itl <= c_.slo_itl_s;
      if (ttft_ok && itl_ok) ++out_->goodput_requests;
      if (c_.record_requests) {
        out_->records.push_back({q.arrival, q.start, q.first_token, q.finish, q.input, q.output,
                                 q.replica, q.preemptions, q.tenant});
      }
    }
    out_->kv_blocks_per_replica = blocks_;
    out_->events = sim_->dispatched();
    out_->fingerprint = sim_->fingerprint();
  }

  void HandleEvent(Simulator&, const Event& e) override {
    if (e.kind == kArrival) {
      // Every request arriving at this tick joins its queue before an idle
      // replica plans, so simultaneous arrivals share the first iteration (as
      // a serving engine's scheduler sees them).
      size_t i = static_cast<size_t>(e.payload);
      const SimTime now = SecondsToTimeCeil(reqs_[i].arrival);
      woken_.clear();
      do {
        Req& q = reqs_[i];
        const int rep =
            c_.prefill_replicas > 0 ? Route(q, 0, c_.prefill_replicas) : Route(q, 0, c_.replicas);
        q.replica = rep;
        Replica& r = replicas_[rep];
        r.waiting[q.tenant].push_back(static_cast<int>(i));
        ++r.waiting_count;
        ++r.outstanding;
        if (!r.busy && std::find(woken_.begin(), woken_.end(), rep) == woken_.end()) {
          r.t = q.arrival;
          woken_.push_back(rep);
        }
        ++i;
      } while (i < reqs_.size() && SecondsToTimeCeil(reqs_[i].arrival) == now);
      for (int rep : woken_) Plan(rep);
      if (i < reqs_.size()) ScheduleArrival(i);
    } else {
      EndIteration(static_cast<int>(e.payload));
    }
  }

 private:
  void ScheduleArrival(size_t i) {
    sim_->ScheduleAt(SecondsToTimeCeil(reqs_[i].arrival), target_, kArrival, i);
  }

  // Picks a replica in [lo, hi) (sim/serving/router.h).
  int Route(const Req& q, int lo, int hi) {
    if (in_service_ >= 0 && c_.prefill_replicas == 0) {
      hi = lo + std::clamp(in_service_, 1, hi - lo);
    } else if (!c_.active_replicas.empty() && c_.prefill_replicas == 0) {
      // The replicas in service at the arrival (the schedule's last entry at
      // or before it).
      auto it = std::upper_bound(c_.active_replicas.begin(), c_.active_replicas.end(),
                                 std::make_pair(q.arrival, std::numeric_limits<int>::max()));
      const int active = it == c_.active_replicas.begin() ? hi - lo : std::prev(it)->second;
      hi = lo + std::clamp(active, 1, hi - lo);
    }
    return router_.Pick(
        lo, hi, lo > 0 ? 1 : 0,
        [&](int i) { return static_cast<int64_t>(replicas_[i].outstanding); },
        [&](int i) {
          const Replica& r = replicas_[i];
          int64_t pending = 0;
          for (const auto& queue : r.waiting)
            for (int w : queue) pending += r.kv.BlocksFor(reqs_[w].target);
          return r.kv.used() + pending;
        });
  }

  void Plan(int rep) {
    Replica& r = replicas_[rep];
    const double swap_s = planner_->Fill(r);
    if (r.decodes.empty() && r.chunks.empty()) {
      r.busy = false;
      return;
    }
    // 4. The iteration's roofline (sim/serving_iteration.h).
    pieces_.clear();
    contexts_.clear();
    for (const auto& [i, chunk] : r.chunks)
      pieces_.push_back({static_cast<double>(reqs_[i].prefilled), static_cast<double>(chunk)});
    for (int i : r.decodes) contexts_.push_back(reqs_[i].input + reqs_[i].generated - 1);
    const IterationCost cost = CostOfIteration(iteration_, pieces_, contexts_);
    const double t = cost.seconds + swap_s;
    r.iter = t;
    r.iter_flops = cost.flops;
    r.busy = true;
    if (c_.record_iterations &&
        static_cast<int64_t>(out_->spans.size()) < c_.max_trace_iterations) {
      int prefill_tokens = 0;
      for (const auto& ch : r.chunks) prefill_tokens += ch.second;
      out_->spans.push_back({rep, r.t, r.t + t, prefill_tokens, static_cast<int>(r.decodes.size()),
                             r.kv.utilization()});
    }
    sim_->ScheduleAt(SecondsToTimeCeil(r.t + t), target_, kIterationEnd, static_cast<uint64_t>(rep));
  }

  void Emit(Req& q, double te) {
    ++q.generated;
    if (q.first_token < 0) {
      q.first_token = te;
    } else {
      const double gap = te - q.last_token;
      gaps_.Add(gap);
      if (q.first_itl < 0) q.first_itl = gap;
    }
    q.last_token = te;
  }

  void EndIteration(int rep) {
    Replica& r = replicas_[rep];
    const double te = r.t + r.iter;
    ++out_->iterations;
    busy_time_ += r.iter;
    kv_area_ += static_cast<double>(r.kv.used()) * r.iter;
    out_->kv_utilization_max = std::max(out_->kv_utilization_max, r.kv.utilization());
    const double util = std::min(1.0, r.iter_flops / (peak_ / c_.efficiency * r.iter));
    energy_busy_ += AcceleratorPowerW(c_.hardware.tdp_w, util) * c_.tp * r.iter;
    for (int i : r.decodes) Emit(reqs_[i], te);
    const bool prefill_only = rep < c_.prefill_replicas;
    for (const auto& [i, chunk] : r.chunks) {
      Req& q = reqs_[i];
      q.prefilled += chunk;
      if (q.prefilled == q.target && !prefill_only) Emit(q, te);
    }
    // Retire finished requests.
    size_t keep = 0;
    for (size_t k = 0; k < r.running.size(); ++k) {
      const int i = r.running[k];
      Req& q = reqs_[i];
      if (prefill_only && q.prefilled >= q.target) {
        // Hand the KV cache to a decode replica over the network.
        q.running = false;
        --r.running_by_tenant[q.tenant];
        BatchPlanner::Release(r, q);
        --r.outstanding;
        const int dst = Route(q, c_.prefill_replicas, c_.replicas);
        q.replica = dst;
        ++replicas_[dst].outstanding;
        net_->Start(graph_->Route(rep, dst, static_cast<uint64_t>(i)), kv_per_token_ * q.target,
                    c_.kv_link_latency, this, static_cast<uint64_t>(i), te);
      } else if (q.generated >= q.output && q.prefilled >= q.target) {
        q.finish = te;
        if (c_.progress && (++done_ & 0x3fff) == 0)
          c_.progress(done_, static_cast<int64_t>(reqs_.size()));
        q.running = false;
        --r.running_by_tenant[q.tenant];
        BatchPlanner::Release(r, q);
        --r.outstanding;
      } else {
        r.running[keep++] = r.running[k];
      }
    }
    r.running.resize(keep);
    r.t = te;
    Plan(rep);
  }

  // The KV cache of request `tag` has reached its decode replica.
  void OnFlowComplete(uint64_t tag, SimTime) override {
    Req& q = reqs_[tag];
    const double t = net_->finish_seconds();
    Emit(q, t);  // the first token
    Replica& r = replicas_[q.replica];
    if (q.generated >= q.output) {
      q.finish = t;
      --r.outstanding;
      return;
    }
    r.waiting[q.tenant].push_back(static_cast<int>(tag));
    ++r.waiting_count;
    if (!r.busy) {
      r.t = t;
      Plan(q.replica);
    }
  }

  const ServingConfig& c_;
  ServingRunResult* out_;
  std::unique_ptr<Simulator> own_sim_;  // null on a shared engine
  Simulator* sim_;
  int in_service_ = -1;  // set by the engine it shares; -1: the config's schedule
  std::unique_ptr<ClusterGraph> graph_;
  std::unique_ptr<FlowNetwork> net_;
  uint32_t target_ = 0;
  std::vector<Req> reqs_;
  std::vector<Replica> replicas_;
  std::vector<int> woken_;  // idle replicas an arrival tick woke, in order
  GapHistogram gaps_;
  double bpp_ = 2, weights_ = 0, kv_per_token_ = 0, peak_ = 0;
  int tenants_ = 1;
  IterationModel iteration_;
  std::vector<PrefillPiece> pieces_;  // reused by Plan()
  int64_t done_ = 0;                  // finished requests, for progress
  std::vector<double> contexts_;
  int64_t blocks_ = 0;
  Router router_;
  double busy_time_ = 0, kv_area_ = 0, energy_busy_ = 0;
  double swap_bw_ = 64e9;               // host link (swap preemption)
  std::optional<BatchPlanner> planner_;  // set once the requests are in place
};

}  // namespace serving_internal

using serving_internal::ServingModelSim;

absl::StatusOr<ServingRunResult> SimulateServing(const ServingConfig& c,
                                                 const std::vector<Request>& requests) {
  if (!c.model.IsTransformer()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model: serving simulation needs a Transformer; '", c.model.key, "' is not one"));
  }
  if (c.replicas < 1 || c.tp < 1 || c.max_batch < 1 || c.max_batched_tokens < 1 ||
      c.block_tokens < 1) {
    return absl::InvalidArgumentError(
        "replicas, tp, max batch, max batched tokens and block size must be >= 1");
  }
  if (!(c.efficiency > 0 && c.efficiency <= 1)) {
    return absl::InvalidArgumentError("efficiency must lie in (0, 1]");
  }
  if (c.chunked_prefill_tokens < 0)
    return absl::InvalidArgumentError("serving.chunked_prefill_tokens must be >= 0");
  if (c.prefill_replicas < 0 || (c.prefill_replicas > 0 && c.prefill_replicas >= c.replicas)) {
    return absl::InvalidArgumentError(
        "serving.prefill_replicas must leave at least one decode replica (0 < P < replicas)");
  }
  if (c.prefill_replicas > 0 && !(c.kv_link_bandwidth > 0)) {
    return absl::InvalidArgumentError("serving.kv_bandwidth must be > 0");
  }
  ServingRunResult out;
  ServingModelSim sim(c, requests, &out);
  if (auto st = CheckServingFits(c, requests, sim.blocks()); !st.ok()) return st;
  sim.Run();
  return out;
}

absl::Status CheckServingFits(const ServingConfig& c, const std::vector<Request>& requests,
                              int64_t blocks) {
  if (blocks < 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("the model does not fit: ", c.model.key, " weights need ",
                     c.model.parameters * BytesPerParam(c.precision) / 1e9, " GB of the replica's ",
                     c.memory_utilization * c.hardware.capacity * c.tp / 1e9, " GB (raise --tp)"));
  }
  for (size_t i = 0; i < requests.size(); ++i) {
    const Request& q = requests[i];
    const int64_t need = (q.input_tokens + q.output_tokens + c.block_tokens - 1) / c.block_tokens;
    if (need > blocks) {
      return absl::FailedPreconditionError(absl::StrCat(
          "request ", i, " needs ", need, " KV blocks but a replica has ", blocks));
    }
    if (i > 0 && q.arrival_s < requests[i - 1].arrival_s) {
      return absl::InvalidArgumentError("requests must be sorted by arrival time");
    }
  }
  return absl::OkStatus();
}

struct ServingFleet::Impl {
  ServingConfig config;
  std::vector<Request> requests;
  ServingRunResult out;
  std::unique_ptr<ServingModelSim> sim;
};

absl::StatusOr<std::unique_ptr<ServingFleet>> ServingFleet::Create(
    const ServingConfig& c, const std::vector<Request>& requests, Simulator* sim) {
  if (c.prefill_replicas > 0) {
    return absl::InvalidArgumentError("a fleet on a shared engine is colocated (no prefill replicas)");
  }
  auto impl = std::make_unique<Impl>();
  impl->config = c;
  impl->requests = requests;
  impl->sim = std::make_unique<ServingModelSim>(impl->config, impl->requests, &impl->out, sim);
  if (auto st = CheckServingFits(c, requests, impl->sim->blocks()); !st.ok()) return st;
  auto fleet = std::unique_ptr<ServingFleet>(new ServingFleet());
  fleet->impl_ = std::move(impl);
  return fleet;
}

ServingFleet::ServingFleet() = default;
ServingFleet::~ServingFleet() = default;
void ServingFleet::Start() { impl_->sim->Start(); }
void ServingFleet::SetReplicasInService(int n) { impl_->sim->SetInService(n); }
int ServingFleet::replicas() const { return impl_->config.replicas; }
double ServingFleet::last_arrival_s() const {
  return impl_->requests.empty() ? 0 : impl_->requests.back().arrival_s;
}

int64_t ServingFleet::arrived_by(double t) const {
  const auto& q = impl_->requests;
  return std::upper_bound(q.begin(), q.end(), t,
                          [](double x, const Request& r) { return x < r.arrival_s; }) -
         q.begin();
}

ServingRunResult ServingFleet::Finish() {
  impl_->sim->Finish();
  return std::move(impl_->out);
}

}  // namespace mlsysim
