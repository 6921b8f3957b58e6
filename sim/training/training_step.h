// training_step.h — one training step of TP × PP × DP at flow level.
//
// What is simulated (and how it differs from mlsysim's DistributedModel):
//  * Compute really is sharded: each GPU runs L/PP layers on 1/TP of every
//    weight matrix; a layer's forward costs its GEMM and attention-core FLOPs
//    (analytic/transformer_shape.h) × tokens / TP, its backward twice that
//    (plus the recomputed part), at peak × efficiency, or its weight traffic
//    at HBM bandwidth when that is slower (roofline); the LM head runs on the
//    last stage.
//  * TP: two all-reduces of b·S·h·bpp per layer forward and two backward
//    (Megatron), run as ring collectives on the node's NVLink graph. NVLink is
//    private to a node, so one TP group's timing is simulated once and reused.
//  * PP: 1F1B per data-parallel replica, or Megatron's interleaved 1F1B with
//    v model chunks per device; activations (forward) and gradients
//    (backward) cross stages as TP-sharded flows on the fabric, contending with
//    everything else there.
//  * DP: after a stage's last backward (or bucket by bucket during it, with
//    overlap), one all-reduce per TP rank over the DP group, on the fabric:
//    a ring, or NCCL's double binary tree where NCCL would pick it
//    (gradient_algorithm; nccl_choice.h).
//  * EP (mixture-of-experts models): experts sharded over EP groups of DP
//    replicas; a dispatch and a combine all-to-all per layer each way, on the
//    fabric, simulated once on the idle network; compute uses the active
//    parameters. The gradient ring covers the whole DP group.
//  * Stragglers: each GPU's speed is scaled by a lognormal factor (mean 1,
//    coefficient of variation `straggler_cv`) drawn from the run's seed.
// Ranks follow Megatron's order: rank = (stage·DP + replica)·TP + tp_rank.
//
// Usage: absl::StatusOr<TrainingStepResult> r = SimulateTrainingStep(config);
#ifndef MLSYSIM_SIM_TRAINING_TRAINING_STEP_H_
#define MLSYSIM_SIM_TRAINING_TRAINING_STEP_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analytic/kernel_model.h"
#include "analytic/specs.h"
#include "sim/network/nccl_choice.h"
#include "sim/training/training_layout.h"
#include "topology/cluster_graph.h"

