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
  heap_pos_.assign(capacity_.size(), -1);
  share_now_.assign(capacity_.size(), 0.0);
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
  std::copy(weights.begin(), weights.begin() + std::min(weights.size(), links.size()),
            PathWeights(id));
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
    flow_mark_.push_back(0);
    flow_frozen_.push_back(0);
    path_len_.push_back(0);
    path_links_.resize(path_links_.size() + stride_);
    path_weight_.resize(path_weight_.size() + stride_);
    path_slot_.resize(path_slot_.size() + stride_);
  }
  if (links.size() > stride_) Restride(std::max<uint32_t>(links.size(), 2 * stride_));
  path_len_[id] = static_cast<uint32_t>(links.size());
  std::copy(links.begin(), links.end(), PathLinks(id));
  std::fill_n(PathWeights(id), links.size(), 1.0);
  Flow& f = flows_[id];
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
  const int* links = PathLinks(id);
  const double* weights = PathWeights(id);
  uint32_t* slots = PathSlots(id);
  for (uint32_t i = 0; i < path_len_[id]; ++i) {
    auto& list = link_flows_[links[i]];
    slots[i] = static_cast<uint32_t>(list.size());
    list.push_back(id);
    link_weight_[links[i]] += weights[i];  // whole numbers: exact in any order
  }
  f.active = true;
  ++active_count_;
}

