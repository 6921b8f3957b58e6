// training_step_check.cc — the training step model's preconditions
// (CheckTrainingStepConfig, see training_step.h): the model shape, the
// parallel layout against the node and the cluster, the schedule, experts,
// and the bound on the flows one step may simulate (EstimatedStepFlows).
#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/formulas.h"
#include "sim/training/step_payloads.h"
#include "sim/training/training_layout.h"
#include "sim/training/training_memory.h"
#include "sim/training/training_step.h"

namespace mlsysim {

absl::Status CheckTrainingStepConfig(const TrainingStepConfig& c) {
  const ModelSpec& m = c.model;
  if (!m.IsTransformer() || m.parameters <= 0 || m.layers <= 0 || m.hidden_dim <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model: the training simulation needs a Transformer with parameters, layers and "
        "hidden_dim; '",
        m.key, "' is not one"));
  }
  const int gpn = c.node.accelerators_per_node;
  const int n = c.nodes * gpn;
  if (c.tp < 1 || c.pp < 1 || c.microbatches < 1 || c.global_batch < 1 || c.seq_len < 1) {
    return absl::InvalidArgumentError("tp, pp, microbatches, batch size and seq_len must be >= 1");
  }
  if (!(c.efficiency > 0 && c.efficiency <= 1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("efficiency must lie in (0, 1]; got ", c.efficiency));
  }
  if (c.tp > gpn || gpn % c.tp != 0) {
    return absl::InvalidArgumentError(absl::StrCat("tp (", c.tp, ") must divide the ", gpn,
                                                   " GPUs of a node (TP stays on NVLink)"));
  }
  if (n % (c.tp * c.pp) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("tp x pp (", c.tp * c.pp, ") does not divide the ", n, " GPUs"));
  }
  if (c.pp > m.layers) {
    return absl::InvalidArgumentError(
        absl::StrCat("pp (", c.pp, ") exceeds the model's ", m.layers, " layers"));
  }
  if (c.virtual_stages < 1) return absl::InvalidArgumentError("virtual stages must be >= 1");
  if (c.virtual_stages > 1) {
    if (c.pp < 2) return absl::InvalidArgumentError("the interleaved schedule needs pp >= 2");
    if (c.microbatches % c.pp != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("the interleaved schedule needs microbatches (", c.microbatches,
                       ") to be a multiple of pp (", c.pp, ")"));
    }
  }
  const int vstages = c.pp * c.virtual_stages;
  if (vstages > m.layers) {
    return absl::InvalidArgumentError(
        absl::StrCat("pp x v (", vstages, ") exceeds the model's ", m.layers, " layers"));
  }
  if (!c.stage_layers.empty()) {
    long long sum = 0;
    bool positive = true;
    for (int l : c.stage_layers) {
      sum += l;
      positive = positive && l >= 1;
    }
    if (static_cast<int>(c.stage_layers.size()) != vstages || !positive || sum != m.layers) {
      return absl::InvalidArgumentError(absl::StrCat(
          "stage layers: give pp x v = ", vstages, " counts, each >= 1, summing to the model's ",
          m.layers, " layers; got ", c.stage_layers.size(), " summing to ", sum));
    }
  }
  if (c.cp < 1) return absl::InvalidArgumentError("cp must be >= 1");
  if (n % (c.tp * c.pp * c.cp) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("tp x pp x cp (", c.tp * c.pp * c.cp, ") does not divide the ", n, " GPUs"));
  }
  if (c.cp > 1 && c.seq_len % (2 * c.cp) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("seq_len (", c.seq_len, ") must be a multiple of 2 x cp (", 2 * c.cp,
                     "): ring attention gives each rank two balanced blocks"));
  }
  const int dp = n / (c.tp * c.pp);  // the gradient group: data and context parallel ranks
  const int data_dp = dp / c.cp;
  if (c.global_batch % (data_dp * c.microbatches) != 0) {
    return absl::InvalidArgumentError(absl::StrCat("batch size (", c.global_batch,
                                                   ") must be a multiple of dp x microbatches (",
                                                   data_dp, " x ", c.microbatches, ")"));
  }
  if (c.straggler_cv < 0) return absl::InvalidArgumentError("straggler cv must be >= 0");
  const bool sparse = m.architecture == Architecture::kSparse && m.active_parameters > 0;
  if (c.ep < 1) return absl::InvalidArgumentError("ep must be >= 1");
  if (c.ep > 1) {
    if (!sparse || m.num_experts < 1) {
      return absl::InvalidArgumentError(
          absl::StrCat("ep (", c.ep,
                       ") > 1 needs a mixture-of-experts model (architecture Sparse with "
                       "active_parameters and num_experts); '",
                       m.key, "' is not one"));
    }
    if (data_dp % c.ep != 0) {
      return absl::InvalidArgumentError(absl::StrCat("ep (", c.ep, ") must divide dp (", dp,
                                                     "): EP groups are carved out of DP"));
    }
    if (m.num_experts % c.ep != 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("ep (", c.ep, ") must divide the ", m.num_experts, " experts"));
    }
  }
  if (c.activation_recompute != "none" && c.activation_recompute != "selective" &&
      c.activation_recompute != "full") {
    return absl::InvalidArgumentError(absl::StrCat("activation recompute '", c.activation_recompute,
                                                   "': accepted none, selective, full"));
  }
  if (c.zero_stage < 0 || c.zero_stage > 3) {
    return absl::InvalidArgumentError(
        absl::StrCat("zero stage ", c.zero_stage, ": accepted 0, 1, 2, 3"));
  }
  if (c.gradient_algorithm == GradientAlgorithm::kDoubleTree && c.zero_stage >= 2) {
    return absl::InvalidArgumentError(absl::StrCat(
        "gradient algorithm double_tree: ZeRO stage ", c.zero_stage,
        " reduce-scatters the gradients, which runs as a ring (NCCL's tree only all-reduces)"));
  }
  // What the step's events and flows can carry (step_payloads.h).
  if (const double buckets = MaxBucketsPerStage(c); buckets > StepEvent::Max(1) + 1.0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "bucket_size (%.0f B): a stage's gradients would form %.0f buckets; at most %d "
        "(use a bucket of at least %.0f B)",
        c.bucket_bytes, buckets, static_cast<int>(StepEvent::Max(1) + 1),
        std::ceil(c.bucket_bytes * buckets / (StepEvent::Max(1) + 1.0))));
  }
  if (static_cast<double>(c.microbatches) * c.virtual_stages > PipelineFlowTag::Max(3) + 1.0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "microbatches x virtual_stages (", c.microbatches, " x ", c.virtual_stages,
        ") exceeds the ", PipelineFlowTag::Max(3) + 1, " pipeline slots a step can track"));
  }
  if (dp > static_cast<int64_t>(PipelineFlowTag::Max(1)) + 1 ||
      c.pp > static_cast<int64_t>(PipelineFlowTag::Max(2)) + 1 ||
      c.tp > static_cast<int64_t>(GradientRingTag::Max(1)) + 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("dp (", dp, "), pp (", c.pp, ") or tp (", c.tp, ") exceeds ",
                     PipelineFlowTag::Max(1) + 1, ", ", PipelineFlowTag::Max(2) + 1, " or ",
                     GradientRingTag::Max(1) + 1));
  }
  // Aggregated, the network runs one flow per class instance: the per-flow
  // bound applies when the symmetry breaks and the step is re-run (checked
  // then, in SimulateTrainingStep).
  if (const double flows = FlowAggregationApplies(c) ? EstimatedAggregatedWork(c)
                                                      : EstimatedStepFlows(c);
      flows > kMaxStepFlows) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "nodes (%d): one step would simulate ~%.2g flows (gradient rings over %d data-parallel "
        "ranks: 2(DP-1) steps of DP flows each), more than the %.0e a step may run (about 10 "
        "minutes at flow level); use fewer nodes, or raise tp x pp to shrink DP",
        c.nodes, flows, dp, kMaxStepFlows));
  }
  return absl::OkStatus();
}

