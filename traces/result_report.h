// result_report.h — the three faces of a simulation Result (proto/result.proto):
// JSON in protobuf's JSON mapping (and its strict parser: unknown fields are
// errors), a text report for a terminal, and the same report in Markdown.
// The reports lead with a header (scenario, seed, replications, wall time,
// what was run), then the table figure | simulated ± ci95 | closed form | gap |
// source in humane units with 4 significant digits, then the breakdowns.
// Usage: *out << ResultText(result);  std::string j = ResultJson(result);
#ifndef MLSYSIM_TRACES_RESULT_REPORT_H_
#define MLSYSIM_TRACES_RESULT_REPORT_H_

#include <string>

#include "absl/status/status.h"
#include "proto/result.pb.h"

namespace mlsysim {

// One line of JSON (field names as in result.proto), newline-terminated.
std::string ResultJson(const result::Result& r);
// Parses JSON into a Result; unknown fields are refused.
absl::Status ParseResultJson(const std::string& json, result::Result* r);

std::string ResultText(const result::Result& r);
std::string ResultMarkdown(const result::Result& r);

// `v` in `unit` with a humane scale (ns…d for "s", kB…PB for "B", k…P
// otherwise) and 4 significant digits, e.g. (0.0123, "s") -> "12.30 ms".
std::string HumaneQuantity(double v, const std::string& unit);
// Seconds for a quantity whose name says seconds: "0.4742 s" reads as
// "474.2 ms", "86,400 s" (never minutes, hours or days).
std::string SecondsQuantity(double v);
// 4 significant digits with thousands separators: "149,000 tokens/s".
std::string GroupedQuantity(double v, const std::string& unit);

}  // namespace mlsysim

#endif  // MLSYSIM_TRACES_RESULT_REPORT_H_
