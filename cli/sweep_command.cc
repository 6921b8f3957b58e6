// sweep_command.cc — `mlsysim sweep SWEEP.textproto`: every point of a sweep
// (proto/sweep.proto) on a thread pool, one row per point in a CSV (and JSON
// lines), in point order whatever the number of workers; the feasible Pareto
// front and the best point. The output is rewritten whole (temporary file +
// rename) after each batch, so a kill never leaves a torn row, and --resume
// skips the points already in it.
#include <atomic>
#include <chrono>
#include <cmath>
#include <csignal>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analytic/solvers/solve_dispatch.h"
#include "cli/simulate_common.h"
#include "cli/sweep_mpi.h"
#include "google/protobuf/text_format.h"
#include "nlohmann/json.hpp"
#include "proto/sweep.pb.h"
#include "sim/scenario/sweep_runner.h"
#include "traces/atomic_file.h"
#include "traces/json_writer.h"
#include "traces/result_report.h"
#include "traces/small_file.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o text|json] sweep SWEEP.textproto [--jobs N] [--output FILE.csv] [--jsonl "
    "FILE]\n"
    "         [--resume]\n"
    "       mpirun -np N mlsysim sweep SWEEP.textproto ...   (rank 0 coordinates, N-1 ranks run "
    "points)\n"
    "  Runs every point of the sweep (proto/sweep.proto: a base scenario, axes over its fields,\n"
    "  constraints, objectives) with N worker threads (default: all cores). One row per point,\n"
    "  in point order: the axis values, status (ok | infeasible | error), whether the constraints\n"
    "  hold, the error, and every metric of the point's Result. Prints the best point and the\n"
    "  Pareto front of the feasible points. --resume keeps the rows already in --output.\n"
    "  --report FILE.html draws each objective across the sweep (an HTML report).\n";

std::atomic<bool> g_stop{false};
extern "C" void StopSweep(int) { g_stop.store(true); }

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

absl::Status WriteOutputs(const sweep::Sweep& s, const std::map<int64_t, SweepRow>& rows,
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

// Rows already in a previous run's CSV (--resume); they must be this sweep's.
absl::Status ReadDone(const sweep::Sweep& s, const std::vector<SweepPoint>& points,
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

void FlattenJson(const nlohmann::json& j, const std::string& prefix, SweepRow* out) {
  auto add = [out](const std::string& name, double value) {
    sweep::NamedValue* m = out->add_metrics();
    m->set_name(name);
    m->set_value(value);
  };
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string name = prefix + it.key();
    if (it->is_number()) {
      add(name, it->get<double>());
    } else if (it->is_boolean()) {
      add(name, it->get<bool>() ? 1.0 : 0.0);
    } else if (it->is_string() && (*it == "inf" || *it == "-inf")) {
      add(name, *it == "inf" ? HUGE_VAL : -HUGE_VAL);
    } else if (it->is_object()) {
      FlattenJson(*it, name + ".", out);
    }
  }
}

// One point of an analytic sweep: the solve request with the axes' values
// set as its arguments (numbers, booleans or text), through `solve`.
SweepRow RunSolvePoint(const sweep::Sweep& s, const nlohmann::json& base, const SweepPoint& point,
                       int64_t index, const Registry& registry) {
  SweepRow row;
  row.set_index(index);
  row.mutable_point()->Assign(point.begin(), point.end());
  nlohmann::json request = base;
  for (int a = 0; a < s.axes_size(); ++a) {
    const std::string key = s.axes(a).field().substr(5);
    double number;
    bool flag;
    if (absl::SimpleAtod(point[a], &number)) {
      request["args"][key] = number;
    } else if (absl::SimpleAtob(point[a], &flag)) {
      request["args"][key] = flag;
    } else {
      request["args"][key] = point[a];
    }
  }
  const SolveOutcome out = SolveRequest(registry, request);
  if (!out.ok) {
    row.set_status(out.exit_code == kExitInfeasible ? "infeasible" : "error");
    row.set_error(out.error_field.empty() ? out.error_message
                                          : out.error_field + ": " + out.error_message);
    return row;
  }
  row.set_status("ok");
  FlattenJson(nlohmann::json::parse(out.result.ToJson()), "", &row);
  JudgeRow(s, &row);
  return row;
}

std::string PointText(const sweep::Sweep& s, const SweepRow& row) {
  std::vector<std::string> parts;
  for (int a = 0; a < s.axes_size(); ++a)
    parts.push_back(absl::StrCat(s.axes(a).field(), "=", row.point(a)));
  return absl::StrCat("#", row.index(), " ", absl::StrJoin(parts, " "));
}

}  // namespace

