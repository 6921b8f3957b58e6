// simulate_common.cc — option helpers and `mlsysim simulate` routing.
#include "cli/simulate_common.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include <chrono>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/text_format.h"
#include "sim/scenario/runners.h"
#include "traces/json_writer.h"
#include "traces/result_report.h"

namespace mlsysim {

int PrintResult(const CommandContext& ctx, const std::string& title, const Record& result) {
  if (ctx.format == OutputFormat::kJson) {
    *ctx.out << result.ToJson() << "\n";
  } else {
    std::string text;
    result.AppendText(text);
    *ctx.out << title << "\n" << text;
  }
  return kExitOk;
}

int DumpScenario(const CommandContext& ctx, const scenario::Scenario& s, bool full,
                 const std::string& dir) {
  scenario::Scenario out = s;
  std::string note;
  if (full) {
    absl::StatusOr<bool> filled = FillScenarioDefaults(dir, RunContextOf(ctx), &out);
    if (!filled.ok()) {
      const bool infeasible = absl::IsFailedPrecondition(filled.status());
      return ReportError(ctx, infeasible ? kExitInfeasible : kExitBadInput,
                         infeasible ? "Infeasible" : "Bad input",
                         std::string(filled.status().message()));
    }
    note = *filled
               ? "# every default the run applies is written out (--full)\n"
               : "# --full: this form's defaults are not written out yet (training, "
                 "serving, queue and job-queue scenarios only); this is the scenario as given\n";
  }
  std::string text;
  google::protobuf::TextFormat::PrintToString(out, &text);
  *ctx.out << "# mlsysim scenario (run it: mlsysim simulate FILE.textproto)\n" << note << text;
  return kExitOk;
}

RunContext RunContextOf(const CommandContext& ctx) {
  RunContext rc;
  rc.registry = ctx.registry;
  rc.diagnostics = ctx.err;
  rc.progress = !ctx.quiet && ctx.format != OutputFormat::kJson && ctx.err == &std::cerr &&
                isatty(STDERR_FILENO) != 0;
  rc.plot_series = ctx.format == OutputFormat::kJson || ctx.report_json != nullptr;
  return rc;
}

int PrintRun(const CommandContext& ctx, absl::StatusOr<result::Result> run,
             const FieldFlags& flags) {
  if (!run.ok()) {
    const bool infeasible = absl::IsFailedPrecondition(run.status());
    return ReportError(ctx, infeasible ? kExitInfeasible : kExitBadInput,
                       infeasible ? "Infeasible" : "Bad input",
                       NameFlags(std::string(run.status().message()), flags));
  }
  result::Result& r = *run;
  if (!ctx.reproducible) {
    r.set_wall_seconds(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.start).count());
  }
  if (ctx.report_json != nullptr) *ctx.report_json = ResultJson(r);
  switch (ctx.format) {
    case OutputFormat::kJson: *ctx.out << ResultJson(r); break;
    case OutputFormat::kMarkdown: *ctx.out << ResultMarkdown(r); break;
    case OutputFormat::kText: *ctx.out << ResultText(r); break;
  }
  return kExitOk;
}

}  // namespace mlsysim
