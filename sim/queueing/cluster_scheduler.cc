// cluster_scheduler.cc — batch/training jobs on a shared cluster (see cluster_scheduler.h).
#include "sim/queueing/cluster_scheduler.h"

#include <algorithm>
#include <cmath>
#include <list>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "sim/core/random.h"
#include "sim/core/sampling.h"
#include "sim/core/simulator.h"

namespace mlsysim {

absl::StatusOr<SchedulerPolicy> ParseSchedulerPolicy(const std::string& name) {
  if (name == "fifo") return SchedulerPolicy::kFifo;
  if (name == "backfill") return SchedulerPolicy::kBackfill;
  if (name == "priority") return SchedulerPolicy::kPriority;
  return absl::InvalidArgumentError(
      absl::StrCat("unknown scheduler '", name, "'; accepted: fifo, backfill, priority"));
}

namespace {

enum Kind : uint32_t { kArrival = 1, kFinish = 2 };

struct Job {
  int cls = 0, gpus = 1, priority = 0;
  double arrival = 0, remaining = 0, first_start = -1, started = 0, end = 0;
  int64_t index = 0;
  int preemptions = 0;
  EventId finish_event = 0;
  bool running = false;
};

class Scheduler : public EventHandler {
 public:
  explicit Scheduler(const ClusterJobsConfig& c)
      : c_(c), rng_(RandomStreams(c.seed, c.replication).Stream(0, "jobs")) {
    target_ = sim_.Register(this);
    free_ = c.gpus;
    warmup_ = c.trace.empty() ? static_cast<int64_t>(c.warmup_fraction * c.jobs) : 0;
    total_ = c.trace.empty() ? c.jobs : static_cast<int64_t>(c.trace.size());
    out_.waits_h.resize(std::max<size_t>(1, c.classes.size()));
    double total = 0;
    for (const JobClass& k : c.classes) total += k.share;
    for (const JobClass& k : c.classes)
      cumulative_.push_back((cumulative_.empty() ? 0 : cumulative_.back()) + k.share / total);
  }

  absl::StatusOr<ClusterJobsResult> Run() {
    ScheduleArrival(c_.trace.empty() ? rng_.Exponential(c_.arrival_rate_per_hour)
                                     : c_.trace.front().submit_h);
    sim_.Run();
    if (sim_.clock_saturated()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "jobs: the queue grew until the simulated horizon passed the clock's range (",
          kMaxSimSeconds / 3.15576e7, " years = 2^63 ns) after ", finished_, " of ", total_,
          " jobs; the load is too high or the run too long to simulate (fewer jobs, a lower "
          "arrival rate or shorter jobs)"));
    }
    const double window = end_window_ - start_window_;
    out_.utilization = window > 0 ? gpu_hours_ / (c_.gpus * window) : 0;
    out_.mean_jobs_waiting = window > 0 ? wait_area_ / window : 0;
    if (!c_.trace.empty()) {
      out_.makespan_h = end_window_;
      for (const Job& j : jobs_) {
        out_.outcomes.push_back({j.arrival, j.first_start, j.end, j.gpus, j.preemptions});
      }
    }
    out_.events = sim_.dispatched();
    out_.fingerprint = sim_.fingerprint();
    // Invariants a correct run cannot break; a violation is a bug, not input.
    if (out_.utilization > 1 + 1e-9 || out_.utilization < 0) {
      return absl::InternalError(
          absl::StrCat("jobs: utilisation ", out_.utilization, " outside [0, 1] (please report)"));
    }
    for (const auto& waits : out_.waits_h)
      for (double w : waits)
        if (w < 0) return absl::InternalError("jobs: a negative wait (please report)");
    return out_;
  }

