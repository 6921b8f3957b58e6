// scenario_runner.cc — RunScenario (see runners.h): the scenario's own
// registry file, then the form its workload names; and RunTraining, the
// training scenario's loader and run.
#include "absl/strings/str_cat.h"
#include "sim/scenario/result_builder.h"
#include "sim/scenario/runners.h"
#include "sim/scenario/scenario_check.h"
#include "sim/scenario/training_job.h"
#include "topology/registry.h"

namespace mlsysim {

absl::StatusOr<result::Result> RunTraining(const scenario::Scenario& s, const std::string& name,
                                           const RunContext& rc) {
  TrainingJob j;
  if (std::string e = TrainingJobFromScenario(s, name, &j); !e.empty()) return absl::InvalidArgumentError(e);
  auto r = RunTrainingJob(j, rc);
  if (!r.ok()) return r.status();
  scenario::Scenario echo = s;
  echo.set_seed(j.seed);
  echo.set_replications(static_cast<uint32_t>(j.replications));
  SetEcho(&*r, std::move(echo));
  return r;
}

absl::StatusOr<result::Result> RunScenario(const scenario::Scenario& s, const std::string& dir,
                                           const RunContext& rc) {
  if (const std::string e = CheckScenarioRanges(s); !e.empty()) return absl::InvalidArgumentError(e);
  RunContext local = rc;
  if (!s.registry().empty()) {
    const std::string path = s.registry()[0] == '/' ? s.registry() : dir + s.registry();
    auto reg = Registry::WithFile(path);
    if (!reg.ok()) return absl::InvalidArgumentError(absl::StrCat("registry: ", reg.status().message()));
    local.registry = *reg;
  }
  if (s.has_serving()) return RunServing(s, dir, local);
  if (s.has_queue()) return RunQueue(s, local);
  if (s.has_collective()) return RunCollective(s, local);
  if (s.has_chakra()) return RunChakra(s, dir, local);
  if (s.has_training()) return RunTraining(s, s.name().empty() ? "training" : s.name(), local);
  if (s.has_job_queue()) return RunJobs(s, local);
  return absl::InvalidArgumentError(
      "no workload: set one of training, serving, queue, collective, chakra, job_queue");
}

}  // namespace mlsysim
