// module.cc — `mlsysim._core`, the C++ core behind the Python package
// (python/mlsysim/): solver calls (analytic/solvers/, the dispatcher behind
// `mlsysim solve`), a fast path for Engine.solve, the registry listings, the
// solver signatures, the quick forms' keywords filling a Scenario
// (sim/forms/), and scenario runs (the scenario layer, with the GIL released)
// returning the Result as JSON plus the per-record tables as CSV text. It
// binds the libraries, not the command line (no cli/).
// Usage (Python): from mlsysim import _core; _core.solve('{"solver": ...}')
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "analytic/roofline_engine.h"
#include "analytic/solvers/records.h"
#include "analytic/solvers/solve_dispatch.h"
#include "analytic/solvers/zoo_listing.h"
#include "google/protobuf/text_format.h"
#include "nlohmann/json.hpp"
#include "sim/forms/quick_form.h"
#include "sim/scenario/runners.h"
#include "sim/scenario/scenario_check.h"
#include "topology/registry.h"
#include "traces/result_report.h"

namespace py = pybind11;

namespace mlsysim {
namespace {

std::shared_ptr<const Registry> Builtin() {
  static const std::shared_ptr<const Registry> kRegistry = *Registry::Builtin();
  return kRegistry;
}

// One solver request (JSON) -> (the result object as JSON text, {field:
// unit} of its quantities, as the solver declares them); bad input raises
// ValueError with the CLI's message, naming the field.
py::tuple Solve(const std::string& request) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(request);
  } catch (const std::exception& e) {
    throw py::value_error(std::string("request: ") + e.what());
  }
  SolveOutcome out = SolveRequest(*Builtin(), j);
  if (!out.ok) {
    throw py::value_error(out.error_field.empty() ? out.error_message
                                                  : out.error_field + ": " + out.error_message);
  }
  py::dict units;
  for (const auto& [field, unit] : out.result.Units()) units[py::str(field)] = unit;
  return py::make_tuple(out.result.ToJson(), units);
}

// {field: unit} of Engine's result (the fast path's fields), offload included.
py::dict EngineUnits() {
  EngineResult r;
  r.offloaded = true;
  py::dict units;
  for (const auto& [field, unit] : EngineRecord(r).Units()) units[py::str(field)] = unit;
  return units;
}

// Engine.solve without JSON: the tutorial's first call, ~1 µs in C++.
py::tuple Engine(const std::string& model, const std::string& hardware, int batch_size,
                 const std::string& precision, double efficiency, bool is_training, int seq_len,
                 int zero_stage, int dp_size, bool is_lora, bool activation_recomputation) {
  const Registry& reg = *Builtin();
  auto m = reg.FindModel(model);
  if (!m.ok()) throw py::value_error("model: " + std::string(m.status().message()));
  auto hw = reg.FindAccelerator(hardware);
  if (!hw.ok()) throw py::value_error("hardware: " + std::string(hw.status().message()));
  EngineOptions o;
  o.batch_size = batch_size;
  o.precision = precision;
  o.efficiency = efficiency;
  o.is_training = is_training;
  o.seq_len = seq_len;
  o.zero_stage = zero_stage;
  o.dp_size = dp_size;
  o.is_lora = is_lora;
  o.activation_recomputation = activation_recomputation;
  auto r = SolveEngine(*m, *hw, o);
  if (!r.ok()) throw py::value_error(std::string(r.status().message()));
  return py::make_tuple(
      r->latency_ms / 1000.0, r->latency_compute_ms / 1000.0, r->latency_memory_ms / 1000.0,
      r->latency_overhead_ms / 1000.0, r->throughput, r->bottleneck, r->arithmetic_intensity,
      r->energy_j, r->memory_footprint, r->peak_flops_actual, r->peak_bw_actual, r->mfu, r->hfu,
      r->feasible, r->offloaded ? py::cast(r->offload_spill_bytes) : py::none(),
      r->offloaded ? py::cast(r->offload_effective_bw) : py::none());
}

