// solve_args.h — the argument decoder behind `solve` (solve_dispatch.cc):
// one request's JSON args read by mlsysim keyword name, registry objects by
// name, quantities as SI numbers or unit strings; the first error is kept with
// the field it names. The solver tables (one file per wall family) register
// their entries through SolverTable.
// Usage: Args a(registry, args, "Engine", {"model", ...}); auto m = a.Model("model"); if (!a.ok())
// ...
#ifndef MLSYSIM_ANALYTIC_SOLVERS_SOLVE_ARGS_H_
#define MLSYSIM_ANALYTIC_SOLVERS_SOLVE_ARGS_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"
#include "analytic/specs.h"
#include "analytic/units.h"
#include "nlohmann/json.hpp"
#include "topology/registry.h"
#include "traces/json_writer.h"

namespace mlsysim {
namespace solve {

using nlohmann::json;

// Decodes one request's args. The first error is kept (field + message); the
// getters then return defaults so a solver body can read every argument and
// check ok() once.
class Args {
 public:
  Args(const Registry& reg, const json& args, absl::string_view solver,
       std::vector<absl::string_view> accepted)
      : reg_(reg), args_(args) {
    for (auto it = args.begin(); it != args.end(); ++it) {
      bool known = false;
      for (absl::string_view a : accepted) known = known || a == it.key();
      if (!known) {
        Fail(it.key(), absl::StrCat("unknown argument for ", solver,
                                    "; accepted: ", absl::StrJoin(accepted, ", ")));
        return;
      }
    }
  }

  bool ok() const { return error_field_.empty() && error_message_.empty(); }
  const std::string& error_field() const { return error_field_; }
  const std::string& error_message() const { return error_message_; }
  int exit_code() const { return exit_code_; }
  void Fail(absl::string_view field, absl::string_view message, int code = 1) {
    if (!ok()) return;
    error_field_ = std::string(field);
    error_message_ = std::string(message);
    if (error_field_.empty() && error_message_.empty()) error_message_ = "error";
    exit_code_ = code;
  }
  // Adopts a solver's status; the argument named at the start of the message
  // ("efficiency must ...") becomes the field.
  void FailStatus(const absl::Status& s) {
    absl::string_view msg = s.message();
    std::string field;
    const size_t space = msg.find_first_of(" :");
    if (space != absl::string_view::npos) field = std::string(msg.substr(0, space));
    if (field == "Infeasible" || field == "no") field = "";
    Fail(field, msg, s.code() == absl::StatusCode::kFailedPrecondition ? 2 : 1);
  }

  bool Has(const char* key) const { return args_.contains(key) && !args_.at(key).is_null(); }
  bool IsString(const char* key) const { return Has(key) && args_.at(key).is_string(); }

  long long Int(const char* key, long long def) {
    if (!Has(key)) return def;
    const json& v = args_.at(key);
    // An unsigned JSON integer above 2^63 - 1 would wrap to a negative value:
    // refuse it with its digits as written.
    if (v.is_number_unsigned() && v.get<unsigned long long>() > 9223372036854775807ULL) {
      Fail(key, absl::StrCat("out of range: ", v.dump()));
      return def;
    }
    if (v.is_number_integer()) return v.get<long long>();
    if (v.is_number_float()) {
      const double d = v.get<double>();
      if (std::trunc(d) == d && std::abs(d) < 9e15) return static_cast<long long>(d);
    }
    Fail(key, absl::StrCat("must be an integer; got ", v.dump()));
    return def;
  }
  int Int32(const char* key, int def) {
    const long long v = Int(key, def);
    if (v > 2000000000LL || v < -2000000000LL) {
      Fail(key, absl::StrCat("out of range: ", v));
      return def;
    }
    return static_cast<int>(v);
  }
  double Num(const char* key, double def) {
    if (!Has(key)) return def;
    const json& v = args_.at(key);
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
      auto q = ParseQuantityAs(v.get<std::string>(), dims::kNone, key);
      if (q.ok()) return q->si;
    }
    Fail(key, absl::StrCat("must be a number; got ", v.dump()));
    return def;
  }
  bool Bool(const char* key, bool def) {
    if (!Has(key)) return def;
    const json& v = args_.at(key);
    if (v.is_boolean()) return v.get<bool>();
    Fail(key, absl::StrCat("must be true or false; got ", v.dump()));
    return def;
  }
  std::string Str(const char* key, std::string def) {
    if (!Has(key)) return def;
    const json& v = args_.at(key);
    if (v.is_string()) return v.get<std::string>();
    Fail(key, absl::StrCat("must be a string; got ", v.dump()));
    return def;
  }
  std::string Precision(const char* key = "precision") {
    std::string p = Str(key, "fp16");
    if (IsKnownPrecision(p)) return p;
    Fail(key, absl::StrCat("unknown precision '", p, "'; accepted: ", kKnownPrecisions));
    return "fp16";
  }
  // A quantity given as a unit string or as an SI number.
  double Qty(const char* key, const Dimension& dim, double def, bool required = false) {
    if (!Has(key)) {
      if (required) Fail(key, "missing required argument");
      return def;
    }
    const json& v = args_.at(key);
    if (v.is_number()) return v.get<double>();
    if (v.is_string()) {
      auto q = ParseQuantityAs(v.get<std::string>(), dim, key);
      if (q.ok()) return q->si;
      Fail(key, q.status().message());
      return def;
    }
    Fail(key, absl::StrCat("must be ", DimensionName(dim), "; got ", v.dump()));
    return def;
  }
  std::optional<Quantity> RawQty(const char* key) {
    if (!Has(key)) {
      Fail(key, "missing required argument");
      return std::nullopt;
    }
    const json& v = args_.at(key);
    if (v.is_number()) return Quantity{v.get<double>(), dims::kFlop, v.get<double>(), 1.0, false};
    if (v.is_string()) {
      auto q = ParseQuantity(v.get<std::string>());
      if (q.ok()) return *q;
      Fail(key, q.status().message());
      return std::nullopt;
    }
    Fail(key, absl::StrCat("must be a quantity; got ", v.dump()));
    return std::nullopt;
  }
  void Require(const char* key) {
    if (!Has(key)) Fail(key, "missing required argument");
  }

