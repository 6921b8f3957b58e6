// training_step.cc — one TP × PP × DP step at flow level (see training_step.h).
#include "sim/training/training_step.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analytic/roofline_engine.h"
#include "analytic/transformer_shape.h"
#include "sim/core/random.h"
#include "sim/core/simulator.h"
#include "sim/network/collective.h"
#include "sim/network/flow_network.h"
#include "sim/training/step_payloads.h"
#include "sim/training/training_costs.h"
#include "sim/training/training_layout.h"
#include "sim/training/training_memory.h"

namespace mlsysim {
namespace {

enum FlowKind : uint64_t { kActivation = 1, kGradient = 2 };
enum EventKind : uint32_t { kComputeDone = 1, kBucketChunk = 2 };

using Op = PipelineOp;

std::vector<Op> OneFOneB(int s, int p, int m, int v) { return OneFOneBOrder(s, p, m, v); }

class StepSimulation : public EventHandler, public FlowObserver, public CollectiveObserver {
 public:
  // fwd_s, bwd_s: one layer for one microbatch; vstage_layers: the layers
  // of each virtual stage chunk·p + s; ends: the LM head (and loss) on the
  // last virtual stage, the input embedding on the first.
  StepSimulation(const TrainingStepConfig& c, int dp, double fwd_s, double bwd_s,
                 std::vector<int> vstage_layers, const ClusterGraph& graph, TrainingStepResult* out,
                 const LayerCosts& ends)
      : c_(c),
        dp_(dp),
        vstage_layers_(vstage_layers),
        graph_(graph),
        out_(out),
        net_(sim_, graph.LinkCapacities()) {
    target_ = sim_.Register(this);
    replicas_ = c.representative_replica ? 1 : dp;
    rings_ = c.representative_replica ? 1 : c.tp;
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
  }

