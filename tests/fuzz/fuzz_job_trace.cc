// fuzz_job_trace.cc — a cluster job-trace CSV (traces/job_trace.h).
#include "tests/fuzz/fuzz_common.h"
#include "traces/job_trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)mlsysim::ParseJobTrace(mlsysim::AsString(data, size), "fuzz.csv", 100000);
  return 0;
}