  void HandleEvent(Simulator&, const Event& e) override {
    if (e.kind == kArrival) {
      const double t = next_arrival_;
      Account(t);
      Job j;
      j.index = arrived_++;
      j.arrival = t;
      if (c_.trace.empty()) {
        const double u = rng_.Uniform();
        j.cls = static_cast<int>(std::lower_bound(cumulative_.begin(), cumulative_.end(), u) -
                                 cumulative_.begin());
        j.cls = std::min<int>(j.cls, static_cast<int>(c_.classes.size()) - 1);
        const JobClass& k = c_.classes[j.cls];
        j.gpus = k.gpu_sizes[static_cast<size_t>(
            rng_.Uniform(0, static_cast<double>(k.gpu_sizes.size())))];
        j.priority = k.priority;
        j.remaining = Draw(k.duration, rng_);
      } else {
        const TraceJob& tj = c_.trace[static_cast<size_t>(j.index)];
        j.gpus = tj.gpus;
        j.priority = tj.priority;
        j.remaining = tj.duration_h;
      }
      if (j.index == warmup_) start_window_ = t;
      jobs_.push_back(j);
      queue_.push_back(jobs_.size() - 1);
      if (arrived_ < total_) {
        ScheduleArrival(c_.trace.empty() ? t + rng_.Exponential(c_.arrival_rate_per_hour)
                                         : c_.trace[static_cast<size_t>(arrived_)].submit_h);
      }
      Dispatch(t);
    } else {
      const size_t id = e.payload;
      Job& j = jobs_[id];
      if (!j.running || e.seq != j.finish_event) return;
      const double t = j.end;
      Account(t);
      Stop(j, t);
      j.remaining = 0;
      ++finished_;
      if (finished_ == total_) end_window_ = t;
      Dispatch(t);
    }
  }

 private:
  void ScheduleArrival(double t) {
    next_arrival_ = t;
    sim_.ScheduleAt(SecondsToTimeCeil(t * 3600.0), target_, kArrival);
  }

  void Account(double t) {
    if (start_window_ >= 0 && t > last_t_) {
      const double from = std::max(last_t_, start_window_);
      if (t > from) {
        wait_area_ += static_cast<double>(queue_.size()) * (t - from);
        gpu_hours_ += static_cast<double>(c_.gpus - free_) * (t - from);
      }
    }
    last_t_ = t;
  }

  void Start(size_t id, double t) {
    Job& j = jobs_[id];
    j.running = true;
    j.started = t;
    j.end = t + j.remaining;
    free_ -= j.gpus;
    if (j.first_start < 0) {
      j.first_start = t;
      if (j.index >= warmup_) out_.waits_h[j.cls].push_back(t - j.arrival);
    }
    j.finish_event = sim_.ScheduleAt(SecondsToTimeCeil(j.end * 3600.0), target_, kFinish, id);
    running_.push_back(id);
  }

  void Stop(Job& j, double t) {
    j.running = false;
    free_ += j.gpus;
    j.remaining = std::max(0.0, j.end - t);
    running_.erase(
        std::find(running_.begin(), running_.end(), static_cast<size_t>(&j - jobs_.data())));
  }

  // Earliest time at which `need` GPUs are free if nothing else starts, and
  // how many GPUs are spare then.
  std::pair<double, int> Reservation(int need, double now) const {
    std::vector<std::pair<double, int>> ends;
    for (size_t id : running_) ends.push_back({jobs_[id].end, jobs_[id].gpus});
    return EasyReservation(std::move(ends), free_, need, now);
  }

  void Dispatch(double t) {
    if (c_.policy == SchedulerPolicy::kPriority) {
      std::stable_sort(queue_.begin(), queue_.end(),
                       [&](size_t a, size_t b) { return jobs_[a].priority > jobs_[b].priority; });
    }
    // Head of line first.
    while (!queue_.empty() && jobs_[queue_.front()].gpus <= free_) {
      const size_t id = queue_.front();
      queue_.erase(queue_.begin());
      Start(id, t);
    }
    if (queue_.empty()) return;
    const Job& head = jobs_[queue_.front()];
    if (c_.policy == SchedulerPolicy::kBackfill) {
      auto [shadow, extra] = Reservation(head.gpus, t);
      for (size_t k = 1; k < queue_.size();) {
        const size_t id = queue_[k];
        const Job& j = jobs_[id];
        const bool fits = j.gpus <= free_;
        const bool harmless = t + j.remaining <= shadow || j.gpus <= extra;
        if (fits && harmless) {
          if (t + j.remaining > shadow) extra -= j.gpus;
          queue_.erase(queue_.begin() + static_cast<long>(k));
          Start(id, t);
        } else {
          ++k;
        }
      }
    } else if (c_.policy == SchedulerPolicy::kPriority) {
      // Evict lower-priority jobs, most recently started first, if that frees enough.
      std::vector<size_t> victims;
      int reclaimable = free_;
      std::vector<size_t> order(running_.begin(), running_.end());
      std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
        if (jobs_[a].priority != jobs_[b].priority) return jobs_[a].priority < jobs_[b].priority;
        return jobs_[a].started > jobs_[b].started;
      });
      for (size_t id : order) {
        if (reclaimable >= head.gpus || jobs_[id].priority >= head.priority) break;
        victims.push_back(id);
        reclaimable += jobs_[id].gpus;
      }
      if (reclaimable < head.gpus || victims.empty()) return;
      for (size_t id : victims) {
        Job& v = jobs_[id];
        Stop(v, t);
        v.remaining += c_.restart_penalty_h;
        ++v.preemptions;
        ++out_.preemptions;
        queue_.push_back(id);
      }
      Dispatch(t);
    }
  }

  const ClusterJobsConfig& c_;
  Simulator sim_;
  RandomStream rng_;
  uint32_t target_ = 0;
  std::vector<double> cumulative_;
  std::vector<Job> jobs_;
  std::vector<size_t> queue_, running_;
  int free_ = 0;
  int64_t warmup_ = 0, arrived_ = 0, finished_ = 0, total_ = 0;
  double next_arrival_ = 0, last_t_ = 0, start_window_ = -1, end_window_ = 0;
  double wait_area_ = 0, gpu_hours_ = 0;
  ClusterJobsResult out_;
};

}  // namespace

