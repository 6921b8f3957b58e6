// fuzz_chakra.cc — a Chakra `.et` stream (length-delimited protobuf).
#include "tests/fuzz/fuzz_common.h"
#include "traces/chakra_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)mlsysim::ParseChakraTrace(mlsysim::AsString(data, size), "fuzz.et");
  return 0;
}
