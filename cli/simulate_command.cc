// simulate_command.cc — `mlsysim simulate`: the quick forms (sim/forms/:
// flags -> Scenario) and scenario files (protobuf text format), run by the
// scenario layer and printed.

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/units.h"
#include "cli/simulate_common.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "proto/scenario.pb.h"
#include "sim/forms/quick_form.h"
#include "sim/scenario/runners.h"
#include "topology/registry.h"
#include "traces/json_writer.h"
#include "traces/small_file.h"

namespace mlsysim {

extern const char kDefaultScenarioText[];

namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o text|json|markdown] [--reproducible] [--quiet] simulate FORM ...\n"
    "  simulate SCENARIO.textproto   run a scenario file (proto/scenario.proto; mlsysim schema)\n"
    "  simulate default              the embedded default scenario (llama3_70b_research256)\n"
    "  simulate training ...         one training job: a detailed step, then failures and "
    "checkpoints\n"
    "  simulate serving ...          LLM serving replicas with continuous batching\n"
    "  simulate queue ...            a plain c-server queue\n"
    "  simulate jobs ...             jobs queueing for a shared cluster\n"
    "  simulate collective ...       one collective on a cluster fabric\n"
    "  simulate chakra ...           ASTRA-sim workloads (Chakra traces)\n"
    "  Each form's --help lists its flags; flags only fill a scenario, and --dump-scenario prints "
    "it\n"
    "  (save it as FILE.textproto and `simulate FILE.textproto` gives the same result).\n"
    "  Results: a report (text), -o markdown, or -o json (proto/result.proto; mlsysim schema "
    "--type result).\n"
    "  Outputs on every form that has them: --trace FILE.json (Perfetto), --events-csv, "
    "--requests-csv,\n"
    "  --iterations-csv; each file written is announced on stderr and listed in the result.\n"
    "  --report FILE.html (any form): also an HTML report with figures (needs "
    "python3-matplotlib).\n";

constexpr const char kFileHelp[] =
    "usage: mlsysim [-o text|json|markdown] simulate (SCENARIO.textproto | default) [--seed N]\n"
    "         [--replications R] [--trace FILE.json] [--events-csv FILE] [--requests-csv FILE]\n"
    "         [--iterations-csv FILE] [--trace-max-events N] [--dump-scenario [--full]]\n"
    "  The flags override the scenario's seed, replications and outputs {} block.\n"
    "  --report FILE.html also writes an HTML report with figures (needs python3-matplotlib).\n";

// Flags after a scenario file (or `default`): seed, replications and outputs.
struct ScenarioOverrides {
  ParsedOptions o;
  bool dump = false, full = false;
};

std::string ApplyOverrides(const ScenarioOverrides& v, scenario::Scenario* s) {
  const ParsedOptions& o = v.o;
  int seed = 0, reps = 0;
  long long max_events = 0;
  std::string e = GetInt(o, "--seed", 1, 2000000000, &seed);
  if (e.empty()) e = GetInt(o, "--replications", 1, 100000, &reps);
  if (e.empty()) e = GetInt64(o, "--trace-max-events", 2, 100000000, &max_events);
  if (!e.empty()) return e;
  if (seed > 0) s->set_seed(static_cast<uint64_t>(seed));
  if (reps > 0) s->set_replications(static_cast<uint32_t>(reps));
  auto* out = s->mutable_outputs();
  if (o.Has("--trace")) out->set_trace_json(o.Get("--trace", ""));
  if (o.Has("--events-csv")) out->set_events_csv(o.Get("--events-csv", ""));
  if (o.Has("--requests-csv")) out->set_requests_csv(o.Get("--requests-csv", ""));
  if (o.Has("--iterations-csv")) out->set_iterations_csv(o.Get("--iterations-csv", ""));
  if (max_events > 0) out->set_trace_max_events(max_events);
  if (out->ByteSizeLong() == 0) s->clear_outputs();
  return "";
}

// `path` names the scenario in messages and anchors its relative file names.
int RunScenarioText(const CommandContext& ctx, const std::string& text, const std::string& path,
                    const ScenarioOverrides& overrides) {
  scenario::Scenario s;
  if (auto st = ParseScenarioText(text, path, &s); !st.ok()) {
    return ReportError(ctx, kExitBadInput, "Bad scenario", std::string(st.message()));
  }
  if (std::string e = ApplyOverrides(overrides, &s); !e.empty()) {
    return ReportError(ctx, kExitBadInput, "Bad input", e);
  }
  const size_t dir_end = path.rfind('/');
  const std::string dir = dir_end == std::string::npos ? "" : path.substr(0, dir_end + 1);
  if (overrides.dump) return DumpScenario(ctx, s, overrides.full, dir);
  return PrintRun(ctx, RunScenario(s, dir, RunContextOf(ctx)));
}

