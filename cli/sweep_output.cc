// sweep_output.cc — a sweep's rows as files (CSV, JSON lines, read back by
// --resume) and its summary (text, JSON, the --report document); see
// sweep_output.h.
#include "cli/sweep_output.h"

#include <fstream>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sim/scenario/scenario_check.h"
#include "traces/atomic_file.h"
#include "traces/json_writer.h"
#include "traces/result_report.h"

namespace mlsysim {
namespace {

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c == '\n' ? ' ' : c);
  return out + "\"";
}

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// The metric columns: every name, in order of first appearance by point index.
std::vector<std::string> MetricColumns(const std::map<int64_t, SweepRow>& rows) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const auto& [i, row] : rows) {
    for (const sweep::NamedValue& m : row.metrics()) {
      if (seen.insert(m.name()).second) names.push_back(m.name());
    }
  }
  return names;
}

// One row as a JSON object (the --jsonl line).
std::string RowJson(const sweep::Sweep& s, int64_t i, const SweepRow& row) {
  Record point, metrics;
  for (int a = 0; a < s.axes_size(); ++a) point.Str(s.axes(a).field(), row.point(a));
  for (const sweep::NamedValue& m : row.metrics()) metrics.Num(m.name(), m.value());
  Record r;
  r.Int("index", i)
      .Obj("point", std::move(point))
      .Str("status", row.status())
      .Bool("meets_constraints", row.feasible());
  if (!row.error().empty()) r.Str("error", row.error());
  r.Obj("metrics", std::move(metrics));
  return r.ToJson();
}

}  // namespace

absl::Status WriteSweepRows(const sweep::Sweep& s, const std::map<int64_t, SweepRow>& rows,
                            const std::string& csv, const std::string& jsonl) {
  const std::vector<std::string> names = MetricColumns(rows);
  if (!csv.empty()) {
    AtomicFile f(csv);
    std::vector<std::string> header = {"index"};
    for (const auto& a : s.axes()) header.push_back(CsvField(a.field()));
    header.insert(header.end(), {"status", "meets_constraints", "error"});
    for (const auto& n : names) header.push_back(CsvField(n));
    f.stream() << absl::StrJoin(header, ",") << "\n";
    for (const auto& [i, row] : rows) {
      std::vector<std::string> cells = {absl::StrCat(i)};
      for (const auto& v : row.point()) cells.push_back(CsvField(v));
      cells.insert(cells.end(), {row.status(), row.feasible() ? "1" : "0", CsvField(row.error())});
      std::map<std::string, double> m;
      for (const sweep::NamedValue& v : row.metrics()) m.emplace(v.name(), v.value());
      for (const auto& n : names) {
        auto it = m.find(n);
        cells.push_back(it == m.end() ? "" : ExactNumber(it->second));
      }
      f.stream() << absl::StrJoin(cells, ",") << "\n";
    }
    if (auto st = f.Commit(); !st.ok()) return st;
  }
  if (!jsonl.empty()) {
    AtomicFile f(jsonl);
    for (const auto& [i, row] : rows) f.stream() << RowJson(s, i, row) << "\n";
    if (auto st = f.Commit(); !st.ok()) return st;
  }
  return absl::OkStatus();
}

std::string PointText(const sweep::Sweep& s, const SweepRow& row) {
  std::vector<std::string> parts;
  for (int a = 0; a < s.axes_size(); ++a)
    parts.push_back(absl::StrCat(s.axes(a).field(), "=", row.point(a)));
  return absl::StrCat("#", row.index(), " ", absl::StrJoin(parts, " "));
}

