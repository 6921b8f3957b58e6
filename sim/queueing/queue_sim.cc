// queue_sim.cc — the c-server FCFS queue on the event engine (see queue_sim.h).
#include "sim/queueing/queue_sim.h"

#include <algorithm>
#include <cmath>
#include <deque>

#include "absl/status/status.h"
#include "sim/core/random.h"
#include "sim/core/sampling.h"
#include "sim/core/simulator.h"
#include "sim/core/statistics.h"

namespace mlsysim {
namespace {

enum Kind : uint32_t { kArrival = 1, kDeparture = 2 };

double Quantile(std::vector<double>& v, double p) { return NearestRankQuantile(v, p); }

class QueueModel : public EventHandler {
 public:
  explicit QueueModel(const QueueConfig& c)
      : c_(c),
        arrivals_rng_(RandomStreams(c.seed, c.replication).Stream(0, "arrivals")),
        service_rng_(RandomStreams(c.seed, c.replication).Stream(1, "service")) {
    target_ = sim_.Register(this);
    warmup_ = static_cast<int64_t>(c.warmup_fraction * c.requests);
    sojourn_.reserve(static_cast<size_t>(c.requests - warmup_));
    wait_.reserve(static_cast<size_t>(c.requests - warmup_));
    sim_.Reserve(static_cast<size_t>(c.servers) + 2);
  }

  QueueRunResult Run() {
    ScheduleArrival(NextArrival(c_.arrivals, 0.0, arrivals_rng_));
    sim_.Run();
    QueueRunResult r;
    const double n = static_cast<double>(sojourn_.size());
    double ws = 0, ss = 0;
    for (double w : wait_) ws += w;
    for (double s : sojourn_) ss += s;
    r.wait_mean = ws / n;
    r.sojourn_mean = ss / n;
    r.prob_wait = waited_ / n;
    const double window = window_end_ - window_start_;
    r.utilization = busy_ / (c_.servers * window);
    r.mean_in_system = area_ / window;
    r.arrival_rate = (measured_arrivals_ - 1) / window;
    r.sojourn_cdf = QuantileGrid(sojourn_);
    r.sojourn_p50 = Quantile(sojourn_, 0.5);
    r.sojourn_p90 = Quantile(sojourn_, 0.9);
    r.sojourn_p99 = Quantile(sojourn_, 0.99);
    r.sojourn_p999 = Quantile(sojourn_, 0.999);
    r.wait_p50 = Quantile(wait_, 0.5);
    r.wait_p99 = Quantile(wait_, 0.99);
    r.wait_p999 = Quantile(wait_, 0.999);
    r.events = sim_.dispatched();
    r.fingerprint = sim_.fingerprint();
    return r;
  }

  bool clock_saturated() const { return sim_.clock_saturated(); }

  void HandleEvent(Simulator&, const Event& e) override {
    if (e.kind == kArrival) {
      const double t = next_arrival_;
      Account(t);
      ++in_system_;
      const int64_t index = arrived_++;
      if (index == warmup_) window_start_ = t;
      if (index >= warmup_) {
        ++measured_arrivals_;
        window_end_ = t;
      }
      if (busy_servers_ < c_.servers) {
        StartService(t, t, index);
      } else {
        waiting_.push_back({t, index});
      }
      if (arrived_ < c_.requests) ScheduleArrival(NextArrival(c_.arrivals, t, arrivals_rng_));
    } else {
      const double t = departures_[e.payload];
      Account(t);
      --in_system_;
      --busy_servers_;
      free_slots_.push_back(static_cast<uint32_t>(e.payload));
      if (!waiting_.empty()) {
        const auto [arrival, index] = waiting_.front();
        waiting_.pop_front();
        StartService(t, arrival, index);
      }
    }
  }

 private:
  void ScheduleArrival(double t) {
    next_arrival_ = t;
    sim_.ScheduleAt(SecondsToTimeCeil(t), target_, kArrival);
  }

  void StartService(double now, double arrival, int64_t index) {
    const double service = Draw(c_.service, service_rng_);
    ++busy_servers_;
    uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();
      free_slots_.pop_back();
    } else {
      slot = static_cast<uint32_t>(departures_.size());
      departures_.push_back(0);
    }
    departures_[slot] = now + service;
    sim_.ScheduleAt(SecondsToTimeCeil(now + service), target_, kDeparture, slot);
    if (index >= warmup_) {
      const double wait = now - arrival;
      wait_.push_back(wait);
      sojourn_.push_back(wait + service);
      if (wait > 0) ++waited_;
      busy_ += service;
    }
  }

  // Integrates the number in system over the measured window.
  void Account(double t) {
    if (arrived_ > warmup_ && window_start_ >= 0) {
      const double from = std::max(last_t_, window_start_);
      const double to = arrived_ >= c_.requests ? std::min(t, window_end_) : t;
      if (to > from) area_ += in_system_ * (to - from);
    }
    last_t_ = t;
  }

  const QueueConfig& c_;
  Simulator sim_;
  RandomStream arrivals_rng_, service_rng_;
  uint32_t target_ = 0;
  int64_t warmup_ = 0, arrived_ = 0, measured_arrivals_ = 0;
  int busy_servers_ = 0;
  int64_t in_system_ = 0;
  double next_arrival_ = 0, last_t_ = 0, area_ = 0, busy_ = 0, waited_ = 0;
  double window_start_ = -1, window_end_ = 0;
  std::deque<std::pair<double, int64_t>> waiting_;
  std::vector<double> departures_;  // continuous departure time per server slot
  std::vector<uint32_t> free_slots_;
  std::vector<double> sojourn_, wait_;
};

}  // namespace

absl::StatusOr<QueueRunResult> SimulateQueue(const QueueConfig& c) {
  if (c.servers < 1) return absl::InvalidArgumentError("queue.servers must be >= 1");
  if (c.requests < 100) return absl::InvalidArgumentError("queue.requests must be >= 100");
  if (c.warmup_fraction < 0 || c.warmup_fraction >= 0.9) {
    return absl::InvalidArgumentError("warm-up fraction must lie in [0, 0.9)");
  }
  QueueModel model(c);
  QueueRunResult r = model.Run();
  if (model.clock_saturated()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "queue: the simulated horizon passed the clock's range (", kMaxSimSeconds / 3.15576e7,
        " years = 2^63 ns); use fewer requests or a faster time unit"));
  }
  if (r.wait_mean < 0 || r.utilization > 1 + 1e-9) {
    return absl::InternalError("queue: a negative wait or a utilisation above 1 (please report)");
  }
  return r;
}

}  // namespace mlsysim
