// result_report.cc — see result_report.h.
#include "traces/result_report.h"

#include <cmath>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/util/json_util.h"

namespace mlsysim {
namespace {

// 4 significant digits, no exponent between 1e-4 and 1e4.
std::string Sig4(double v) {
  if (v == 0) return "0";
  const double a = std::fabs(v);
  if (a >= 1e4 || a < 1e-4) return absl::StrFormat("%.3e", v);
  const int digits = a >= 1000  ? 0
                     : a >= 100 ? 1
                     : a >= 10  ? 2
                     : a >= 1   ? 3
                                : 3 - static_cast<int>(std::floor(std::log10(a)));
  return absl::StrFormat("%.*f", digits, v);
}

struct Scaled {
  double factor;
  const char* prefix;
};

std::string WithPrefix(double v, const std::string& unit, bool small_prefixes) {
  static const Scaled kBig[] = {{1e21, "Z"}, {1e18, "E"}, {1e15, "P"}, {1e12, "T"},
                                {1e9, "G"},  {1e6, "M"},  {1e3, "k"}};
  static const Scaled kSmall[] = {{1e-3, "m"}, {1e-6, "µ"}, {1e-9, "n"}};
  const double a = std::fabs(v);
  const std::string sep = unit.empty() ? "" : " ";
  if (a >= 1e3) {
    for (const Scaled& s : kBig) {
      if (a >= s.factor) return absl::StrCat(Sig4(v / s.factor), " ", s.prefix, unit);
    }
  }
  if (small_prefixes && a > 0 && a < 1) {
    for (const Scaled& s : kSmall) {
      if (a >= s.factor) return absl::StrCat(Sig4(v / s.factor), " ", s.prefix, unit);
    }
  }
  return absl::StrCat(Sig4(v), sep, unit);
}

std::string Duration(double v) {
  const double a = std::fabs(v);
  if (a == 0) return "0 s";
  if (a < 1e-6) return absl::StrCat(Sig4(v * 1e9), " ns");
  if (a < 1e-3) return absl::StrCat(Sig4(v * 1e6), " µs");
  if (a < 1) return absl::StrCat(Sig4(v * 1e3), " ms");
  if (a < 120) return absl::StrCat(Sig4(v), " s");
  if (a < 7200) return absl::StrCat(Sig4(v / 60), " min");
  if (a < 2 * 86400) return absl::StrCat(Sig4(v / 3600), " h");
  return absl::StrCat(Sig4(v / 86400), " d");
}

std::string FactValue(const result::Fact& f) {
  switch (f.value_case()) {
    case result::Fact::kText: return f.text();
    case result::Fact::kNumber:
      return f.unit().empty() && std::trunc(f.number()) == f.number() &&
                     std::fabs(f.number()) < 1e15
                 ? absl::StrCat(static_cast<long long>(f.number()))
                 : HumaneQuantity(f.number(), f.unit());
    case result::Fact::kFlag: return f.flag() ? "yes" : "no";
    default: return "";
  }
}

size_t Width(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;  // code points
  return n;
}

// The facts as "name value · name value …", wrapped before 100 columns (a
// fact is never split), continuation lines indented like the first.
std::string FactsLine(const google::protobuf::RepeatedPtrField<result::Fact>& facts,
                      absl::string_view indent = "") {
  constexpr size_t kWidth = 100;
  std::string out, line;
  size_t line_chars = 0;  // code points, not bytes ("·" and "µ" are two)
  for (const auto& f : facts) {
    const std::string part = absl::StrCat(f.name(), " ", FactValue(f));
    const size_t chars = Width(part);
    if (!line.empty() && indent.size() + line_chars + 3 + chars > kWidth) {
      if (!out.empty()) out += '\n';
      out.append(indent.data(), indent.size());
      out += line;
      line.clear();
      line_chars = 0;
    }
    if (!line.empty()) {
      line += " · ";
      line_chars += 3;
    }
    line += part;
    line_chars += chars;
  }
  if (!line.empty()) {
    if (!out.empty()) out += '\n';
    out.append(indent.data(), indent.size());
    out += line;
  }
  return out;
}

std::vector<std::string> MetricRow(const result::Metric& m) {
  std::string sim = "—", closed = "—", gap, source = m.analytic_source();
  // A metric named in seconds prints in seconds (ms, µs and ns below one),
  // never in minutes, hours or days.
  const bool in_seconds = m.unit() == "s" && absl::EndsWith(m.name(), "_s");
  auto show = [&](double v) {
    return in_seconds ? SecondsQuantity(v) : HumaneQuantity(v, m.unit());
  };
  if (m.has_simulated()) {
    sim = show(m.simulated());
    // A zero half-width (identical replications) is not shown: it would
    // read as filler.
    if (m.has_ci95() && m.ci95() > 0) absl::StrAppend(&sim, " ± ", show(m.ci95()));
  }
  if (m.has_analytic()) closed = show(m.analytic());
  if (m.has_relative_gap()) {
    gap = std::fabs(m.relative_gap()) < 5e-5
              ? "0.0 %"
              : absl::StrCat(m.relative_gap() > 0 ? "+" : "", Sig4(100 * m.relative_gap()), " %");
    // A closed form inside the simulated 95 % CI is not a disagreement:
    // the replications cannot tell the two apart.
    if (m.has_ci95() && m.ci95() > 0 && m.has_simulated() && m.has_analytic() &&
        std::fabs(m.simulated() - m.analytic()) <= m.ci95() && gap != "0.0 %") {
      absl::StrAppend(&gap, " in CI");
    }
  }
  if (!m.has_analytic() && source.empty()) closed = "";
  return {m.name(), sim, closed, gap, source};
}

using Rows = std::vector<std::vector<std::string>>;

std::string TextTable(const Rows& rows) {
  std::vector<size_t> w(rows[0].size(), 0);
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) w[i] = std::max(w[i], Width(r[i]));
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line = "  ";
    for (size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line += std::string(w[i] - Width(r[i]) + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string MarkdownTable(const Rows& rows) {
  std::string out;
  for (size_t k = 0; k < rows.size(); ++k) {
    out += "| " + absl::StrJoin(rows[k], " | ") + " |\n";
    if (k == 0) {
      std::vector<std::string> dashes(rows[0].size(), "---");
      out += "|" + absl::StrJoin(dashes, "|") + "|\n";
    }
  }
  return out;
}

Rows MetricRows(const google::protobuf::RepeatedPtrField<result::Metric>& metrics) {
  Rows rows = {{"figure", "simulated", "closed form", "gap", "source"}};
  for (const auto& m : metrics) rows.push_back(MetricRow(m));
  return rows;
}

std::string Notes(const google::protobuf::RepeatedPtrField<result::Metric>& metrics,
                  bool markdown) {
  std::string out;
  for (const auto& m : metrics) {
    if (!m.note().empty())
      absl::StrAppend(&out, markdown ? "- " : "  ", m.name(), ": ", m.note(), "\n");
  }
  return out;
}

std::string Report(const result::Result& r, bool markdown, int depth) {
  std::string out;
  const std::string h1 = markdown ? std::string(depth + 1, '#') + " " : "";
  const std::string h2 = markdown ? std::string(depth + 2, '#') + " " : "";
  absl::StrAppend(&out, h1, "mlsysim simulate ", r.form(), r.name().empty() ? "" : " · ", r.name(),
                  "\n");
  std::vector<std::string> head;
  if (r.seed() != 0) head.push_back(absl::StrCat("seed ", r.seed()));
  if (r.replications() != 0)
    head.push_back(
        absl::StrCat(r.replications(), r.replications() == 1 ? " replication" : " replications"));
  if (r.events() != 0) head.push_back(absl::StrCat(r.events(), " events"));
  if (!r.fingerprint().empty()) head.push_back(absl::StrCat("fingerprint ", r.fingerprint()));
  if (r.wall_seconds() > 0) head.push_back(absl::StrCat("wall ", Duration(r.wall_seconds())));
  if (markdown) out += "\n";
  if (!head.empty()) absl::StrAppend(&out, absl::StrJoin(head, " · "), markdown ? "  \n" : "\n");
  if (r.facts_size() > 0) absl::StrAppend(&out, FactsLine(r.facts()), "\n");
  for (const auto& w : r.warnings())
    absl::StrAppend(&out, markdown ? "\n> " : "warning: ", w, "\n");
  if (r.metrics_size() > 0) {
    out += "\n";
    out += markdown ? MarkdownTable(MetricRows(r.metrics())) : TextTable(MetricRows(r.metrics()));
    const std::string notes = Notes(r.metrics(), markdown);
    if (!notes.empty()) absl::StrAppend(&out, markdown ? "\n" : "", notes);
  }
  for (const auto& s : r.sections()) {
    absl::StrAppend(&out, "\n", h2, s.title().empty() ? s.name() : s.title(),
                    markdown ? "\n\n" : "\n");
    if (s.facts_size() > 0) absl::StrAppend(&out, FactsLine(s.facts(), markdown ? "" : "  "), "\n");
    if (s.metrics_size() > 0) {
      if (markdown && s.facts_size() > 0) out += "\n";
      out += markdown ? MarkdownTable(MetricRows(s.metrics())) : TextTable(MetricRows(s.metrics()));
      const std::string notes = Notes(s.metrics(), markdown);
      if (!notes.empty()) absl::StrAppend(&out, markdown ? "\n" : "", notes);
    }
  }
  for (const auto& p : r.parts()) absl::StrAppend(&out, "\n", Report(p, markdown, depth + 1));
  if (r.files_size() > 0) {
    absl::StrAppend(&out, "\n", markdown ? h2 + "files written\n\n" : "files written:\n");
    for (const auto& f : r.files()) absl::StrAppend(&out, markdown ? "- " : "  ", f, "\n");
  }
  return out;
}

}  // namespace

std::string HumaneQuantity(double v, const std::string& unit) {
  if (!std::isfinite(v)) return std::isnan(v) ? "undefined" : (v > 0 ? "unbounded" : "-unbounded");
  if (unit == "s") return Duration(v);
  if (unit == "h") return Duration(v * 3600);
  if (unit == "1" || unit.empty()) return WithPrefix(v, "", false);
  if (unit == "B" || unit == "B/s" || unit == "FLOP/s" || unit == "FLOP" || unit == "W" ||
      unit == "J" || unit == "Hz") {
    return WithPrefix(v, unit, unit == "J" || unit == "W");
  }
  return GroupedQuantity(v, unit);
}

std::string SecondsQuantity(double v) {
  if (!std::isfinite(v) || std::fabs(v) < 1) return HumaneQuantity(v, "s");
  return GroupedQuantity(v, "s");
}

std::string GroupedQuantity(double v, const std::string& unit) {
  // 4 significant digits with thousands separators, e.g. 148,979 -> "149,000
  // tokens/s".
  const double a = std::fabs(v);
  if (a >= 1e4 && a < 1e15) {
    const double scale = std::pow(10.0, std::floor(std::log10(a)) - 3);
    const std::string digits = absl::StrFormat("%.0f", std::round(a / scale) * scale);
    std::string grouped;
    for (size_t i = 0; i < digits.size(); ++i) {
      if (i > 0 && (digits.size() - i) % 3 == 0) grouped += ',';
      grouped += digits[i];
    }
    return absl::StrCat(v < 0 ? "-" : "", grouped, " ", unit);
  }
  return absl::StrCat(Sig4(v), " ", unit);
}

std::string ResultJson(const result::Result& r) {
  google::protobuf::util::JsonPrintOptions o;
  o.preserve_proto_field_names = true;
  std::string json;
  (void)google::protobuf::util::MessageToJsonString(r, &json, o);
  return json + "\n";
}

absl::Status ParseResultJson(const std::string& json, result::Result* r) {
  google::protobuf::util::JsonParseOptions o;
  o.ignore_unknown_fields = false;
  auto st = google::protobuf::util::JsonStringToMessage(json, r, o);
  if (!st.ok()) return absl::InvalidArgumentError(std::string(st.message()));
  return absl::OkStatus();
}

std::string ResultText(const result::Result& r) { return Report(r, false, 0); }
std::string ResultMarkdown(const result::Result& r) { return Report(r, true, 0); }

}  // namespace mlsysim