// A registry listing (`mlsysim -o json zoo KIND`) as JSON text, and {field:
// unit} of its quantities.
py::tuple Zoo(const std::string& kind) {
  auto listing = ZooListing(*Builtin(), kind);
  if (!listing.ok()) throw py::value_error(std::string(listing.status().message()));
  py::dict units;
  for (const auto& [field, unit] : listing->Units()) units[py::str(field)] = unit;
  return py::make_tuple(listing->ToJson(), units);
}

const QuickForm& Form(const std::string& name) {
  const QuickForm* form = FindQuickForm(name);
  if (form == nullptr) throw py::value_error("simulate: unknown form '" + name + "'");
  return *form;
}

using Keywords = std::vector<std::pair<std::string, std::optional<std::string>>>;

scenario::Scenario FormScenario(const std::string& name, const Keywords& keywords) {
  auto s = QuickFormFromKeywords(Form(name), keywords);
  if (!s.ok()) throw py::value_error(std::string(s.status().message()));
  return *std::move(s);
}

// A quick form's usage text (its --help).
std::string FormHelp(const std::string& name) { return Form(name).help; }

// The scenario a quick form's keywords describe, as a scenario file (the
// text `--dump-scenario` prints).
std::string FormScenarioText(const std::string& name, const Keywords& keywords) {
  std::string text;
  google::protobuf::TextFormat::PrintToString(FormScenario(name, keywords), &text);
  return "# mlsysim scenario (run it: mlsysim simulate FILE.textproto)\n" + text;
}

py::tuple RunScenarioMessage(const scenario::Scenario& s, const std::string& dir) {
  std::map<std::string, std::string> tables;
  RunContext rc;
  rc.registry = Builtin();
  rc.tables = &tables;
  absl::StatusOr<result::Result> r;
  {
    py::gil_scoped_release release;
    r = RunScenario(s, dir, rc);
  }
  if (!r.ok()) {
    if (absl::IsFailedPrecondition(r.status())) {
      throw py::value_error("infeasible: " + std::string(r.status().message()));
    }
    throw py::value_error(std::string(r.status().message()));
  }
  return py::make_tuple(ResultJson(*r), tables);
}

// A quick form run from its keywords: the Scenario is built and run here, no
// command line and no text in between.
py::tuple SimulateForm(const std::string& name, const Keywords& keywords) {
  return RunScenarioMessage(FormScenario(name, keywords), "");
}

// A scenario (textproto) -> (Result JSON, {table: CSV text}); bad input
// raises ValueError naming the field; the simulation runs without the GIL.
py::tuple Simulate(const std::string& text, const std::string& dir, const std::string& origin) {
  scenario::Scenario s;
  if (auto st = ParseScenarioText(text, origin, &s); !st.ok())
    throw py::value_error(std::string(st.message()));
  return RunScenarioMessage(s, dir);
}

// A Result (JSON) as the text report.
std::string Report(const std::string& json) {
  result::Result r;
  if (auto st = ParseResultJson(json, &r); !st.ok())
    throw py::value_error(std::string(st.message()));
  return ResultText(r);
}

}  // namespace
}  // namespace mlsysim

PYBIND11_MODULE(_core, m) {
  m.doc() = "mlsysim's C++ core (solvers, registries, simulations)";
  m.def("solve", &mlsysim::Solve, py::arg("request_json"));
  m.def("engine", &mlsysim::Engine);
  m.def("engine_units", &mlsysim::EngineUnits);
  m.def("zoo", &mlsysim::Zoo, py::arg("kind"));
  m.def("form_help", &mlsysim::FormHelp, py::arg("form"));
  m.def("form_scenario_text", &mlsysim::FormScenarioText, py::arg("form"), py::arg("keywords"));
  m.def("simulate_form", &mlsysim::SimulateForm, py::arg("form"), py::arg("keywords"));
  m.def("simulate", &mlsysim::Simulate, py::arg("text"), py::arg("dir") = "",
        py::arg("origin") = "scenario");
  m.def("report", &mlsysim::Report, py::arg("result_json"));
  m.def("solver_names", &mlsysim::SolverNames);
  m.def("solver_params", &mlsysim::SolverParams, py::arg("solver"));
}
