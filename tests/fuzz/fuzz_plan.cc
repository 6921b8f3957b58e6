// fuzz_plan.cc — an mlsys.yaml plan; yaml-cpp's exceptions must all become
// statuses.
#include "cli/plan.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)mlsysim::ParsePlan(mlsysim::AsString(data, size), "fuzz.yaml");
  return 0;
}
