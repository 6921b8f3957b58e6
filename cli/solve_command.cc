// solve_command.cc — `mlsysim solve [FILE]`: one JSON request per line in, one
// JSON result per line out (the golden-file format; `expect` is ignored).
#include <cstdio>

#include <algorithm>
#include <fstream>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "cli/commands.h"
#include "analytic/solvers/solve_dispatch.h"
#include "nlohmann/json.hpp"
#include "traces/json_writer.h"
#include "traces/small_file.h"

namespace mlsysim {
namespace {

constexpr int kMaxJsonDepth = 64;
constexpr size_t kMaxLineBytes = 1 << 20;

// Nesting depth of brackets outside strings (the parser recurses per level,
// so depth is checked before parsing).
int JsonNestingDepth(const std::string& s) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : s) {
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{')
      deepest = std::max(deepest, ++depth);
    else if (c == ']' || c == '}')
      --depth;
  }
  return deepest;
}

}  // namespace

bool SolveJsonLine(const Registry& reg, const std::string& line, long long line_no,
                   std::string* out_ptr) {
  std::string& out = *out_ptr;
  bool ok = true;
  std::string id_json = "null";
  SolveOutcome o;
  const int depth = JsonNestingDepth(line);
  nlohmann::json doc;
  if (depth > kMaxJsonDepth) {
    o.error_message =
        absl::StrCat("line ", line_no, ": JSON nested deeper than ", kMaxJsonDepth, " levels");
  } else if (line.size() > kMaxLineBytes) {
    o.error_message = absl::StrCat("line ", line_no, ": longer than 1 MiB");
  } else {
    doc = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  }
  if (!o.error_message.empty()) {
    // already refused
  } else if (doc.is_discarded() || !doc.is_object()) {
    o.error_field = "";
    o.error_message = absl::StrCat("line ", line_no, ": not a JSON object");
  } else {
    // The id is echoed back: only a short scalar is accepted.
    const bool id_ok = !doc.contains("id") || doc["id"].is_null() || doc["id"].is_number() ||
                       (doc["id"].is_string() && doc["id"].get<std::string>().size() <= 256);
    if (doc.contains("id") && id_ok) id_json = doc["id"].dump();
    if (!id_ok) {
      o.error_field = "id";
      o.error_message = "must be a number, a string of at most 256 characters, or null";
    } else if (!doc.contains("request")) {
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
    ok = false;
    out += ", \"error\": {\"field\": ";
    AppendJsonString(out, o.error_field);
    out += ", \"message\": ";
    AppendJsonString(out, o.error_message);
    out += "}";
  }
  out += "}\n";
  return ok;
}

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
      return ReportError(
          ctx, kExitBadInput, "Bad input",
          absl::StrCat("unknown option '", a, "' for solve; accepted: --list, --help"));
    }
    path = a;
  }
  std::ifstream file;
  std::istream* in = &std::cin;
  if (path != "-") {
    if (auto s = CheckReadableFile(path, "solve"); !s.ok()) {
      return ReportError(ctx, kExitBadInput, "Bad input", std::string(s.message()));
    }
    file.open(path, std::ios::binary);
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
    if (!SolveJsonLine(reg, line, line_no, &out)) code = kExitBadInput;
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
