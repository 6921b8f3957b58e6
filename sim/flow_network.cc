// flow_network.cc — max-min fair flows (see flow_network.h).
#include "sim/flow_network.h"

#include <algorithm>
#include <cmath>
#include <queue>

namespace mlsysim {

FlowNetwork::FlowNetwork(Simulator& sim, std::vector<double> link_capacity)
    : sim_(sim), capacity_(std::move(link_capacity)) {
  target_ = sim_.Register(this);
  link_bytes_.assign(capacity_.size(), 0.0);
  cap_left_.assign(capacity_.size(), 0.0);
  unfrozen_.assign(capacity_.size(), 0);
  link_begin_.assign(capacity_.size(), 0);
  link_count_.assign(capacity_.size(), 0);
  link_fill_.assign(capacity_.size(), 0);
}

uint32_t FlowNetwork::Start(const std::vector<int>& links, double bytes, double latency_s,
                            FlowObserver* observer, uint64_t tag, double start_s) {
  uint32_t id;
  if (!free_.empty()) {
    id = free_.back();
    free_.pop_back();
  } else {
    id = static_cast<uint32_t>(flows_.size());
    flows_.emplace_back();
  }
  Flow& f = flows_[id];
  f.links.assign(links.begin(), links.end());
  f.bytes = f.remaining = std::max(0.0, bytes);
  f.rate = 0;
  f.observer = observer;
  f.tag = tag;
  const double now_s = TimeToSeconds(sim_.now());
  const double begin = start_s >= 0 && start_s <= now_s ? start_s : now_s;
  f.t_last = begin + std::max(0.0, latency_s);
  f.finish_s = f.t_last;
  ++flows_started_;
  sim_.ScheduleAt(SecondsToTimeCeil(f.t_last), target_, kActivate, id);
  return id;
}

void FlowNetwork::HandleEvent(Simulator& sim, const Event& e) {
  if (e.kind == kActivate) {
    arrived_.push_back(static_cast<uint32_t>(e.payload));
    ScheduleUpdate(sim.now());
  } else if (e.kind == kUpdate) {
    if (e.seq != update_event_) return;  // superseded
    update_at_ = -1;
    Update(sim.now());
  }
}

void FlowNetwork::ScheduleUpdate(SimTime at) {
  if (update_at_ >= 0) {
    if (update_at_ <= at) return;  // an earlier (or same-time) update is pending
    sim_.Cancel(update_event_);
  }
  update_at_ = at;
  update_event_ = sim_.ScheduleAt(at, target_, kUpdate);
}

void FlowNetwork::Update(SimTime now) {
  const double now_s = TimeToSeconds(now);
  // 1. Integrate every moving flow up to now.
  for (uint32_t id : active_) {
    Flow& f = flows_[id];
    if (f.rate > 0 && now_s > f.t_last) {
      const double capacity = f.rate * (now_s - f.t_last);
      const double moved = std::min(f.remaining, capacity);
      if (capacity >= f.remaining) f.finish_s = f.t_last + f.remaining / f.rate;
      f.remaining -= moved;
      for (int l : f.links) link_bytes_[l] += moved;
    }
    f.t_last = std::max(f.t_last, now_s);
  }
  // 2. Newly arrived flows start moving at their exact arrival time.
  for (uint32_t id : arrived_) active_.push_back(id);
  arrived_.clear();
  // 3. Retire finished flows (within a nanosecond's worth of bytes).
  std::vector<Done>& done = done_;
  done.clear();
  size_t keep = 0;
  for (size_t i = 0; i < active_.size(); ++i) {
    Flow& f = flows_[active_[i]];
    const bool finished = f.remaining <= 0 || f.links.empty() ||
                          (f.rate > 0 && f.remaining <= f.rate * 1e-9) ||
                          f.remaining <= f.bytes * 1e-12;
    if (finished) {
      if (f.remaining > 0) {
        for (int l : f.links) link_bytes_[l] += f.remaining;
        if (f.rate > 0) f.finish_s = std::max(f.finish_s, f.t_last + f.remaining / f.rate);
      }
      done.push_back({f.observer, f.tag, f.finish_s});
      f.links.clear();
      free_.push_back(active_[i]);
    } else {
      active_[keep++] = active_[i];
    }
  }
  active_.resize(keep);
  // 4. New rates, then the next completion.
  AllocateMaxMin();
  ++rate_updates_;
  double next = -1;
  for (uint32_t id : active_) {
    const Flow& f = flows_[id];
    if (f.rate <= 0) continue;
    const double finish = f.t_last + f.remaining / f.rate;
    if (next < 0 || finish < next) next = finish;
  }
  if (next >= 0) ScheduleUpdate(std::max(now, SecondsToTimeCeil(next)));
  // 5. Tell the owners last: they may start new flows.
  // (Start() never runs Update() synchronously, so done_ is stable here.)
  for (const Done& d : done) {
    finish_s_ = d.finish_s;
    if (d.observer != nullptr) d.observer->OnFlowComplete(d.tag, now);
  }
}

void FlowNetwork::AllocateMaxMin() {
  // Progressive filling: repeatedly saturate the link with the smallest fair
  // share, freezing the flows that cross it at that share.
  touched_.clear();
  for (uint32_t id : active_) {
    Flow& f = flows_[id];
    f.frozen = false;
    f.rate = 0;
    for (int l : f.links) {
      if (unfrozen_[l] == 0) {
        touched_.push_back(l);
        cap_left_[l] = capacity_[l];
      }
      ++unfrozen_[l];
    }
  }
  // Link -> flows, as a CSR over the touched links.
  int offset = 0;
  for (int l : touched_) {
    link_begin_[l] = offset;
    link_count_[l] = unfrozen_[l];
    offset += unfrozen_[l];
  }
  link_flow_list_.resize(offset);
  for (int l : touched_) link_fill_[l] = link_begin_[l];
  for (uint32_t id : active_)
    for (int l : flows_[id].links) link_flow_list_[link_fill_[l]++] = static_cast<int>(id);

  using Entry = std::pair<double, int>;  // (fair share, link)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  for (int l : touched_) heap.push({cap_left_[l] / unfrozen_[l], l});
  while (!heap.empty()) {
    const auto [share, l] = heap.top();
    heap.pop();
    if (unfrozen_[l] == 0 || share != cap_left_[l] / unfrozen_[l]) continue;  // stale entry
    const double rate = std::max(0.0, share);
    for (int k = link_begin_[l]; k < link_begin_[l] + link_count_[l]; ++k) {
      Flow& f = flows_[static_cast<uint32_t>(link_flow_list_[k])];
      if (f.frozen) continue;
      f.frozen = true;
      f.rate = rate;
      for (int x : f.links) {
        cap_left_[x] -= rate;
        if (--unfrozen_[x] > 0) heap.push({cap_left_[x] / unfrozen_[x], x});
      }
    }
  }
  for (int l : touched_) unfrozen_[l] = 0;
}

}  // namespace mlsysim
