// training_job.h — a training scenario as the models take it (TrainingJob:
// defaults filled in) and its run: a detailed step, then a long run with
// failures and checkpoints, with the closed forms of the same scenario beside
// every simulated figure.
// Usage: TrainingJob j; TrainingJobFromScenario(s, "x.textproto", &j);
//        absl::StatusOr<result::Result> r = RunTrainingJob(j, rc);
#ifndef MLSYSIM_SIM_SCENARIO_TRAINING_JOB_H_
#define MLSYSIM_SIM_SCENARIO_TRAINING_JOB_H_

#include <string>

#include "absl/status/statusor.h"
#include "proto/result.pb.h"
#include "sim/scenario/run_context.h"
#include "proto/scenario.pb.h"

namespace mlsysim {

struct TrainingJob {
  std::string name = "training";
  std::string model;
  std::string cluster;            // registry cluster, or empty
  int nodes = 0;
  std::string node = "DGX_H100";
  std::string fabric = "InfiniBand_NDR";
  std::string topology = "fat_tree_2";
  double oversubscription = 1.0;
  std::string routing;            // dmodk | ecmp | spray; empty: the fabric's
  std::string region;             // grid; empty: the cluster's or US_Avg
  int tp = 1, pp = 1, microbatches = 0;  // 0: 4·pp
  int virtual_stages = 1;         // > 1: interleaved 1F1B
  int ep = 1;                     // expert parallelism (MoE models)
  int batch_size = 0;
  int seq_len = 2048;
  std::string precision = "bf16";
  double efficiency = 0.5;
  bool overlap = true;
  double bucket_bytes = 500e6;
  double straggler_cv = 0;
  std::string activation_recompute = "selective";
  std::string detail = "auto";    // full | replica | auto (replica above 2,048 GPUs)
  double days = 0;
  std::string failures = "none";
  double weibull_shape = 0;
  bool fresh_fleet = false;       // Weibull: start every component new (default: equilibrium ages)
  std::string checkpoint_interval;  // young | daly | a duration; empty: young with failures
  std::string checkpoint_storage = "node_nvme";
  double storage_bandwidth = 0;     // shared storage, B/s
  bool async_checkpoint = false;
  double restart_s = 600, detection_s = 30, reschedule_s = 60;
  int spare_nodes = 0;
  uint64_t seed = 1;
  int replications = 1;
  std::string trace_file, events_csv;
  int64_t trace_max_events = 2000000;
  std::string export_chakra;      // directory for one step as Chakra traces
};

// Runs the job; the Result's scenario echo is left to the caller.
absl::StatusOr<result::Result> RunTrainingJob(const TrainingJob& job, const RunContext& rc);
// The job a training scenario describes (defaults filled in); "" or a message
// naming the field. Relative paths are not touched (outputs are relative to
// the working directory).
std::string TrainingJobFromScenario(const scenario::Scenario& s, const std::string& path, TrainingJob* j);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SCENARIO_TRAINING_JOB_H_
