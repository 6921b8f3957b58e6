// shared_cluster.cc — see shared_cluster.h.
#include "sim/cluster/shared_cluster.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "sim/core/simulator.h"

namespace mlsysim {
namespace {

enum Kind : uint32_t { kArrival = 1, kFinish = 2, kDemand = 3, kReclaimed = 4, kAutoscale = 5 };

// A serving replica's slot in the fleet's block of nodes.
enum class Slot { kLent, kServing, kReclaiming };

struct Running {
  bool running = false, done = false;
  double work_left = 0, rate = 1, last = 0, end = 0;
  double work_at_start = 0;  // work left when this run started (for checkpoints)
  double step = 0;  // the step it has now (0: not yet simulated)
  EventId finish_event = 0;
};

class Engine : public EventHandler {
 public:
  Engine(const SharedClusterConfig& c, Simulator* shared, ServingFleet* fleet)
      : c_(c),
        pool_(c.shape),
        own_sim_(shared != nullptr ? nullptr : std::make_unique<Simulator>()),
        sim_(shared != nullptr ? *shared : *own_sim_),
        fleet_(fleet) {
    target_ = sim_.Register(this);
    state_.resize(c.jobs.size());
    out_.jobs.resize(c.jobs.size());
    for (size_t i = 0; i < c.jobs.size(); ++i) {
      out_.jobs[i].submit_s = c.jobs[i].submit_s;
      out_.jobs[i].gpus = c.jobs[i].gpus;
    }
  }

  absl::StatusOr<SharedClusterResult> Run() {
    StartServing();
    sim_.ScheduleAt(SecondsToTimeCeil(c_.jobs[0].submit_s), target_, kArrival, 0);
    sim_.Run();
    if (!error_.ok()) return error_;
    if (sim_.clock_saturated()) {
      return absl::InvalidArgumentError("jobs: the run passed the clock's range (2^63 ns)");
    }
    const double start = c_.jobs.front().submit_s;
    out_.makespan_s = end_ - start;
    const double total = static_cast<double>(c_.shape.nodes) * c_.shape.gpus_per_node;
    out_.utilization = out_.makespan_s > 0 ? gpu_seconds_ / (total * out_.makespan_s) : 0;
    out_.events = sim_.dispatched();
    out_.fingerprint = sim_.fingerprint();
    return std::move(out_);
  }

  void HandleEvent(Simulator&, const Event& e) override {
    if (!error_.ok()) return;
    const size_t id = e.payload;
    double t = 0;
    if (e.kind == kDemand || e.kind == kReclaimed || e.kind == kAutoscale) {
      t = e.kind == kDemand      ? c_.serving.demand[id].first
          : e.kind == kReclaimed ? reclaim_at_[id]
                                 : static_cast<double>(id) * c_.serving.autoscale_interval_s;
      Account(t);
      if (e.kind == kDemand) {
        wanted_ = c_.serving.demand[id].second;
        Rebalance(t);
      } else if (e.kind == kAutoscale) {
        Autoscale(id, t);
      } else {
        slots_[id] = Slot::kServing;
        ++ready_;
        if (ServingCount() > wanted_) Rebalance(t);
        InService(t);
      }
    } else if (e.kind == kArrival) {
      t = c_.jobs[id].submit_s;
      Account(t);
      queue_.push_back(id);
      next_arrival_ = id + 1;
      if (id + 1 < c_.jobs.size()) {
        sim_.ScheduleAt(SecondsToTimeCeil(c_.jobs[id + 1].submit_s), target_, kArrival, id + 1);
      }
    } else {
      Running& r = state_[id];
      if (!r.running || e.seq != r.finish_event) return;  // re-timed since
      t = r.end;
      Account(t);
      r.running = false;
      r.done = true;
      out_.jobs[id].end_s = t;
      out_.jobs[id].runs.back().end_s = t;
      end_ = std::max(end_, t);
      pool_.Release(out_.jobs[id].nodes, c_.jobs[id].gpus);
      lent_busy_ -= LentGpus(out_.jobs[id].nodes, c_.jobs[id].gpus);
      running_.erase(std::find(running_.begin(), running_.end(), id));
    }
    if (error_.ok() && fleet_ == nullptr && queue_.empty() && running_.empty() &&
        e.kind != kArrival && next_arrival_ >= c_.jobs.size()) {
      sim_.Stop();  // every job done: the fleet's later demand changes nothing
    }
    Dispatch(t);
    Retime(t);
    out_.busy_gpus.push_back({t, Busy()});
  }