int RunSweep(const CommandContext& ctx, const CommandArgs& args) {
  ParsedOptions o;
  const std::string perr = ParseOptions(args,
                                        {{"--jobs", "-j", true},
                                         {"--output", "", true},
                                         {"--jsonl", "", true},
                                         {"--resume", "", false},
                                         {"--help", "-h", false}},
                                        "sweep", &o);
  auto bad = [&](const std::string& why) {
    return ReportError(ctx, kExitBadInput, "Bad input", why);
  };
  if (!perr.empty()) return bad(perr);
  if (o.Has("--help")) {
    *ctx.out << kHelp;
    return kExitOk;
  }
  if (o.positional.size() != 1) return bad("sweep: give one SWEEP.textproto");
  const std::string path = o.positional[0];
  int jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (auto e = GetInt(o, "--jobs", 1, 4096, &jobs); !e.empty()) return bad(e);
  const std::string csv = o.Get("--output", ""), jsonl = o.Get("--jsonl", "");
  if (o.Has("--resume") && csv.empty())
    return bad("--resume needs --output FILE.csv (the rows to keep)");

  absl::StatusOr<std::string> text = ReadSmallFile(path, "sweep", 64 << 20);
  if (!text.ok()) return bad(std::string(text.status().message()));
  sweep::Sweep s;
  if (!google::protobuf::TextFormat::ParseFromString(*text, &s)) {
    return bad(absl::StrCat(path, ": not a valid sweep (proto/sweep.proto)"));
  }
  if (const std::string e = CheckScenarioRanges(s.base()); !e.empty())
    return bad(absl::StrCat(path, ": base.", e));
  for (const auto& a : s.axes()) {
    if (!s.solve().empty() && a.field().rfind("args.", 0) != 0) {
      return bad(
          absl::StrCat(path, ": axis '", a.field(), "': an analytic sweep's axes set args.NAME"));
    }
  }
  auto points = SweepPoints(s);
  if (!points.ok()) return bad(absl::StrCat(path, ": ", points.status().message()));
  for (int64_t i = 0; s.solve().empty() && i < std::min<int64_t>(1, points->size());
       ++i) {  // axes fit the base
    if (auto sc = PointScenario(s, (*points)[i], i); !sc.ok())
      return bad(absl::StrCat(path, ": ", sc.status().message()));
  }
  std::map<int64_t, SweepRow> rows;
  if (o.Has("--resume")) {
    if (auto st = ReadDone(s, *points, csv, &rows); !st.ok()) return bad(std::string(st.message()));
  }
  std::vector<int64_t> todo;
  for (int64_t i = 0; i < static_cast<int64_t>(points->size()); ++i) {
    if (!rows.count(i)) todo.push_back(i);
  }
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  RunContext rc = RunContextOf(ctx);
  const long long resumed = static_cast<long long>(rows.size());
  const auto start = std::chrono::steady_clock::now();
  auto last_write = start;
  Progress progress(rc, "sweep: points", static_cast<long long>(points->size()));
  absl::Status write_status;
  g_stop.store(false);
  InstallAtomicFileSignalHandlers();  // first, so that ours is the one SIGINT reaches
  auto old_int = std::signal(SIGINT, StopSweep);
  RunContext quiet = rc;  // per-point diagnostics would interleave; rows carry the status
  quiet.diagnostics = nullptr;
  quiet.progress = false;
  quiet.plot_series = false;  // rows keep metrics only
  std::optional<nlohmann::json> solve_base;
  if (!s.solve().empty()) {
    try {
      solve_base = nlohmann::json::parse(s.solve());
    } catch (const std::exception& e) {
      return bad(absl::StrCat(path, ": solve: not JSON (", e.what(), ")"));
    }
  }
  const std::function<SweepRow(int64_t)> run_point = [&](int64_t i) {
    return solve_base ? RunSolvePoint(s, *solve_base, (*points)[i], i, *ctx.registry)
                      : RunSweepPoint(s, (*points)[i], i, dir, quiet);
  };
  auto on_done = [&](SweepRow row) {
    rows[row.index()] = std::move(row);
    const auto now = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(now - start).count();
    const long long done = static_cast<long long>(rows.size());
    const double rate = static_cast<double>(done - resumed) / std::max(secs, 1e-9);
    const double eta = rate > 0 ? static_cast<double>(points->size() - rows.size()) / rate : 0;
    progress.Step(done, absl::StrFormat("%.1f points/s, ETA %.0f s", rate, eta));
    if (now - last_write > std::chrono::seconds(1) && write_status.ok()) {
      write_status = WriteOutputs(s, rows, csv, jsonl);
      last_write = now;
    }
  };
  std::string workers = absl::StrCat(jobs, jobs == 1 ? " worker" : " workers");
  if (LaunchedByMpi()) {
    int ranks = 0;
    auto coordinator = RunSweepOverMpi(todo, run_point, on_done, &ranks);
    std::signal(SIGINT, old_int);
    if (!coordinator.ok()) {
      const bool infeasible = absl::IsFailedPrecondition(coordinator.status());
      return ReportError(ctx, kExitBadInput, infeasible ? "No MPI" : "Bad input",
                         std::string(coordinator.status().message()));
    }
    if (!*coordinator) return kExitOk;  // a worker rank: rank 0 reports
    workers = absl::StrCat(ranks - 1, " MPI worker ranks");
  } else {
    RunSweepPoints(todo, jobs, run_point, on_done, &g_stop);
  }
  std::signal(SIGINT, old_int);
  progress.Done();
  if (write_status.ok()) write_status = WriteOutputs(s, rows, csv, jsonl);
  if (!write_status.ok())
    return ReportError(ctx, kExitBadInput, "Bad output", std::string(write_status.message()));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<SweepRow> all;
  for (auto& [i, row] : rows) all.push_back(row);
  const SweepSummary sum = Summarize(s, all);
  if (ctx.report_json != nullptr) {  // --report: the sweep, its objectives and rows
    std::string& j = *ctx.report_json;
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
  }
  const bool interrupted = rows.size() < points->size();
  if (!csv.empty()) *ctx.err << "wrote " << csv << " (" << rows.size() << " rows)\n";
  if (!jsonl.empty()) *ctx.err << "wrote " << jsonl << " (" << rows.size() << " rows)\n";
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
        .Int("points", static_cast<long long>(points->size()))
        .Int("done", static_cast<long long>(rows.size()))
        .Bool("interrupted", interrupted)
        .Int("ok", sum.ok)
        .Int("feasible", sum.feasible)
        .Int("infeasible", sum.infeasible)
        .Int("errors", sum.errors)
        .Int("jobs", jobs);
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
        s.name(), rows.size(), points->size(), interrupted ? " (interrupted)" : "", sum.ok,
        sum.feasible, sum.infeasible, sum.errors, secs, workers,
        todo.empty() ? 0.0 : (rows.size() - (points->size() - todo.size())) / secs);
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
  return kExitOk;
}

}  // namespace mlsysim
