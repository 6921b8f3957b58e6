// flow_network.h — transfers as flows over paths of links, sharing bandwidth
// by max-min fairness (flow level, not packet level).
//
// A flow waits its per-message latency α, then moves its bytes at the rate the
// max-min allocation gives it. Rates are recomputed only when the set of active
// flows changes (a flow starts or finishes), all changes at one instant are
// coalesced into one recomputation, and only the flows connected to a change
// through shared links are re-allocated (max-min fairness decomposes over
// those components), so the work follows changes, not bytes or flow counts
// (SimGrid's approach). Pending completions sit in a heap keyed by finish time. Between events a
// flow's progress is integrated in continuous time; events land on the next nanosecond (ceil), so
// an isolated flow finishes exactly ⌈α + bytes/β⌉ after it starts.
//
// Usage:
//   FlowNetwork net(sim, graph.LinkCapacities());
//   net.Start(graph.Route(0, 9, h), /*bytes=*/1e9, /*latency_s=*/5e-6, &observer, /*tag=*/7);
//   sim.Run();  // observer.OnFlowComplete(7, t) is called when the bytes arrive
#ifndef MLSYSIM_SIM_NETWORK_FLOW_NETWORK_H_
#define MLSYSIM_SIM_NETWORK_FLOW_NETWORK_H_

#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "sim/core/grouped_queue.h"
#include "sim/core/simulator.h"

namespace mlsysim {

class FlowObserver {
 public:
  virtual ~FlowObserver() = default;
  virtual void OnFlowComplete(uint64_t tag, SimTime now) = 0;
};

class FlowNetwork : public EventHandler {
 public:
  FlowNetwork(Simulator& sim, std::vector<double> link_capacity);

  // Starts a flow now. `links` are directed link ids (empty: a local copy that
  // takes only the latency). Returns the flow id.
  // `start_s` (continuous seconds, <= now) lets a schedule start a flow at the
  // exact instant its predecessor finished, so that nanosecond rounding does
  // not accumulate over thousands of sequential steps; < 0 means now.
  uint32_t Start(const std::vector<int>& links, double bytes, double latency_s,
                 FlowObserver* observer, uint64_t tag, double start_s = -1);
  // A flow that stands for a class of identical flows (flow_classes.h): it
  // loads link links[i] with weights[i] times its rate (the class's members
  // on each physical link of that cell), so a link's constraint is
  // sum(weight * rate) <= capacity. Unit weights are Start() exactly.
  // Weights are whole numbers (counts of flows), so the links' summed
  // weights, kept as flows come and go, are exact in any order.
  uint32_t StartWeighted(const std::vector<int>& links, const std::vector<double>& weights,
                         double bytes, double latency_s, FlowObserver* observer, uint64_t tag,
                         double start_s = -1);

  // During OnFlowComplete: the exact (continuous) time the reported flow's
  // last byte arrived. The callback's `now` is that instant rounded up.
  double finish_seconds() const { return finish_s_; }

  void HandleEvent(Simulator& sim, const Event& event) override;

  size_t active_flows() const { return active_count_; }
  uint64_t flows_started() const { return flows_started_; }
  uint64_t rate_updates() const { return rate_updates_; }
  // Bytes carried so far by each link (for utilisation reports).
  const std::vector<double>& link_bytes() const { return link_bytes_; }
  // Current rate of a flow in B/s (0 while waiting for its latency).
  double rate(uint32_t flow) const { return flows_[flow].rate; }

 private:
  enum Kind : uint32_t { kUpdate = 2 };
  struct PendingFlow {
    uint32_t flow, version;
  };
  struct Flow {
    double bytes = 0, remaining = 0, rate = 0;
    double t_last = 0;    // continuous seconds up to which `remaining` is exact
    double finish_s = 0;  // exact arrival of the last byte at the current rate
    FlowObserver* observer = nullptr;
    uint64_t tag = 0;
    uint32_t version = 0;  // bumped when the rate changes (stale heap entries)
    bool active = false;
    bool fresh = false;  // arrived this instant: moves from its exact arrival time
  };
  struct Done {
    FlowObserver* observer;
    uint64_t tag;
    double finish_s;
  };

  void ScheduleUpdate(SimTime at);
  void Update(SimTime now);
  void Attach(uint32_t id);
  void SiftUp(int i);
  void SiftDown(int i);
  void HeapRemove(int i);
  void Detach(uint32_t id);
  // Re-allocates the component of flows reachable from `seed_links_`.
  void Reallocate(double now_s);
  void Restride(uint32_t stride);
  int* PathLinks(uint32_t id) { return &path_links_[size_t{id} * stride_]; }
  double* PathWeights(uint32_t id) { return &path_weight_[size_t{id} * stride_]; }
  uint32_t* PathSlots(uint32_t id) { return &path_slot_[size_t{id} * stride_]; }

  Simulator& sim_;
  uint32_t target_;
  std::vector<double> capacity_;
  std::vector<double> link_bytes_;
  std::vector<Flow> flows_;
  // Per flow, apart from Flow so that the scans over a link's flows touch
  // dense arrays: the component search's epoch, and whether progressive
  // filling has fixed the flow's rate.
  std::vector<uint32_t> flow_mark_;
  std::vector<uint8_t> flow_frozen_;
  // Each flow's path in fixed-width slots (stride_ per flow, widened when a
  // longer path arrives): its directed links, its weight on each (1 for a
  // single flow; a class's count of flows on each link of a cell), and its
  // index in link_flows_ of each link.
  uint32_t stride_ = 8;
  std::vector<uint32_t> path_len_;
  std::vector<int> path_links_;
  std::vector<double> path_weight_;
  std::vector<uint32_t> path_slot_;
  std::vector<uint32_t> free_;
  GroupedQueue<SimTime, uint32_t> activations_;    // flows waiting out their latency
  std::vector<uint32_t> arrived_;                  // latency elapsed, not yet attached
  std::vector<std::vector<uint32_t>> link_flows_;  // active flows on each link
  std::vector<double> link_weight_;                // their summed weights (whole numbers)
  GroupedQueue<double, PendingFlow> pending_;      // finish times at the current rates
  EventId update_event_ = 0;
  SimTime update_at_ = -1;
  size_t active_count_ = 0;
  // Scratch.
  std::vector<int> seed_links_, component_links_;
  std::vector<uint32_t> component_flows_;
  std::vector<uint32_t> link_mark_;
  uint32_t epoch_ = 0;
  std::vector<double> cap_left_;
  struct HeapEntry {
    double share;  // the link's fair share now
    int link;
    // Smallest share first, ties to the lower link id.
    bool operator<(const HeapEntry& o) const {
      return share < o.share || (share == o.share && link < o.link);
    }
  };
  std::vector<HeapEntry> share_heap_;  // an indexed min-heap of the links to fill
  std::vector<int> heap_pos_;          // each link's place in share_heap_, -1 when out
  std::vector<double> share_now_;      // each queued link's current fair share
  std::vector<int> unfrozen_;              // unfrozen flows per link
  std::vector<double> unfrozen_weight_;    // their summed weights
  std::vector<uint64_t> touch_round_;      // progressive filling: last round a link changed
  std::vector<int> touched_;
  uint64_t round_ = 0;
  std::vector<Done> done_;
  double finish_s_ = 0;
  uint64_t flows_started_ = 0, rate_updates_ = 0;
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_NETWORK_FLOW_NETWORK_H_
