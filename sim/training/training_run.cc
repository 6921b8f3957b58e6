// training_run.cc — failures, restarts and checkpoints over a long run (see training_run.h).
#include "sim/training/training_run.h"

#include <cmath>

#include "absl/status/status.h"
#include "sim/core/packed_fields.h"
#include "sim/core/random.h"
#include "sim/core/simulator.h"

namespace mlsysim {
namespace {

enum Kind : uint32_t {
  kFailure = 1,
  kCheckpointStart,
  kCheckpointDone,
  kRestartDone,
  kRepaired,
  kEnd
};
// A failure event: the cause and the component that failed.
using FailureEvent = PackedFields<32, 32>;
constexpr EventId kNoEvent = ~EventId{0};

class Run : public EventHandler {
 public:
  Run(const TrainingRunConfig& c, TrainingRunResult* out)
      : c_(c), out_(out), streams_(c.seed, c.replication) {
    target_ = sim_.Register(this);
    spares_ = c.spare_nodes;
    for (const FailureCause& cause : c.causes) out_->by_cause.push_back({cause.cause, 0});
    // Checkpoints land on step boundaries.
    if (c.checkpoint_interval_s > 0) {
      interval_ =
          std::max(1.0, std::round(c.checkpoint_interval_s / c.step_time_s)) * c.step_time_s;
    }
  }

  void Go() {
    for (size_t i = 0; i < c_.causes.size(); ++i) {
      const FailureCause& cause = c_.causes[i];
      streams_rng_.push_back(streams_.Stream(i, "failures"));
      if (cause.rate_per_hour <= 0 || cause.components <= 0) continue;
      if (cause.weibull_shape > 0) {
        for (int j = 0; j < cause.components; ++j) {
          if (c_.fresh_fleet) {
            ScheduleComponentFailure(i, j, 0.0);
          } else {
            ScheduleFirstStationaryFailure(i, j);
          }
        }
      } else {
        ScheduleCauseFailure(i, 0.0);
      }
    }
    ScheduleCheckpoint(0.0);
    sim_.ScheduleAt(SecondsToTime(c_.duration_s), target_, kEnd);
    sim_.Run();
    out_->events = sim_.dispatched();
  }

  void HandleEvent(Simulator& sim, const Event& e) override {
    const double now = TimeToSeconds(sim.now());
    switch (e.kind) {
      case kEnd:
        Advance(now);
        out_->useful_work_s = work_;
        out_->ettr = work_ / c_.duration_s;
        out_->steps = static_cast<long long>(work_ / c_.step_time_s);
        sim.Stop();
        return;
      case kCheckpointStart:
        if (e.seq != ckpt_event_) return;
        Advance(now);
        write_start_work_ = work_;
        write_start_time_ = now;
        writing_ = true;
        ++out_->checkpoints;
        if (!c_.async_checkpoint) blocked_ = true;
        ckpt_event_ = sim.ScheduleAt(SecondsToTimeCeil(now + c_.checkpoint_write_s), target_,
                                     kCheckpointDone);
        if (c_.record_log) {
          out_->log.push_back(
              {now, "checkpoint", "storage", "checkpoint write", c_.checkpoint_write_s, 0});
        }
        return;
      case kCheckpointDone:
        if (e.seq != ckpt_event_) return;
        Advance(now);
        if (blocked_) out_->checkpoint_time_s += c_.checkpoint_write_s;
        blocked_ = false;
        writing_ = false;
        committed_ = write_start_work_;
        ScheduleCheckpoint(now);
        return;
      case kRestartDone:
        if (e.seq != restart_event_) return;
        Advance(now);
        down_ = false;
        ScheduleCheckpoint(now);
        return;
      case kRepaired: ++spares_; return;
      case kFailure:
        OnFailure(now, static_cast<size_t>(FailureEvent::Get<0>(e.payload)),
                  static_cast<int>(FailureEvent::Get<1>(e.payload)));
        return;
    }
  }

 private:
  // Integrates progress up to `now`.
  void Advance(double now) {
    if (!down_ && !blocked_) work_ += now - last_;
    last_ = now;
  }

  void ScheduleCheckpoint(double now) {
    if (interval_ <= 0) return;
    const double due = std::max(0.0, interval_ - (work_ - committed_));
    ckpt_event_ = sim_.ScheduleAt(SecondsToTimeCeil(now + due), target_, kCheckpointStart);
  }

  void ScheduleCauseFailure(size_t i, double now) {
    const FailureCause& cause = c_.causes[i];
    const double dt = streams_rng_[i].Exponential(cause.components * cause.rate_per_hour) * 3600.0;
    if (now + dt < c_.duration_s)
      sim_.ScheduleAt(SecondsToTimeCeil(now + dt), target_, kFailure,
                      FailureEvent::Pack({i, 0}));
  }

