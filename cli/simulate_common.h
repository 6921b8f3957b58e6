// simulate_common.h — what the `simulate` subcommands share: typed option
// reading with errors that name the option, flags named beside the scenario
// fields they fill, --dump-scenario, and printing a scenario run's Result.
// Usage: std::string err = GetQuantity(opts, "--message", dims::kBytes, &bytes);
#ifndef MLSYSIM_CLI_SIMULATE_COMMON_H_
#define MLSYSIM_CLI_SIMULATE_COMMON_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "analytic/units.h"
#include "cli/commands.h"
#include "proto/result.pb.h"
#include "proto/scenario.pb.h"
#include "sim/forms/options.h"
#include "sim/scenario/run_context.h"
#include "sim/scenario/scenario_check.h"

namespace mlsysim {

// Prints `s` as a scenario file (textproto) and returns 0 (--dump-scenario);
// with `full`, every default the run would apply written out first
// (--dump-scenario --full; `dir` anchors the scenario's relative files).
int DumpScenario(const CommandContext& ctx, const scenario::Scenario& s, bool full = false,
                 const std::string& dir = "");
// The scenario layer's context for a command: its registry, stderr for
// diagnostics, progress when stderr is a terminal (not JSON, not --quiet).
RunContext RunContextOf(const CommandContext& ctx);
// Prints a simulation's Result as JSON, Markdown or the text report, with the
// wall time (unless --reproducible), or reports its error (exit 1 for bad
// input, 2 infeasible) with the flag beside each field it names. Returns the exit code.
int PrintRun(const CommandContext& ctx, absl::StatusOr<result::Result> r,
             const FieldFlags& flags = {});

// `mlsysim simulate FORM ...`.
int RunSimulate(const CommandContext& ctx, const CommandArgs& args);

}  // namespace mlsysim

#endif  // MLSYSIM_CLI_SIMULATE_COMMON_H_
