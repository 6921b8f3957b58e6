// simulate_common.cc — option helpers and `mlsysim simulate` routing.
#include "cli/simulate_common.h"

#include <cmath>
#include <cctype>
#include <cstdlib>
#include <string>

#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/text_format.h"
#include "traces/json_writer.h"
#include "traces/result_report.h"

namespace mlsysim {

std::string GetInt(const ParsedOptions& o, const std::string& name, long long lo, long long hi,
                   int* out) {
  if (!o.Has(name)) return "";
  const std::string v = o.Get(name, "");
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || std::trunc(d) != d) {
    return absl::StrCat(name, ": '", v, "' is not an integer");
  }
  if (d < lo || d > hi) return absl::StrCat(name, " must lie in [", lo, ", ", hi, "]; got ", v);
  *out = static_cast<int>(d);
  return "";
}

std::string GetInt64(const ParsedOptions& o, const std::string& name, long long lo, long long hi,
                     long long* out) {
  if (!o.Has(name)) return "";
  const std::string v = o.Get(name, "");
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || std::trunc(d) != d) {
    return absl::StrCat(name, ": '", v, "' is not an integer");
  }
  if (d < lo || d > hi) return absl::StrCat(name, " must lie in [", lo, ", ", hi, "]; got ", v);
  *out = std::strtoll(v.c_str(), nullptr, 10);
  if (std::to_string(*out) != v) *out = static_cast<long long>(d);
  return "";
}

std::string GetNumber(const ParsedOptions& o, const std::string& name, double* out) {
  if (!o.Has(name)) return "";
  const std::string v = o.Get(name, "");
  char* end = nullptr;
  const double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || !std::isfinite(d)) {
    return absl::StrCat(name, ": '", v, "' is not a number");
  }
  *out = d;
  return "";
}

std::string GetQuantity(const ParsedOptions& o, const std::string& name, const Dimension& dim,
                        double* out) {
  if (!o.Has(name)) return "";
  auto q = ParseQuantityAs(o.Get(name, ""), dim, name);
  if (!q.ok()) return std::string(q.status().message());
  *out = q->si;
  return "";
}

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

std::string NameFlags(const std::string& msg, const FieldFlags& flags) {
  std::string out = msg;
  auto ident = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; };
  for (const auto& [field, flag] : flags) {
    for (size_t pos = out.find(field); pos != std::string::npos; pos = out.find(field, pos + 1)) {
      const size_t end = pos + field.size();
      if ((pos > 0 && ident(out[pos - 1])) || (end < out.size() && ident(out[end]))) continue;
      if (out.compare(end, 2, " (") == 0) break;  // already named
      out.insert(end, " (" + flag + ")");
      break;
    }
  }
  return out;
}

int DumpScenario(const CommandContext& ctx, const scenario::Scenario& s) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(s, &text);
  *ctx.out << "# mlsysim scenario (run it: mlsysim simulate FILE.textproto)\n" << text;
  return kExitOk;
}

int PrintSimResult(const CommandContext& ctx, scenario::Scenario echo, result::Result r) {
  r.set_seed(echo.seed());
  r.set_replications(echo.replications());
  *r.mutable_scenario() = std::move(echo);
  if (!ctx.reproducible) {
    r.set_wall_seconds(std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.start).count());
  }
  switch (ctx.format) {
    case OutputFormat::kJson:
      *ctx.out << ResultJson(r);
      break;
    case OutputFormat::kMarkdown:
      *ctx.out << ResultMarkdown(r);
      break;
    case OutputFormat::kText:
      *ctx.out << ResultText(r);
      break;
  }
  return kExitOk;
}

void AnnounceFile(const CommandContext& ctx, result::Result* r, const std::string& path,
                  const std::string& what) {
  r->add_files(path);
  *ctx.err << "wrote " << path << " (" << what << ")\n";
}

Progress::Progress(const CommandContext& ctx, std::string what, long long total)
    : err_(ctx.err), what_(std::move(what)), total_(total),
      enabled_(!ctx.quiet && ctx.format != OutputFormat::kJson && isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()), last_(start_) {}

void Progress::Step(long long done, const std::string& detail) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  *err_ << absl::StrFormat("\r%s %d/%d%s%s", what_, done, total_, detail.empty() ? "" : ": ", detail)
        << std::flush;
}

void Progress::Done() {
  if (drawn_) *err_ << "\n";
  drawn_ = false;
}

}  // namespace mlsysim