double ParametersPerLayerHeld(const TrainingStepConfig& c) {
  const ModelSpec& m = c.model;
  const bool sparse = m.architecture == Architecture::kSparse && m.active_parameters > 0;
  return (sparse ? m.active_parameters + (m.parameters - m.active_parameters) / c.ep
                 : m.parameters) /
         std::max(1, m.layers);
}

std::vector<StageGradients> GradientsPerStage(const TrainingStepConfig& c) {
  const double p_layer = ParametersPerLayerHeld(c), bpp = TrainingTensorBytes(c.precision);
  std::vector<StageGradients> out;
  for (int layers : DeviceLayers(
           VirtualStageLayers(c.model.layers, c.pp, c.virtual_stages, c.stage_layers), c.pp)) {
    StageGradients g;
    g.bytes = p_layer * layers * bpp / c.tp;
    if (c.bucket_bytes > 0) g.buckets = std::max(1.0, std::ceil(g.bytes / c.bucket_bytes));
    out.push_back(g);
  }
  return out;
}

absl::Status ParseGradientAlgorithm(absl::string_view name, GradientAlgorithm* out) {
  if (name == "auto") {
    *out = GradientAlgorithm::kAuto;
  } else if (name == "ring") {
    *out = GradientAlgorithm::kRing;
  } else if (name == "double_tree") {
    *out = GradientAlgorithm::kDoubleTree;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "gradient algorithm '", name, "': accepted auto (NCCL's choice), ring, double_tree"));
  }
  return absl::OkStatus();
}