  void Run() {
    for (Actor& a : actors_) TryStart(a);
    if (c_.progress) {
      const double estimated = EstimatedStepFlows(c_);
      for (uint64_t n = 1; sim_.Step(); ++n) {
        if ((n & 0xffff) == 0) c_.progress(static_cast<double>(net_.flows_started()), estimated);
      }
    } else {
      sim_.Run();
    }
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
    out_->events = sim_.dispatched();
    out_->flows = net_.flows_started();
    out_->fingerprint = sim_.fingerprint();
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

  void OnFlowComplete(uint64_t tag, SimTime) override {
    const int kind = static_cast<int>(PipelineFlowTag::Get<0>(tag));
    const int r = static_cast<int>(PipelineFlowTag::Get<1>(tag)),
              s = static_cast<int>(PipelineFlowTag::Get<2>(tag));
    const int slot = static_cast<int>(PipelineFlowTag::Get<3>(tag));
    Actor& a = actor(r, s);
    std::vector<double>& ready = kind == kActivation ? a.act_ready : a.grad_ready;
    a.arrival_max = std::max(a.arrival_max, net_.finish_seconds());
    if (--a.pending[slot] > 0) return;
    ready[slot] = a.arrival_max;
    if (c_.record_spans) {
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
    if (--bk.outstanding > 0) return;
    bk.running.clear();
    bk.busy_s += bk.end_s - bk.start_s;
    if (c_.record_spans) {
      for (int r = 0; r < replicas_; ++r) {
        spans_.push_back({s, r, TraceSpan::kDataParallel,
                          absl::StrCat("DP all-reduce bucket ", bk.next), "dp", bk.start_s,
                          bk.end_s});
      }
    }
    ++bk.next;
    MaybeLaunchBucket(s);
  }

  const std::vector<TraceSpan>& spans() const { return spans_; }
  // TP and EP communication per layer (folded into each op's duration), for
  // the trace's nested spans.
  void set_comm_per_layer(double tp_s, double ep_s) {
    tp_per_layer_ = tp_s;
    ep_per_layer_ = ep_s;
  }

  TrainingStepPlan Plan() const {
    TrainingStepPlan p;
    p.dp = dp_;
    p.tp = c_.tp;
    p.pp = c_.pp;
    p.virtual_stages = c_.virtual_stages;
    p.microbatches = c_.microbatches;
    p.p2p_bytes = p2p_bytes_;
    p.overlap_gradients = c_.overlap_gradients;
    p.communication = c_.communication;
    p.shape = graph_.shape();
    for (const Actor& a : actors_) {
      TrainingStepPlan::Actor pa;
      pa.r = a.r;
      pa.s = a.s;
      pa.fwd_s = a.fwd_s;
      pa.bwd_s = a.bwd_s;
      pa.chunk_fwd_s = a.chunk_fwd_s;
      pa.chunk_bwd_s = a.chunk_bwd_s;
      for (const Op& op : a.ops) pa.ops.push_back({op.forward, op.mb, op.chunk});
      p.actors.push_back(std::move(pa));
    }
    for (const Bucket& bk : buckets_) {
      p.bucket_bytes.push_back(bk.bytes);
      p.buckets.push_back(static_cast<int>(bk.ready.size()));
    }
    return p;
  }

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
  };

  void RecordComputeSpans(const Actor& a, const Op& op) {
    spans_.push_back({a.s, a.r, TraceSpan::kCompute,
                      c_.virtual_stages > 1
                          ? absl::StrCat(op.forward ? "F" : "B", op.mb, ".", op.chunk)
                          : absl::StrCat(op.forward ? "F" : "B", op.mb),
                      "compute", a.op_start, a.op_end});
    // The op's TP all-reduces (two per layer) and EP all-to-alls, shown as
    // one nested span each at the op's end (the model folds them in).
    const double layers = vstage_layers_[op.chunk * c_.pp + a.s];
    double t = a.op_end;
    if (tp_per_layer_ > 0) {
      const double d = layers * 2 * tp_per_layer_;
      spans_.push_back({a.s, a.r, TraceSpan::kCompute, absl::StrCat("TP all-reduce x", 2 * layers),
                        "tp", t - d, t});
      t -= d;
    }
    if (ep_per_layer_ > 0) {
      const double d = layers * 2 * ep_per_layer_;
      spans_.push_back({a.s, a.r, TraceSpan::kCompute, absl::StrCat("EP all-to-all x", 2 * layers),
                        "ep", t - d, t});
    }
  }

  Actor& actor(int r, int s) { return actors_[static_cast<size_t>(s) * replicas_ + r]; }
  const Actor& actor(int r, int s) const { return actors_[static_cast<size_t>(s) * replicas_ + r]; }
  int Rank(int r, int s, int t) const { return (s * dp_ + r) * c_.tp + t; }
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
        sim_.ScheduleAt(SecondsToTimeCeil(a.chunk_end[i]), target_, kBucketChunk,
                        StepEvent::Pack({Index(a), static_cast<uint64_t>(i)}));
      }
    }
    sim_.ScheduleAt(SecondsToTimeCeil(a.op_end), target_, kComputeDone,
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
    to.pending[slot] = c_.tp;
    if (c_.record_spans) to.send_at[slot] = from.op_end;
    const uint64_t tag = PipelineFlowTag::Pack(
        {kind, static_cast<uint64_t>(from.r), static_cast<uint64_t>(to_stage), slot});
    for (int t = 0; t < c_.tp; ++t) {
      const int src = Rank(from.r, from.s, t), dst = Rank(from.r, to_stage, t);
      const double alpha =
          graph_.SameNode(src, dst) ? graph_.shape().nvlink_latency : graph_.shape().nic_latency;
      graph_.RouteInto(src, dst, MixHash(tag, t), path_);
      net_.Start(path_, p2p_bytes_, alpha, this, tag, from.op_end);
      p2p_total_ += p2p_bytes_;
    }
  }

  void OnComputeDone(Actor& a) {
    const Op op = a.ops[a.idx];
    a.busy = false;
    a.t_free = a.op_end;
    ++a.idx;
    if (c_.record_spans) RecordComputeSpans(a, op);
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
    bk.outstanding = rings_;
    for (int t = 0; t < rings_; ++t) {
      std::vector<int> ranks(dp_);
      for (int r = 0; r < dp_; ++r) ranks[r] = Rank(r, s, t);
      auto col = std::make_unique<Collective>(
          sim_, net_, graph_,
          CollectiveSpec{
              c_.zero_stage == 3 ? CollectiveOp::kReduceScatter : CollectiveOp::kAllReduce,
              CollectiveAlgorithm::kRing, ranks, bk.bytes},
          this, GradientRingTag::Pack({static_cast<uint64_t>(s), static_cast<uint64_t>(t)}));
      col->StartAt(bk.start_s);
      bk.running.push_back(std::move(col));
    }
  }

