// training_testing.h — a training step on registry hardware, for tests: the
// model and the fleet's node and fabric looked up by key, the rest left at
// TrainingStepConfig's defaults for the test to set.
//
// Usage: TrainingStepConfig c = StepOnRegistryFleet("Llama3_8B", "Frontier_8K", 2);
#ifndef MLSYSIM_TESTS_TRAINING_TESTING_H_
#define MLSYSIM_TESTS_TRAINING_TESTING_H_

#include <string>

#include "gtest/gtest.h"
#include "sim/training/training_step.h"
#include "topology/registry.h"

namespace mlsysim {

inline TrainingStepConfig StepOnRegistryFleet(const std::string& model, const std::string& fleet,
                                              int nodes) {
  auto reg = Registry::Builtin();
  EXPECT_TRUE(reg.ok());
  TrainingStepConfig c;
  c.model = *(*reg)->FindModel(model);
  const FleetSpec f = *(*reg)->FindFleet(fleet);
  c.node = f.node;
  c.fabric = f.fabric;
  c.nodes = nodes;
  return c;
}

}  // namespace mlsysim

#endif  // MLSYSIM_TESTS_TRAINING_TESTING_H_
