// time.cc — SimTime conversions and formatting (see time.h).
#include "sim/core/time.h"

#include <cmath>

#include "absl/strings/str_format.h"

namespace mlsysim {

SimTime SecondsToTime(double seconds) {
  if (!(seconds > 0)) return 0;
  const double ns = std::round(seconds * 1e9);
  if (ns >= 9.2e18) return kTimeNever;
  return static_cast<SimTime>(ns);
}

std::string FormatTime(SimTime t) {
  if (t == kTimeNever) return "never";
  const char* sign = t < 0 ? "-" : "";
  const uint64_t a = t < 0 ? static_cast<uint64_t>(-(t + 1)) + 1 : static_cast<uint64_t>(t);
  if (a < static_cast<uint64_t>(kMinute)) {
    return absl::StrFormat("%s%d.%09d s", sign, a / kSecond, a % kSecond);
  }
  const uint64_t days = a / kDay, rem = a % kDay;
  return absl::StrFormat("%s%dd %02d:%02d:%02d.%09d", sign, days, rem / kHour,
                         (rem % kHour) / kMinute, (rem % kMinute) / kSecond, rem % kSecond);
}

}  // namespace mlsysim