// Rows already in a previous run's CSV (--resume); they must be this sweep's.
absl::Status ReadSweepRows(const sweep::Sweep& s, const std::vector<SweepPoint>& points,
                           const std::string& csv, std::map<int64_t, SweepRow>* rows) {
  std::ifstream in(csv);
  if (!in) return absl::OkStatus();  // nothing yet
  std::string line;
  if (!std::getline(in, line)) return absl::OkStatus();
  const std::vector<std::string> header = SplitCsv(line);
  const size_t axes = static_cast<size_t>(s.axes_size());
  if (header.size() < axes + 4 || header[0] != "index") {
    return absl::InvalidArgumentError(
        absl::StrCat(csv, ": not a sweep output (header '", line.substr(0, 80), "')"));
  }
  long line_no = 1;
  while (std::getline(in, line)) {
    ++line_no;
    const std::vector<std::string> cells = SplitCsv(line);
    int64_t index;
    if (cells.size() != header.size() || !absl::SimpleAtoi(cells[0], &index) || index < 0 ||
        index >= static_cast<int64_t>(points.size())) {
      return absl::InvalidArgumentError(
          absl::StrCat(csv, ":", line_no, ": not a row of this sweep"));
    }
    SweepRow row;
    row.set_index(index);
    row.mutable_point()->Assign(cells.begin() + 1, cells.begin() + 1 + axes);
    if (!std::equal(row.point().begin(), row.point().end(), points[index].begin(),
                    points[index].end())) {
      return absl::InvalidArgumentError(absl::StrCat(csv, ":", line_no, ": point #", index,
                                                     " has other axis values than this sweep's"));
    }
    row.set_status(cells[axes + 1]);
    row.set_feasible(cells[axes + 2] == "1");
    row.set_error(cells[axes + 3]);
    for (size_t c = axes + 4; c < cells.size(); ++c) {
      double v;
      if (!cells[c].empty() && absl::SimpleAtod(cells[c], &v)) {
        sweep::NamedValue* m = row.add_metrics();
        m->set_name(header[c]);
        m->set_value(v);
      }
    }
    (*rows)[index] = std::move(row);
  }
  return absl::OkStatus();
}

std::string SweepReportJson(const sweep::Sweep& s, const SweepSummary& sum,
                            const std::map<int64_t, SweepRow>& rows) {
  std::string j;
  j = "{\"sweep\": ";
  AppendJsonString(j, s.name());
  j += ", \"objectives\": [";
  for (int k = 0; k < s.objectives_size(); ++k) {
    if (k > 0) j += ", ";
    AppendJsonString(j, s.objectives(k).metric());
  }
  j += "], \"constraints\": [";
  for (int k = 0; k < s.constraints_size(); ++k) {
    if (k > 0) j += ", ";
    j += "{\"metric\": ";
    AppendJsonString(j, s.constraints(k).metric());
    j += ", \"op\": ";
    AppendJsonString(j, s.constraints(k).op());
    j += absl::StrCat(", \"value\": ", ExactNumber(s.constraints(k).value()), "}");
  }
  j += "], \"objective_specs\": [";
  for (int k = 0; k < s.objectives_size(); ++k) {
    const sweep::Objective& ob = s.objectives(k);
    j += k > 0 ? ", {\"metric\": " : "{\"metric\": ";
    AppendJsonString(j, ob.metric());
    j += ", \"per\": ";
    AppendJsonString(j, ob.per());
    j += absl::StrCat(", \"maximize\": ", ob.maximize() ? "true" : "false", "}");
  }
  j += absl::StrCat("], \"best\": ", sum.best, ", \"tied\": [", absl::StrJoin(sum.tied, ", "),
                    "], \"pareto\": [", absl::StrJoin(sum.pareto, ", "), "]");
  j += ", \"rows\": [";
  bool first_row = true;
  for (const auto& [i, row] : rows) {
    if (!first_row) j += ",\n";
    first_row = false;
    j += RowJson(s, i, row);
  }
  j += "]}";
  return j;
}

