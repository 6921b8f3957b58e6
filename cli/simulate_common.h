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
#include "sim/scenario/run_context.h"
#include "sim/scenario/scenario_check.h"

namespace mlsysim {

// Each returns "" on success (or when the option is absent, leaving *out as is).
std::string GetInt(const ParsedOptions& o, const std::string& name, long long lo, long long hi,
                   int* out);
std::string GetInt64(const ParsedOptions& o, const std::string& name, long long lo, long long hi,
                     long long* out);
std::string GetNumber(const ParsedOptions& o, const std::string& name, double* out);
std::string GetQuantity(const ParsedOptions& o, const std::string& name, const Dimension& dim,
                        double* out);

// Scenario field path -> the flag that fills it, for messages about flag input.
using FieldFlags = std::vector<std::pair<std::string, std::string>>;
// Adds " (--flag)" after each field path `msg` names.
std::string NameFlags(const std::string& msg, const FieldFlags& flags);

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

int RunSimulateCollective(const CommandContext& ctx, const CommandArgs& args);
int RunSimulateTraining(const CommandContext& ctx, const CommandArgs& args);
int RunSimulateQueue(const CommandContext& ctx, const CommandArgs& args);
int RunSimulateServing(const CommandContext& ctx, const CommandArgs& args);
int RunSimulateJobs(const CommandContext& ctx, const CommandArgs& args);
int RunSimulateChakra(const CommandContext& ctx, const CommandArgs& args);

// `mlsysim simulate FORM ...`.
int RunSimulate(const CommandContext& ctx, const CommandArgs& args);

}  // namespace mlsysim

#endif  // MLSYSIM_CLI_SIMULATE_COMMON_H_
