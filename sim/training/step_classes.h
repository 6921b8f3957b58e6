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
// The two can be chosen apart (StepUnits): e.g. double trees give every
// replica a different role, so the replicas need their own send templates,
// while the TP ranks' trees stay symmetric and merged.
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

// Which of the step's parties get templates of their own (one per unit)
// rather than one merged template standing for all of them.
struct StepUnits {
  bool replicas = false;  // the pipeline sends: one template per replica
  bool rings = false;     // the gradient all-reduces: one per TP rank
};

struct StepClasses {
  explicit StepClasses(std::vector<double> capacity) : classes(std::move(capacity)) {}
  FlowClasses classes;
  StepUnits units;
  int pp = 1, tp = 1, replicas = 1, rings = 1;  // simulated replicas; all-reduces per stage
  std::vector<int> ring;  // [stage * rings + ring]; empty without gradient all-reduces
  std::vector<int> send;  // [(replica * pp + from) * pp + to]; -1 where no send
  int Send(int replica, int from, int to) const {
    const size_t r = replicas == 1 ? 0 : static_cast<size_t>(replica);
    return send[(r * pp + from) * pp + to];
  }
  int Ring(int stage, int tp_rank) const {
    return ring[static_cast<size_t>(stage) * rings + (rings == 1 ? 0 : tp_rank)];
  }
  size_t TotalClasses() const { return classes.classes().size(); }
  // Whether the merged templates' units differ in the classes their flows
  // fall in (FlowClasses::unit_profiles): such units see different rates,
  // will finish apart, and need templates of their own.
  StepUnits UnitsThatDiffer() const;
};

// Null (with the reason in *why) when the step's flows cannot or need not be
// aggregated: ECMP routing, stragglers, communication off, or routes with too
// little symmetry to gain (more than half as many classes as flows).
// units: which parties get templates of their own (none: every replica and
// ring merged into one; both: every one its own).
std::unique_ptr<StepClasses> BuildStepClasses(const TrainingStepConfig& c, int dp,
                                              const ClusterGraph& graph, StepUnits units,
                                              std::string* why);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_TRAINING_STEP_CLASSES_H_
