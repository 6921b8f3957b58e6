// scenario_check.h — the one validation pass of a Scenario, before anything
// runs: UTF-8, syntax (line:column), and every numeric field's domain (the
// ranges proto/scenario.proto states), each error naming the field path.
// Flags, files and the Python module all come through here.
// Usage: scenario::Scenario s; absl::Status st = ParseScenarioText(text, "x.textproto", &s);
#ifndef MLSYSIM_SIM_SCENARIO_SCENARIO_CHECK_H_
#define MLSYSIM_SIM_SCENARIO_SCENARIO_CHECK_H_

#include <string>

#include "absl/status/status.h"
#include "analytic/units.h"
#include "proto/scenario.pb.h"

namespace mlsysim {

// Parses and checks a scenario; messages start with `path`.
absl::Status ParseScenarioText(const std::string& text, const std::string& path,
                               scenario::Scenario* s);
// Every numeric field's domain; "" or a message naming the field path.
std::string CheckScenarioRanges(const scenario::Scenario& s);
// A quantity field ("10 min", "50 GB/s") in SI units into *out; empty text
// leaves *out as is. `positive`: must be > 0, else >= 0. "" or a message
// naming the field.
std::string ParseScenarioQuantity(const std::string& text, const char* field, const Dimension& dim,
                                  bool positive, double* out);
// A number as text without losing digits (integers exactly, else 17 digits).
std::string ExactNumber(double v);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SCENARIO_SCENARIO_CHECK_H_
