// class_transfer.h — instances of flow-class templates (flow_classes.h) on the
// quotient network, and a ring collective made of them.
//
// ClassTransfers starts one instance of a template — every class of it as one
// weighted flow of the template's per-flow bytes — and reports when the last
// class has arrived. The quotient gives every flow its exact per-flow rate;
// what it cannot represent is units that then diverge: when the units of a
// template (the rings, the replicas that each wait for their own flows) see
// their last flow arrive at different instants, the schedule after that point
// is no longer the same for all of them. ClassTransfers then marks the run
// asymmetric and stops the simulator, and the caller re-runs it per flow.
//
// ClassCollective is a collective whose steps all start the same set of flows:
// the ring all-reduce (2(N − 1) steps of M/N) or reduce-scatter (N − 1 steps)
// over a template whose flows are one ring step of every ring it stands for
// (each rank to the next), or the double binary tree all-reduce (one step of
// M/2, double_tree.h) over a template of every tree edge both ways, whose
// members carry the pipeline's fill, 2·depth·α, as their latency.
//
// Usage:
//   ClassTransfers xfer(sim, net, classes);
//   xfer.Start(tmpl, bytes, start_s, &observer, tag);  // observer->OnClassTransferDone(tag, t)
#ifndef MLSYSIM_SIM_NETWORK_CLASS_TRANSFER_H_
#define MLSYSIM_SIM_NETWORK_CLASS_TRANSFER_H_

#include <cstdint>
#include <vector>

#include "sim/core/simulator.h"
#include "sim/network/collective.h"
#include "sim/network/flow_classes.h"
#include "sim/network/flow_network.h"

namespace mlsysim {

class ClassTransferObserver {
 public:
  virtual ~ClassTransferObserver() = default;
  // finish_s: the exact instant the last flow of every unit arrived.
  virtual void OnClassTransferDone(uint64_t tag, double finish_s) = 0;
};

class ClassTransfers : public FlowObserver {
 public:
  ClassTransfers(Simulator& sim, FlowNetwork& net, const FlowClasses& classes)
      : sim_(sim), net_(net), classes_(classes) {}

  // A template's classes are named in the flows' tags: at most this many.
  static constexpr size_t kMaxClassesPerTemplate = size_t{1} << 20;
  void Start(int tmpl, double bytes, double start_s, ClassTransferObserver* observer,
             uint64_t tag);
  void OnFlowComplete(uint64_t tag, SimTime now) override;

  // False once some instance's units finished at different instants.
  bool symmetric() const { return symmetric_; }
  double asymmetric_at_s() const { return asymmetric_at_s_; }
  uint64_t instances() const { return instances_; }
  // The flows the instances stand for (their templates' members).
  uint64_t member_flows() const { return member_flows_; }
  SimTime now() const { return sim_.now(); }

 private:
  struct Instance {
    int tmpl = 0, outstanding = 0;
    ClassTransferObserver* observer = nullptr;
    uint64_t tag = 0;
    std::vector<double> finish;  // per class of the template
  };
  static constexpr int kClassBits = 20;  // log2(kMaxClassesPerTemplate)

  Simulator& sim_;
  FlowNetwork& net_;
  const FlowClasses& classes_;
  std::vector<Instance> pool_;
  std::vector<uint32_t> free_;
  bool symmetric_ = true;
  double asymmetric_at_s_ = 0;
  uint64_t instances_ = 0, member_flows_ = 0;
};

class ClassCollective : public ClassTransferObserver {
 public:
  // op: kAllReduce or kReduceScatter (ring only); algorithm: kRing or
  // kDoubleTree; ranks: N.
  ClassCollective(ClassTransfers& xfer, int tmpl, CollectiveOp op, CollectiveAlgorithm algorithm,
                  int ranks, double message_bytes, CollectiveObserver* observer, uint64_t tag);
  void StartAt(double start_s);
  void OnClassTransferDone(uint64_t tag, double finish_s) override;
  double exact_end_seconds() const { return end_s_; }

 private:
  ClassTransfers& xfer_;
  int tmpl_, steps_, step_ = 0;
  double bytes_;
  CollectiveObserver* observer_;
  uint64_t tag_;
  double end_s_ = 0;
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_NETWORK_CLASS_TRANSFER_H_
