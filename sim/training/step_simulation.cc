// step_simulation.cc — StepSimulation's out-of-line parts (see step_simulation.h).
#include "sim/training/step_simulation.h"

#include <utility>

namespace mlsysim {
namespace step_internal {

TrainingStepPlan StepSimulation::Plan() const {
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

}  // namespace step_internal
}  // namespace mlsysim