std::pair<double, int> EasyReservation(std::vector<std::pair<double, int>> ends, int free,
                                       int need, double now) {
  std::sort(ends.begin(), ends.end());
  int avail = free;
  double when = now;
  for (const auto& [end, g] : ends) {
    if (avail >= need) break;
    avail += g;
    when = end;
  }
  return {when, avail - need};
}

absl::StatusOr<ClusterJobsResult> SimulateClusterJobs(const ClusterJobsConfig& c) {
  if (c.gpus < 1) return absl::InvalidArgumentError("job_queue.gpus must be >= 1");
  if (!c.trace.empty()) {
    for (size_t i = 0; i < c.trace.size(); ++i) {
      const TraceJob& j = c.trace[i];
      if (j.gpus < 1 || j.gpus > c.gpus || !(j.duration_h > 0) || !(j.submit_h >= 0) ||
          (i > 0 && j.submit_h < c.trace[i - 1].submit_h)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "job trace: job ", i, " (", j.gpus, " GPUs, submitted at ", j.submit_h,
            " h, ", j.duration_h, " h) cannot run on ", c.gpus,
            " GPUs (sizes 1…the cluster, durations > 0, submissions sorted)"));
      }
    }
    if (c.trace.back().submit_h * 3600.0 > 0.9 * kMaxSimSeconds) {
      return absl::InvalidArgumentError("job trace: the submissions span beyond the clock's range");
    }
    Scheduler s(c);
    return s.Run();
  }
  if (!(c.arrival_rate_per_hour > 0))
    return absl::InvalidArgumentError("job arrival rate must be > 0");
  if (c.classes.empty()) return absl::InvalidArgumentError("at least one job class is needed");
  if (c.jobs < 10) return absl::InvalidArgumentError("job_queue.jobs must be >= 10");
  for (const JobClass& k : c.classes) {
    if (k.gpu_sizes.empty())
      return absl::InvalidArgumentError(absl::StrCat("job class '", k.name, "' has no GPU sizes"));
    for (int g : k.gpu_sizes)
      if (g < 1 || g > c.gpus)
        return absl::InvalidArgumentError(absl::StrCat("job class '", k.name, "': a job of ", g,
                                                       " GPUs cannot run on ", c.gpus, " GPUs"));
    if (!(k.share > 0)) return absl::InvalidArgumentError("job class shares must be > 0");
  }
  // The arrivals alone span jobs / rate: refuse up front when that nears the
  // clock's range (a run that only gets there through queueing is refused
  // when the clock saturates).
  const double span_s = c.jobs / c.arrival_rate_per_hour * 3600.0;
  if (span_s > 0.9 * kMaxSimSeconds) {
    return absl::InvalidArgumentError(
        absl::StrCat("jobs / arrival rate: ", c.jobs, " arrivals span about ", span_s / 3.15576e7,
                     " years of simulated time; the clock's range is ", kMaxSimSeconds / 3.15576e7,
                     " years (2^63 ns): use fewer jobs or a higher arrival rate"));
  }
  Scheduler s(c);
  return s.Run();
}

}  // namespace mlsysim
