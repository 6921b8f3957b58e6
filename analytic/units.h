// units.h — quantities written as text ("10 ms", "400 Gbps", "2 GiB", "19 TB/hour").
//
// mlsysim (pint) treats flop and byte as dimensionless; here each keeps its own
// dimension so that a unit typo ("50 GB" where a bandwidth is expected) is caught.
// Decimal prefixes are powers of 1000 (GB = 1e9 B), binary ones powers of 1024
// (GiB = 2^30 B); Gbps = 1e9 bit/s = 1.25e8 B/s. The declared number and the SI
// scale of the declared unit are kept, because mlsysim v0.1.1 forms times from
// the declared number (contract §11.1) and that decides exact ties.
//
// Usage: absl::StatusOr<Quantity> q = ParseQuantity("3.35 TB/s");
#ifndef MLSYSIM_ANALYTIC_UNITS_H_
#define MLSYSIM_ANALYTIC_UNITS_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/statusor.h"

namespace mlsysim {

// Exponents of the base dimensions: bytes, flop, seconds, joules.
struct Dimension {
  int byte = 0;
  int flop = 0;
  int time = 0;
  int energy = 0;
  bool operator==(const Dimension&) const = default;
};

namespace dims {
inline constexpr Dimension kNone{};
inline constexpr Dimension kBytes{1, 0, 0, 0};
inline constexpr Dimension kFlop{0, 1, 0, 0};
inline constexpr Dimension kTime{0, 0, 1, 0};
inline constexpr Dimension kEnergy{0, 0, 0, 1};
inline constexpr Dimension kPower{0, 0, -1, 1};
inline constexpr Dimension kByteRate{1, 0, -1, 0};
inline constexpr Dimension kFlopRate{0, 1, -1, 0};
inline constexpr Dimension kFrequency{0, 0, -1, 0};
}  // namespace dims

// Human name of a dimension ("bandwidth (B/s)", "time (s)", ...).
std::string DimensionName(const Dimension& d);

// A parsed quantity. `si` is the value in SI base units (B, flop, s, J);
// `number` is the number as written and `unit_scale` the SI value of one
// declared unit, so si == number * unit_scale.
struct Quantity {
  double si = 0.0;
  Dimension dim;
  double number = 0.0;
  double unit_scale = 1.0;
  bool has_unit = false;  // false for a bare number

  // mlsysim's factor F that turns (numerator / number) into milliseconds
  // for a rate declared in this unit: (1 / unit_scale) * 1000.
  double MsFactor() const { return (1.0 / unit_scale) * 1000.0; }
};

// Parses "<number> <unit>" or a bare number (dimensionless). Errors name the
// offending token and list the accepted units.
absl::StatusOr<Quantity> ParseQuantity(absl::string_view text);

// Parses and checks the dimension; the error names `field`.
absl::StatusOr<Quantity> ParseQuantityAs(absl::string_view text, const Dimension& expected,
                                         absl::string_view field);

// The accepted unit spellings, for error messages and --help.
std::string AcceptedUnits();

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_UNITS_H_