  const TrainingStepConfig& c_;
  int dp_;
  std::vector<int> vstage_layers_, stage_layers_;  // per virtual stage; per device
  double tp_per_layer_ = 0, ep_per_layer_ = 0;
  int replicas_ = 1, rings_ = 1;  // simulated replicas and gradient rings per stage
  const ClusterGraph& graph_;
  TrainingStepResult* out_;
  Simulator sim_;
  FlowNetwork net_;
  uint32_t target_ = 0;
  double p2p_bytes_ = 0, p2p_total_ = 0;
  std::vector<Actor> actors_;
  std::vector<Bucket> buckets_;
  std::vector<TraceSpan> spans_;
  std::vector<int> path_;
};

}  // namespace

double PipelineBubbleOfSplit(const std::vector<double>& device_busy_s, int microbatches,
                             int virtual_stages) {
  if (device_busy_s.size() < 2) return 0.0;
  const double max = *std::max_element(device_busy_s.begin(), device_busy_s.end());
  double sum = 0;
  for (double t : device_busy_s) sum += t;
  const double fill = (sum - max) / virtual_stages;
  return fill / (microbatches * max + fill);
}

absl::StatusOr<TrainingStepResult> SimulateTrainingStep(const TrainingStepConfig& c) {
  if (auto st = CheckTrainingStepConfig(c); !st.ok()) return st;
  const ModelSpec& m = c.model;
  const int gpn = c.node.accelerators_per_node;
  const int n = c.nodes * gpn;
  const int dp = n / (c.tp * c.pp);
  const Accelerator& hw = c.node.accelerator;
  const double bpp = TrainingTensorBytes(c.precision);
  const double b = static_cast<double>(c.global_batch) / (dp * c.microbatches);
  const double tokens = b * c.seq_len;
  const bool sparse = m.architecture == Architecture::kSparse && m.active_parameters > 0;
  const double p_layer = ParametersPerLayerHeld(c);

  TrainingStepResult out;
  out.dp = dp;
  // Memory (training_memory.h): model states under ZeRO and the activations
  // the schedule keeps in flight on the first device.
  const StepMemory mem = TrainingMemoryPerGpu(c, dp);
  out.memory_states_bytes = mem.weights + mem.gradients + mem.optimizer;
  out.memory_activations_bytes = mem.activations;
  out.memory_per_gpu_bytes = mem.Total();
  if (out.memory_per_gpu_bytes > hw.capacity) {
    return absl::FailedPreconditionError(
        absl::StrCat("the model does not fit even sharded: ", out.memory_per_gpu_bytes / 1e9,
                     " GB per GPU > ", hw.capacity / 1e9, " GB on ", hw.key,
                     " (raise tp/pp, add microbatches, shard with zero or sequence parallelism)"));
  }
  const TrainingFlops step_flops =
      TrainingStepFlops(m, static_cast<double>(c.global_batch) * c.seq_len, c.seq_len,
                        c.causal_attention, c.activation_recompute);
  out.model_flops_per_step = step_flops.model;
  out.hardware_flops_per_step = step_flops.hardware;
  // TP all-reduce: simulated on the node's NVLink graph, or on the
  // calibrated machine NCCL's measured ring (per-direction NVLink).
  const double tp_ar =
      !(c.tp > 1 && c.communication) ? 0.0
      : c.machine.has_value()
          ? NvlinkAllReduceSeconds(*c.machine, c.node.intra_node_bw.si, c.tp,
                                   tokens * m.hidden_dim * bpp)
          : TpAllReduceSeconds(c.node.accelerators_per_node, c.node.intra_node_bw.si, c.tp,
                               tokens * m.hidden_dim * bpp);
  const std::vector<int> vstage_layers =
      VirtualStageLayers(m.layers, c.pp, c.virtual_stages, c.stage_layers);

  ClusterShape shape;
  shape.nodes = c.nodes;
  shape.gpus_per_node = gpn;
  shape.nvlink_bandwidth = c.node.intra_node_bw.si;
  shape.nic_bandwidth = c.fabric.bandwidth.si;
  shape.nic_latency = c.fabric.latency_s > 0 ? c.fabric.latency_s : 5e-6;
  shape.fabric = c.topology;
  shape.oversubscription = c.oversubscription;
  shape.routing = c.routing;
  auto graph = ClusterGraph::Build(shape);
  if (!graph.ok()) return graph.status();
  // One layer's and the head's cost per microbatch (training_costs.h).
  const LayerCosts costs =
      LayerCostsOf(c, tokens, p_layer, graph->shape().nvlink_latency, shape.nic_latency);
  double fwd = costs.fwd_s, bwd = costs.bwd_s;
  // EP: a token dispatch and a combine all-to-all per layer forward, two more
  // backward, over the EP group (consecutive DP replicas, across nodes). Like
  // TP, simulated once on the idle fabric and reused.
  const double ep_a2a =
      c.ep > 1 && c.communication
          ? EpAllToAllSeconds(*graph, c.ep, c.tp, tokens * m.hidden_dim * bpp / c.tp)
          : 0.0;
  fwd += 2 * ep_a2a;
  bwd += 2 * ep_a2a;
  out.cp_kv_bytes_per_layer = costs.cp_kv_bytes;
  out.zero3_allgather_s = 0;  // set after the run, with the critical stage's layers
  out.dp_rings_share_links = GradientRingsShareLinks(*graph, c.tp, c.pp, dp);
  // The embedding's output is all-reduced over TP like a layer's (with SP,
  // reduce-scattered forward and all-gathered backward: the same bytes).
  LayerCosts ends = costs;
  if (ends.embed_fwd_s > 0) ends.embed_fwd_s += tp_ar;
  StepSimulation sim(c, dp, fwd + 2 * tp_ar, bwd + 2 * tp_ar, vstage_layers, *graph, &out, ends);
  sim.set_comm_per_layer(tp_ar, ep_a2a);
  sim.Run();
  out.tp_communication_s = c.microbatches * out.critical_stage_layers * 4 * tp_ar;
  if (out.critical_stage == 0 && ends.embed_fwd_s > 0) {
    out.tp_communication_s += c.microbatches * tp_ar;  // the embedding's output
  }
  out.ep_communication_s = c.microbatches * out.critical_stage_layers * 4 * ep_a2a;
  out.cp_communication_s =
      c.microbatches * out.critical_stage_layers * (costs.cp_fwd_s + costs.cp_bwd_s);
  out.zero3_allgather_s =
      c.microbatches * out.critical_stage_layers * (costs.zero3_fwd_s + costs.zero3_bwd_s);
  // The closed form beside the simulated bubble: each device's layers at
  // the per-layer forward + backward (with its TP/EP communication), the LM
  // head on the last, the embedding on the first.
  std::vector<double> device_busy;
  for (int layers : DeviceLayers(vstage_layers, c.pp)) {
    device_busy.push_back(layers * (fwd + bwd + 4 * tp_ar));
  }
  device_busy.back() += costs.head_fwd_s + costs.head_bwd_s;
  device_busy.front() += ends.embed_fwd_s + ends.embed_bwd_s;
  out.bubble_fraction_closed_form =
      PipelineBubbleOfSplit(device_busy, c.microbatches, c.virtual_stages);
  out.representative_replica = c.representative_replica;
  out.tokens_per_s = c.global_batch * static_cast<double>(c.seq_len) / out.step_time_s;
  const double peak_all = n * hw.PeakFor(c.precision).si * out.step_time_s;
  out.mfu = out.model_flops_per_step / peak_all;
  out.mfu_6p = 6 * (sparse ? m.active_parameters : m.parameters) * c.global_batch *
               static_cast<double>(c.seq_len) / peak_all;
  if (c.record_spans) out.spans = sim.spans();
  if (c.record_plan) {
    if (c.representative_replica) {
      return absl::InvalidArgumentError(
          "export: the step must be simulated in full detail (every replica and ring)");
    }
    out.plan = sim.Plan();
  }
  return out;
}

}  // namespace mlsysim
