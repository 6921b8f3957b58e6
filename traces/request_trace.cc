// request_trace.cc — see request_trace.h.
#include "traces/request_trace.h"


#include <ctime>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "traces/small_file.h"

namespace mlsysim {

namespace {

// Seconds since the epoch for "YYYY-MM-DD HH:MM:SS[.frac]", or a plain number.
bool ParseTimestamp(absl::string_view text, double* out) {
  if (absl::SimpleAtod(text, out)) return std::isfinite(*out);
  std::tm tm{};
  int y, mo, d, h, mi;
  double s;
  const std::string str(text);
  if (std::sscanf(str.c_str(), "%d-%d-%d %d:%d:%lf", &y, &mo, &d, &h, &mi, &s) != 6) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
      s >= 61)
    return false;
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = 0;
  *out = static_cast<double>(timegm(&tm)) + s;
  return true;
}

}  // namespace

absl::StatusOr<std::vector<RequestTraceRow>> LoadRequestTrace(const std::string& path,
                                                              double time_scale, int64_t limit) {
  if (auto s = CheckReadableFile(path, "request trace"); !s.ok()) return s;
  std::ifstream file(path);
  return ReadRequestTrace(file, path, time_scale, limit);
}

absl::StatusOr<std::vector<RequestTraceRow>> ParseRequestTrace(const std::string& text,
                                                               const std::string& origin,
                                                               double time_scale, int64_t limit) {
  std::istringstream in(text);
  return ReadRequestTrace(in, origin, time_scale, limit);
}

absl::StatusOr<std::vector<RequestTraceRow>> ReadRequestTrace(std::istream& in,
                                                              const std::string& path,
                                                              double time_scale, int64_t limit) {
  if (!(time_scale > 0)) return absl::InvalidArgumentError("trace time scale must be > 0");
  std::vector<RequestTraceRow> reqs;
  std::string line;
  long line_no = 0;
  double first = 0, last = -1e300;
  while (std::getline(in, line)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    std::vector<std::string> cols = absl::StrSplit(line, ',');
    if (line_no == 1) {
      // The header is required and checked (a trace without one would lose
      // its first request): time, input tokens, output tokens.
      auto has = [&](size_t i, std::initializer_list<const char*> names) {
        if (cols.size() <= i) return false;
        const std::string c = absl::AsciiStrToLower(absl::StripAsciiWhitespace(cols[i]));
        for (const char* n : names)
          if (absl::StrContains(c, n)) return true;
        return false;
      };
      if (cols.size() != 3 || !has(0, {"time"}) || !has(1, {"context", "input", "prompt"}) ||
          !has(2, {"generated", "output"})) {
        return absl::InvalidArgumentError(absl::StrCat(
            path,
            ":1: expected the header TIMESTAMP,ContextTokens,GeneratedTokens (Azure LLM "
            "inference trace layout); got '",
            line.substr(0, 120), line.size() > 120 ? "...'" : "'"));
      }
      continue;
    }
    auto bad = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", line_no, ": ", why, " in '", line.substr(0, 120),
                       line.size() > 120 ? "..." : "", "' (the trace is rejected whole)"));
    };
    if (cols.size() != 3) return bad("expected 3 columns");
    double ts;
    int64_t input, output;
    if (!ParseTimestamp(absl::StripAsciiWhitespace(cols[0]), &ts)) return bad("bad timestamp");
    if (!(ts >= 0)) return bad("timestamps must be >= 0");
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(cols[1]), &input) || input < 1 ||
        input > 10000000)
      return bad("ContextTokens must be an integer >= 1");
    if (!absl::SimpleAtoi(absl::StripAsciiWhitespace(cols[2]), &output) || output < 1 ||
        output > 10000000)
      return bad("GeneratedTokens must be an integer >= 1");
    if (reqs.empty()) first = ts;
    if (ts < last) return bad("timestamps must not decrease");
    last = ts;
    reqs.push_back({(ts - first) * time_scale, static_cast<int>(input), static_cast<int>(output)});
    if (limit > 0 && static_cast<int64_t>(reqs.size()) >= limit) break;
  }
  if (reqs.empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": no requests"));
  return reqs;
}

}  // namespace mlsysim
