// fuzz_request_trace.cc — a request-trace CSV (Azure layout).
#include "tests/fuzz/fuzz_common.h"
#include "workloads/request_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)mlsysim::ParseTrace(mlsysim::AsString(data, size), "fuzz.csv", 1.0, 100000);
  return 0;
}
