// system_evaluation.h — mlsysim's three-level SystemEvaluation of one
// system (feasibility: does it fit; performance: the roofline Engine, and the
// DistributedModel on a fleet; macro: energy, carbon and cost over a
// duration) as records with mlsysim's f_/p_/m_ keys, and its text form.
// `mlsysim eval` parses a plan or flags into EvalInputs and prints.
// Usage:
//   EvalInputs in; in.model = *registry.FindModel("Llama3_8B"); in.hw = ...;
//   absl::StatusOr<SystemEvaluation> e = EvaluateSystem(registry, in);
#ifndef MLSYSIM_ANALYTIC_SOLVERS_SYSTEM_EVALUATION_H_
#define MLSYSIM_ANALYTIC_SOLVERS_SYSTEM_EVALUATION_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "analytic/fleet.h"
#include "analytic/specs.h"
#include "topology/registry.h"
#include "traces/json_writer.h"

namespace mlsysim {

// One level of the evaluation: a status and its metrics.
struct EvaluationLevel {
  std::string status = "SKIPPED";
  Record metrics;                  // JSON (f_/p_/m_ keys)
  std::vector<std::string> lines;  // text, with units
  std::string note;
};

struct SystemEvaluation {
  std::string scenario;
  EvaluationLevel feasibility, performance, macro;
  std::string bottleneck;
  double latency_ms = 0, throughput = 0;
};

struct EvalInputs {
  std::string scenario;  // the evaluation's name
  ModelSpec model;
  Accelerator hw;
  int batch_size = 1;
  int seq_len = 2048;
  std::string precision = "fp16";
  double efficiency = 0.5;
  // A fleet (plans with nodes > 1): the DistributedModel runs on it with
  // tp_size = fleet_nodes, as mlsysim v0.1.1 does (contract §5).
  std::optional<FleetSpec> fleet;
  int fleet_nodes = 1;
  // The macro level's period (plans with an ops block).
  std::optional<double> duration_days;
};

// The three levels. InvalidArgument for bad input; NotFound when the
// registry lacks the US_Avg grid the macro level uses.
absl::StatusOr<SystemEvaluation> EvaluateSystem(const Registry& registry, const EvalInputs& in);

// mlsysim's to_dict(): scenario, the three statuses, then f_/p_/m_ metrics
// (after `front`'s fields when given).
std::string EvaluationJson(const SystemEvaluation& e, const Record* front = nullptr);
// The report: each level's status, note and lines.
std::string EvaluationText(const SystemEvaluation& e);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_SOLVERS_SYSTEM_EVALUATION_H_
