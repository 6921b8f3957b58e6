// training_step.cc — one TP × PP × DP step at flow level (see training_step.h).
#include "sim/training/training_step.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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
#include "sim/training/step_classes.h"
#include "sim/training/step_simulation.h"

namespace mlsysim {
using step_internal::StepSimulation;

double PipelineBubbleOfSplit(const std::vector<double>& device_busy_s, int microbatches,
                             int virtual_stages) {
  if (device_busy_s.size() < 2) return 0.0;
  const double max = *std::max_element(device_busy_s.begin(), device_busy_s.end());
  double sum = 0;
  for (double t : device_busy_s) sum += t;
  const double fill = (sum - max) / virtual_stages;
  return fill / (microbatches * max + fill);
}

namespace {

// What a step simulation is built from: the per-layer costs (TP and EP
// communication folded in later), the split, the ends, and the job's own
// graph (for its closed-form collectives).
struct PreparedStep {
  int dp = 1;
  double fwd = 0, bwd = 0;  // one layer, one microbatch, before the TP all-reduces
  double tp_ar = 0, ep_a2a = 0;
  // The TP all-reduces (and EP all-to-alls) a layer's backward runs, per one
  // of its forward's two: 1, or 2 under full recompute (the recomputed
  // forward runs its own before the backward's).
  int bwd_comm_passes = 1;
  std::vector<int> vstage_layers;
  LayerCosts costs, ends;
  std::unique_ptr<ClusterGraph> graph;
};

// dp_algorithm: the stages' schedule ("mixed" where they differ); why: the
// reason, with NCCL's predictions for the first stage's bucket under auto.
void DescribeGradientAlgorithm(const TrainingStepConfig& c, int dp, TrainingStepResult* out) {
  if (dp <= 1 || !c.communication) {
    out->dp_algorithm = "none";
    return;
  }
  const std::vector<NcclAllReduceChoice> choices = GradientAlgorithms(c);
  out->dp_algorithm = CollectiveAlgorithmName(choices[0].algorithm);
  for (const NcclAllReduceChoice& x : choices) {
    if (x.algorithm != choices[0].algorithm) out->dp_algorithm = "mixed";
  }
  if (c.zero_stage >= 2) {
    out->dp_algorithm_why = "ZeRO reduce-scatters: a ring";
  } else if (c.gradient_algorithm != GradientAlgorithm::kAuto) {
    out->dp_algorithm_why = "as configured";
  } else {
    const StageGradients g = GradientsPerStage(c)[0];
    out->dp_algorithm_why = absl::StrFormat(
        "NCCL's cost model for a %.3g MB bucket over %d ranks: ring %.4g ms, double tree %.4g ms",
        g.bytes / g.buckets / 1e6, dp, choices[0].ring_s * 1e3, choices[0].tree_s * 1e3);
  }
}

absl::StatusOr<PreparedStep> PrepareStep(const TrainingStepConfig& c, TrainingStepResult& out) {
  const ModelSpec& m = c.model;
  const int gpn = c.node.accelerators_per_node;
  const int n = c.nodes * gpn;
  const int dp = n / (c.tp * c.pp);
  const Accelerator& hw = c.node.accelerator;
  const double bpp = TrainingTensorBytes(c.precision);
  const double b = static_cast<double>(c.global_batch) / (dp * c.microbatches);
  const double tokens = b * c.seq_len;
  const double p_layer = ParametersPerLayerHeld(c);

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
  const StepFlopCounts step_flops =
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

  const ClusterShape shape = StepClusterShape(c, c.nodes);
  absl::StatusOr<ClusterGraph> graph = ClusterGraph::Build(shape);
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
  const int bwd_comm_passes = c.activation_recompute == "full" ? 2 : 1;
  fwd += 2 * ep_a2a;
  bwd += 2 * bwd_comm_passes * ep_a2a;
  out.cp_kv_bytes_per_layer = costs.cp_kv_bytes;
  out.zero3_allgather_s = 0;  // set after the run, with the critical stage's layers
  out.dp_rings_share_links = GradientRingsShareLinks(*graph, c.tp, c.pp, dp);
  // The embedding's output is all-reduced over TP like a layer's (with SP,
  // reduce-scattered forward and all-gathered backward: the same bytes).
  LayerCosts ends = costs;
  if (ends.embed_fwd_s > 0) ends.embed_fwd_s += tp_ar;
  PreparedStep p;
  p.dp = dp;
  p.fwd = fwd;
  p.bwd = bwd;
  p.tp_ar = tp_ar;
  p.ep_a2a = ep_a2a;
  p.bwd_comm_passes = bwd_comm_passes;
  p.vstage_layers = vstage_layers;
  p.costs = costs;
  p.ends = ends;
  p.graph = std::make_unique<ClusterGraph>(*std::move(graph));
  return p;
}

std::unique_ptr<StepSimulation> NewStepSimulation(const TrainingStepConfig& c,
                                                  const PreparedStep& p, const ClusterGraph& graph,
                                                  TrainingStepResult* out, const StepClasses* cls,
                                                  const step_internal::SharedFabric* shared) {
  auto sim = std::make_unique<StepSimulation>(c, p.dp, p.fwd + 2 * p.tp_ar,
                                              p.bwd + 2 * p.bwd_comm_passes * p.tp_ar,
                                              p.vstage_layers, graph, out, p.ends, cls, shared);
  sim->set_comm_per_layer(p.tp_ar, p.ep_a2a, p.bwd_comm_passes);
  return sim;
}

// The result's parts computed from the run and the closed forms beside it.
absl::Status CompleteStep(const TrainingStepConfig& c, const PreparedStep& p,
                          StepSimulation* sim, TrainingStepResult& out) {
  const ModelSpec& m = c.model;
  const int n = c.nodes * c.node.accelerators_per_node;
  const int dp = p.dp;
  const Accelerator& hw = c.node.accelerator;
  const bool sparse = m.architecture == Architecture::kSparse && m.active_parameters > 0;
  const double tp_ar = p.tp_ar, ep_a2a = p.ep_a2a, fwd = p.fwd, bwd = p.bwd;
  const LayerCosts& costs = p.costs;
  const LayerCosts& ends = p.ends;
  const std::vector<int>& vstage_layers = p.vstage_layers;
  // Per layer and microbatch: two forward, two backward, two more when the
  // forward is recomputed (the checkpointed layer's forward runs again, its
  // all-reduces with it; tests/data/SOURCES.md).
  const double comm_per_layer = 2.0 + 2.0 * p.bwd_comm_passes;
  out.tp_communication_s = c.microbatches * out.critical_stage_layers * comm_per_layer * tp_ar;
  if (out.critical_stage == 0 && ends.embed_fwd_s > 0) {
    out.tp_communication_s += c.microbatches * tp_ar;  // the embedding's output
  }
  out.ep_communication_s = c.microbatches * out.critical_stage_layers * comm_per_layer * ep_a2a;
  out.cp_communication_s =
      c.microbatches * out.critical_stage_layers * (costs.cp_fwd_s + costs.cp_bwd_s);
  out.zero3_allgather_s =
      c.microbatches * out.critical_stage_layers * (costs.zero3_fwd_s + costs.zero3_bwd_s);
  // The closed form beside the simulated bubble: each device's layers at
  // the per-layer forward + backward (with its TP/EP communication), the LM
  // head on the last, the embedding on the first.
  std::vector<double> device_busy;
  for (int layers : DeviceLayers(vstage_layers, c.pp)) {
    device_busy.push_back(layers * (fwd + bwd + comm_per_layer * tp_ar));
  }
  device_busy.back() += costs.head_fwd_s + costs.head_bwd_s;
  device_busy.front() += ends.embed_fwd_s + ends.embed_bwd_s;
  out.bubble_fraction_closed_form =
      PipelineBubbleOfSplit(device_busy, c.microbatches, c.virtual_stages);
  DescribeGradientAlgorithm(c, dp, &out);
  out.representative_replica = c.representative_replica;
  out.tokens_per_s = c.global_batch * static_cast<double>(c.seq_len) / out.step_time_s;
  const double peak_all = n * hw.PeakFor(c.precision).si * out.step_time_s;
  out.mfu = out.model_flops_per_step / peak_all;
  out.mfu_6p = 6 * (sparse ? m.active_parameters : m.parameters) * c.global_batch *
               static_cast<double>(c.seq_len) / peak_all;
  if (c.record_spans) out.spans = sim->TakeSpans();
  if (c.record_plan) {
    if (c.representative_replica) {
      return absl::InvalidArgumentError(
          "export: the step must be simulated in full detail (every replica and ring)");
    }
    out.plan = sim->Plan();
  }
  return absl::OkStatus();
}

}  // namespace


absl::StatusOr<TrainingStepResult> SimulateTrainingStep(const TrainingStepConfig& c) {
  if (auto st = CheckTrainingStepConfig(c); !st.ok()) return st;
  TrainingStepResult out;
  absl::StatusOr<PreparedStep> prep = PrepareStep(c, out);
  if (!prep.ok()) return prep.status();
  const int dp = prep->dp;
  // Symmetric flows as classes (step_classes.h): first merged (one replica
  // and ring stand for all); where units diverge, templates of their own for
  // the parties whose units fell in different classes (or for all); where
  // those diverge too, one template per unit (every replica and ring
  // simulated; cannot diverge); where the routes have too little symmetry,
  // per flow.
  auto run = [&](const StepClasses* cls) {
    auto sim = NewStepSimulation(c, *prep, *prep->graph, &out, cls, nullptr);
    sim->Run();
    return sim;
  };
  std::string why = "off (--no-aggregation)", diverged;
  std::unique_ptr<StepClasses> classes;
  std::unique_ptr<StepSimulation> sim;
  if (!c.aggregate_flows) {
    sim = run(nullptr);
  } else {
    // A double tree gives every replica a role of its own (root, inner
    // node, leaf): their sends start with templates of their own.
    bool tree = false;
    for (const NcclAllReduceChoice& x : GradientAlgorithms(c))
      tree = tree || (x.algorithm == CollectiveAlgorithm::kDoubleTree && dp > 2);
    StepUnits units{tree, false};
    classes = BuildStepClasses(c, dp, *prep->graph, units, &why);
    while (classes != nullptr) {
      sim = run(classes.get());
      if (sim->symmetric()) break;
      absl::StrAppend(&diverged, "classes diverged at t = ", sim->asymmetric_at_s(), " s; ");
      sim.reset();
      if (units.replicas && units.rings) {  // per unit cannot diverge; never trust it if it did
        classes.reset();
        break;
      }
      // Next: own templates for the parties whose units differ, or for all.
      // (Each try adds a party, so the loop ends after at most three.)
      const StepUnits differ = classes->UnitsThatDiffer();
      const StepUnits next{units.replicas || differ.replicas, units.rings || differ.rings};
      units = next.replicas != units.replicas || next.rings != units.rings ? next
                                                                         : StepUnits{true, true};
      classes = BuildStepClasses(c, dp, *prep->graph, units, &why);
    }
    if (sim == nullptr) {  // per flow, at replica detail where auto detail says so
      TrainingStepConfig per_flow = c;
      per_flow.aggregate_flows = false;
      if (c.replica_fallback) per_flow.representative_replica = true;
      if (const double flows = EstimatedStepFlows(per_flow); flows > kMaxStepFlows) {
        return absl::FailedPreconditionError(absl::StrCat(
            "training.detail: the step's flows have too little symmetry (", diverged, why,
            ") and per flow it would simulate ~", flows,
            " flows, more than a step may run; use training.detail: replica"));
      }
      absl::StatusOr<TrainingStepResult> r = SimulateTrainingStep(per_flow);
      if (r.ok()) r->aggregation = absl::StrCat(diverged, why, "; per flow");
      return r;
    }
  }
  out.flows_aggregated = classes != nullptr;
  out.flow_classes = classes != nullptr ? classes->TotalClasses() : 0;
  out.aggregation = diverged + why;
  if (auto st = CompleteStep(c, *prep, sim.get(), out); !st.ok()) return st;
  return out;
}

ClusterShape StepClusterShape(const TrainingStepConfig& c, int nodes) {
  ClusterShape shape;
  shape.nodes = nodes;
  shape.gpus_per_node = c.node.accelerators_per_node;
  // Fewer NICs than accelerators share them (the registry checks they divide);
  // as many or more: one port per accelerator.
  if (c.node.nics_per_node > 0 && c.node.nics_per_node < c.node.accelerators_per_node)
    shape.nics_per_node = c.node.nics_per_node;
  shape.nvlink_bandwidth = c.node.intra_node_bw.si;
  shape.nic_bandwidth = c.fabric.bandwidth.si;
  shape.nic_latency = c.fabric.latency_s > 0 ? c.fabric.latency_s : 5e-6;
  shape.fabric = c.topology;
  shape.oversubscription = c.oversubscription;
  shape.routing = c.routing;
  return shape;
}

absl::StatusOr<std::vector<TrainingStepResult>> SimulateTrainingStepsTogether(
    const ClusterShape& cluster, const std::vector<PlacedTrainingStep>& jobs) {
  absl::StatusOr<ClusterGraph> graph = ClusterGraph::Build(cluster);
  if (!graph.ok()) return graph.status();
  const int gpn = cluster.gpus_per_node;
  std::vector<char> taken(static_cast<size_t>(cluster.nodes), 0);
  // Configs, preparations and results outlive the simulations that refer to them.
  std::vector<TrainingStepConfig> configs(jobs.size());
  std::vector<PreparedStep> preps(jobs.size());
  std::vector<TrainingStepResult> outs(jobs.size());
  Simulator sim;
  FlowNetwork net(sim, graph->LinkCapacities());
  std::vector<std::unique_ptr<StepSimulation>> steps;
  for (size_t i = 0; i < jobs.size(); ++i) {
    const PlacedTrainingStep& job = jobs[i];
    TrainingStepConfig& c = configs[i];
    c = job.config;
    c.aggregate_flows = false;
    c.representative_replica = false;
    c.record_spans = c.record_plan = false;
    c.progress = nullptr;
    if (c.nodes != static_cast<int>(job.nodes.size()) || c.node.accelerators_per_node != gpn) {
      return absl::InvalidArgumentError(absl::StrCat(
          "job ", i, ": placed on ", job.nodes.size(), " nodes of ", gpn, " GPUs; its step has ",
          c.nodes, " nodes of ", c.node.accelerators_per_node));
    }
    for (int node : job.nodes) {
      if (node < 0 || node >= cluster.nodes || taken[static_cast<size_t>(node)]++) {
        return absl::InvalidArgumentError(absl::StrCat(
            "job ", i, ": node ", node, " is outside the cluster's ", cluster.nodes,
            " nodes or placed twice"));
      }
    }
    if (auto st = CheckTrainingStepConfig(c); !st.ok()) return st;
    absl::StatusOr<PreparedStep> prep = PrepareStep(c, outs[i]);
    if (!prep.ok()) return prep.status();
    preps[i] = *std::move(prep);
    step_internal::SharedFabric fabric{&sim, &net, {}, static_cast<uint64_t>(i)};
    fabric.rank_of.resize(static_cast<size_t>(c.nodes) * gpn);
    for (size_t r = 0; r < fabric.rank_of.size(); ++r)
      fabric.rank_of[r] = job.nodes[r / gpn] * gpn + static_cast<int>(r % gpn);
    steps.push_back(NewStepSimulation(c, preps[i], *graph, &outs[i], nullptr, &fabric));
  }
  for (auto& step : steps) step->Start();
  sim.Run();
  for (size_t i = 0; i < steps.size(); ++i) {
    steps[i]->Finish();
    outs[i].aggregation = absl::StrCat("per flow, together with ", jobs.size() - 1,
                                       " other job(s) on one fabric");
    if (auto st = CompleteStep(configs[i], preps[i], steps[i].get(), outs[i]); !st.ok()) return st;
  }
  return outs;
}

}  // namespace mlsysim
