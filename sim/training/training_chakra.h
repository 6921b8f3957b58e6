// training_chakra.h — one detailed training step as Chakra execution traces
// (ASTRA-sim's workload format): per rank, the (interleaved) 1F1B compute in
// order, pipeline activations and gradients as SEND/RECV pairs between the
// TP-matched ranks of neighbouring stages, and the data-parallel gradient
// buckets as ring all-reduces in per-(stage, TP rank) process groups
// (`pg_name`), released chunk by chunk during the last backward when
// gradients overlap. Durations are in `duration_micros` (Chakra's field) and,
// exactly, in a `duration_s` double attribute; with the platform files
// written beside them, `simulate chakra --backend flow` re-runs the step on
// the same cluster.
//
// Usage:
//   TrainingStepConfig c = ...; c.record_plan = true;
//   auto step = SimulateTrainingStep(c);
//   ChakraExport e = TrainingStepToChakra(step->plan);
#ifndef MLSYSIM_SIM_TRAINING_TRAINING_CHAKRA_H_
#define MLSYSIM_SIM_TRAINING_TRAINING_CHAKRA_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "sim/training/training_step.h"
#include "traces/chakra_trace.h"

namespace mlsysim {

struct ChakraExport {
  std::vector<ChakraTrace> ranks;  // rank = (stage·dp + replica)·tp + tp_rank
  std::string network_yaml;        // ASTRA-sim network file (+ mlsysim fabric keys)
  std::string system_json;         // ASTRA-sim system file
};

ChakraExport TrainingStepToChakra(const TrainingStepPlan& plan);

// Writes DIR/PREFIX.<rank>.et, DIR/network.yml and DIR/system.json (each
// atomically; DIR is created if missing). Returns the files written.
absl::StatusOr<std::vector<std::string>> WriteChakraExport(const ChakraExport& e,
                                                           const std::string& dir,
                                                           const std::string& prefix);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_TRAINING_TRAINING_CHAKRA_H_
