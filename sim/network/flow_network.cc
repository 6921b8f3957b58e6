// flow_network.cc — max-min fair flows, re-allocated per connected component
// (see flow_network.h).
#include "sim/network/flow_network.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mlsysim {

FlowNetwork::FlowNetwork(Simulator& sim, std::vector<double> link_capacity)
    : sim_(sim), capacity_(std::move(link_capacity)) {
  target_ = sim_.Register(this);
  link_bytes_.assign(capacity_.size(), 0.0);
  link_flows_.resize(capacity_.size());
  link_weight_.assign(capacity_.size(), 0.0);
  touch_round_.assign(capacity_.size(), 0);
  link_mark_.assign(capacity_.size(), 0);
  cap_left_.assign(capacity_.size(), 0.0);
  unfrozen_.assign(capacity_.size(), 0);
  unfrozen_weight_.assign(capacity_.size(), 0.0);
}

uint32_t FlowNetwork::StartWeighted(const std::vector<int>& links,
                                    const std::vector<double>& weights, double bytes,
                                    double latency_s, FlowObserver* observer, uint64_t tag,
                                    double start_s) {
  const uint32_t id = Start(links, bytes, latency_s, observer, tag, start_s);
  flows_[id].weight.assign(weights.begin(), weights.end());
  any_weighted_ = true;
  return id;
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
  f.slot.assign(links.size(), 0);
  f.weight.clear();
  f.bytes = f.remaining = std::max(0.0, bytes);
  f.rate = 0;
  f.observer = observer;
  f.tag = tag;
  f.active = false;
  const double now_s = TimeToSeconds(sim_.now());
  const double begin = start_s >= 0 && start_s <= now_s ? start_s : now_s;
  f.t_last = f.finish_s = begin + std::max(0.0, latency_s);
  ++flows_started_;
  // Arrivals wait in the network's own heap: one engine event per instant at
  // which flows arrive, not one per flow.
  const SimTime at = SecondsToTimeCeil(f.t_last);
  activations_.Push(at, id);
  ScheduleUpdate(at);
  return id;
}