 private:
  int Busy() const {
    return c_.shape.nodes * c_.shape.gpus_per_node - pool_.free_gpus();
  }

  void Account(double t) {
    if (t > last_t_) {
      gpu_seconds_ += static_cast<double>(Busy()) * (t - last_t_);
      out_.lent_gpu_s += static_cast<double>(lent_busy_) * (t - last_t_);
    }
    last_t_ = std::max(last_t_, t);
  }

  // ------------------------------------------------------------ serving fleet

  int ServingCount() const {
    int n = 0;
    for (Slot s : slots_) n += s != Slot::kLent;
    return n;
  }

  std::vector<int> SlotNodes(int slot) const {
    std::vector<int> nodes;
    for (int k = 0; k < c_.serving.nodes_per_replica; ++k)
      nodes.push_back(c_.serving.first_node + slot * c_.serving.nodes_per_replica + k);
    return nodes;
  }

  int SlotGpus() const { return c_.serving.nodes_per_replica * c_.shape.gpus_per_node; }

  bool InBlock(int node) const {
    return c_.serving.replicas > 0 && node >= c_.serving.first_node &&
           node < c_.serving.first_node + c_.serving.replicas * c_.serving.nodes_per_replica;
  }

  // The fleet holds every slot it wants (all of them when not elastic); the
  // demand schedule's changes come as events.
  void StartServing() {
    const ElasticServing& f = c_.serving;
    slots_.assign(static_cast<size_t>(f.replicas), Slot::kLent);
    reclaim_at_.assign(static_cast<size_t>(f.replicas), 0);
    if (f.replicas == 0) return;
    wanted_ = f.replicas;
    if (fleet_ != nullptr) fleet_->Start();
    if (f.elastic && fleet_ != nullptr && f.autoscale_interval_s > 0) {
      sim_.ScheduleAt(SecondsToTimeCeil(f.autoscale_interval_s), target_, kAutoscale, 1);
    } else if (f.elastic) {
      for (size_t i = 0; i < f.demand.size(); ++i) {
        sim_.ScheduleAt(SecondsToTimeCeil(f.demand[i].first), target_, kDemand, i);
      }
      if (!f.demand.empty() && f.demand[0].first <= 0) wanted_ = f.demand[0].second;
    }
    for (int r = 0; r < wanted_; ++r) {
      pool_.Take(SlotNodes(r), SlotGpus());
      slots_[r] = Slot::kServing;
    }
    ready_ = wanted_;
    InService(0);
  }

  // The replicas in service changed (or may have): recorded, and told to the
  // fleet when it runs on this engine.
  void InService(double t) {
    out_.serving_replicas.push_back({t, ready_});
    if (fleet_ != nullptr) fleet_->SetReplicasInService(ready_);
  }

  // Target tracking: the replicas that would have served the last
  // interval's arrivals at the target share of their throughput.
  void Autoscale(uint64_t k, double t) {
    const ElasticServing& f = c_.serving;
    const double arrived = static_cast<double>(fleet_->arrived_by(t));
    const double want = std::ceil((arrived - arrived_seen_) /
                                      (f.autoscale_interval_s * f.autoscale_target * f.capacity_qps) -
                                  1e-9);
    arrived_seen_ = arrived;
    wanted_ = static_cast<int>(std::clamp(want, 1.0, static_cast<double>(f.replicas)));
    Rebalance(t);
    const double next = static_cast<double>(k + 1) * f.autoscale_interval_s;
    if (next < fleet_->last_arrival_s()) {
      sim_.ScheduleAt(SecondsToTimeCeil(next), target_, kAutoscale, k + 1);
    }
  }

