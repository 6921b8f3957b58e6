// training_plot.cc — plot data of a training result (see training_plot.h).
#include "sim/scenario/training_plot.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "analytic/formulas.h"
#include "sim/core/statistics.h"
#include "sim/scenario/plot_data.h"

namespace mlsysim {
namespace {

constexpr int kRunBins = 200;

const char* StreamName(TraceSpan::Stream s) {
  switch (s) {
    case TraceSpan::kCompute: return "compute";
    case TraceSpan::kPipelineRecv: return "PP receive";
    case TraceSpan::kDataParallel: return "DP all-reduce";
  }
  return "";
}

}  // namespace

std::vector<BubbleInterval> FindPipelineBubbles(const std::vector<TraceSpan>& spans) {
  std::map<std::pair<int, int>, std::vector<std::pair<double, double>>> ops;
  for (const TraceSpan& s : spans) {
    if (s.category == "compute") ops[{s.stage, s.replica}].push_back({s.start_s, s.end_s});
  }
  // Each replica's pipeline ends with its last compute op on any stage.
  std::map<int, double> flush;
  for (const auto& [device, list] : ops) {
    for (const auto& op : list) flush[device.second] = std::max(flush[device.second], op.second);
  }
  std::vector<BubbleInterval> out;
  for (auto& [device, list] : ops) {
    std::sort(list.begin(), list.end());
    double idle_from = 0;
    for (const auto& [start, end] : list) {
      if (start > idle_from + 1e-12) out.push_back({device.first, device.second, idle_from, start});
      idle_from = std::max(idle_from, end);
    }
    const double end = flush[device.second];
    if (end > idle_from + 1e-12) out.push_back({device.first, device.second, idle_from, end});
  }
  return out;
}

void AddTrainingPlotData(const TrainingStepResult& step, const TrainingRunResult& first,
                         const CheckpointModel& ck, const std::vector<double>& ettr_per_replication,
                         result::Result* out) {
  // One step's schedule, replica 0: a lane per stage and stream.
  for (const TraceSpan& s : step.spans) {
    if (s.replica != 0) continue;
    AddSpan(out, absl::StrCat("stage ", s.stage, " ", StreamName(s.stream)), s.category, s.start_s,
            s.end_s);
  }
  for (const BubbleInterval& b : FindPipelineBubbles(step.spans)) {
    if (b.replica == 0)
      AddSpan(out, absl::StrCat("stage ", b.stage, " compute"), "bubble", b.start_s, b.end_s);
  }
  // The run: every failure by cause; the share of time spent writing
  // checkpoints and restarting, in 200 bins.
  TimeBins writing(ck.duration_s, kRunBins), restarting(ck.duration_s, kRunBins);
  for (const RunLogRow& r : first.log) {
    if (r.kind == "failure") {
      AddSpan(out, r.cause, "failure", r.time_s, r.time_s + r.downtime_s, r.lost_work_s);
      restarting.Add(r.time_s, r.time_s + r.downtime_s, 1);
    } else {
      writing.Add(r.time_s, r.time_s + r.downtime_s, 1);
    }
  }
  if (ck.duration_s > 0 && !first.log.empty()) {
    const std::vector<double> t = writing.Centres();
    AddCurve(out, "checkpoint_share", "time", "simulated", "s", "1", t, writing.PerSecond())
        ->set_note("share of wall time writing checkpoints, replication 0, 200 bins");
    AddCurve(out, "restart_share", "time", "simulated", "s", "1", t, restarting.PerSecond())
        ->set_note(
            "share of wall time down after failures (detect, restart, reschedule), replication 0, "
            "200 bins");
  }
  // ETTR against the checkpoint interval, around Young's and Daly's optima.
  if (ettr_per_replication.empty() || !std::isfinite(ck.mtbf_s) || !(ck.young_s > 0)) return;
  const double delta = ck.async ? 0.0 : ck.write_s;
  double lo = std::min(ck.young_s, ck.daly_s) / 8, hi = std::max(ck.young_s, ck.daly_s) * 8;
  if (ck.interval_s > 0) {
    lo = std::min(lo, ck.interval_s / 2);
    hi = std::max(hi, ck.interval_s * 2);
  }
  AddFunctionCurve(
      out, "ettr", "curve", "exact renewal, exponential failures", "s", "1", lo, hi, 121, true,
      [&](double tau) { return ExponentialCheckpointEttr(tau, delta, ck.restart_s, ck.mtbf_s); })
      ->set_note(
          "Daly 2006: tau / (M e^{R/M} (e^{(tau+d)/M} - 1)); failures also strike writes and "
          "restarts");
  AddFunctionCurve(
      out, "ettr", "curve", "first order 1 - d/tau - (tau/2 + R)/M", "s", "1", lo, hi, 121, true,
      [&](double tau) { return 1 - delta / tau - (tau / 2 + ck.restart_s) / ck.mtbf_s; });
  if (ck.interval_s > 0) {
    const auto [mean, half] = MeanCi95(ettr_per_replication);
    result::Series* s =
        AddCurve(out, "ettr", "curve", "simulated", "s", "1", {ck.interval_s}, {mean});
    if (ettr_per_replication.size() >= 2) s->add_y_ci95(half);
    s->set_note(absl::StrCat("mean over ", ettr_per_replication.size(),
                             " replications at the run's interval"));
  }
}

}  // namespace mlsysim
