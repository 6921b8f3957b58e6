// class_transfer.cc — template instances on the quotient network and the ring
// built from them (see class_transfer.h).
#include "sim/network/class_transfer.h"

#include <algorithm>
#include <cmath>

namespace mlsysim {

void ClassTransfers::Start(int tmpl, double bytes, double start_s, ClassTransferObserver* observer,
                           uint64_t tag) {
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<uint32_t>(pool_.size());
    pool_.emplace_back();
  }
  const std::vector<int>& classes = classes_.template_classes(tmpl);
  Instance& in = pool_[id];
  in.tmpl = tmpl;
  in.observer = observer;
  in.tag = tag;
  in.outstanding = static_cast<int>(classes.size());
  in.finish.assign(classes.size(), 0.0);
  ++instances_;
  member_flows_ += static_cast<uint64_t>(classes_.template_members(tmpl));
  for (size_t k = 0; k < classes.size(); ++k) {
    const FlowClasses::Class& c = classes_.classes()[classes[k]];
    net_.StartWeighted(c.cells, c.weights, bytes, c.latency_s, this,
                       (static_cast<uint64_t>(id) << kClassBits) | k, start_s);
  }
}

void ClassTransfers::OnFlowComplete(uint64_t tag, SimTime) {
  const uint32_t id = static_cast<uint32_t>(tag >> kClassBits);
  const size_t k = tag & ((uint64_t{1} << kClassBits) - 1);
  Instance& in = pool_[id];
  in.finish[k] = net_.finish_seconds();
  if (--in.outstanding > 0) return;
  // Each unit is done when its last class is; they must agree.
  double first = -1, last = 0;
  for (const std::vector<int>& profile : classes_.unit_profiles(in.tmpl)) {
    double end = 0;
    for (int c : profile) end = std::max(end, in.finish[c]);
    if (first < 0) first = end;
    if (std::abs(end - first) > 1e-12 * std::max(1.0, std::abs(first))) {
      if (symmetric_) asymmetric_at_s_ = std::min(first, end);
      symmetric_ = false;
      sim_.Stop();
    }
    last = std::max(last, end);
  }
  ClassTransferObserver* observer = in.observer;
  const uint64_t user_tag = in.tag;
  free_.push_back(id);
  if (symmetric_ && observer != nullptr) observer->OnClassTransferDone(user_tag, last);
}

ClassCollective::ClassCollective(ClassTransfers& xfer, int tmpl, CollectiveOp op,
                                 CollectiveAlgorithm algorithm, int ranks, double message_bytes,
                                 CollectiveObserver* observer, uint64_t tag)
    : xfer_(xfer), tmpl_(tmpl), observer_(observer), tag_(tag) {
  if (ranks <= 1) {
    steps_ = 0;
    bytes_ = 0;
  } else if (algorithm == CollectiveAlgorithm::kDoubleTree) {
    steps_ = 1;
    bytes_ = message_bytes / 2;
  } else {
    steps_ = op == CollectiveOp::kAllReduce ? 2 * (ranks - 1) : ranks - 1;
    bytes_ = message_bytes / ranks;
  }
}

void ClassCollective::StartAt(double start_s) {
  step_ = 0;
  end_s_ = start_s;
  if (steps_ == 0) {
    if (observer_ != nullptr) observer_->OnCollectiveComplete(tag_, xfer_.now());
    return;
  }
  xfer_.Start(tmpl_, bytes_, start_s, this, 0);
}

void ClassCollective::OnClassTransferDone(uint64_t, double finish_s) {
  end_s_ = std::max(end_s_, finish_s);
  if (++step_ < steps_) {
    xfer_.Start(tmpl_, bytes_, end_s_, this, 0);
    return;
  }
  if (observer_ != nullptr) observer_->OnCollectiveComplete(tag_, xfer_.now());
}

}  // namespace mlsysim
