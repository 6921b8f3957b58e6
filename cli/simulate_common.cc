// simulate_common.cc — option helpers and `mlsysim simulate` routing.
#include "cli/simulate_common.h"

#include <cmath>
#include <cstdlib>

#include "absl/strings/str_cat.h"

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

std::pair<double, double> MeanCi95(const std::vector<double>& x) {
  const size_t n = x.size();
  if (n == 0) return {0.0, 0.0};
  double mean = 0;
  for (double v : x) mean += v;
  mean /= n;
  if (n < 2) return {mean, 0.0};
  double ss = 0;
  for (double v : x) ss += (v - mean) * (v - mean);
  static const double kT[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262,
                              2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101,
                              2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052,
                              2.048, 2.045};
  const double t = n - 1 <= 29 ? kT[n - 2] : 1.96;
  return {mean, t * std::sqrt(ss / (n - 1) / n)};
}

}  // namespace mlsysim
