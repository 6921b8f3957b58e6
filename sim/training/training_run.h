// training_run.h — a long training run (days of simulated time) with failures,
// restarts and checkpoints, on top of a step time simulated in detail once.
//
// Training progresses at one step per `step_time_s` while the job is up. Every
// checkpoint interval of progress a checkpoint is written (blocking: progress
// pauses for the write; asynchronous: it commits after the write while training
// goes on). Each cause's components fail as independent exponential (or
// Weibull renewal) processes; a failure rolls the job back to the last
// committed checkpoint and takes it down for detection + restart, plus the
// reschedule time when no spare node is left (a failed node returns to the
// spare pool after `repair_s`). Failures during a restart extend it.
//
// Usage: absl::StatusOr<TrainingRunResult> r = SimulateTrainingRun(config);
#ifndef MLSYSIM_SIM_TRAINING_TRAINING_RUN_H_
#define MLSYSIM_SIM_TRAINING_TRAINING_RUN_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "workloads/failure_presets.h"

namespace mlsysim {

struct TrainingRunConfig {
  double step_time_s = 1;
  double duration_s = 86400;
  int nodes = 1;
  int gpus_per_node = 8;
  std::vector<FailureCause> causes;
  double checkpoint_interval_s = 0;  // of training progress; 0 = never
  double checkpoint_write_s = 0;
  bool async_checkpoint = false;
  double detection_s = 30;
  double restart_s = 600;
  double reschedule_s = 60;
  int spare_nodes = 0;
  double repair_s = 2 * 86400.0;
  // Weibull components start at the equilibrium age of their renewal process
  // (a fleet that has been running: the first failure is the forward
  // recurrence time), unless `fresh_fleet` starts every component new.
  bool fresh_fleet = false;
  uint64_t seed = 1;
  uint64_t replication = 0;
  bool record_log = false;
};

struct RunLogRow {
  double time_s;
  std::string kind;  // failure | checkpoint
  std::string component;
  std::string cause;
  double downtime_s;  // failure: time down; checkpoint: write time
  double lost_work_s;
};

struct TrainingRunResult {
  int interruptions = 0;
  std::vector<std::pair<std::string, int>> by_cause;  // in preset order
  double useful_work_s = 0;                           // progress kept at the end
  double lost_work_s = 0;
  double checkpoint_time_s = 0;  // blocking writes
  double restart_time_s = 0;     // time down
  int checkpoints = 0;
  long long steps = 0;
  double ettr = 0;              // useful_work / duration
  double down_gpu_seconds = 0;  // GPUs powered off while their node is down
  uint64_t events = 0;
  std::vector<RunLogRow> log;
};

absl::StatusOr<TrainingRunResult> SimulateTrainingRun(const TrainingRunConfig& config);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_TRAINING_TRAINING_RUN_H_