namespace mlsysim {

// The DP gradient all-reduce's schedule: NCCL's choice per bucket size, ranks
// and nodes (ring or double binary tree; nccl_choice.h), or one forced.
enum class GradientAlgorithm { kAuto, kRing, kDoubleTree };
absl::Status ParseGradientAlgorithm(absl::string_view name, GradientAlgorithm* out);

struct TrainingStepConfig {
  ModelSpec model;
  NodeSpec node;      // accelerator, GPUs per node, NVLink bandwidth
  FabricSpec fabric;  // NIC bandwidth and latency
  int nodes = 1;
  FabricKind topology = FabricKind::kFatTree2;
  double oversubscription = 1.0;
  Routing routing = Routing::kDmodk;
  int tp = 1, pp = 1;
  int ep = 1;  // expert parallelism (MoE models), carved out of DP
  // Context parallelism: each sequence split over cp ranks (ring attention),
  // carved out of DP: the GPUs are tp × cp × pp × dp, gradients reduced over
  // cp × dp.
  int cp = 1;
  int microbatches = 1;    // per replica per step
  int virtual_stages = 1;  // model chunks per device: > 1 is the interleaved 1F1B
  // Layers of each virtual stage j = chunk·pp + device (pp·virtual_stages
  // entries, model order); empty: Megatron's split (VirtualStageLayers).
  std::vector<int> stage_layers;
  int global_batch = 1;  // sequences per step
  int seq_len = 2048;
  std::string precision = "bf16";
  double efficiency = 0.5;
  // The calibrated machine (--hardware-model calibrated): every kernel costed
  // on its shape (training_kernels.h), the TP all-reduce as NCCL runs it on
  // NVLink; `efficiency` is then unused. Empty: mlsysim's roofline machine.
  std::optional<KernelModel> machine;
  bool overlap_gradients = true;
  // Activation memory per layer (Korthikanti, as mlsysim): none 34·sbh,
  // selective 10·sbh, full 2·sbh bytes at 16 bits; full recomputation also
  // re-runs the forward during the backward.
  std::string activation_recompute = "selective";
  // Sequence parallelism (Megatron): the TP all-reduces become reduce-scatter
  // + all-gather of the same volume (the same ring time) and the activations
  // outside the TP-sharded blocks are split over TP too.
  bool sequence_parallel = false;
  // ZeRO stage 0–3: 1 shards the optimizer states over DP (Megatron's
  // distributed optimizer), 2 the gradients too (the gradient all-reduce
  // becomes a reduce-scatter + an all-gather of the updated weights, the same
  // ring volume); 3 (FSDP) the weights too: each layer's weights are
  // all-gathered before its forward and again before its backward (prefetched
  // under the previous layer's compute), and the gradients only
  // reduce-scattered.
  int zero_stage = 0;
  // Attention-core FLOPs: causal (what FlashAttention computes, (s+1)/2 keys
  // per query on average) or square (s keys: Megatron's eq. 3, mlsysim).
  bool causal_attention = true;
  // Calibrated machine only: the attention as Megatron-LM ran it before
  // FlashAttention (training_kernels.h); false: FlashAttention.
  bool unfused_attention = false;
  double bucket_bytes = 0;  // 0: one bucket per stage
  // auto: NCCL's choice; a reduce-scatter (ZeRO 2 and 3) always runs as a
  // ring (NCCL's tree all-reduces only).
  GradientAlgorithm gradient_algorithm = GradientAlgorithm::kAuto;
  double straggler_cv = 0;
  uint64_t seed = 1;
  bool communication = true;  // false: compute only (the Iron Law check)
  // Simulate one data-parallel replica's pipeline and one gradient ring per
  // stage (TP rank 0) instead of all of them. Exact when replicas and TP ranks
  // are symmetric and the rings do not share fabric links (rail-optimized or
  // non-blocking fabrics); it drops cross-ring contention. For large clusters.
  bool representative_replica = false;
  // Simulate flows that are the same up to a symmetry of the fabric and the
  // schedule as one flow class each (step_classes.h), exactly; where the
  // symmetry breaks during the step, it is re-run per flow. false: per flow
  // (--no-aggregation, for checks).
  bool aggregate_flows = true;
  // When an aggregated full-detail step must be re-run per flow: at replica
  // detail (training.detail auto above 2,048 GPUs) rather than in full.
  bool replica_fallback = false;
  // Optional: collect per-rank spans for a trace (rank, name, start, end),
  // of the replicas below span_replicas (0: every simulated replica).
  bool record_spans = false;
  int span_replicas = 0;
  // Optional: return the step's plan (per-actor op order and durations,
  // buckets, transfer sizes), from which a Chakra trace is exported.
  bool record_plan = false;
  // Optional: called about every 65,536 events with the flows started so
  // far and EstimatedStepFlows (for a progress line).
  std::function<void(double started, double estimated)> progress;
};

// One span of the step for the trace: a compute op (with the TP/EP
// communication folded into it as a nested span), a pipeline receive, or a
// DP gradient-bucket all-reduce, of one TP group (pipeline stage, replica).
struct TraceSpan {
  enum Stream { kCompute = 0, kPipelineRecv = 1, kDataParallel = 2 };
  int stage, replica;
  Stream stream;
  std::string name;
  std::string category;  // compute | tp | ep | pp | dp
  double start_s, end_s;
};

// What the step simulation executes, for export (sim/training_chakra.h).
struct TrainingStepPlan {
  struct Op {
    bool forward;
    int mb, chunk;
  };
  struct Actor {  // one TP group: stage s of data-parallel replica r
    int r = 0, s = 0;
    double fwd_s = 0, bwd_s = 0;  // per op (mean over chunks), TP (and EP) included
    std::vector<double> chunk_fwd_s, chunk_bwd_s;  // per op of each model chunk
    std::vector<Op> ops;                           // (interleaved) 1F1B order
  };
  int dp = 1, tp = 1, pp = 1, virtual_stages = 1, microbatches = 1;
  double p2p_bytes = 0;  // per TP rank, per microbatch, each way
  bool overlap_gradients = true, communication = true;
  std::vector<Actor> actors;         // index s·dp + r
  std::vector<double> bucket_bytes;  // per stage: bytes of one bucket per TP rank
  std::vector<int> buckets;          // per stage
  ClusterShape shape;                // the cluster the step ran on
};

struct TrainingStepResult {
  int dp = 1;
  int critical_stage = 0;  // the busiest pipeline device
  int critical_stage_layers = 0;
  double step_time_s = 0;
  double compute_time_s = 0;      // busy compute of the critical stage's GPUs (replica 0)
  double tp_communication_s = 0;  // inside compute_time_s: TP all-reduces per GPU
  double ep_communication_s = 0;  // inside compute_time_s: EP all-to-alls per GPU
  // CP: the KV block a rank passes per ring step and layer forward, and the
  // ring time the attention core does not hide, per GPU per step.
  double cp_kv_bytes_per_layer = 0, cp_communication_s = 0;
  // ZeRO-3: the weight all-gathers' time not hidden under compute, per GPU.
  double zero3_allgather_s = 0;
  double bubble_time_s = 0;    // last backward end (any stage) − the critical stage's compute
  double bubble_fraction = 0;  // bubble / (compute + bubble)
  // The schedule's own bubble in closed form (PipelineBubbleOfSplit) for
  // the step's split, per-layer costs and the LM head on the last device.
  double bubble_fraction_closed_form = 0;
  double exposed_dp_s = 0;     // step − last backward end (gradient sync not hidden)
  double dp_allreduce_s = 0;   // one stage's gradient all-reduce, start to end
  // The gradient all-reduces' schedule: "ring", "double_tree" or, where
  // stages differ, "mixed"; and why (NCCL's predicted times under auto).
  std::string dp_algorithm = "ring", dp_algorithm_why;
  double pp_p2p_bytes = 0;     // bytes sent between stages per step
  double tokens_per_s = 0;
  // FLOPs of the step from the model's shape (analytic/transformer_shape.h):
  // model = forward + backward with attention (PaLM's MFU numerator),
  // hardware = model + what recomputation re-runs.
  double model_flops_per_step = 0, hardware_flops_per_step = 0;
  double mfu = 0;                   // model flops / (N · peak · step)
  double mfu_6p = 0;                // 6·P·tokens / (N · peak · step): mlsysim's Iron Law count
  double memory_per_gpu_bytes = 0;  // weights + grads + Adam + in-flight activations
  double memory_states_bytes = 0;   // weights + grads + Adam after ZeRO (first device)
  double memory_activations_bytes = 0;
  // flows: the flows the step moves (one per rank pair and transfer, as the
  // per-flow simulation runs them); simulated_flows: what the network ran
  // (fewer when aggregated: one per flow class instance).
  uint64_t events = 0, flows = 0, simulated_flows = 0, fingerprint = 0;
  bool representative_replica = false;
  bool flows_aggregated = false;
  size_t flow_classes = 0;
  std::string aggregation;  // what aggregation did, or why not
  // A static check of one gradient-ring step over all rings: true when two
  // rings' flows cross one switch-to-switch link (then replica detail, which
  // simulates one ring per stage, drops that contention).
  bool dp_rings_share_links = false;
  std::vector<TraceSpan> spans;
  TrainingStepPlan plan;  // when record_plan
};

// The model's preconditions on a config (what SimulateTrainingStep refuses):
// a Transformer shape; tp divides a node, tp x pp the cluster; pp <= layers;
// the interleaved schedule's multiples; the batch a multiple of dp x
// microbatches; ep only for mixture-of-experts models, dividing dp and the
// experts; a known activation recompute mode.
absl::Status CheckTrainingStepConfig(const TrainingStepConfig& c);

// The flows one step simulation starts, known before it runs: per stage,
// gradient ring and bucket, 2(DP − 1) ring steps of DP flows; per simulated
// replica and TP rank, one pipeline send per microbatch, chunk boundary and
// direction. CheckTrainingStepConfig refuses more than kMaxStepFlows (about
// 10 minutes at the ~6.6 M flows/s measured for the 131,072-GPU step).
double EstimatedStepFlows(const TrainingStepConfig& c);
inline constexpr double kMaxStepFlows = 4e9;
// Whether the step's flows may run as flow classes (step_classes.h):
// aggregation on, communication on, routes that do not hash per flow (not
// ECMP), no stragglers, no plan to export. The routes decide the rest when
// the step is built.
bool FlowAggregationApplies(const TrainingStepConfig& c);
// Why not (the reason, "off…"), or null when it applies.
const char* WhyNoFlowAggregation(const TrainingStepConfig& c);
// Aggregated, the step's work in per-flow units: its templates' flows (each
// refined up to 24 rounds) and the transfers it starts (per stage and bucket
// 2(DP − 1) ring steps, the pipeline's sends), each counted as
// kAggregationWorkPerItem flows (24 refinement rounds and more; a few classes
// per transfer). Bounded by kMaxStepFlows like the per-flow count.
inline constexpr double kAggregationWorkPerItem = 64;
double EstimatedAggregatedWork(const TrainingStepConfig& c);
// Parameters of one layer a GPU holds before TP: P/L, or for a model with
// experts the active parameters plus the other experts over the EP group.
double ParametersPerLayerHeld(const TrainingStepConfig& c);
// Per pipeline device: its gradients per TP rank (its layers' parameters ×
// bytes / TP) and the buckets they form (one all-reduce each):
// ceil(bytes / bucket_bytes), 1 without buckets; a count, not yet checked
// against what the step's events carry.
struct StageGradients {
  double bytes = 0, buckets = 1;
};
std::vector<StageGradients> GradientsPerStage(const TrainingStepConfig& c);
// The most buckets one stage forms.
double MaxBucketsPerStage(const TrainingStepConfig& c);
// Per pipeline device: its gradient all-reduces' schedule (kRing or
// kDoubleTree) and NCCL's predictions for one bucket over the DP group, which
// spans ceil(DP / (G / TP)) nodes with NIC bandwidth per GPU across nodes.
std::vector<NcclAllReduceChoice> GradientAlgorithms(const TrainingStepConfig& c);

// The bubble of a pipeline whose device d is busy T_d per microbatch (all
// its chunks, forward and backward), m microbatches, v chunks per device:
// the critical device works m·T_max and waits while the first microbatch
// fills and the last drains the other devices, one chunk each way,
//   bubble = F / (m·T_max + F),  F = (Σ_d T_d − T_max) / v.
// With equal T_d this is (p − 1)/(v·m + p − 1) (PipelineBubble), which the
// simulated 1F1B and interleaved schedules meet exactly; with one chunk per
// device it is the heterogeneous pipeline's Σ T_d + (m − 1)·T_max, which
// charges the whole fill and drain of every other device: with unequal
// devices the simulated schedule overlaps part of it (2,3,3,2 layers on
// PP 4, 8 microbatches: 90 layer-forwards simulated, 93 here).
double PipelineBubbleOfSplit(const std::vector<double>& device_busy_s, int microbatches,
                             int virtual_stages);

absl::StatusOr<TrainingStepResult> SimulateTrainingStep(const TrainingStepConfig& config);

// The cluster a step runs on: `nodes` nodes of the config's node type and
// fabric (its NVLink, NIC bandwidth and latency, topology, oversubscription,
// routing; 32-port leaves).
ClusterShape StepClusterShape(const TrainingStepConfig& c, int nodes);

// A training job placed on nodes of a shared cluster.
struct PlacedTrainingStep {
  TrainingStepConfig config;  // config.nodes == nodes.size()
  std::vector<int> nodes;     // the cluster's nodes it runs on, in its ranks' order
};

// One step of every job at once, on one engine over `cluster`'s fabric, all
// starting at t = 0: each job's flows meet its neighbours' on the links they
// share (max-min). Per flow, every replica and ring (no classes); the
// cluster's links are used (a job's node type must have the cluster's GPUs
// per node). ECMP hashes differ by job (job i's flows are salted with i, so
// job 0 hashes as it would alone). A job whose routes are those of a
// cluster of its own nodes (a leaf-aligned placement under D-mod-k) steps
// exactly as SimulateTrainingStep on its own nodes when its links are its own.
absl::StatusOr<std::vector<TrainingStepResult>> SimulateTrainingStepsTogether(
    const ClusterShape& cluster, const std::vector<PlacedTrainingStep>& jobs);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_TRAINING_TRAINING_STEP_H_
