// scenario_runner.cc — RunScenario (see runners.h): the scenario's own
// registry file, then the form its workload names; and RunTraining, the
// training scenario's loader and run.
#include "absl/strings/str_cat.h"
#include "sim/scenario/result_builder.h"
#include "sim/scenario/runners.h"
#include "sim/scenario/scenario_check.h"
#include "sim/scenario/training_config.h"
#include "topology/registry.h"

namespace mlsysim {

absl::StatusOr<result::Result> RunTraining(const scenario::Scenario& s, const std::string& name,
                                           const RunContext& rc) {
  auto registry = rc.registry != nullptr
                      ? absl::StatusOr<std::shared_ptr<const Registry>>(rc.registry)
                      : Registry::Builtin();
  if (!registry.ok()) return registry.status();
  auto t = ResolveTraining(s, name, **registry);
  if (!t.ok()) return t.status();
  auto r = RunResolvedTraining(*t, rc);
  if (!r.ok()) return r.status();
  scenario::Scenario echo = s;
  echo.set_seed(t->seed);
  echo.set_replications(static_cast<uint32_t>(t->replications));
  SetEcho(&*r, std::move(echo));
  return r;
}

absl::StatusOr<result::Result> RunScenario(const scenario::Scenario& s, const std::string& dir,
                                           const RunContext& rc) {
  if (const std::string e = CheckScenarioRanges(s); !e.empty())
    return absl::InvalidArgumentError(e);
  RunContext local = rc;
  local.input_dir = dir;
  if (!s.registry().empty()) {
    const std::string path = s.registry()[0] == '/' ? s.registry() : dir + s.registry();
    auto reg = Registry::WithFile(path);
    if (!reg.ok())
      return absl::InvalidArgumentError(absl::StrCat("registry: ", reg.status().message()));
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

absl::StatusOr<bool> FillScenarioDefaults(const std::string& dir, const RunContext& rc,
                                          scenario::Scenario* s) {
  if (const std::string e = CheckScenarioRanges(*s); !e.empty())
    return absl::InvalidArgumentError(e);
  auto registry = rc.registry != nullptr
                      ? absl::StatusOr<std::shared_ptr<const Registry>>(rc.registry)
                      : Registry::Builtin();
  if (!registry.ok()) return registry.status();
  if (!s->registry().empty()) {
    const std::string path = s->registry()[0] == '/' ? s->registry() : dir + s->registry();
    registry = Registry::WithFile(path);
    if (!registry.ok())
      return absl::InvalidArgumentError(absl::StrCat("registry: ", registry.status().message()));
  }
  if (s->has_serving() && !s->has_job_queue()) {
    if (auto st = FillServingDefaults(dir, **registry, s); !st.ok()) return st;
    return true;
  }
  if (s->has_collective() || s->has_chakra()) return false;
  if (s->has_queue()) {
    if (auto st = FillQueueDefaults(s); !st.ok()) return st;
    return true;
  }
  if (s->has_training() && !s->has_serving()) {
    if (auto st = FillTrainingDefaults(**registry, s); !st.ok()) return st;
    return true;
  }
  if (s->has_job_queue() && !s->has_serving()) {
    RunContext local = rc;
    local.registry = *registry;
    local.input_dir = dir;
    if (auto st = FillJobsDefaults(local, s); !st.ok()) return st;
    return true;
  }
  return false;
}

}  // namespace mlsysim
