// solve_command.cc — `mlsysim solve [FILE]`: one JSON request per line in, one
// JSON result per line out (the golden-file format; `expect` is ignored).
#include <cstdio>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "cli/solve_dispatch.h"
#include "nlohmann/json.hpp"
#include "traces/json_writer.h"

namespace mlsysim {
namespace {

constexpr const char kSolveHelp[] =
    "usage: mlsysim solve [FILE]\n"
    "  Reads one request per line (stdin when FILE is absent or '-'):\n"
    "    {\"id\": ..., \"request\": {\"solver\": NAME, \"args\": {...}}}\n"
    "  Writes one line per request: {\"id\": ..., \"result\": {...}} or\n"
    "    {\"id\": ..., \"error\": {\"field\": ..., \"message\": ...}}.\n"
    "  Exit code 1 when any line failed. `mlsysim solve --list` prints the solvers.\n";

}  // namespace

int RunSolve(const CommandContext& ctx, const CommandArgs& args) {
  std::string path = "-";
  for (const std::string& a : args) {
    if (a == "--help" || a == "-h") {
      *ctx.out << kSolveHelp;
      return kExitOk;
    }
    if (a == "--list") {
      for (const std::string& n : SolverNames()) *ctx.out << n << "\n";
      return kExitOk;
    }
    if (a.size() > 1 && a[0] == '-') {
      return ReportError(ctx, kExitBadInput, "Bad input",
                         absl::StrCat("unknown option '", a, "' for solve; accepted: --list, --help"));
    }
    path = a;
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    file.open(path, std::ios::binary);
    if (!file) {
      return ReportError(ctx, kExitBadInput, "Bad input",
                         absl::StrCat("solve: cannot read '", path, "'"));
    }
    in = &file;
  }
  const Registry& reg = *ctx.registry;
  std::string line, out;
  out.reserve(1 << 20);
  int code = kExitOk;
  long long line_no = 0;
  while (std::getline(*in, line)) {
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    nlohmann::json doc = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    std::string id_json = "null";
    SolveOutcome o;
    if (doc.is_discarded() || !doc.is_object()) {
      o.error_field = "";
      o.error_message = absl::StrCat("line ", line_no, ": not a JSON object");
    } else {
      if (doc.contains("id")) id_json = doc["id"].dump();
      if (!doc.contains("request")) {
        o.error_field = "request";
        o.error_message = "missing 'request' object";
      } else {
        o = SolveRequest(reg, doc["request"]);
      }
    }
    out += "{\"id\": ";
    out += id_json;
    if (o.ok) {
      out += ", \"result\": ";
      o.result.AppendJson(out);
    } else {
      code = kExitBadInput;
      out += ", \"error\": {\"field\": ";
      AppendJsonString(out, o.error_field);
      out += ", \"message\": ";
      AppendJsonString(out, o.error_message);
      out += "}";
    }
    out += "}\n";
    if (out.size() > (1 << 20)) {
      ctx.out->write(out.data(), static_cast<std::streamsize>(out.size()));
      out.clear();
    }
  }
  ctx.out->write(out.data(), static_cast<std::streamsize>(out.size()));
  ctx.out->flush();
  return code;
}

}  // namespace mlsysim