  const ModelSpec* Model(const char* key = "model", bool required = true) {
    return Resolve(key, required, models_, [&](const std::string& n) { return reg_.FindModel(n); });
  }
  const Accelerator* Hardware(const char* key = "hardware", bool required = true) {
    return Resolve(key, required, accels_,
                   [&](const std::string& n) { return reg_.FindAccelerator(n); });
  }
  const FleetSpec* Fleet(const char* key = "fleet", bool required = true) {
    return Resolve(key, required, fleets_, [&](const std::string& n) { return reg_.FindFleet(n); });
  }
  const FabricSpec* Fabric(const char* key = "fabric", bool required = true) {
    return Resolve(key, required, fabrics_,
                   [&](const std::string& n) { return reg_.FindFabric(n); });
  }
  const GridSpec* Grid(const char* key, bool required = false) {
    return Resolve(key, required, grids_, [&](const std::string& n) { return reg_.FindGrid(n); });
  }
  const Registry& registry() const { return reg_; }

 private:
  template <typename T, typename Find>
  const T* Resolve(const char* key, bool required, std::vector<std::unique_ptr<T>>& store,
                   Find find) {
    if (!Has(key)) {
      if (required) Fail(key, "missing required argument");
      return nullptr;
    }
    const json& v = args_.at(key);
    if (!v.is_string()) {
      Fail(key, absl::StrCat("must be a registry name (string); got ", v.dump()));
      return nullptr;
    }
    absl::StatusOr<T> found = find(v.get<std::string>());
    if (!found.ok()) {
      Fail(key, found.status().message());
      return nullptr;
    }
    store.push_back(std::make_unique<T>(*std::move(found)));
    return store.back().get();
  }

  const Registry& reg_;
  const json& args_;
  std::string error_field_, error_message_;
  int exit_code_ = 1;
  std::vector<std::unique_ptr<ModelSpec>> models_;
  std::vector<std::unique_ptr<Accelerator>> accels_;
  std::vector<std::unique_ptr<FleetSpec>> fleets_;
  std::vector<std::unique_ptr<FabricSpec>> fabrics_;
  std::vector<std::unique_ptr<GridSpec>> grids_;
};

// Region resolution of mlsysim's Sustainability/Economics: the explicit
// argument, else the fleet's region, else US_Avg.
inline const GridSpec* RegionOf(Args& a, const FleetSpec* fleet, const GridSpec* given,
                                GridSpec& storage) {
  if (given != nullptr) return given;
  auto g =
      a.registry().FindGrid(fleet != nullptr && !fleet->region.empty() ? fleet->region : "US_Avg");
  if (!g.ok()) {
    a.Fail("datacenter", g.status().message());
    return nullptr;
  }
  storage = *g;
  return &storage;
}

template <typename T>
bool Check(Args& a, const absl::StatusOr<T>& r) {
  if (!r.ok()) a.FailStatus(r.status());
  return a.ok();
}

using SolverFn = std::function<Record(Args&)>;
struct SolverEntry {
  std::vector<absl::string_view> accepted;
  SolverFn fn;
};

inline double Time1(Args& a, const char* key, double def) { return a.Qty(key, dims::kTime, def); }

// An MTBF in hours: a plain number is hours (mlsysim's convention), a string
// any time quantity. Required.
inline double Hours(Args& a, const char* key) {
  a.Require(key);
  if (!a.ok()) return 0;
  return a.IsString(key) ? a.Qty(key, dims::kTime, 0) / 3600.0 : a.Num(key, 0);
}

inline Record FormulaTime(double t) {
  Record out;
  out.Num("time", t, "s");
  return out;
}

using SolverTable = absl::flat_hash_map<std::string, SolverEntry>;
// Each wall family's entries (solve_table_*.cc).
void AddNodeSolvers(SolverTable* table);
void AddFleetSolvers(SolverTable* table);
void AddFormulaSolvers(SolverTable* table);

}  // namespace solve
}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_SOLVERS_SOLVE_ARGS_H_