void FlowNetwork::Detach(uint32_t id) {
  Flow& f = flows_[id];
  const int* links = PathLinks(id);
  const double* weights = PathWeights(id);
  const uint32_t* slots = PathSlots(id);
  for (uint32_t i = 0; i < path_len_[id]; ++i) {
    auto& list = link_flows_[links[i]];
    const uint32_t pos = slots[i];
    const uint32_t moved = list.back();
    list[pos] = moved;
    list.pop_back();
    link_weight_[links[i]] -= weights[i];
    if (moved != id) {
      const int* m_links = PathLinks(moved);
      uint32_t* m_slots = PathSlots(moved);
      for (uint32_t j = 0; j < path_len_[moved]; ++j)
        if (m_links[j] == links[i]) m_slots[j] = pos;
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
      const int* links = PathLinks(p.flow);
      const double* weights = PathWeights(p.flow);
      for (uint32_t i = 0; i < path_len_[p.flow]; ++i) {
        link_bytes_[links[i]] += f.bytes * weights[i];
        seed_links_.push_back(links[i]);
      }
      Detach(p.flow);
      done_.push_back({f.observer, f.tag, f.finish_s});
      path_len_[p.flow] = 0;
      free_.push_back(p.flow);
    }
  }
  // 2. Flows whose latency has elapsed join their links (an empty path or no
  //    bytes: done at once).
  for (uint32_t id : arrived_) {
    Flow& f = flows_[id];
    const int* links = PathLinks(id);
    const uint32_t length = path_len_[id];
    if (length == 0 || f.bytes <= 0) {
      const double* weights = PathWeights(id);
      for (uint32_t i = 0; i < length; ++i) link_bytes_[links[i]] += f.bytes * weights[i];
      done_.push_back({f.observer, f.tag, f.t_last});
      path_len_[id] = 0;
      free_.push_back(id);
      continue;
    }
    Attach(id);
    f.fresh = true;
    ++f.version;
    seed_links_.insert(seed_links_.end(), links, links + length);
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
      if (flow_mark_[id] == epoch_) continue;
      flow_mark_[id] = epoch_;
      component_flows_.push_back(id);
      const int* links = PathLinks(id);
      for (uint32_t i = 0; i < path_len_[id]; ++i) {
        const int l = links[i];
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
    flow_frozen_[id] = 0;
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
    const int* links = PathLinks(id);
    const double* weights = PathWeights(id);
    const uint32_t length = path_len_[id];
    double rate = std::numeric_limits<double>::infinity();
    bool alone = true;
    for (uint32_t i = 0; i < length; ++i) {
      const int l = links[i];
      if (unfrozen_[l] != 1) {
        alone = false;
        break;
      }
      rate = std::min(rate, capacity_[l] / weights[i]);
    }
    if (!alone) continue;
    flow_frozen_[id] = 1;
    flows_[id].rate = rate;
    for (uint32_t i = 0; i < length; ++i) {
      const int l = links[i];
      cap_left_[l] = 0;
      unfrozen_[l] = 0;
      unfrozen_weight_[l] = 0;
    }
  }
  // Progressive filling over the rest of the component (its links carry no
  // other flow): repeatedly the link with the smallest fair share (ties to
  // the lower link id) freezes its flows at that share. The links wait in an
  // indexed heap keyed by their current share, one entry each.
  share_heap_.clear();
  for (int l : component_links_) {
    if (unfrozen_[l] > 0) {
      heap_pos_[l] = static_cast<int>(share_heap_.size());
      share_now_[l] = cap_left_[l] / unfrozen_weight_[l];
      share_heap_.push_back({share_now_[l], l});
    }
  }
  for (int i = static_cast<int>(share_heap_.size()) / 2 - 1; i >= 0; --i) SiftDown(i);
  while (!share_heap_.empty()) {
    // An entry whose share rose since it was queued sinks to its place first
    // (lazily: once per pop, not once per change).
    const int l = share_heap_[0].link;
    if (share_now_[l] != share_heap_[0].share) {
      share_heap_[0].share = share_now_[l];
      SiftDown(0);
      continue;
    }
    const double rate = std::max(0.0, share_heap_[0].share);
    HeapRemove(0);
    // Freeze the link's flows; each other link they cross gets its new fair
    // share once, after the round.
    ++round_;
    touched_.clear();
    for (uint32_t id : link_flows_[l]) {
      if (flow_frozen_[id]) continue;
      flow_frozen_[id] = 1;
      flows_[id].rate = rate;
      const int* links = PathLinks(id);
      const double* weights = PathWeights(id);
      for (uint32_t i = 0; i < path_len_[id]; ++i) {
        const int x = links[i];
        const double w = weights[i];
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
      const int at = heap_pos_[x];
      if (at < 0) continue;  // frozen already, or the link just filled
      if (unfrozen_[x] <= 0) {
        HeapRemove(at);
        continue;
      }
      // Freezing flows at the smallest share never lowers another link's
      // share (only rounding can): a risen share is noted and the entry
      // sinks when it reaches the top; a lowered one rises now. Every entry's
      // key stays at or below its link's share, so the top, once current,
      // is the true minimum by (share, id): the same order as an eager heap.
      const double share = cap_left_[x] / unfrozen_weight_[x];
      share_now_[x] = share;
      if (share < share_heap_[at].share) {
        share_heap_[at].share = share;
        SiftUp(at);
      }
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

// Widens the per-flow path slots (a path longer than any before).
void FlowNetwork::Restride(uint32_t stride) {
  const size_t n = flows_.size();
  std::vector<int> links(n * stride);
  std::vector<double> weights(n * stride);
  std::vector<uint32_t> slots(n * stride);
  for (size_t id = 0; id < n; ++id) {
    std::copy_n(&path_links_[id * stride_], path_len_[id], &links[id * stride]);
    std::copy_n(&path_weight_[id * stride_], path_len_[id], &weights[id * stride]);
    std::copy_n(&path_slot_[id * stride_], path_len_[id], &slots[id * stride]);
  }
  path_links_.swap(links);
  path_weight_.swap(weights);
  path_slot_.swap(slots);
  stride_ = stride;
}

// The fair-share heap: a binary min-heap of (share, link id) entries, each
// link's place in heap_pos_ (-1 when out).
void FlowNetwork::SiftUp(int i) {
  const HeapEntry e = share_heap_[i];
  while (i > 0) {
    const int parent = (i - 1) / 2;
    if (!(e < share_heap_[parent])) break;
    share_heap_[i] = share_heap_[parent];
    heap_pos_[share_heap_[i].link] = i;
    i = parent;
  }
  share_heap_[i] = e;
  heap_pos_[e.link] = i;
}

void FlowNetwork::SiftDown(int i) {
  const int n = static_cast<int>(share_heap_.size());
  const HeapEntry e = share_heap_[i];
  while (true) {
    int child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && share_heap_[child + 1] < share_heap_[child]) ++child;
    if (!(share_heap_[child] < e)) break;
    share_heap_[i] = share_heap_[child];
    heap_pos_[share_heap_[i].link] = i;
    i = child;
  }
  share_heap_[i] = e;
  heap_pos_[e.link] = i;
}

void FlowNetwork::HeapRemove(int i) {
  const HeapEntry last = share_heap_.back();
  heap_pos_[share_heap_[i].link] = -1;
  share_heap_.pop_back();
  if (i == static_cast<int>(share_heap_.size())) return;
  share_heap_[i] = last;
  heap_pos_[last.link] = i;
  SiftUp(i);
  SiftDown(heap_pos_[last.link]);
}

}  // namespace mlsysim
