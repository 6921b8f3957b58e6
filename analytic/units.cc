// units.cc — the quantity parser (see units.h).
#include "analytic/units.h"
#include "absl/strings/string_view.h"

#include <cmath>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace mlsysim {
namespace {

struct UnitEntry {
  const char* name;
  double scale;
  Dimension dim;
};

constexpr double kKi = 1024.0;

// Simple (non-compound) units. Case-sensitive: "Mb" is megabit, "MB" megabyte.
constexpr UnitEntry kUnits[] = {
    // bytes
    {"B", 1, dims::kBytes},
    {"byte", 1, dims::kBytes},
    {"bytes", 1, dims::kBytes},
    {"kB", 1e3, dims::kBytes},
    {"KB", 1e3, dims::kBytes},
    {"MB", 1e6, dims::kBytes},
    {"GB", 1e9, dims::kBytes},
    {"TB", 1e12, dims::kBytes},
    {"PB", 1e15, dims::kBytes},
    {"EB", 1e18, dims::kBytes},
    {"KiB", kKi, dims::kBytes},
    {"MiB", kKi* kKi, dims::kBytes},
    {"GiB", kKi* kKi* kKi, dims::kBytes},
    {"TiB", kKi* kKi* kKi* kKi, dims::kBytes},
    {"PiB", kKi* kKi* kKi* kKi* kKi, dims::kBytes},
    // bits
    {"bit", 0.125, dims::kBytes},
    {"bits", 0.125, dims::kBytes},
    {"Kbit", 125, dims::kBytes},
    {"Mbit", 1.25e5, dims::kBytes},
    {"Gbit", 1.25e8, dims::kBytes},
    {"Tbit", 1.25e11, dims::kBytes},
    {"Kb", 125, dims::kBytes},
    {"Mb", 1.25e5, dims::kBytes},
    {"Gb", 1.25e8, dims::kBytes},
    {"Tb", 1.25e11, dims::kBytes},
    // flop (mlsysim: TFLOPs = 1e12 flop; "TF" only before "/s")
    {"flop", 1, dims::kFlop},
    {"FLOP", 1, dims::kFlop},
    {"flops", 1, dims::kFlop},
    {"FLOPs", 1, dims::kFlop},
    {"kflop", 1e3, dims::kFlop},
    {"KFLOP", 1e3, dims::kFlop},
    {"KFLOPs", 1e3, dims::kFlop},
    {"Mflop", 1e6, dims::kFlop},
    {"MFLOP", 1e6, dims::kFlop},
    {"MFLOPs", 1e6, dims::kFlop},
    {"Gflop", 1e9, dims::kFlop},
    {"GFLOP", 1e9, dims::kFlop},
    {"GFLOPs", 1e9, dims::kFlop},
    {"Tflop", 1e12, dims::kFlop},
    {"TFLOP", 1e12, dims::kFlop},
    {"TFLOPs", 1e12, dims::kFlop},
    {"Pflop", 1e15, dims::kFlop},
    {"PFLOP", 1e15, dims::kFlop},
    {"PFLOPs", 1e15, dims::kFlop},
    {"Eflop", 1e18, dims::kFlop},
    {"EFLOP", 1e18, dims::kFlop},
    {"EFLOPs", 1e18, dims::kFlop},
    {"GF", 1e9, dims::kFlop},
    {"TF", 1e12, dims::kFlop},
    {"PF", 1e15, dims::kFlop},
    // counts (dimensionless)
    {"count", 1, dims::kNone},
    {"param", 1, dims::kNone},
    {"params", 1, dims::kNone},
    {"dollar", 1, dims::kNone},
    {"USD", 1, dims::kNone},
    {"1", 1, dims::kNone},
    // time
    {"ns", 1e-9, dims::kTime},
    {"us", 1e-6, dims::kTime},
    {"\xC2\xB5s", 1e-6, dims::kTime},
    {"\xCE\xBCs", 1e-6, dims::kTime},
    {"ms", 1e-3, dims::kTime},
    {"s", 1, dims::kTime},
    {"sec", 1, dims::kTime},
    {"second", 1, dims::kTime},
    {"seconds", 1, dims::kTime},
    {"min", 60, dims::kTime},
    {"minute", 60, dims::kTime},
    {"minutes", 60, dims::kTime},
    {"h", 3600, dims::kTime},
    {"hr", 3600, dims::kTime},
    {"hour", 3600, dims::kTime},
    {"hours", 3600, dims::kTime},
    {"day", 86400, dims::kTime},
    {"days", 86400, dims::kTime},
    {"week", 604800, dims::kTime},
    {"weeks", 604800, dims::kTime},
    {"year", 365 * 86400.0, dims::kTime},
    {"years", 365 * 86400.0, dims::kTime},
    // energy and power
    {"J", 1, dims::kEnergy},
    {"kJ", 1e3, dims::kEnergy},
    {"MJ", 1e6, dims::kEnergy},
    {"Wh", 3600, dims::kEnergy},
    {"kWh", 3.6e6, dims::kEnergy},
    {"MWh", 3.6e9, dims::kEnergy},
    {"GWh", 3.6e12, dims::kEnergy},
    {"mW", 1e-3, dims::kPower},
    {"W", 1, dims::kPower},
    {"kW", 1e3, dims::kPower},
    {"MW", 1e6, dims::kPower},
    {"GW", 1e9, dims::kPower},
    {"Hz", 1, dims::kFrequency},
    {"qps", 1, dims::kFrequency},
};

// Rate spellings written as one token.
constexpr UnitEntry kRateWords[] = {
    {"bps", 0.125, dims::kByteRate},    {"Kbps", 125, dims::kByteRate},
    {"Mbps", 1.25e5, dims::kByteRate},  {"Gbps", 1.25e8, dims::kByteRate},
    {"Tbps", 1.25e11, dims::kByteRate}, {"GFLOPS", 1e9, dims::kFlopRate},
    {"TFLOPS", 1e12, dims::kFlopRate},  {"PFLOPS", 1e15, dims::kFlopRate},
    {"EFLOPS", 1e18, dims::kFlopRate},  {"TOPS", 1e12, dims::kFlopRate},
};

const UnitEntry* FindUnit(absl::string_view name) {
  for (const UnitEntry& u : kUnits)
    if (name == u.name) return &u;
  return nullptr;
}

Dimension Subtract(Dimension a, const Dimension& b) {
  a.byte -= b.byte;
  a.flop -= b.flop;
  a.time -= b.time;
  a.energy -= b.energy;
  return a;
}

}  // namespace

