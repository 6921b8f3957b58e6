// simulate_common.h — small helpers shared by the `simulate` subcommands:
// typed option reading with errors that name the option, and the relative gap.
// Usage: std::string err = GetQuantity(opts, "--message", dims::kBytes, &bytes);
#ifndef MLSYSIM_CLI_SIMULATE_COMMON_H_
#define MLSYSIM_CLI_SIMULATE_COMMON_H_

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "analytic/units.h"
#include "proto/result.pb.h"
#include "proto/scenario.pb.h"
#include "cli/commands.h"
#include "sim/statistics.h"
#include "traces/json_writer.h"

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

// Prints `s` as a scenario file (textproto) and returns 0 (--dump-scenario).
int DumpScenario(const CommandContext& ctx, const scenario::Scenario& s);
// Prints a simulation's Result as JSON, Markdown or the text report, with the
// scenario as run (`echo`: its seed and replications are the ones used) and
// the wall time (unless --reproducible). Returns 0.
int PrintSimResult(const CommandContext& ctx, scenario::Scenario echo, result::Result r);
// Records a file written in the result and announces it on stderr.
void AnnounceFile(const CommandContext& ctx, result::Result* r, const std::string& path,
                  const std::string& what);

// Progress on stderr for runs longer than about a second: only on a terminal,
// never with --quiet or JSON output. Step(done) redraws at most 10 times a second.
class Progress {
 public:
  Progress(const CommandContext& ctx, std::string what, long long total);
  void Step(long long done, const std::string& detail = "");
  void Done();

 private:
  std::ostream* err_;
  std::string what_;
  long long total_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

// (simulated - analytic) / analytic; 0 when both are 0.
inline double RelativeGap(double simulated, double analytic) {
  if (analytic == 0) return simulated == 0 ? 0.0 : 1.0;
  return (simulated - analytic) / analytic;
}

int RunSimulateCollective(const CommandContext& ctx, const CommandArgs& args);
int RunSimulateTraining(const CommandContext& ctx, const CommandArgs& args);
int RunSimulateQueue(const CommandContext& ctx, const CommandArgs& args);
int RunSimulateServing(const CommandContext& ctx, const CommandArgs& args);
int RunSimulateJobs(const CommandContext& ctx, const CommandArgs& args);
int RunSimulateChakra(const CommandContext& ctx, const CommandArgs& args);
// The Chakra job behind `simulate chakra` and `chakra {}` scenarios.
int RunChakraJob(const CommandContext& ctx, const std::string& workload, const std::string& network,
                 const std::string& system, const std::string& backend, const scenario::Scenario& echo);

// Prints a result record as JSON (-o json) or as "key value" lines under a title.
int RunSimulate(const CommandContext& ctx, const CommandArgs& args);
// A number as text without losing digits (integers exactly, else 17 digits).
std::string ExactNumber(double v);
// Every numeric field's domain; "" or a message naming the field path.
std::string CheckScenarioRanges(const scenario::Scenario& s);
int RunQueueScenario(const CommandContext& ctx, const scenario::Scenario& s, const FieldFlags& flags = {});
// The job queue of `s` on `gpus` GPUs, into *out (not printed); returns the exit code.
int RunJobsScenario(const CommandContext& ctx, const scenario::Scenario& s, const FieldFlags& flags, int gpus,
                    result::Result* out);
// A serving scenario (files relative to `dir`) into *out; returns the exit code.
int RunServingScenario(const CommandContext& ctx, const scenario::Scenario& s, const std::string& dir,
                       const FieldFlags& flags, result::Result* out);
// Runs and prints a serving scenario (with its job queue, when it has one).
int RunServingFromScenario(const CommandContext& ctx, const scenario::Scenario& s, const std::string& dir,
                           const FieldFlags& flags = {});
// Runs and prints a collective scenario.
int RunCollectiveScenario(const CommandContext& ctx, const scenario::Scenario& s, const FieldFlags& flags = {});
// Runs and prints a training scenario.
int RunTrainingScenario(const CommandContext& ctx, const scenario::Scenario& s, const std::string& path,
                        const FieldFlags& flags = {});
// A scenario with only a job queue: runs and prints it.
int RunJobsFromScenario(const CommandContext& ctx, const scenario::Scenario& s, const FieldFlags& flags = {});
// Parses and checks a scenario (UTF-8, syntax, every numeric field's range);
// messages start with `path`.
absl::Status ParseScenarioText(const std::string& text, const std::string& path, scenario::Scenario* s);

}  // namespace mlsysim

#endif  // MLSYSIM_CLI_SIMULATE_COMMON_H_
