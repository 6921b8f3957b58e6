// training_layout.h — facts about how a TP × PP × DP job sits on the cluster,
// computed without simulating: the 1F1B op order of each pipeline device,
// whether the gradient rings share fabric links (then replica detail drops
// real contention), and the default microbatch count.
//
// Usage: bool shared = GradientRingsShareLinks(graph, /*tp=*/8, /*pp=*/4, /*dp=*/8);
#ifndef MLSYSIM_SIM_TRAINING_TRAINING_LAYOUT_H_
#define MLSYSIM_SIM_TRAINING_TRAINING_LAYOUT_H_

#include "topology/cluster_graph.h"

#include <vector>

namespace mlsysim {

// One op of a pipeline device: the forward or backward of microbatch `mb` on
// model chunk `chunk` (interleaved schedule; 0 otherwise).
struct PipelineOp {
  bool forward;
  int mb;
  int chunk;  // model chunk on this device (interleaved schedule); 0 otherwise
};

// The (interleaved) 1F1B order of device s of p, with m microbatches and v
// model chunks per device (Megatron-LM's schedule; v = 1 is plain 1F1B).
// Virtual stage j = chunk·p + s holds layers [j·L/(p·v), (j+1)·L/(p·v)).
std::vector<PipelineOp> OneFOneBOrder(int s, int p, int m, int v);

// Layers of each virtual stage j = chunk·p + s (p·v of them, in model order):
// `explicit_split` when given, else Megatron's split: L/(p·v) each, the
// remainder one each on the middle virtual stages (centred), so the first,
// which also embeds, and the last, which also runs the LM head and loss, are
// the lighter ones.
std::vector<int> VirtualStageLayers(int layers, int p, int v,
                                    const std::vector<int>& explicit_split);

// The layers each pipeline device holds: the sum of its chunks' virtual
// stages (j = chunk·p + device).
std::vector<int> DeviceLayers(const std::vector<int>& virtual_stage_layers, int p);

// Routes one ring step of every gradient ring (all stages and TP ranks at
// once; rank = (stage·dp + replica)·tp + tp_rank) and reports whether a
// switch-to-switch link carries more NIC-rate flows than its capacity holds.
bool GradientRingsShareLinks(const ClusterGraph& graph, int tp, int pp, int dp);

// The microbatch count used when the user gives none: the largest divisor of
// the per-replica batch (global_batch / dp) that is at most 4·pp (enough to
// keep the 1F1B bubble small), so the default always fits the batch. Returns
// 4·pp when tp·pp does not divide the GPUs or dp does not divide the batch
// (the step's own checks then say why).
int DefaultMicrobatches(long long global_batch, long long gpus, int tp, int pp);

// One ring all-reduce of `bytes` over `tp` GPUs of one node (NVLink of
// `nvlink_bw` per GPU), simulated on the idle node; seconds.
double TpAllReduceSeconds(int gpus_per_node, double nvlink_bw, int tp, double bytes);
// One EP all-to-all of `bytes` per rank over the EP group (consecutive DP
// replicas of stage 0, TP rank 0) on the idle cluster; seconds.
double EpAllToAllSeconds(const ClusterGraph& graph, int ep, int tp, double bytes);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_TRAINING_TRAINING_LAYOUT_H_
