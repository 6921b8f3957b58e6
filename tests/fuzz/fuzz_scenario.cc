// fuzz_scenario.cc — a scenario file (protobuf text format): UTF-8 check,
// parse and every range check; must return a status, never crash.
#include "cli/simulate_common.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mlsysim::scenario::Scenario s;
  (void)mlsysim::ParseScenarioText(mlsysim::AsString(data, size), "fuzz.textproto", &s);
  return 0;
}
