// training_plot.h — the plot data of a training result (proto/result.proto
// Series and Span): one step's pipeline schedule (replica 0, with its
// bubbles), replication 0's failures on a timeline with the share of time
// spent checkpointing and restarting, and ETTR
// against the checkpoint interval (the exact renewal curve for exponential
// failures and the first-order one, the run's simulated point).
// Usage: AddTrainingPlotData(*step, first, ck, ettr_per_replication, &out);
#ifndef MLSYSIM_SIM_SCENARIO_TRAINING_PLOT_H_
#define MLSYSIM_SIM_SCENARIO_TRAINING_PLOT_H_

#include <vector>

#include "proto/result.pb.h"
#include "sim/training/training_run.h"
#include "sim/training/training_step.h"

namespace mlsysim {

// The idle gaps between one device's compute ops, from the step's start to
// the pipeline's flush (its replica's last compute op on any stage): stage,
// replica, start, end. On the critical stage they sum to pipeline_bubble_s.
struct BubbleInterval {
  int stage, replica;
  double start_s, end_s;
};
std::vector<BubbleInterval> FindPipelineBubbles(const std::vector<TraceSpan>& spans);

struct CheckpointModel {
  double interval_s = 0, write_s = 0, restart_s = 0, mtbf_s = 0, young_s = 0, daly_s = 0;
  double duration_s = 0;  // the run's length
  bool async = false;
};

void AddTrainingPlotData(const TrainingStepResult& step, const TrainingRunResult& first,
                         const CheckpointModel& ck, const std::vector<double>& ettr_per_replication,
                         result::Result* out);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SCENARIO_TRAINING_PLOT_H_
