// step_simulation.h — the event-driven TP × PP × DP step behind
// SimulateTrainingStep (training_step.h): pipeline actors running (interleaved)
// 1F1B, their sends as flows on the fabric, and the gradient buckets' ring
// all-reduces. Flows run one by one, or — when the step's flows are symmetric
// (step_classes.h) — as flow classes on the quotient network, exactly.
// Internal to sim/training: included by training_step.cc only.
#ifndef MLSYSIM_SIM_TRAINING_STEP_SIMULATION_H_
#define MLSYSIM_SIM_TRAINING_STEP_SIMULATION_H_

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sim/core/random.h"
#include "sim/core/simulator.h"
#include "sim/network/class_transfer.h"
#include "sim/network/collective.h"
#include "sim/network/flow_network.h"
#include "sim/training/step_classes.h"
#include "sim/training/step_payloads.h"
#include "sim/training/training_costs.h"
#include "sim/training/training_layout.h"
#include "sim/training/training_step.h"

namespace mlsysim {
namespace step_internal {

enum FlowKind : uint64_t { kActivation = 1, kGradient = 2 };
enum EventKind : uint32_t { kComputeDone = 1, kBucketChunk = 2 };

using Op = PipelineOp;

inline std::vector<Op> OneFOneB(int s, int p, int m, int v) { return OneFOneBOrder(s, p, m, v); }

// A step that shares its engine and fabric with other jobs' steps
// (steps_together.h): their Simulator and FlowNetwork over the cluster's
// graph, and where its ranks sit (physical rank of each of its ranks).
struct SharedFabric {
  Simulator* sim = nullptr;
  FlowNetwork* net = nullptr;
  std::vector<int> rank_of;  // the job's rank -> the cluster's rank
  uint64_t salt = 0;         // mixed into ECMP hashes: jobs hash apart
};

class StepSimulation : public EventHandler,
                       public FlowObserver,
                       public CollectiveObserver,
                       public ClassTransferObserver {
 public:
  // fwd_s, bwd_s: one layer for one microbatch; vstage_layers: the layers
  // of each virtual stage chunk·p + s; ends: the LM head (and loss) on the
  // last virtual stage, the input embedding on the first. classes: the
  // step's flow classes (then one replica and one ring per stage stand for
  // all those the templates cover), or null to run every flow.
  StepSimulation(const TrainingStepConfig& c, int dp, double fwd_s, double bwd_s,
                 std::vector<int> vstage_layers, const ClusterGraph& graph, TrainingStepResult* out,
                 const LayerCosts& ends, const StepClasses* classes,
                 const SharedFabric* shared = nullptr)
      : c_(c),
        dp_(dp),
        vstage_layers_(vstage_layers),
        graph_(graph),
        out_(out),
        classes_(classes),
        own_sim_(shared != nullptr ? nullptr : std::make_unique<Simulator>()),
        sim_(shared != nullptr ? shared->sim : own_sim_.get()),
        own_net_(shared != nullptr ? nullptr
                                   : std::make_unique<FlowNetwork>(
                                         *sim_, classes != nullptr
                                                    ? classes->classes.cell_capacity()
                                                    : graph.LinkCapacities())),
        net_(shared != nullptr ? shared->net : own_net_.get()) {
    if (shared != nullptr) {
      rank_of_ = shared->rank_of;
      salt_ = shared->salt;
    }
    target_ = sim_->Register(this);
    // Merged flow classes: one replica and one ring per stage stand for all.
    replicas_ = c.representative_replica ? 1 : classes != nullptr ? classes->replicas : dp;
    rings_ = c.representative_replica ? 1 : classes != nullptr ? classes->rings : c.tp;
    if (classes != nullptr) xfer_ = std::make_unique<ClassTransfers>(*sim_, *net_, classes->classes);
    const int p = c.pp;
    stage_layers_ = DeviceLayers(vstage_layers, p);
    const double bpp = TrainingTensorBytes(c.precision);
    const double b = static_cast<double>(c.global_batch) / (dp * c.microbatches);
    p2p_bytes_ = b * c.seq_len * c.model.hidden_dim * bpp / c.tp;
    RandomStreams streams(c.seed, 0);
    actors_.resize(static_cast<size_t>(replicas_) * p);
    for (int r = 0; r < replicas_; ++r) {
      for (int s = 0; s < p; ++s) {
        Actor& a = actor(r, s);
        a.r = r;
        a.s = s;
        a.ops = OneFOneB(s, p, c.microbatches, c.virtual_stages);
        double slowest = 1.0;
        if (c.straggler_cv > 0) {
          const double sigma2 = std::log(1.0 + c.straggler_cv * c.straggler_cv);
          slowest = 0.0;
          for (int t = 0; t < c.tp; ++t) {
            RandomStream rs = streams.Stream(static_cast<uint64_t>(Rank(r, s, t)), "straggler");
            slowest = std::max(slowest, rs.Lognormal(-sigma2 / 2, std::sqrt(sigma2)));
          }
        }
        // Per op: one chunk of the device's layers for one microbatch.
        a.chunk_fwd_s.assign(c.virtual_stages, 0.0);
        a.chunk_bwd_s.assign(c.virtual_stages, 0.0);
        for (int ch = 0; ch < c.virtual_stages; ++ch) {
          const int j = ch * p + s;
          const bool head = j == p * c.virtual_stages - 1, embed = j == 0;
          a.chunk_fwd_s[ch] = (vstage_layers[j] * fwd_s + (head ? ends.head_fwd_s : 0) +
                               (embed ? ends.embed_fwd_s : 0)) *
                              slowest;
          a.chunk_bwd_s[ch] = (vstage_layers[j] * bwd_s + (head ? ends.head_bwd_s : 0) +
                               (embed ? ends.embed_bwd_s : 0)) *
                              slowest;
          a.fwd_s += a.chunk_fwd_s[ch] / c.virtual_stages;  // the mean, for export
          a.bwd_s += a.chunk_bwd_s[ch] / c.virtual_stages;
        }
        const size_t slots = static_cast<size_t>(c.microbatches) * c.virtual_stages;
        a.act_ready.assign(slots, -1.0);
        a.grad_ready.assign(slots, -1.0);
        if (c.record_spans) a.send_at.assign(slots, 0.0);
        a.pending.assign(slots, 0);
        if (s == 0) {
          for (int mb = 0; mb < c.microbatches; ++mb) a.act_ready[mb] = 0.0;  // chunk 0 inputs
        }
      }
    }
    buckets_.resize(p);
    const std::vector<StageGradients> gradients = GradientsPerStage(c);
    for (int s = 0; s < p; ++s) {
      const int k = static_cast<int>(gradients[s].buckets);  // <= 65,536 (checked)
      buckets_[s].bytes = gradients[s].bytes / k;
      buckets_[s].ready.assign(k, 0);
      buckets_[s].ready_at.assign(k, 0.0);
    }
    algorithms_ = GradientAlgorithms(c);
  }

  void Run() {
    Start();
    if (c_.progress) {
      const double estimated = EstimatedStepFlows(c_);
      // (Step() does not honour Stop(): a diverged class run ends here too.)
      for (uint64_t n = 1; symmetric() && sim_->Step(); ++n) {
        if ((n & 0xffff) == 0) {
          const uint64_t moved = xfer_ != nullptr ? xfer_->member_flows() : net_->flows_started();
          c_.progress(static_cast<double>(moved), estimated);
        }
      }
    } else {
      sim_->Run();
    }
    Finish();
  }

  // Run() in parts, for steps that share one engine: Start() every job's,
  // run the engine, then Finish() each.
  void Start() {
    for (Actor& a : actors_) TryStart(a);
  }

  void Finish() {
    double last_bwd = 0, step = 0;
    for (const Actor& a : actors_) last_bwd = std::max(last_bwd, a.last_bwd_end);
    step = last_bwd;
    for (const Bucket& bk : buckets_) step = std::max(step, bk.done_s);
    // The critical stage: the busiest of replica 0 (the last, with the head).
    const Actor* busiest = &actor(0, 0);
    for (int st = 1; st < c_.pp; ++st) {
      const Actor& a = actor(0, st);
      if (a.fwd_s + a.bwd_s > busiest->fwd_s + busiest->bwd_s) busiest = &a;
    }
    const Actor& crit = *busiest;
    out_->critical_stage = crit.s;
    out_->step_time_s = step;
    out_->compute_time_s = c_.microbatches * c_.virtual_stages * (crit.fwd_s + crit.bwd_s);
    out_->critical_stage_layers = stage_layers_[crit.s];
    // Its idle share of the pipeline's flush (the last backward anywhere), so
    // that compute + bubble + exposed DP is the step even when the busiest
    // device is not the last to finish (an uneven split, the LM head).
    out_->bubble_time_s = last_bwd - out_->compute_time_s;
    // The compute is a product, the flush a sum of op ends: with no idle
    // time they differ by rounding only.
    if (std::abs(out_->bubble_time_s) <= 1e-12 * last_bwd) out_->bubble_time_s = 0;
    out_->bubble_fraction = out_->bubble_time_s / last_bwd;
    out_->exposed_dp_s = step - last_bwd;
    out_->dp_allreduce_s = buckets_[0].busy_s;
    out_->pp_p2p_bytes = p2p_total_;
    out_->events = sim_->dispatched();
    out_->simulated_flows = net_->flows_started();
    out_->flows = xfer_ != nullptr ? xfer_->member_flows() : net_->flows_started();
    out_->fingerprint = sim_->fingerprint();
  }

  void HandleEvent(Simulator&, const Event& e) override {
    Actor& a = actors_[StepEvent::Get<0>(e.payload)];
    if (e.kind == kBucketChunk) {
      const int bucket = static_cast<int>(StepEvent::Get<1>(e.payload));
      BucketReady(a.s, bucket, a.chunk_end[bucket]);
      return;
    }
    OnComputeDone(a);
  }

  void OnFlowComplete(uint64_t tag, SimTime) override { Arrived(tag, net_->finish_seconds()); }
  void OnClassTransferDone(uint64_t tag, double finish_s) override { Arrived(tag, finish_s); }
  // False when the flow classes' units diverged (the step must run per flow).
  bool symmetric() const { return xfer_ == nullptr || xfer_->symmetric(); }
  double asymmetric_at_s() const { return xfer_ != nullptr ? xfer_->asymmetric_at_s() : 0; }

  // A pipeline transfer's flow (or flow class) has arrived.
  void Arrived(uint64_t tag, double finish_s) {
    const int kind = static_cast<int>(PipelineFlowTag::Get<0>(tag));
    const int r = static_cast<int>(PipelineFlowTag::Get<1>(tag)),
              s = static_cast<int>(PipelineFlowTag::Get<2>(tag));
    const int slot = static_cast<int>(PipelineFlowTag::Get<3>(tag));
    Actor& a = actor(r, s);
    std::vector<double>& ready = kind == kActivation ? a.act_ready : a.grad_ready;
    a.arrival_max = std::max(a.arrival_max, finish_s);
    if (--a.pending[slot] > 0) return;
    ready[slot] = a.arrival_max;
    if (RecordsSpans(a.r)) {
      const int mb = slot % c_.microbatches;
      spans_.push_back(
          {a.s, a.r, TraceSpan::kPipelineRecv,
           absl::StrCat(kind == kActivation ? "recv activations mb" : "recv gradients mb", mb),
           "pp", a.send_at[slot], a.arrival_max});
    }
    a.arrival_max = 0;
    TryStart(a);
  }

  void OnCollectiveComplete(uint64_t tag, SimTime) override {
    const int s = static_cast<int>(GradientRingTag::Get<0>(tag));
    Bucket& bk = buckets_[s];
    for (const auto& col : bk.running) bk.end_s = std::max(bk.end_s, col->exact_end_seconds());
    for (const auto& ring : bk.class_rings) bk.end_s = std::max(bk.end_s, ring->exact_end_seconds());
    if (--bk.outstanding > 0) return;
    bk.running.clear();
    bk.busy_s += bk.end_s - bk.start_s;
    if (c_.record_spans) {
      for (int r = 0; r < replicas_ && RecordsSpans(r); ++r) {
        spans_.push_back({s, r, TraceSpan::kDataParallel,
                          absl::StrCat("DP all-reduce bucket ", bk.next), "dp", bk.start_s,
                          bk.end_s});
      }
    }
    ++bk.next;
    MaybeLaunchBucket(s);
  }

  std::vector<TraceSpan> TakeSpans() { return std::move(spans_); }
  // TP and EP communication per layer (folded into each op's duration), for
  // the trace's nested spans.
  // A backward runs bwd_passes × two of each (2 with the forward recomputed).
  void set_comm_per_layer(double tp_s, double ep_s, int bwd_passes) {
    tp_per_layer_ = tp_s;
    ep_per_layer_ = ep_s;
    bwd_comm_passes_ = bwd_passes;
  }

  // What the step runs: its actors (ranks, stages, ops, per-op times) and
  // buckets, for the closed forms and the trace (step_simulation.cc).
  TrainingStepPlan Plan() const;

 private:
  struct Actor {
    int r = 0, s = 0;
    std::vector<Op> ops;
    size_t idx = 0;
    bool busy = false;
    double t_free = 0, fwd_s = 0, bwd_s = 0, op_start = 0, op_end = 0, last_bwd_end = 0;
    std::vector<double> chunk_fwd_s, chunk_bwd_s;  // per model chunk
    double arrival_max = 0;
    std::vector<double> act_ready, grad_ready, chunk_end;
    std::vector<double> send_at;  // per slot, when the sender finished (trace only)
    std::vector<int> pending;
  };
  struct Bucket {
    double bytes = 0;
    std::vector<int> ready;  // replicas whose chunk k is done
    std::vector<double> ready_at;
    int next = 0, outstanding = 0;
    double start_s = 0, end_s = 0, busy_s = 0, done_s = 0;
    std::vector<std::unique_ptr<Collective>> running;
    std::vector<std::unique_ptr<ClassCollective>> class_rings;
  };

  bool RecordsSpans(int replica) const {
    return c_.record_spans && (c_.span_replicas <= 0 || replica < c_.span_replicas);
  }

  void RecordComputeSpans(const Actor& a, const Op& op) {
    spans_.push_back({a.s, a.r, TraceSpan::kCompute,
                      c_.virtual_stages > 1
                          ? absl::StrCat(op.forward ? "F" : "B", op.mb, ".", op.chunk)
                          : absl::StrCat(op.forward ? "F" : "B", op.mb),
                      "compute", a.op_start, a.op_end});
    // The op's TP all-reduces (two per layer) and EP all-to-alls, shown as
    // one nested span each at the op's end (the model folds them in).
    const double layers = vstage_layers_[op.chunk * c_.pp + a.s];
    const double per_layer = op.forward ? 2 : 2 * bwd_comm_passes_;
    double t = a.op_end;
    if (tp_per_layer_ > 0) {
      const double d = layers * per_layer * tp_per_layer_;
      spans_.push_back({a.s, a.r, TraceSpan::kCompute,
                        absl::StrCat("TP all-reduce x", per_layer * layers), "tp", t - d, t});
      t -= d;
    }
    if (ep_per_layer_ > 0) {
      const double d = layers * per_layer * ep_per_layer_;
      spans_.push_back({a.s, a.r, TraceSpan::kCompute,
                        absl::StrCat("EP all-to-all x", per_layer * layers), "ep", t - d, t});
    }
  }

  Actor& actor(int r, int s) { return actors_[static_cast<size_t>(s) * replicas_ + r]; }
  const Actor& actor(int r, int s) const { return actors_[static_cast<size_t>(s) * replicas_ + r]; }
  int Rank(int r, int s, int t) const { return (s * dp_ + r) * c_.tp + t; }
  // Where a rank of this job sits in the graph (the same rank when alone).
  int Physical(int rank) const { return rank_of_.empty() ? rank : rank_of_[rank]; }
  size_t Index(const Actor& a) const { return static_cast<size_t>(a.s) * replicas_ + a.r; }

  void TryStart(Actor& a) {
    if (a.busy || a.idx >= a.ops.size()) return;
    const Op op = a.ops[a.idx];
    // A forward waits for its activations; a backward for its gradients (on
    // the last virtual stage, for its own forward).
    const size_t slot = Slot(op.chunk, op.mb);
    const double dep = op.forward ? a.act_ready[slot] : a.grad_ready[slot];
    if (dep < 0) return;
    a.busy = true;
    a.op_start = std::max(a.t_free, dep);
    a.op_end = a.op_start + (op.forward ? a.chunk_fwd_s[op.chunk] : a.chunk_bwd_s[op.chunk]);
    const bool last_backward = !op.forward && a.idx + 1 == a.ops.size();
    if (last_backward && c_.communication && dp_ > 1 && c_.overlap_gradients) {
      // Gradients become final layer by layer during the last backward: one
      // bucket's worth every (duration / buckets).
      const int k = static_cast<int>(buckets_[a.s].ready.size());
      a.chunk_end.assign(k, 0);
      for (int i = 0; i < k; ++i) {
        a.chunk_end[i] = a.op_start + (a.op_end - a.op_start) * (i + 1) / k;
        sim_->ScheduleAt(SecondsToTimeCeil(a.chunk_end[i]), target_, kBucketChunk,
                        StepEvent::Pack({Index(a), static_cast<uint64_t>(i)}));
      }
    }
    sim_->ScheduleAt(SecondsToTimeCeil(a.op_end), target_, kComputeDone,
                    StepEvent::Pack({Index(a), 0}));
  }

  size_t Slot(int chunk, int mb) const {
    return static_cast<size_t>(chunk) * c_.microbatches + static_cast<size_t>(mb);
  }

  void SendToStage(const Actor& from, int to_stage, int to_chunk, int mb, FlowKind kind) {
    Actor& to = actor(from.r, to_stage);
    const size_t slot = Slot(to_chunk, mb);
    if (!c_.communication) {
      (kind == kActivation ? to.act_ready : to.grad_ready)[slot] = from.op_end;
      TryStart(to);
      return;
    }
    to.pending[slot] = classes_ != nullptr ? 1 : c_.tp;
    if (c_.record_spans) to.send_at[slot] = from.op_end;
    const uint64_t tag = PipelineFlowTag::Pack(
        {kind, static_cast<uint64_t>(from.r), static_cast<uint64_t>(to_stage), slot});
    if (classes_ != nullptr) {
      const int tmpl = classes_->Send(from.r, from.s, to_stage);
      xfer_->Start(tmpl, p2p_bytes_, from.op_end, this, tag);
      p2p_total_ += p2p_bytes_ * classes_->classes.template_members(tmpl);
      return;
    }
    for (int t = 0; t < c_.tp; ++t) {
      const int src = Physical(Rank(from.r, from.s, t)), dst = Physical(Rank(from.r, to_stage, t));
      const double alpha =
          graph_.SameNode(src, dst) ? graph_.shape().nvlink_latency : graph_.shape().nic_latency;
      const uint64_t hash = salt_ == 0 ? MixHash(tag, t) : MixHash(MixHash(tag, t), salt_);
      graph_.RouteInto(src, dst, hash, path_);
      net_->Start(path_, p2p_bytes_, alpha, this, tag, from.op_end);
      p2p_total_ += p2p_bytes_;
    }
  }

  void OnComputeDone(Actor& a) {
    const Op op = a.ops[a.idx];
    a.busy = false;
    a.t_free = a.op_end;
    ++a.idx;
    if (RecordsSpans(a.r)) RecordComputeSpans(a, op);
    const int p = c_.pp;
    const int j = op.chunk * p + a.s;  // virtual stage
    if (op.forward) {
      if (j < p * c_.virtual_stages - 1) {
        SendToStage(a, (j + 1) % p, (j + 1) / p, op.mb, kActivation);
      } else {
        a.grad_ready[Slot(op.chunk, op.mb)] = a.op_end;  // the last stage turns around at once
      }
    } else {
      if (j > 0) SendToStage(a, (j - 1) % p, (j - 1) / p, op.mb, kGradient);
      if (a.idx == a.ops.size()) {
        a.last_bwd_end = a.op_end;
        if (c_.communication && dp_ > 1 && !c_.overlap_gradients) {
          for (size_t k = 0; k < buckets_[a.s].ready.size(); ++k)
            BucketReady(a.s, static_cast<int>(k), a.op_end);
        }
      }
    }
    TryStart(a);
  }

  void BucketReady(int s, int k, double at) {
    Bucket& bk = buckets_[s];
    bk.ready_at[k] = std::max(bk.ready_at[k], at);
    if (++bk.ready[k] == replicas_) MaybeLaunchBucket(s);
  }

  void MaybeLaunchBucket(int s) {
    Bucket& bk = buckets_[s];
    if (bk.outstanding > 0) return;
    if (bk.next >= static_cast<int>(bk.ready.size())) {
      bk.done_s = bk.end_s;
      return;
    }
    if (bk.ready[bk.next] < replicas_) return;
    bk.start_s = std::max(bk.end_s, bk.ready_at[bk.next]);
    const CollectiveOp op =
        c_.zero_stage == 3 ? CollectiveOp::kReduceScatter : CollectiveOp::kAllReduce;
    if (classes_ != nullptr) {
      bk.outstanding = rings_;
      bk.class_rings.clear();
      for (int t = 0; t < rings_; ++t) {
        bk.class_rings.push_back(std::make_unique<ClassCollective>(
            *xfer_, classes_->Ring(s, t), op, algorithms_[s].algorithm, dp_, bk.bytes, this,
            GradientRingTag::Pack({static_cast<uint64_t>(s), static_cast<uint64_t>(t)})));
      }
      for (auto& ring : bk.class_rings) ring->StartAt(bk.start_s);
      return;
    }
    bk.outstanding = rings_;
    for (int t = 0; t < rings_; ++t) {
      std::vector<int> ranks(dp_);
      for (int r = 0; r < dp_; ++r) ranks[r] = Physical(Rank(r, s, t));
      auto col = std::make_unique<Collective>(
          *sim_, *net_, graph_,
          CollectiveSpec{op, algorithms_[s].algorithm, ranks, bk.bytes},
          this, GradientRingTag::Pack({static_cast<uint64_t>(s), static_cast<uint64_t>(t)}));
      col->StartAt(bk.start_s);
      bk.running.push_back(std::move(col));
    }
  }

  const TrainingStepConfig& c_;
  int dp_;
  std::vector<int> vstage_layers_, stage_layers_;  // per virtual stage; per device
  double tp_per_layer_ = 0, ep_per_layer_ = 0;
  int bwd_comm_passes_ = 1;
  int replicas_ = 1, rings_ = 1;  // simulated replicas and gradient rings per stage
  const ClusterGraph& graph_;
  TrainingStepResult* out_;
  const StepClasses* classes_;
  std::unique_ptr<Simulator> own_sim_;  // null when the engine is shared
  Simulator* sim_;
  std::unique_ptr<FlowNetwork> own_net_;
  FlowNetwork* net_;
  std::vector<int> rank_of_;  // empty: alone, ranks are the graph's
  uint64_t salt_ = 0;
  std::unique_ptr<ClassTransfers> xfer_;
  uint32_t target_ = 0;
  double p2p_bytes_ = 0, p2p_total_ = 0;
  std::vector<Actor> actors_;
  std::vector<Bucket> buckets_;
  std::vector<NcclAllReduceChoice> algorithms_;  // per stage: the gradient all-reduce's
  std::vector<TraceSpan> spans_;
  std::vector<int> path_;
};

}  // namespace step_internal
}  // namespace mlsysim

#endif  // MLSYSIM_SIM_TRAINING_STEP_SIMULATION_H_