std::vector<NcclAllReduceChoice> GradientAlgorithms(const TrainingStepConfig& c) {
  const int gpn = std::max(1, c.node.accelerators_per_node);
  const long long gpus = static_cast<long long>(c.nodes) * gpn;
  const int dp = static_cast<int>(std::max(1LL, gpus / std::max(1, c.tp * c.pp)));
  const int per_node = std::max(1, std::min(dp, gpn / std::max(1, c.tp)));
  NcclComm comm;
  comm.ranks = dp;
  comm.nodes = (dp + per_node - 1) / per_node;
  comm.bus_bytes_per_s = comm.nodes > 1 ? c.fabric.bandwidth.si : c.node.intra_node_bw.si;
  std::vector<NcclAllReduceChoice> out;
  for (const StageGradients& g : GradientsPerStage(c)) {
    NcclAllReduceChoice choice = ChooseNcclAllReduce(comm, g.bytes / g.buckets);
    if (c.gradient_algorithm == GradientAlgorithm::kRing || c.zero_stage >= 2 || dp <= 1) {
      choice.algorithm = CollectiveAlgorithm::kRing;
    } else if (c.gradient_algorithm == GradientAlgorithm::kDoubleTree) {
      choice.algorithm = CollectiveAlgorithm::kDoubleTree;
    }
    out.push_back(choice);
  }
  return out;
}

double MaxBucketsPerStage(const TrainingStepConfig& c) {
  double most = 1;
  for (const StageGradients& g : GradientsPerStage(c)) most = std::max(most, g.buckets);
  return most;
}

const char* WhyNoFlowAggregation(const TrainingStepConfig& c) {
  if (!c.aggregate_flows) return "off (--no-aggregation)";
  if (!c.communication) return "off (no communication)";
  if (c.routing == Routing::kEcmp) return "off: ECMP routes depend on each flow's hash";
  if (c.straggler_cv > 0) return "off: stragglers make every replica different";
  if (c.record_plan) return "off: the exported plan needs every replica's actors";
  return nullptr;
}

bool FlowAggregationApplies(const TrainingStepConfig& c) {
  return WhyNoFlowAggregation(c) == nullptr;
}

double EstimatedAggregatedWork(const TrainingStepConfig& c) {
  const double gpus = static_cast<double>(c.nodes) * c.node.accelerators_per_node;
  const double dp = std::max(1.0, std::floor(gpus / (c.tp * c.pp)));
  const bool full = !c.representative_replica;
  const std::vector<StageGradients> grads = GradientsPerStage(c);
  const std::vector<NcclAllReduceChoice> algorithms = GradientAlgorithms(c);
  double ring_members = 0, ring_instances = 0;  // per TP rank's ring, over the stages
  for (size_t s = 0; s < grads.size(); ++s) {
    const bool tree = algorithms[s].algorithm == CollectiveAlgorithm::kDoubleTree;
    ring_members += tree ? 4 * (dp - 1) : dp;
    ring_instances += grads[s].buckets * (tree ? 1 : 2 * (dp - 1));
  }
  const double pairs = 2.0 * std::min(c.pp, c.pp * c.virtual_stages - 1);
  const double members = (dp > 1 ? (full ? c.tp : 1) * ring_members : 0) +
                         (full ? dp : 1) * c.tp * (c.pp > 1 ? pairs : 0);
  const double instances = (dp > 1 ? ring_instances : 0) +
                           2.0 * (c.pp * c.virtual_stages - 1.0) * c.microbatches;
  return kAggregationWorkPerItem * (members + instances);
}

double EstimatedStepFlows(const TrainingStepConfig& c) {
  const double gpus = static_cast<double>(c.nodes) * c.node.accelerators_per_node;
  const double dp = std::max(1.0, std::floor(gpus / (c.tp * c.pp)));
  const double replicas = c.representative_replica ? 1 : dp;
  const double rings = c.representative_replica ? 1 : c.tp;
  const std::vector<StageGradients> grads = GradientsPerStage(c);
  const std::vector<NcclAllReduceChoice> algorithms = GradientAlgorithms(c);
  double ring_flows = 0;  // per TP rank's all-reduces, over the stages and buckets
  for (size_t s = 0; dp > 1 && s < grads.size(); ++s) {
    const bool tree = algorithms[s].algorithm == CollectiveAlgorithm::kDoubleTree;
    ring_flows += grads[s].buckets * (tree ? 4 * (dp - 1) : 2 * (dp - 1) * dp);
  }
  const double p2p_flows =
      c.communication ? replicas * 2.0 * (c.pp * c.virtual_stages - 1.0) * c.microbatches * c.tp
                      : 0;
  return (c.communication ? rings * ring_flows : 0) + p2p_flows;
}

}  // namespace mlsysim
