// step_payloads.h — what the training step's events, flows and collectives
// carry, as checked fixed-width fields (sim/core/packed_fields.h):
//   StepEvent:        the actor (stage · simulated replicas + replica), the
//                     gradient bucket whose gradients became final;
//   PipelineFlowTag:  flow kind, replica, destination stage, slot (chunk · M + mb);
//   GradientRingTag:  a gradient ring's stage and TP rank.
// CheckTrainingStepConfig refuses a configuration whose counts exceed these
// widths (naming the field), so Pack never meets a value that does not fit.
// The layouts are those the step has always used: flow tags seed the route
// hash, so changing them would move every pinned fingerprint.
#ifndef MLSYSIM_SIM_TRAINING_STEP_PAYLOADS_H_
#define MLSYSIM_SIM_TRAINING_STEP_PAYLOADS_H_

#include "sim/core/packed_fields.h"

namespace mlsysim {

using StepEvent = PackedFields<48, 16>;
using PipelineFlowTag = PackedFields<4, 20, 16, 24>;
using GradientRingTag = PackedFields<44, 20>;

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_TRAINING_STEP_PAYLOADS_H_
