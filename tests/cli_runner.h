// cli_runner.h — runs the `mlsysim` command line in process for the CLI tests
// and captures its exit code, stdout and stderr.
// Usage: CliRun r = Mlsysim({"-o", "json", "zoo"}); EXPECT_EQ(r.code, 0);
#ifndef MLSYSIM_TESTS_CLI_RUNNER_H_
#define MLSYSIM_TESTS_CLI_RUNNER_H_

#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace mlsysim {

struct CliRun {
  int code;
  std::string out, err;
};

inline CliRun Mlsysim(std::vector<std::string> args) {
  args.insert(args.begin(), "mlsysim");
  std::ostringstream out, err;
  const int code = RunMlsysim(args, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace mlsysim

#endif  // MLSYSIM_TESTS_CLI_RUNNER_H_