void FlowNetwork::HandleEvent(Simulator& sim, const Event& e) {
  if (e.kind == kUpdate) {
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

void FlowNetwork::Attach(uint32_t id) {
  Flow& f = flows_[id];
  for (size_t i = 0; i < f.links.size(); ++i) {
    auto& list = link_flows_[f.links[i]];
    f.slot[i] = static_cast<uint32_t>(list.size());
    list.push_back(id);
    link_weight_[f.links[i]] += Weight(f, i);  // whole numbers: exact in any order
  }
  f.active = true;
  ++active_count_;
}

void FlowNetwork::Detach(uint32_t id) {
  Flow& f = flows_[id];
  for (size_t i = 0; i < f.links.size(); ++i) {
    auto& list = link_flows_[f.links[i]];
    const uint32_t pos = f.slot[i];
    const uint32_t moved = list.back();
    list[pos] = moved;
    list.pop_back();
    link_weight_[f.links[i]] -= Weight(f, i);
    if (moved != id) {
      Flow& m = flows_[moved];
      for (size_t j = 0; j < m.links.size(); ++j)
        if (m.links[j] == f.links[i]) m.slot[j] = pos;
    }
  }
  f.active = false;
  --active_count_;
}

void FlowNetwork::Update(SimTime now) {
  const double now_s = TimeToSeconds(now);
  seed_links_.clear();
  done_.clear();
  while (!activations_.Empty() && activations_.TopKey() <= now) {
    const std::vector<uint32_t>& group = activations_.PopGroup();
    arrived_.insert(arrived_.end(), group.begin(), group.end());
  }
  // 1. Flows whose last byte has arrived by now.
  while (!pending_.Empty() && SecondsToTimeCeil(pending_.TopKey()) <= now) {
    for (const PendingFlow& p : pending_.PopGroup()) {
      Flow& f = flows_[p.flow];
      if (!f.active || p.version != f.version) continue;  // re-timed since
      for (size_t i = 0; i < f.links.size(); ++i) {
        link_bytes_[f.links[i]] += f.bytes * Weight(f, i);
        seed_links_.push_back(f.links[i]);
      }
      Detach(p.flow);
      done_.push_back({f.observer, f.tag, f.finish_s});
      f.links.clear();
      free_.push_back(p.flow);
    }
  }
  // 2. Flows whose latency has elapsed join their links (an empty path or no
  //    bytes: done at once).
  for (uint32_t id : arrived_) {
    Flow& f = flows_[id];
    if (f.links.empty() || f.bytes <= 0) {
      for (size_t i = 0; i < f.links.size(); ++i) link_bytes_[f.links[i]] += f.bytes * Weight(f, i);
      done_.push_back({f.observer, f.tag, f.t_last});
      f.links.clear();
      free_.push_back(id);
      continue;
    }
    Attach(id);
    f.fresh = true;
    ++f.version;
    for (int l : f.links) seed_links_.push_back(l);
  }
  arrived_.clear();
  // 3. Re-allocate the affected component and queue its new finish times.
  if (!seed_links_.empty()) Reallocate(now_s);
  // A group whose flows were all re-timed still wakes the network once, to
  // no effect; that costs one event per distinct instant, never per flow.
  if (!pending_.Empty()) ScheduleUpdate(std::max(now, SecondsToTimeCeil(pending_.TopKey())));
  if (!activations_.Empty()) ScheduleUpdate(std::max(now, activations_.TopKey()));
  // 4. Tell the owners last: they may start new flows (Start() never runs
  //    Update() synchronously, so done_ is stable here).
  for (const Done& d : done_) {
    finish_s_ = d.finish_s;
    if (d.observer != nullptr) d.observer->OnFlowComplete(d.tag, now);
  }
}

void FlowNetwork::Reallocate(double now_s) {
  ++rate_updates_;
  // Component search: links -> flows on them -> their links, breadth first.
  ++epoch_;
  component_links_.clear();
  component_flows_.clear();
  for (int l : seed_links_) {
    if (link_mark_[l] == epoch_) continue;
    link_mark_[l] = epoch_;
    component_links_.push_back(l);
  }
  for (size_t i = 0; i < component_links_.size(); ++i) {
    for (uint32_t id : link_flows_[component_links_[i]]) {
      Flow& f = flows_[id];
      if (f.mark == epoch_) continue;
      f.mark = epoch_;
      component_flows_.push_back(id);
      for (int l : f.links) {
        if (link_mark_[l] == epoch_) continue;
        link_mark_[l] = epoch_;
        component_links_.push_back(l);
      }
    }
  }
  // Integrate the component's flows up to now at their old rates.
  for (uint32_t id : component_flows_) {
    Flow& f = flows_[id];
    if (f.rate > 0 && now_s > f.t_last)
      f.remaining = std::max(0.0, f.remaining - f.rate * (now_s - f.t_last));
    if (!f.fresh) f.t_last = std::max(f.t_last, now_s);
    f.fresh = false;
    f.frozen = false;
    f.rate = 0;
  }
  // Flows alone on every link they cross (the common case on a fabric
  // without collisions) get the smallest capacity on their path directly;
  // progressive filling is needed only where links are shared.
  for (int l : component_links_) {
    cap_left_[l] = capacity_[l];
    unfrozen_[l] = static_cast<int>(link_flows_[l].size());
    unfrozen_weight_[l] = link_weight_[l];
  }
  for (uint32_t id : component_flows_) {
    Flow& f = flows_[id];
    double rate = std::numeric_limits<double>::infinity();
    bool alone = true;
    for (size_t i = 0; i < f.links.size(); ++i) {
      const int l = f.links[i];
      if (unfrozen_[l] != 1) {
        alone = false;
        break;
      }
      rate = std::min(rate, capacity_[l] / Weight(f, i));
    }
    if (!alone) continue;
    f.frozen = true;
    f.rate = rate;
    for (int l : f.links) {
      cap_left_[l] = 0;
      unfrozen_[l] = 0;
      unfrozen_weight_[l] = 0;
    }
  }
  // Progressive filling over the rest of the component (its links carry no
  // other flow).
  using Entry = std::pair<double, int>;  // (fair share, link)
  std::vector<Entry>& heap = share_heap_;
  heap.clear();
  for (int l : component_links_) {
    if (unfrozen_[l] > 0) heap.push_back({cap_left_[l] / unfrozen_weight_[l], l});
  }
  std::make_heap(heap.begin(), heap.end(), std::greater<Entry>());
  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<Entry>());
    const auto [share, l] = heap.back();
    heap.pop_back();
    if (unfrozen_[l] == 0 || share != cap_left_[l] / unfrozen_weight_[l]) continue;  // stale
    const double rate = std::max(0.0, share);
    // Freeze the link's flows; each other link they cross gets its new fair
    // share queued once, after the round (an entry per decrement would only
    // go stale).
    ++round_;
    touched_.clear();
    for (uint32_t id : link_flows_[l]) {
      Flow& f = flows_[id];
      if (f.frozen) continue;
      f.frozen = true;
      f.rate = rate;
      for (size_t i = 0; i < f.links.size(); ++i) {
        const int x = f.links[i];
        const double w = Weight(f, i);
        cap_left_[x] -= w * rate;
        unfrozen_weight_[x] -= w;
        --unfrozen_[x];
        if (touch_round_[x] != round_) {
          touch_round_[x] = round_;
          touched_.push_back(x);
        }
      }
    }
    for (int x : touched_) {
      if (unfrozen_[x] <= 0) continue;
      heap.push_back({cap_left_[x] / unfrozen_weight_[x], x});
      std::push_heap(heap.begin(), heap.end(), std::greater<Entry>());
    }
  }
  for (uint32_t id : component_flows_) {
    Flow& f = flows_[id];
    ++f.version;
    if (f.rate <= 0) continue;
    f.finish_s = f.t_last + f.remaining / f.rate;
    pending_.Push(f.finish_s, {id, f.version});
  }
}

}  // namespace mlsysim
