// simulate_common.h — small helpers shared by the `simulate` subcommands:
// typed option reading with errors that name the option, and the relative gap.
// Usage: std::string err = GetQuantity(opts, "--message", dims::kBytes, &bytes);
#ifndef MLSYSIM_CLI_SIMULATE_COMMON_H_
#define MLSYSIM_CLI_SIMULATE_COMMON_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "analytic/units.h"
#include "proto/scenario.pb.h"
#include "cli/commands.h"
#include "sim/statistics.h"
#include "traces/json_writer.h"

namespace mlsysim {

// Each returns "" on success (or when the option is absent, leaving *out as is).
std::string GetInt(const ParsedOptions& o, const std::string& name, long long lo, long long hi,
                   int* out);
std::string GetNumber(const ParsedOptions& o, const std::string& name, double* out);
std::string GetQuantity(const ParsedOptions& o, const std::string& name, const Dimension& dim,
                        double* out);

// (simulated - analytic) / analytic; 0 when both are 0.
inline double RelativeGap(double simulated, double analytic) {
  if (analytic == 0) return simulated == 0 ? 0.0 : 1.0;
  return (simulated - analytic) / analytic;
}

int RunSimulateCollective(const CommandContext& ctx, const CommandArgs& args);
int RunSimulateQueue(const CommandContext& ctx, const CommandArgs& args);
int RunSimulateServing(const CommandContext& ctx, const CommandArgs& args);
int RunSimulateJobs(const CommandContext& ctx, const CommandArgs& args);
int RunSimulateChakra(const CommandContext& ctx, const CommandArgs& args);
// The Chakra job behind `simulate chakra` and `chakra {}` scenarios.
int RunChakraJob(const CommandContext& ctx, const std::string& workload, const std::string& network,
                 const std::string& system, const std::string& backend);

// Prints a result record as JSON (-o json) or as "key value" lines under a title.
int PrintResult(const CommandContext& ctx, const std::string& title, const Record& result);
int RunSimulate(const CommandContext& ctx, const CommandArgs& args);
// A number as text without losing digits (integers exactly, else 17 digits).
std::string ExactNumber(double v);
// Parses and checks a scenario (UTF-8, syntax, every numeric field's range);
// messages start with `path`.
absl::Status ParseScenarioText(const std::string& text, const std::string& path, scenario::Scenario* s);

}  // namespace mlsysim

#endif  // MLSYSIM_CLI_SIMULATE_COMMON_H_