  // Moves the fleet toward wanted_ replicas: lends the last serving slots'
  // nodes, or takes slots back — free ones at once, borrowed ones by
  // preempting their jobs (the replica serves reclaim_s later).
  void Rebalance(double t) {
    const int have = ServingCount();
    if (have > wanted_) {
      int drop = have - wanted_;
      for (int r = c_.serving.replicas - 1; r >= 0 && drop > 0; --r) {
        if (slots_[r] != Slot::kServing) continue;  // a reclaim in flight finishes, then drops
        slots_[r] = Slot::kLent;
        pool_.Release(SlotNodes(r), SlotGpus());
        --ready_;
        --drop;
      }
      InService(t);
      return;
    }
    int need = wanted_ - have;
    // Free slots first (no one to preempt), lowest first; then borrowed ones.
    for (int pass = 0; pass < 2 && need > 0; ++pass) {
      for (int r = 0; r < c_.serving.replicas && need > 0; ++r) {
        if (slots_[r] != Slot::kLent) continue;
        const std::vector<int> nodes = SlotNodes(r);
        std::vector<size_t> users;
        for (size_t id : running_)
          for (int n : out_.jobs[id].nodes)
            if (std::find(nodes.begin(), nodes.end(), n) != nodes.end() &&
                std::find(users.begin(), users.end(), id) == users.end())
              users.push_back(id);
        if (pass == 0 && !users.empty()) continue;
        for (size_t id : users) Preempt(id, t);
        pool_.Take(nodes, SlotGpus());
        --need;
        if (users.empty()) {
          slots_[r] = Slot::kServing;
          ++ready_;
        } else {
          slots_[r] = Slot::kReclaiming;
          reclaim_at_[r] = t + c_.serving.reclaim_s;
          sim_.ScheduleAt(SecondsToTimeCeil(reclaim_at_[r]), target_, kReclaimed,
                          static_cast<uint64_t>(r));
        }
      }
    }
    InService(t);
  }

  // The fleet takes a job's nodes back: it stops, loses the work since its
  // last checkpoint, and queues at the head with that and its restart.
  void Preempt(size_t id, double t) {
    Running& r = state_[id];
    SharedJobOutcome& o = out_.jobs[id];
    r.work_left = std::max(0.0, r.work_left - (t - r.last) * r.rate);
    const double done = r.work_at_start - r.work_left;
    const double lost = std::fmod(done, c_.serving.checkpoint_interval_s);
    r.work_left += lost + c_.serving.restart_s;
    r.running = false;
    r.step = 0;
    ++o.preemptions;
    ++out_.preemptions;
    o.runs.back().end_s = t;
    o.lost_work_s += lost;
    pool_.Release(o.nodes, c_.jobs[id].gpus);
    lent_busy_ -= LentGpus(o.nodes, c_.jobs[id].gpus);
    running_.erase(std::find(running_.begin(), running_.end(), id));
    queue_.insert(queue_.begin(), id);
  }

  int LentGpus(const std::vector<int>& nodes, int gpus) const {
    int lent = 0;
    for (int n : nodes) {
      const int g = std::min(gpus, c_.shape.gpus_per_node);
      if (InBlock(n)) lent += g;
      gpus -= g;
    }
    return lent;
  }

  // A job's step on `nodes` (alone, or the reference on consecutive nodes).
  TrainingStepConfig StepConfigFor(size_t id) const {
    TrainingStepConfig s = c_.step;
    const int gpn = c_.shape.gpus_per_node;
    s.nodes = pool_.NodesFor(c_.jobs[id].gpus);
    s.tp = std::min(s.tp, gpn);
    const int dp = s.nodes * gpn / (s.tp * s.pp);
    s.global_batch = c_.batch_per_replica * dp;
    return s;
  }

  bool OnFabric(size_t id) const {
    return c_.network && pool_.NodesFor(c_.jobs[id].gpus) >= 2 && c_.jobs[id].gpus >= 2;
  }

  absl::StatusOr<double> Alone(size_t id, const std::vector<int>& nodes) {
    auto r = SimulateTrainingStepsTogether(c_.shape, {{StepConfigFor(id), nodes}});
    if (!r.ok()) {
      return absl::Status(r.status().code(), absl::StrCat("job ", id, " (", c_.jobs[id].gpus,
                                                          " GPUs): ", r.status().message()));
    }
    return (*r)[0].step_time_s;
  }

