// solve_dispatch.cc — one `solve` request: the solver table assembled from the
// wall families (solve_table_*.cc), arguments decoded by solve_args.h.
#include "analytic/solvers/solve_dispatch.h"

#include <cmath>
#include <functional>
#include <optional>
#include "absl/strings/string_view.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analytic/analysis.h"
#include "analytic/fleet.h"
#include "analytic/formulas.h"
#include "analytic/operations.h"
#include "analytic/roofline_engine.h"
#include "analytic/serving.h"
#include "analytic/solvers/records.h"
#include "analytic/solvers/solve_args.h"
#include "analytic/units.h"

namespace mlsysim {
namespace {

using nlohmann::json;
using solve::Args;
using solve::Check;
using solve::SolverEntry;

const solve::SolverTable& SolverTable() {
  static const auto* const kTable = [] {
    auto* t = new solve::SolverTable;
    solve::AddNodeSolvers(t);
    solve::AddFleetSolvers(t);
    solve::AddFormulaSolvers(t);
    return t;
  }();
  return *kTable;
}

Record SolvePlacementWithArgs(Args& a, const json& args) {
  const FleetSpec* f = a.Fleet();
  a.Require("duration_days");
  const double days = a.Num("duration_days", 0);
  const double tax = a.Num("carbon_tax_per_ton", 100.0);
  const double mfu = a.Num("mfu", 1.0);
  std::vector<GridSpec> regions;
  std::vector<std::string> names = {"US_Avg", "Quebec", "Iowa"};
  if (a.Has("regions")) {
    const json& r = args.at("regions");
    if (!r.is_array()) {
      a.Fail("regions", "must be a list of grid names");
    } else {
      names.clear();
      for (const json& n : r) {
        if (n.is_string()) names.push_back(n.get<std::string>());
      }
    }
  }
  for (const std::string& n : names) {
    auto g = a.registry().FindGrid(n);
    if (g.ok()) regions.push_back(*g);  // names that are not grids are skipped
  }
  if (!a.ok()) return {};
  auto r = OptimizePlacement(*f, days, regions, tax, mfu);
  if (!Check(a, r)) return {};
  return PlacementRecord(*r);
}

}  // namespace

std::vector<std::string> SolverNames() {
  std::vector<std::string> names;
  for (const auto& [name, entry] : SolverTable()) names.push_back(name);
  names.push_back("PlacementOptimizer");
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> SolverParams(const std::string& solver) {
  if (solver == "PlacementOptimizer")
    return {"fleet", "duration_days", "regions", "carbon_tax_per_ton", "mfu"};
  const auto& table = SolverTable();
  auto it = table.find(solver);
  if (it == table.end()) return {};
  return std::vector<std::string>(it->second.accepted.begin(), it->second.accepted.end());
}

SolveOutcome SolveRequest(const Registry& registry, const json& request) {
  SolveOutcome out;
  out.exit_code = 1;
  if (!request.is_object() || !request.contains("solver") || !request.at("solver").is_string()) {
    out.error_field = "solver";
    out.error_message = "request must be an object with a string 'solver' and an object 'args'";
    if (request.is_object()) {  // name what was there instead (e.g. a request nested in a request)
      std::vector<std::string> keys;
      for (auto k = request.begin(); k != request.end(); ++k) {
        keys.push_back(k.value().is_object() ? absl::StrCat(k.key(), " (an object)") : k.key());
      }
      absl::StrAppend(&out.error_message, "; got ",
                      keys.empty() ? std::string("no keys") : absl::StrJoin(keys, ", "));
      if (request.contains("solver") && !request.at("solver").is_string()) {
        absl::StrAppend(&out.error_message, "; 'solver' is ", request.at("solver").dump());
      }
    }
    return out;
  }
  static const json kEmpty = json::object();
  const json& args = request.contains("args") ? request.at("args") : kEmpty;
  if (!args.is_object()) {
    out.error_field = "args";
    out.error_message = "args must be an object";
    return out;
  }
  const std::string solver = request.at("solver").get<std::string>();
  Record result;
  std::unique_ptr<Args> a;
  if (solver == "PlacementOptimizer") {
    a = std::make_unique<Args>(registry, args, solver,
                               std::vector<absl::string_view>{"fleet", "duration_days", "regions",
                                                              "carbon_tax_per_ton", "mfu"});
    if (a->ok()) result = SolvePlacementWithArgs(*a, args);
  } else {
    const auto& table = SolverTable();
    auto it = table.find(solver);
    if (it == table.end()) {
      out.error_field = "solver";
      out.error_message = absl::StrCat("unknown solver '", solver,
                                       "'; accepted: ", absl::StrJoin(SolverNames(), ", "));
      return out;
    }
    a = std::make_unique<Args>(registry, args, solver, it->second.accepted);
    if (a->ok()) result = it->second.fn(*a);
  }
  if (!a->ok()) {
    out.error_field = a->error_field();
    out.error_message = a->error_message();
    out.exit_code = a->exit_code();
    return out;
  }
  out.ok = true;
  out.exit_code = 0;
  out.result = std::move(result);
  return out;
}

}  // namespace mlsysim