  void ScheduleComponentFailure(size_t i, int j, double now) {
    const FailureCause& cause = c_.causes[i];
    const double k = cause.weibull_shape;
    const double scale_h = (1.0 / cause.rate_per_hour) / std::tgamma(1.0 + 1.0 / k);
    const double dt = streams_rng_[i].Weibull(k, scale_h) * 3600.0;
    if (now + dt < c_.duration_s) {
      sim_.ScheduleAt(SecondsToTimeCeil(now + dt), target_, kFailure,
                      FailureEvent::Pack({i, static_cast<uint64_t>(j)}));
    }
  }

  // In equilibrium the time to a component's next failure has density
  // S(r)/mean; for Weibull(k, λ) that is r = λ·G^{1/k} with G ~ Gamma(1/k, 1).
  void ScheduleFirstStationaryFailure(size_t i, int j) {
    const FailureCause& cause = c_.causes[i];
    const double k = cause.weibull_shape;
    const double scale_h = (1.0 / cause.rate_per_hour) / std::tgamma(1.0 + 1.0 / k);
    const double dt = scale_h * std::pow(streams_rng_[i].Gamma(1.0 / k, 1.0), 1.0 / k) * 3600.0;
    if (dt < c_.duration_s) {
      sim_.ScheduleAt(SecondsToTimeCeil(dt), target_, kFailure,
                      FailureEvent::Pack({i, static_cast<uint64_t>(j)}));
    }
  }

  void OnFailure(double now, size_t i, int component) {
    const FailureCause& cause = c_.causes[i];
    if (cause.weibull_shape > 0) {
      ScheduleComponentFailure(i, component, now);
    } else {
      ScheduleCauseFailure(i, now);
    }
    Advance(now);
    ++out_->interruptions;
    ++out_->by_cause[i].second;
    double lost = 0;
    if (!down_) {
      lost = work_ - committed_;
      work_ = committed_;
      out_->lost_work_s += lost;
    } else {
      // A failure during a restart extends it: account the part not spent.
      out_->restart_time_s -= std::max(0.0, down_until_ - now);
    }
    if (writing_ && blocked_) out_->checkpoint_time_s += now - write_start_time_;
    writing_ = blocked_ = false;
    ckpt_event_ = kNoEvent;  // any pending checkpoint event is now stale
    double downtime = c_.detection_s + c_.restart_s;
    if (cause.node_level) {
      if (spares_ > 0) {
        --spares_;
        sim_.ScheduleAt(SecondsToTimeCeil(now + c_.repair_s), target_, kRepaired);
      } else {
        downtime += c_.reschedule_s;
      }
      out_->down_gpu_seconds += c_.gpus_per_node * downtime;
    }
    down_ = true;
    down_until_ = now + downtime;
    out_->restart_time_s += downtime;
    restart_event_ = sim_.ScheduleAt(SecondsToTimeCeil(down_until_), target_, kRestartDone);
    if (c_.record_log) {
      out_->log.push_back({now, "failure", cause.component, cause.cause, downtime, lost});
    }
  }

  const TrainingRunConfig& c_;
  TrainingRunResult* out_;
  Simulator sim_;
  RandomStreams streams_;
  std::vector<RandomStream> streams_rng_;
  uint32_t target_ = 0;
  double interval_ = 0;
  double work_ = 0, committed_ = 0, write_start_work_ = 0, write_start_time_ = 0, last_ = 0;
  double down_until_ = 0;
  bool down_ = false, blocked_ = false, writing_ = false;
  int spares_ = 0;
  EventId ckpt_event_ = kNoEvent, restart_event_ = kNoEvent;
};

}  // namespace

absl::StatusOr<TrainingRunResult> SimulateTrainingRun(const TrainingRunConfig& c) {
  if (!(c.step_time_s > 0)) return absl::InvalidArgumentError("step time must be > 0");
  if (!(c.duration_s > 0)) return absl::InvalidArgumentError("training.duration must be > 0");
  if (c.checkpoint_interval_s < 0 || c.checkpoint_write_s < 0 || c.detection_s < 0 ||
      c.restart_s < 0 || c.reschedule_s < 0 || c.repair_s < 0) {
    return absl::InvalidArgumentError("durations (checkpoint, restart, detection) must be >= 0");
  }
  if (c.spare_nodes < 0) return absl::InvalidArgumentError("spare nodes must be >= 0");
  for (const FailureCause& cause : c.causes) {
    if (cause.weibull_shape > 0 && cause.components > 2000000) {
      return absl::InvalidArgumentError("Weibull failures are simulated per component: too many");
    }
  }
  TrainingRunResult out;
  Run run(c, &out);
  run.Go();
  return out;
}

}  // namespace mlsysim