std::string DimensionName(const Dimension& d) {
  if (d == dims::kNone) return "a plain number";
  if (d == dims::kBytes) return "a size (e.g. 2 GiB, 500 KB)";
  if (d == dims::kFlop) return "an operation count (e.g. 1e18 flop)";
  if (d == dims::kTime) return "a duration (e.g. 10 ms, 100 hour)";
  if (d == dims::kEnergy) return "an energy (e.g. 15 Wh, 3 kJ)";
  if (d == dims::kPower) return "a power (e.g. 700 W)";
  if (d == dims::kByteRate) return "a bandwidth (e.g. 50 GB/s, 400 Gbps, 19 TB/hour)";
  if (d == dims::kFlopRate) return "a compute rate (e.g. 989 TFLOP/s)";
  if (d == dims::kFrequency) return "a rate (e.g. 5 /s)";
  return absl::StrCat("a quantity of dimension [B^", d.byte, " flop^", d.flop, " s^", d.time, " J^",
                      d.energy, "]");
}

std::string AcceptedUnits() {
  return "sizes B KB MB GB TB PB KiB MiB GiB TiB bit Gb; ops flop GFLOP TFLOP PFLOP "
         "(TFLOPs = 1e12 flop); times ns us ms s min hour day week year; energy J kWh Wh; "
         "power W kW MW; rates as X/Y (GB/s, TFLOP/s, TB/hour) or Gbps TFLOPS";
}

absl::StatusOr<Quantity> ParseQuantity(absl::string_view text) {
  absl::string_view s = absl::StripAsciiWhitespace(text);
  if (s.empty()) return absl::InvalidArgumentError("empty quantity");
  if (s.size() > 256) {
    return absl::InvalidArgumentError(
        absl::StrCat("quantity longer than 256 characters ('", s.substr(0, 32), "...')"));
  }
  std::string buf(s);
  char* end = nullptr;
  double number = std::strtod(buf.c_str(), &end);
  if (end == buf.c_str() || !std::isfinite(number) ||
      (*end != '\0' && !absl::ascii_isspace(*end) && *end != '/' && !absl::ascii_isalpha(*end) &&
       static_cast<unsigned char>(*end) < 0x80)) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' does not start with a number"));
  }
  absl::string_view unit =
      absl::StripAsciiWhitespace(absl::string_view(end, buf.c_str() + buf.size() - end));
  Quantity q;
  q.number = number;
  if (unit.empty()) {
    q.si = number;
    return q;
  }
  q.has_unit = true;
  for (const UnitEntry& w : kRateWords) {
    if (unit == w.name) {
      q.unit_scale = w.scale;
      q.dim = w.dim;
      q.si = number * w.scale;
      return q;
    }
  }
  std::vector<absl::string_view> parts = absl::StrSplit(unit, '/');
  if (parts.size() > 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("unit '", unit, "' in '", text, "' has more than one '/'"));
  }
  absl::string_view num_name = absl::StripAsciiWhitespace(parts[0]);
  if (num_name.empty()) num_name = "1";
  const UnitEntry* num = FindUnit(num_name);
  if (num == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown unit '", num_name, "' in '", text, "'; accepted: ", AcceptedUnits()));
  }
  q.unit_scale = num->scale;
  q.dim = num->dim;
  if (parts.size() == 2) {
    absl::string_view den_name = absl::StripAsciiWhitespace(parts[1]);
    const UnitEntry* den = FindUnit(den_name);
    if (den == nullptr || den_name == "1") {
      return absl::InvalidArgumentError(absl::StrCat("unknown unit '", den_name, "' in '", text,
                                                     "'; accepted: ", AcceptedUnits()));
    }
    q.unit_scale = num->scale / den->scale;
    q.dim = Subtract(num->dim, den->dim);
  }
  q.si = number * q.unit_scale;
  return q;
}

absl::StatusOr<Quantity> ParseQuantityAs(absl::string_view text, const Dimension& expected,
                                         absl::string_view field) {
  absl::StatusOr<Quantity> q = ParseQuantity(text);
  if (!q.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", q.status().message()));
  }
  // A bare number is read in SI units of the expected dimension.
  if (!q->has_unit) {
    q->dim = expected;
    return q;
  }
  if (!(q->dim == expected)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": '", text, "' is ",
                                                   DimensionName(q->dim), "; expected ",
                                                   DimensionName(expected)));
  }
  return q;
}

}  // namespace mlsysim
