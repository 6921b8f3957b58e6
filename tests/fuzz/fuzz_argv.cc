// fuzz_argv.cc — the argument parser and typed option readers: the input is
// split at NUL bytes into arguments.
#include "cli/commands.h"
#include "cli/simulate_common.h"
#include "tests/fuzz/fuzz_common.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mlsysim::CommandArgs args;
  std::string cur;
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(static_cast<char>(data[i]));
    }
  }
  args.push_back(cur);
  mlsysim::ParsedOptions o;
  const std::string err = mlsysim::ParseOptions(args,
                                                {{"--ranks", "", true},
                                                 {"--message", "-m", true},
                                                 {"--latency", "", true},
                                                 {"--efficiency", "-e", true},
                                                 {"--help", "-h", false}},
                                                "fuzz", &o);
  if (!err.empty()) return 0;
  int ranks = 0;
  double bytes = 0, lat = 0, eff = 0;
  (void)mlsysim::GetInt(o, "--ranks", 1, 1 << 20, &ranks);
  (void)mlsysim::GetQuantity(o, "--message", mlsysim::dims::kBytes, &bytes);
  (void)mlsysim::GetQuantity(o, "--latency", mlsysim::dims::kTime, &lat);
  (void)mlsysim::GetNumber(o, "--efficiency", &eff);
  return 0;
}
