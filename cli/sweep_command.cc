// sweep_command.cc — `mlsysim sweep SWEEP.textproto`: every point of a sweep
// (proto/sweep.proto) on a thread pool, one row per point in a CSV (and JSON
// lines), in point order whatever the number of workers; the feasible Pareto
// front and the best point. The output is rewritten whole (temporary file +
// rename) after each batch, so a kill never leaves a torn row, and --resume
// skips the points already in it.
#include <atomic>
#include <chrono>
#include <csignal>
#include <map>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/solvers/solve_dispatch.h"
#include "cli/simulate_common.h"
#include "cli/sweep_mpi.h"
#include "cli/sweep_output.h"
#include "google/protobuf/text_format.h"
#include "nlohmann/json.hpp"
#include "proto/sweep.pb.h"
#include "sim/scenario/sweep_runner.h"
#include "traces/atomic_file.h"
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

// A sweep file read and checked: its points, and the solve request an
// analytic sweep's points fill in.
struct LoadedSweep {
  sweep::Sweep sweep;
  std::vector<SweepPoint> points;
  std::optional<nlohmann::json> solve_base;
};

absl::StatusOr<LoadedSweep> LoadSweep(const std::string& path) {
  auto bad = [](const std::string& why) { return absl::InvalidArgumentError(why); };
  LoadedSweep out;
  sweep::Sweep& s = out.sweep;
  absl::StatusOr<std::string> text = ReadSmallFile(path, "sweep", 64 << 20);
  if (!text.ok()) return bad(std::string(text.status().message()));
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
  if (!s.solve().empty()) {
    try {
      out.solve_base = nlohmann::json::parse(s.solve());
    } catch (const std::exception& e) {
      return bad(absl::StrCat(path, ": solve: not JSON (", e.what(), ")"));
    }
  }
  out.points = *std::move(points);
  return out;
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

  absl::StatusOr<LoadedSweep> loaded = LoadSweep(path);
  if (!loaded.ok()) return bad(std::string(loaded.status().message()));
  const sweep::Sweep& s = loaded->sweep;
  const std::vector<SweepPoint>* points = &loaded->points;
  std::map<int64_t, SweepRow> rows;
  if (o.Has("--resume")) {
    if (auto st = ReadSweepRows(s, *points, csv, &rows); !st.ok())
      return bad(std::string(st.message()));
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
  const std::optional<nlohmann::json>& solve_base = loaded->solve_base;
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
      write_status = WriteSweepRows(s, rows, csv, jsonl);
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
  if (write_status.ok()) write_status = WriteSweepRows(s, rows, csv, jsonl);
  if (!write_status.ok())
    return ReportError(ctx, kExitBadInput, "Bad output", std::string(write_status.message()));
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<SweepRow> all;
  for (auto& [i, row] : rows) all.push_back(row);
  const SweepSummary sum = Summarize(s, all);
  if (ctx.report_json != nullptr) *ctx.report_json = SweepReportJson(s, sum, rows);
  if (!csv.empty()) *ctx.err << "wrote " << csv << " (" << rows.size() << " rows)\n";
  if (!jsonl.empty()) *ctx.err << "wrote " << jsonl << " (" << rows.size() << " rows)\n";
  SweepRun run;
  run.points = static_cast<int64_t>(points->size());
  run.todo = static_cast<int64_t>(todo.size());
  run.jobs = jobs;
  run.workers = workers;
  run.seconds = secs;
  PrintSweepSummary(ctx, s, sum, rows, run);
  return kExitOk;
}

}  // namespace mlsysim
