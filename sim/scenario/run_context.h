// run_context.h — what a scenario run needs from its caller (the CLI, a test,
// the Python module): the registry, where diagnostics go (warnings, notes,
// "wrote FILE"), and whether to draw progress lines there. Errors are
// returned as absl::Status: InvalidArgument (bad input, exit 1) or
// FailedPrecondition (physically infeasible, exit 2), the message naming the
// scenario field.
// Usage: RunContext rc{registry, &std::cerr}; auto r = RunScenario(s, "", rc);
#ifndef MLSYSIM_SIM_SCENARIO_RUN_CONTEXT_H_
#define MLSYSIM_SIM_SCENARIO_RUN_CONTEXT_H_

#include <chrono>
#include <map>
#include <memory>
#include <ostream>
#include <string>

#include "proto/result.pb.h"
#include "topology/registry.h"

namespace mlsysim {

struct RunContext {
  std::shared_ptr<const Registry> registry;
  std::ostream* diagnostics = nullptr;  // may be null: nothing is said
  bool progress = false;                // progress lines (a terminal, not JSON, not --quiet)
  // Whether plot series that cost extra simulation (the collective form's
  // rerun at smaller messages) are wanted: JSON output, --report, Python.
  // Series computed from the run itself are always kept.
  bool plot_series = true;
  // When set, the per-record tables of replication 0 ("requests",
  // "iterations" for serving; "events" for training) are also kept here as
  // CSV text (the same columns as the files; traces/README.md), whether or
  // not a file was asked for (the Python module's DataFrames).
  std::map<std::string, std::string>* tables = nullptr;
  // Where the scenario's relative input paths start ('/'-terminated, or ""
  // for the working directory); RunScenario sets it from its `dir`.
  std::string input_dir;
};

// Says `line` (newline added) on the diagnostics stream, if any.
void Say(const RunContext& rc, const std::string& line);
// Records a file written in the result and announces it.
void AnnounceFile(const RunContext& rc, result::Result* r, const std::string& path,
                  const std::string& what);
// A warning: in the result and on the diagnostics stream.
void Warn(const RunContext& rc, result::Result* r, const std::string& warning);

// Progress lines for runs longer than about a second; Step(done) redraws at
// most 10 times a second, Done() ends the line.
class Progress {
 public:
  Progress(const RunContext& rc, std::string what, long long total);
  void Step(long long done, const std::string& detail = "");
  void Done();

 private:
  std::ostream* out_;
  std::string what_;
  long long total_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SCENARIO_RUN_CONTEXT_H_