void PrintSweepSummary(const CommandContext& ctx, const sweep::Sweep& s, const SweepSummary& sum,
                       std::map<int64_t, SweepRow>& rows, const SweepRun& run) {
  const bool interrupted = static_cast<int64_t>(rows.size()) < run.points;
  // An objective's value in its unit (a name ending _s in seconds, _usd in
  // USD, …), with its 95 % CI where the point has replications.
  auto value_text = [&](const sweep::Objective& ob, const SweepRow& row) {
    double v = ObjectiveValue(ob, row), ci = ObjectiveCi(ob, row);
    std::string unit = ob.per().empty() ? UnitOfMetricName(ob.metric()) : "";
    if (UnitOfMetricName(ob.per()) == "USD") {  // per million dollars reads better
      v *= 1e6;
      ci *= 1e6;
      unit = "per M USD";
    }
    std::string text = HumaneQuantity(v, unit);
    if (ci > 0) absl::StrAppend(&text, " ± ", HumaneQuantity(ci, unit));
    return text;
  };
  auto objectives = [&](const SweepRow& row) {
    std::vector<std::string> parts;
    for (const auto& ob : s.objectives()) {
      parts.push_back(absl::StrCat(ob.maximize() ? "max " : "min ", ob.metric(),
                                   ob.per().empty() ? "" : " per ", ob.per(), " = ",
                                   value_text(ob, row)));
    }
    return absl::StrJoin(parts, ", ");
  };
  if (ctx.format == OutputFormat::kJson) {
    Record out;
    out.Str("sweep", s.name())
        .Int("points", run.points)
        .Int("done", static_cast<long long>(rows.size()))
        .Bool("interrupted", interrupted)
        .Int("ok", sum.ok)
        .Int("feasible", sum.feasible)
        .Int("infeasible", sum.infeasible)
        .Int("errors", sum.errors)
        .Int("jobs", run.jobs);
    if (sum.best >= 0) out.Int("best", sum.best);
    auto points_of = [&](const std::vector<int64_t>& indices) {
      std::vector<Record> list;
      for (int64_t i : indices) {
        Record r;
        r.Int("index", i).Str("point", PointText(s, rows[i]));
        list.push_back(std::move(r));
      }
      return list;
    };
    out.List("tied_with_best", points_of(sum.tied));
    out.Bool("best_within_noise", sum.tied_by_noise);
    out.List("pareto", points_of(sum.pareto));
    *ctx.out << out.ToJson() << "\n";
  } else {
    *ctx.out << absl::StrFormat(
        "sweep %s: %d of %d points%s: %d ran (%d meet the constraints), %d physically "
        "infeasible, %d errors; %.3g s with %s (%.3g points/s)\n",
        s.name(), rows.size(), run.points, interrupted ? " (interrupted)" : "", sum.ok,
        sum.feasible, sum.infeasible, sum.errors, run.seconds, run.workers,
        run.todo == 0
            ? 0.0
            : static_cast<double>(static_cast<int64_t>(rows.size()) - (run.points - run.todo)) /
                  run.seconds);
    if (sum.best >= 0) {
      *ctx.out << "best: " << PointText(s, rows[sum.best]) << " (" << objectives(rows[sum.best])
               << ")\n";
      if (!sum.tied.empty()) {
        const sweep::Objective& first = s.objectives(0);
        *ctx.out << absl::StrFormat(
            "  %s: %d other point%s cannot be told from it on %s (%s):\n",
            sum.tied_by_noise ? "the best is within the noise" : "a tie", sum.tied.size(),
            sum.tied.size() == 1 ? "" : "s",
            first.per().empty() ? first.metric()
                                : absl::StrCat(first.metric(), " per ", first.per()),
            sum.tied_by_noise
                ? "the same value or overlapping 95 % CIs; more replications "
                  "would separate them"
                : "the same value; the next objective, then the lower index, broke the tie");
        for (int64_t i : sum.tied)
          *ctx.out << "    " << PointText(s, rows[i]) << " (" << value_text(first, rows[i])
                   << ")\n";
      }
    }
    if (!sum.pareto.empty()) {
      *ctx.out << "Pareto front (" << sum.pareto.size() << " points):\n";
      for (int64_t i : sum.pareto)
        *ctx.out << "  " << PointText(s, rows[i]) << " (" << objectives(rows[i]) << ")\n";
    }
  }
}

}  // namespace mlsysim