int RunScenarioFile(const CommandContext& ctx, const std::string& path,
                    const ScenarioOverrides& overrides) {
  absl::StatusOr<std::string> text = ReadSmallFile(path, "scenario", 64 << 20);
  if (!text.ok()) {
    return ReportError(ctx, kExitBadInput, "Bad input", std::string(text.status().message()));
  }
  return RunScenarioText(ctx, *text, path, overrides);
}

// `simulate FORM ...`: the form's flags fill a scenario (sim/forms/), which
// is printed (--dump-scenario) or run.
int RunQuickForm(const CommandContext& ctx, const QuickForm& form, const CommandArgs& args) {
  absl::StatusOr<QuickFormCall> call = ParseQuickForm(form, args);
  if (!call.ok()) {
    return ReportError(ctx, kExitBadInput, "Bad input", std::string(call.status().message()));
  }
  if (call->help) {
    *ctx.out << form.help;
    return kExitOk;
  }
  if (call->dump) return DumpScenario(ctx, call->scenario, call->full);
  return PrintRun(ctx, form.run(call->scenario, RunContextOf(ctx)), form.flags);
}

}  // namespace

int RunSimulate(const CommandContext& ctx, const CommandArgs& args) {
  if (args.empty()) {
    *ctx.err << kHelp;
    return ReportError(
        ctx, kExitBadInput, "Bad input",
        "simulate needs a scenario file (.textproto), 'default', or a form: training, "
        "serving, queue, jobs, collective, chakra");
  }
  if (args[0] == "--help" || args[0] == "-h") {
    *ctx.out << kHelp;
    return kExitOk;
  }
  const CommandArgs rest(args.begin() + 1, args.end());
  const bool is_file = absl::EndsWith(args[0], ".textproto") || absl::EndsWith(args[0], ".pbtxt") ||
                       absl::EndsWith(args[0], ".txtpb");
  ScenarioOverrides overrides;
  if (args[0] == "default" || is_file) {
    std::vector<OptionSpec> specs;
    for (const char* n : {"--seed", "--replications", "--trace", "--events-csv", "--requests-csv",
                          "--iterations-csv", "--trace-max-events"})
      specs.push_back({n, "", true});
    specs.push_back({"--help", "-h", false});
    specs.push_back({"--dump-scenario", "", false});
    specs.push_back({"--full", "", false});
    const std::string e =
        ParseOptions(rest, specs, absl::StrCat("simulate ", args[0]), &overrides.o);
    if (!e.empty()) return ReportError(ctx, kExitBadInput, "Bad input", e);
    if (!overrides.o.positional.empty()) {
      return ReportError(
          ctx, kExitBadInput, "Bad input",
          absl::StrCat("unexpected argument '", overrides.o.positional[0], "' after ", args[0]));
    }
    if (overrides.o.Has("--help")) {
      *ctx.out << kFileHelp;
      return kExitOk;
    }
    overrides.dump = overrides.o.Has("--dump-scenario");
    overrides.full = overrides.o.Has("--full");
    if (overrides.full && !overrides.dump)
      return ReportError(ctx, kExitBadInput, "Bad input", "--full goes with --dump-scenario");
  }
  if (args[0] == "default") {
    // The main job: the embedded copy of scenarios/llama3_70b_research256.textproto.
    return RunScenarioText(ctx, kDefaultScenarioText, "default scenario (llama3_70b_research256)",
                           overrides);
  }
  if (const QuickForm* form = FindQuickForm(args[0])) return RunQuickForm(ctx, *form, rest);
  if (is_file) return RunScenarioFile(ctx, args[0], overrides);
  const std::string guess = DidYouMean(
      args[0], {"default", "collective", "training", "queue", "serving", "jobs", "chakra"});
  return ReportError(
      ctx, kExitBadInput, "Bad input",
      absl::StrCat("simulate: unknown form '", args[0], "'",
                   guess.empty() ? "" : absl::StrCat(" (did you mean '", guess, "'?)"),
                   "; accepted: default, collective, training, queue, serving, jobs, chakra, or a "
                   "SCENARIO.textproto"));
}

}  // namespace mlsysim
