// solve_dispatch.h — one mlsysim solver call from a JSON request:
// {"solver": NAME, "args": {...}} -> an ordered result record, or an error
// naming the offending field. Args use mlsysim's keyword names; registry
// objects are given by name; quantities as SI numbers or unit strings.
// Usage: SolveOutcome out = SolveRequest(*registry, request_json);
#ifndef MLSYSIM_ANALYTIC_SOLVERS_SOLVE_DISPATCH_H_
#define MLSYSIM_ANALYTIC_SOLVERS_SOLVE_DISPATCH_H_

#include <string>
#include <vector>

#include "nlohmann/json.hpp"
#include "topology/registry.h"
#include "traces/json_writer.h"

namespace mlsysim {

struct SolveOutcome {
  bool ok = false;
  Record result;
  std::string error_field;  // "solver", an argument name, or "" for the request
  std::string error_message;
  int exit_code = 0;  // 1 bad input, 2 physically infeasible
};

SolveOutcome SolveRequest(const Registry& registry, const nlohmann::json& request);

// One `solve` input line -> one output line appended to *out (with its
// newline). False when the line is an error. Never throws, whatever the line.
bool SolveJsonLine(const Registry& registry, const std::string& line, long long line_no,
                   std::string* out);

// The solver names `solve` accepts, in a stable order.
std::vector<std::string> SolverNames();
// A solver's keyword arguments in mlsysim's signature order (empty if unknown).
std::vector<std::string> SolverParams(const std::string& solver);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_SOLVERS_SOLVE_DISPATCH_H_
