// report.h — HTML reports of results (report_command.cc): the `report`
// command, and `--report FILE.html` on simulate, eval, serve and sweep.
// Usage: if (auto e = CheckReportPath(p); !e.empty()) ...;  // before the run
//        WriteHtmlReport(ctx, "simulate", args, text, result_json, p);
#ifndef MLSYSIM_CLI_REPORT_H_
#define MLSYSIM_CLI_REPORT_H_

#include <string>

#include "cli/commands.h"

namespace mlsysim {

// "" when `path` can be written (not a directory, its directory exists and is
// writable); else a message naming --report and what is wrong.
std::string CheckReportPath(const std::string& path);

// Runs the Python report module on the command's text output and JSON result;
// returns an exit code (1 with the missing package named when Python,
// matplotlib or the mlsysim package is not there).
int WriteHtmlReport(const CommandContext& ctx, const std::string& command, const CommandArgs& args,
                    const std::string& text, const std::string& result_json,
                    const std::string& html_path);

int RunReport(const CommandContext& ctx, const CommandArgs& args);

}  // namespace mlsysim

#endif  // MLSYSIM_CLI_REPORT_H_
