// fuzz_units.cc — unit strings ("400 Gbps", "19 TB/hour", "1e18 flop").
#include "analytic/units.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text = mlsysim::AsString(data, size);
  (void)mlsysim::ParseQuantity(text);
  (void)mlsysim::ParseQuantityAs(text, mlsysim::dims::kByteRate, "bandwidth");
  (void)mlsysim::ParseQuantityAs(text, mlsysim::dims::kTime, "latency");
  return 0;
}
