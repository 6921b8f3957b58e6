// time.h — simulated time: an int64 count of nanoseconds (292 years of range).
//
// The clock is never a double: rates and sizes are doubles, but every event time
// is an integer so that equal times compare equal on every machine.
// Usage: SimTime t = SecondsToTime(1.5); std::string s = FormatTime(t);  // "1.500000000 s"
#ifndef MLSYSIM_SIM_CORE_TIME_H_
#define MLSYSIM_SIM_CORE_TIME_H_

#include <cstdint>
#include <limits>
#include <string>

namespace mlsysim {

using SimTime = int64_t;

inline constexpr SimTime kNanosecond = 1;
inline constexpr SimTime kMicrosecond = 1000;
inline constexpr SimTime kMillisecond = 1000 * kMicrosecond;
inline constexpr SimTime kSecond = 1000 * kMillisecond;
inline constexpr SimTime kMinute = 60 * kSecond;
inline constexpr SimTime kHour = 60 * kMinute;
inline constexpr SimTime kDay = 24 * kHour;
inline constexpr SimTime kTimeNever = std::numeric_limits<SimTime>::max();

// The clock's range in seconds (2^63 ns, about 292 years): a model whose
// horizon could pass it must refuse the run (see CheckClockRange) — past it
// every time would saturate to kTimeNever.
inline constexpr double kMaxSimSeconds = 9.2e9;

// Rounds to the nearest nanosecond; saturates at kTimeNever. Negative, NaN -> 0.
SimTime SecondsToTime(double seconds);
// Rounds up: a duration that must not finish early (a transfer, a kernel).
inline SimTime SecondsToTimeCeil(double seconds) {
  if (!(seconds > 0)) return 0;
  const double ns = __builtin_ceil(seconds * 1e9 - 1e-6);
  if (ns >= 9.2e18) return kTimeNever;
  return static_cast<SimTime>(ns);
}
inline double TimeToSeconds(SimTime t) { return static_cast<double>(t) * 1e-9; }

// "1.500000000 s" below a minute; "2d 03:04:05.000123456" above.
std::string FormatTime(SimTime t);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_CORE_TIME_H_
