// step_classes.h — a training step's flows as flow-class templates
// (sim/network/flow_classes.h), so that a symmetric step is simulated once per
// class instead of once per flow, exactly.
//
// Templates, merged: per pipeline stage, one ring step of its gradient rings
// (every TP rank's ring at full detail, TP rank 0's at replica detail; unit:
// the ring); per pair of devices that exchange activations or gradients, one
// send of every replica's TP ranks (replica 0's at replica detail; unit: the
// replica). One simulated replica and ring then stand for all, which holds
// while their units finish together (ClassTransfers checks).
// Per unit: a template per ring (its DP ranks) and per replica's send (its
// TP ranks); every replica and ring is simulated, and each template having
// one unit, nothing can diverge: exact always, aggregated within a unit only.
// Routes are taken as the per-flow step takes them, so aggregation
// applies only where they do not depend on the flow (not ECMP), and only when
// every replica runs at the same speed (no stragglers).
//
// Usage:
//   std::string why;
//   std::unique_ptr<StepClasses> sc = BuildStepClasses(config, dp, graph, &why);
//   if (sc == nullptr) ...  // simulate per flow; `why` says why
#ifndef MLSYSIM_SIM_TRAINING_STEP_CLASSES_H_
#define MLSYSIM_SIM_TRAINING_STEP_CLASSES_H_

#include <memory>
#include <string>
#include <vector>

#include "sim/network/flow_classes.h"
#include "sim/training/training_step.h"
#include "topology/cluster_graph.h"

namespace mlsysim {

struct StepClasses {
  explicit StepClasses(std::vector<double> capacity) : classes(std::move(capacity)) {}
  FlowClasses classes;
  bool merged = true;
  int pp = 1, tp = 1, replicas = 1, rings = 1;  // replicas and rings per stage, per unit
  std::vector<int> ring;  // [stage * rings + ring]; empty without gradient rings
  std::vector<int> send;  // [(replica * pp + from) * pp + to]; -1 where no send
  int Send(int replica, int from, int to) const {
    const size_t r = merged ? 0 : static_cast<size_t>(replica);
    return send[(r * pp + from) * pp + to];
  }
  int Ring(int stage, int tp_rank) const {
    return ring[static_cast<size_t>(stage) * rings + (merged ? 0 : tp_rank)];
  }
  size_t TotalClasses() const { return classes.classes().size(); }
};

// Null (with the reason in *why) when the step's flows cannot or need not be
// aggregated: ECMP routing, stragglers, communication off, or routes with too
// little symmetry to gain (more than half as many classes as flows).
// merged: the merged templates, else one per unit.
std::unique_ptr<StepClasses> BuildStepClasses(const TrainingStepConfig& c, int dp,
                                              const ClusterGraph& graph, bool merged,
                                              std::string* why);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_TRAINING_STEP_CLASSES_H_