  absl::StatusOr<double> Reference(size_t id) {
    const int n = pool_.NodesFor(c_.jobs[id].gpus);
    if (auto it = reference_.find(n); it != reference_.end()) return it->second;
    std::vector<int> nodes(static_cast<size_t>(n));
    std::iota(nodes.begin(), nodes.end(), 0);
    auto step = Alone(id, nodes);
    if (step.ok()) reference_[n] = *step;
    return step;
  }

  void Start(size_t id, const std::vector<int>& nodes, double t) {
    Running& r = state_[id];
    SharedJobOutcome& o = out_.jobs[id];
    pool_.Take(nodes, c_.jobs[id].gpus);
    lent_busy_ += LentGpus(nodes, c_.jobs[id].gpus);
    o.nodes = nodes;
    o.runs.push_back({t, t, nodes});
    if (o.preemptions == 0) {  // a first start (a restart keeps its work left)
      o.start_s = t;
      r.work_left = c_.jobs[id].duration_s;
    }
    r.work_at_start = r.work_left;
    r.running = true;
    r.last = t;
    r.rate = 1;
    r.step = 0;
    running_.push_back(id);
    if (OnFabric(id)) {
      auto ref = Reference(id);
      if (!ref.ok()) return Fail(ref.status());
      o.reference_step_s = *ref;
      const int npl = pool_.nodes_per_leaf();
      const bool aligned = nodes.front() % npl == 0 &&
                           nodes.back() - nodes.front() + 1 == static_cast<int>(nodes.size());
      if (aligned) {
        o.placed_step_s = *ref;
      } else {
        auto placed = Alone(id, nodes);
        if (!placed.ok()) return Fail(placed.status());
        o.placed_step_s = *placed;
      }
    }
    Schedule(id);  // at rate 1 until Retime says otherwise
  }

  void Fail(const absl::Status& s) {
    error_ = s;
    sim_.Stop();
  }

  void Schedule(size_t id) {
    Running& r = state_[id];
    r.end = r.last + r.work_left / r.rate;
    r.finish_event = sim_.ScheduleAt(SecondsToTimeCeil(r.end), target_, kFinish, id);
  }

  // The job's step is now `step`: its work so far at the old rate, the rest
  // at the new one.
  void SetStep(size_t id, double step, double t) {
    Running& r = state_[id];
    SharedJobOutcome& o = out_.jobs[id];
    if (step == r.step) return;
    r.work_left = std::max(0.0, r.work_left - (t - r.last) * r.rate);
    r.last = t;
    r.step = step;
    r.rate = o.reference_step_s / step;
    o.worst_step_s = std::max(o.worst_step_s, step);
    Schedule(id);
  }

  // Groups the running fabric jobs whose placements may share a link and
  // gives each group's jobs the steps they have together.
  void Retime(double t) {
    if (!error_.ok()) return;
    std::vector<size_t> on;
    for (size_t id : running_)
      if (OnFabric(id)) on.push_back(id);
    std::sort(on.begin(), on.end());
    std::vector<size_t> parent(on.size());
    std::iota(parent.begin(), parent.end(), 0);
    auto root = [&](size_t x) {
      while (parent[x] != x) x = parent[x] = parent[parent[x]];
      return x;
    };
    if (c_.contention) {
      for (size_t i = 0; i < on.size(); ++i)
        for (size_t j = i + 1; j < on.size(); ++j)
          if (PlacementsMayShareLinks(pool_, c_.shape, out_.jobs[on[i]].nodes,
                                      out_.jobs[on[j]].nodes))
            parent[root(j)] = root(i);
    }
    std::map<size_t, std::vector<size_t>> groups;
    for (size_t i = 0; i < on.size(); ++i) groups[root(i)].push_back(on[i]);
    for (const auto& [unused, ids] : groups) {
      if (ids.size() == 1) {
        SetStep(ids[0], out_.jobs[ids[0]].placed_step_s, t);
        continue;
      }
      auto it = together_.find(ids);
      if (it == together_.end()) {
        std::vector<PlacedTrainingStep> placed;
        for (size_t id : ids) placed.push_back({StepConfigFor(id), out_.jobs[id].nodes});
        auto r = SimulateTrainingStepsTogether(c_.shape, placed);
        if (!r.ok()) return Fail(r.status());
        ++out_.step_simulations;
        std::vector<double> steps;
        for (const TrainingStepResult& s : *r) steps.push_back(s.step_time_s);
        it = together_.emplace(ids, std::move(steps)).first;
        for (size_t id : ids) ++out_.jobs[id].retimed;
      }
      for (size_t k = 0; k < ids.size(); ++k) SetStep(ids[k], it->second[k], t);
    }
  }

