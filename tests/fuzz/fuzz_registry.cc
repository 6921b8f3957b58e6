// fuzz_registry.cc — a `--registry` file added on top of the built-in one.
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mlsysim::Registry reg(mlsysim::FuzzRegistry());
  (void)reg.AddText(mlsysim::AsString(data, size), "fuzz.textproto");
  return 0;
}
