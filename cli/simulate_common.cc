// simulate_common.cc — option helpers and `mlsysim simulate` routing.
#include "cli/simulate_common.h"

#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "traces/json_writer.h"

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

}  // namespace mlsysim
