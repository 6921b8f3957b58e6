// fuzz_solve_line.cc — one `mlsysim solve` input line (JSON request) through
// the same function the command uses; it must answer one line, never crash.
#include <cstdlib>

#include "analytic/solvers/solve_dispatch.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string line = mlsysim::AsString(data, size);
  for (char& c : line)
    if (c == '\n') c = ' ';  // `solve` splits its input at newlines first
  std::string out;
  mlsysim::SolveJsonLine(mlsysim::FuzzRegistry(), line, 1, &out);
  if (out.empty() || out.back() != '\n') std::abort();  // exactly one answer line
  return 0;
}
