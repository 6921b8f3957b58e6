// commands.cc — global option parsing, subcommand routing, error reporting.
#include "cli/commands.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/report.h"
#include "cli/simulate_common.h"
#include "traces/json_writer.h"
#include "traces/result_report.h"

namespace mlsysim {
namespace {

constexpr const char kVersion[] = "mlsysim 0.2.0 (mlsysim v0.1.1 analytic parity)";

constexpr const char kHelp[] =
    "usage: mlsysim [-o text|json|markdown] [--registry FILE] COMMAND [ARGS]\n"
    "\n"
    "Analytic models of ML systems (mlsysim v0.1.1 parity) and event-driven simulation of\n"
    "training, serving, queues, job scheduling, collectives and ASTRA-sim workloads.\n"
    "\n"
    "commands:\n"
    "  zoo [hardware|models|systems|grids|constants]   list the registries\n"
    "  eval MODEL HARDWARE [-b N] [-p PREC] [-e EFF]    evaluate one system\n"
    "  eval PLAN.yaml                                   evaluate an mlsys.yaml plan\n"
    "  serve MODEL HARDWARE [-s SEQ] [-b N]             LLM serving latency and memory\n"
    "  optimize parallelism|batching|placement PLAN     search a design space\n"
    "  simulate SCENARIO.textproto | default | collective | training | serving | queue | jobs | "
    "chakra\n"
    "                                                   event-driven simulation (simulate --help)\n"
    "  sweep SWEEP.textproto [--jobs N] [--output F.csv] [--resume]   a design-space sweep\n"
    "  solve [FILE]                                     JSON-lines solver requests\n"
    "  walls                                            the 22-wall taxonomy\n"
    "  calibrate PROFILE.csv... --accelerator KEY -o MACHINE.textproto\n"
    "                                                   fit a machine model to measured kernels\n"
    "  schema [--type scenario|result|registry]         print the protobuf schemas\n"
    "  report RESULT.json -o REPORT.html                an HTML report with figures (also\n"
    "                                                   --report FILE.html on simulate, eval, "
    "serve, sweep)\n"
    "\n"
    "global options:\n"
    "  -o, --output text|json|markdown   output format (default text; simulate: a report)\n"
    "  --reproducible           leave the wall time out of results (byte-identical output)\n"
    "  -q, --quiet              no progress lines on stderr\n"
    "  --registry FILE          add or override registry entries (protobuf text)\n"
    "  --version, --help\n"
    "\n"
    "exit codes: 0 ok, 1 bad input, 2 physically infeasible, 3 a constraint failed\n";

}  // namespace

int ReportError(const CommandContext& ctx, int code, const std::string& title,
                const std::string& reason) {
  if (ctx.format == OutputFormat::kJson) {
    Record r;
    r.Str("status", "error").Str("title", title).Str("reason", reason).Int("exit_code", code);
    *ctx.out << r.ToJson() << "\n";
  }
  *ctx.err << "error: " << reason << "\n";
  return code;
}

namespace {

int RunCommand(const CommandContext& ctx, const std::string& command, const CommandArgs& args) {
  if (command == "eval") return RunEval(ctx, args);
  if (command == "serve") return RunServe(ctx, args);
  if (command == "simulate") return RunSimulate(ctx, args);
  return RunSweep(ctx, args);
}

// `COMMAND ... --report FILE.html`: the command as asked, then the report of
// its result (its text output and its JSON).
int RunWithReport(const CommandContext& ctx, const std::string& command, const CommandArgs& args,
                  const std::string& path) {
  if (const std::string e = CheckReportPath(path); !e.empty())
    return ReportError(ctx, kExitBadInput, "Bad input", e);
  std::string held_json;
  std::ostringstream shown;
  CommandContext first = ctx;
  first.out = &shown;
  first.report_json = &held_json;
  const int rc = RunCommand(first, command, args);
  *ctx.out << shown.str() << std::flush;
  if (rc != kExitOk) return rc;
  if ((command == "sweep" || command == "simulate") && held_json.empty()) {
    // An MPI worker rank (rank 0 reports), or nothing was run (--help, --dump-scenario).
    return rc;
  }
  std::ostringstream quiet_err, other;
  CommandContext again = ctx;
  again.err = &quiet_err;
  again.quiet = true;
  again.out = &other;
  std::string text, json;
  if (ctx.format == OutputFormat::kText) text = shown.str();
  if (ctx.format == OutputFormat::kJson) json = shown.str();
  if (!held_json.empty()) {
    json = held_json;
    if (text.empty() && command == "simulate") {
      result::Result r;
      if (ParseResultJson(held_json, &r).ok()) text = ResultText(r);
    }
  }
  // eval and serve are analytic: run again for the form not yet shown.
  if (json.empty() && (command == "eval" || command == "serve")) {
    again.format = OutputFormat::kJson;
    if (RunCommand(again, command, args) == kExitOk) json = other.str();
  }
  if (text.empty() && (command == "eval" || command == "serve")) {
    other.str("");
    again.format = OutputFormat::kText;
    if (RunCommand(again, command, args) == kExitOk) text = other.str();
  }
  return WriteHtmlReport(ctx, command, args, text, json, path);
}

}  // namespace

int RunMlsysim(const std::vector<std::string>& argv, std::ostream& out, std::ostream& err) {
  CommandContext ctx;
  ctx.out = &out;
  ctx.err = &err;
  std::string registry_file;
  size_t i = 1;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "-o" || a == "--output" || a.rfind("--output=", 0) == 0) {
      std::string f;
      if (a.rfind("--output=", 0) == 0) {
        f = a.substr(9);
      } else {
        if (i + 1 >= argv.size()) {
          return ReportError(ctx, kExitBadInput, "Bad input",
                             "--output needs text, json or markdown");
        }
        f = argv[++i];
      }
      if (f == "json") {
        ctx.format = OutputFormat::kJson;
      } else if (f == "text") {
        ctx.format = OutputFormat::kText;
      } else if (f == "markdown" || f == "md") {
        ctx.format = OutputFormat::kMarkdown;
      } else {
        return ReportError(
            ctx, kExitBadInput, "Bad input",
            absl::StrCat("--output: unknown format '", f, "'; accepted: text, json, markdown"));
      }
    } else if (a == "--reproducible") {
      ctx.reproducible = true;
    } else if (a == "--quiet" || a == "-q") {
      ctx.quiet = true;
    } else if (a == "--registry") {
      if (i + 1 >= argv.size())
        return ReportError(ctx, kExitBadInput, "Bad input", "--registry needs a FILE");
      registry_file = argv[++i];
    } else if (a == "--version") {
      out << kVersion << "\n";
      return kExitOk;
    } else if (a == "--help" || a == "-h") {
      out << kHelp;
      return kExitOk;
    } else if (!a.empty() && a[0] == '-') {
      return ReportError(
          ctx, kExitBadInput, "Bad input",
          absl::StrCat(
              "unknown global option '", a,
              "'; accepted: -o/--output, --registry, --reproducible, --quiet, --version, --help"));
    } else {
      break;
    }
  }
  if (i >= argv.size()) {
    err << kHelp;
    return kExitBadInput;
  }
  const std::string command = argv[i];
  CommandArgs args;
  // Global options may also follow the subcommand.
  for (size_t j = i + 1; j < argv.size(); ++j) {
    if ((argv[j] == "-o" || argv[j] == "--output") && j + 1 < argv.size() &&
        (argv[j + 1] == "json" || argv[j + 1] == "text" || argv[j + 1] == "markdown")) {
      ctx.format = argv[j + 1] == "json"       ? OutputFormat::kJson
                   : argv[j + 1] == "markdown" ? OutputFormat::kMarkdown
                                               : OutputFormat::kText;
      ++j;
    } else if (argv[j] == "--reproducible") {
      ctx.reproducible = true;
    } else if (argv[j] == "--quiet" || argv[j] == "-q") {
      ctx.quiet = true;
    } else if (argv[j] == "--registry" && j + 1 < argv.size()) {
      registry_file = argv[++j];
    } else {
      args.push_back(argv[j]);
    }
  }
  auto reg = registry_file.empty() ? Registry::Builtin() : Registry::WithFile(registry_file);
  if (!reg.ok())
    return ReportError(ctx, kExitBadInput, "Bad registry", std::string(reg.status().message()));
  ctx.registry = *reg;
  for (const std::string& entry : (*reg)->overridden()) {
    *ctx.err << "note: " << registry_file << " overrides the built-in " << entry << "\n";
  }

  if (command == "report") return RunReport(ctx, args);
  if (command == "calibrate") return RunCalibrate(ctx, args);
  if (command == "simulate" || command == "eval" || command == "serve" || command == "sweep") {
    std::string report_path;
    bool wants_report = false;
    CommandArgs rest;
    for (size_t j = 0; j < args.size(); ++j) {
      if (args[j] == "--report" || args[j].rfind("--report=", 0) == 0) {
        wants_report = true;
        report_path =
            args[j] == "--report" ? (j + 1 < args.size() ? args[++j] : "") : args[j].substr(9);
      } else {
        rest.push_back(args[j]);
      }
    }
    const bool help = std::find(rest.begin(), rest.end(), "--help") != rest.end() ||
                      std::find(rest.begin(), rest.end(), "-h") != rest.end();
    if (wants_report && !help) return RunWithReport(ctx, command, rest, report_path);
    if (wants_report) return RunCommand(ctx, command, rest);
    // Every simulate form takes --report (handled here, so the forms' own
    // flag lists do not show it).
    if (help && command == "simulate" && !rest.empty() && rest[0] != "--help" && rest[0] != "-h") {
      const int code = RunSimulate(ctx, rest);
      if (code == kExitOk) {
        *ctx.out << "  --report FILE.html: also an HTML report with figures "
                    "(needs python3-matplotlib)\n";
      }
      return code;
    }
  }
  if (command == "zoo") return RunZoo(ctx, args);
  if (command == "schema") return RunSchema(ctx, args);
  if (command == "walls") return RunWalls(ctx, args);
  if (command == "solve") return RunSolve(ctx, args);
  if (command == "eval") return RunEval(ctx, args);
  if (command == "serve") return RunServe(ctx, args);
  if (command == "optimize") return RunOptimize(ctx, args);
  if (command == "simulate") return RunSimulate(ctx, args);
  if (command == "sweep") return RunSweep(ctx, args);
  const std::string guess =
      DidYouMean(command, {"zoo", "eval", "serve", "optimize", "simulate", "sweep", "solve",
                           "walls", "schema", "report", "calibrate"});
  return ReportError(
      ctx, kExitBadInput, "Bad input",
      absl::StrCat("unknown command '", command, "'",
                   guess.empty() ? "" : absl::StrCat(" (did you mean '", guess, "'?)"),
                   "; accepted: zoo, eval, serve, optimize, simulate, sweep, solve, walls, schema, "
                   "report, calibrate"));
}

}  // namespace mlsysim