  // The earliest time `need` GPUs are free if nothing else starts, and the
  // GPUs spare then (EASY backfilling's reservation, by GPU count).
  std::pair<double, int> Reservation(int need, double now) const {
    std::vector<std::pair<double, int>> ends;
    for (size_t id : running_) ends.push_back({state_[id].end, c_.jobs[id].gpus});
    return EasyReservation(std::move(ends), pool_.free_gpus(), need, now);
  }

  void Dispatch(double t) {
    while (!queue_.empty() && error_.ok()) {
      auto nodes = pool_.Place(c_.jobs[queue_.front()].gpus, c_.placement);
      if (!nodes) break;
      const size_t id = queue_.front();
      queue_.erase(queue_.begin());
      Start(id, *nodes, t);
    }
    if (queue_.empty() || c_.policy != SchedulerPolicy::kBackfill) return;
    auto [shadow, extra] = Reservation(c_.jobs[queue_.front()].gpus, t);
    for (size_t k = 1; k < queue_.size() && error_.ok();) {
      const size_t id = queue_[k];
      const SharedJob& j = c_.jobs[id];
      const bool harmless = t + j.duration_s <= shadow || j.gpus <= extra;
      auto nodes = harmless ? pool_.Place(j.gpus, c_.placement) : std::nullopt;
      if (nodes) {
        if (t + j.duration_s > shadow) extra -= j.gpus;
        queue_.erase(queue_.begin() + static_cast<long>(k));
        Start(id, *nodes, t);
      } else {
        ++k;
      }
    }
  }

  const SharedClusterConfig& c_;
  NodePool pool_;
  std::unique_ptr<Simulator> own_sim_;  // null on a shared engine
  Simulator& sim_;
  ServingFleet* fleet_;  // the serving fleet on this engine, or null
  double arrived_seen_ = 0;
  uint32_t target_ = 0;
  std::vector<Running> state_;
  std::vector<size_t> queue_, running_;
  std::map<int, double> reference_;                              // by node count
  std::map<std::vector<size_t>, std::vector<double>> together_;  // a group's steps
  double last_t_ = 0, end_ = 0, gpu_seconds_ = 0;
  size_t next_arrival_ = 0;
  std::vector<Slot> slots_;          // the serving fleet's replicas
  std::vector<double> reclaim_at_;   // when a reclaiming slot serves
  int wanted_ = 0, ready_ = 0, lent_busy_ = 0;
  absl::Status error_;
  SharedClusterResult out_;
};

}  // namespace

absl::StatusOr<SharedClusterResult> SimulateSharedCluster(const SharedClusterConfig& c) {
  return SimulateSharedCluster(c, nullptr, nullptr);
}

absl::StatusOr<SharedClusterResult> SimulateSharedCluster(const SharedClusterConfig& c,
                                                          Simulator* sim, ServingFleet* fleet) {
  if (fleet != nullptr && c.serving.autoscale_interval_s > 0 && !(c.serving.capacity_qps > 0)) {
    return absl::InvalidArgumentError("serving: the autoscaler needs a replica's capacity > 0");
  }
  if ((fleet != nullptr) != (sim != nullptr) ||
      (fleet != nullptr && fleet->replicas() != c.serving.replicas)) {
    return absl::InvalidArgumentError("serving: the fleet must run on the engine, one replica per slot");
  }
  if (auto st = CheckSharedClusterConfig(c); !st.ok()) return st;
  Engine e(c, sim, fleet);
  return e.Run();
}

}  // namespace mlsysim
