// commands.h — the `mlsysim` subcommands. Each takes the parsed global options
// and its own arguments, writes results to `out` and diagnostics to `err`, and
// returns mlsysim's exit code: 0 ok, 1 bad input, 2 physically infeasible,
// 3 a constraint failed.
// Usage: return RunZoo(ctx, {"hardware"});
#ifndef MLSYSIM_CLI_COMMANDS_H_
#define MLSYSIM_CLI_COMMANDS_H_

#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

#include "sim/forms/options.h"
#include "topology/registry.h"

namespace mlsysim {

enum ExitCode { kExitOk = 0, kExitBadInput = 1, kExitInfeasible = 2, kExitSlaFailed = 3 };

enum class OutputFormat { kText, kJson, kMarkdown };

struct CommandContext {
  OutputFormat format = OutputFormat::kText;
  std::shared_ptr<const Registry> registry;
  std::ostream* out;
  std::ostream* err;
  // When the command started (a Result's wall time), and whether to leave the
  // wall time out so that output is byte-identical (--reproducible).
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  bool reproducible = false;
  bool quiet = false;  // --quiet: no progress on stderr
  // --report FILE.html: commands that hold their result as JSON put it here
  // (simulate: the Result; sweep: its rows); eval and serve are rerun.
  std::string* report_json = nullptr;
};

int RunZoo(const CommandContext& ctx, const CommandArgs& args);
int RunSchema(const CommandContext& ctx, const CommandArgs& args);
int RunWalls(const CommandContext& ctx, const CommandArgs& args);
int RunSolve(const CommandContext& ctx, const CommandArgs& args);
int RunEval(const CommandContext& ctx, const CommandArgs& args);
int RunServe(const CommandContext& ctx, const CommandArgs& args);
int RunOptimize(const CommandContext& ctx, const CommandArgs& args);
int RunSweep(const CommandContext& ctx, const CommandArgs& args);
int RunCalibrate(const CommandContext& ctx, const CommandArgs& args);

// Writes {"status":"error","title":...,"reason":...} (JSON) or "error: ..." (text)
// to the right stream and returns `code`.
int ReportError(const CommandContext& ctx, int code, const std::string& title,
                const std::string& reason);

// The whole command line: global options (-o/--output text|json,
// --registry FILE, --version, --help) then a subcommand. Returns the exit code.
int RunMlsysim(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err);

}  // namespace mlsysim

#endif  // MLSYSIM_CLI_COMMANDS_H_
