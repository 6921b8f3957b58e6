// simulator.h — the discrete-event engine: a clock, a pending-event heap and
// handler dispatch. No globals: a test may run many simulators in one process.
//
// Invariants:
//  * now() never decreases; an event may not be scheduled in the past.
//  * Events at equal times are dispatched in the order they were scheduled.
//  * Cancel() is lazy: the event stays in the heap and is skipped when popped.
//  * Dispatch is a virtual call on a registered handler; nothing is allocated
//    per event once the heap has grown.
//  * The fingerprint hashes (time, kind, target) of every dispatched event, so
//    a behaviour change in any entity changes it (the OMNeT++ practice).
//
// Usage:
//   Simulator sim;
//   uint32_t id = sim.Register(&my_handler);
//   sim.ScheduleAfter(5 * kMicrosecond, id, /*kind=*/0);
//   sim.Run();
#ifndef MLSYSIM_SIM_CORE_SIMULATOR_H_
#define MLSYSIM_SIM_CORE_SIMULATOR_H_

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "sim/core/event_queue.h"
#include "sim/core/time.h"

namespace mlsysim {

using EventId = uint64_t;

class Simulator;

// The pending-event set. Swap it here (BinaryHeap is the alternative the
// benchmark measures); it needs Push/Top/Pop/Size/Empty/Reserve.
using EventQueue = FourAryHeap;

// Something that reacts to events.
class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual void HandleEvent(Simulator& sim, const Event& event) = 0;
};

class Simulator {
 public:
  // Registers a handler and returns its target id. The handler must outlive
  // the simulator's runs.
  uint32_t Register(EventHandler* handler) {
    handlers_.push_back(handler);
    return static_cast<uint32_t>(handlers_.size() - 1);
  }

  // Schedules an event at absolute time `t` (>= now()). Returns its id.
  EventId ScheduleAt(SimTime t, uint32_t target, uint32_t kind, uint64_t payload = 0) {
    if (t < now_) t = now_;  // never in the past
    if (t >= kTimeNever) clock_saturated_ = true;
    const EventId id = next_seq_++;
    queue_.Push(Event{t, id, target, kind, payload});
    return id;
  }
  EventId ScheduleAfter(SimTime delay, uint32_t target, uint32_t kind, uint64_t payload = 0) {
    return ScheduleAt(delay >= kTimeNever - now_ ? kTimeNever : now_ + delay, target, kind,
                      payload);
  }

  // Cancels a pending event. The caller must only cancel events that are still
  // pending (entities forget an id when its event is dispatched). Returns false
  // if the id was never issued or is already cancelled.
  bool Cancel(EventId id) {
    if (id >= next_seq_) return false;
    return cancelled_.insert(id).second;
  }

  // Runs until no event is pending or Stop() is called.
  void Run() { RunUntil(kTimeNever); }

  // Dispatches every event with time <= `limit`, then sets now() to `limit`
  // (when the run was not stopped and `limit` is finite).
  void RunUntil(SimTime limit) {
    stopped_ = false;
    while (!stopped_ && !queue_.Empty()) {
      const Event ev = queue_.Top();
      if (ev.time > limit) break;
      queue_.Pop();
      if (!cancelled_.empty() && cancelled_.erase(ev.seq) > 0) continue;
      Dispatch(ev);
    }
    if (!stopped_ && limit != kTimeNever && limit > now_) now_ = limit;
  }

  // Dispatches the next live event, if any. Returns false when none is pending.
  bool Step() {
    while (!queue_.Empty()) {
      const Event ev = queue_.Top();
      queue_.Pop();
      if (!cancelled_.empty() && cancelled_.erase(ev.seq) > 0) continue;
      Dispatch(ev);
      return true;
    }
    return false;
  }

  // Makes Run()/RunUntil() return after the event being dispatched.
  void Stop() { stopped_ = true; }

  SimTime now() const { return now_; }
  // True once any event was scheduled at or past the end of the clock's range
  // (about 292 years): the run's times are then not exact and its results
  // must be refused (models check this and report ClockRangeError).
  bool clock_saturated() const { return clock_saturated_; }
  size_t pending() const { return queue_.Size() - cancelled_.size(); }
  uint64_t dispatched() const { return dispatched_; }
  uint64_t fingerprint() const { return fingerprint_; }
  void Reserve(size_t n) { queue_.Reserve(n); }

 private:
  void Dispatch(const Event& ev) {
    now_ = ev.time;
    ++dispatched_;
    Mix(static_cast<uint64_t>(ev.time));
    Mix((static_cast<uint64_t>(ev.kind) << 32) | ev.target);
    handlers_[ev.target]->HandleEvent(*this, ev);
  }

  void Mix(uint64_t v) {
    // FNV-1a over the 8 bytes of v, then a splitmix finaliser step.
    uint64_t h = fingerprint_;
    for (int i = 0; i < 8; ++i) {
      h ^= (v >> (8 * i)) & 0xff;
      h *= 0x100000001b3ULL;
    }
    fingerprint_ = h;
  }

  EventQueue queue_;
  std::vector<EventHandler*> handlers_;
  absl::flat_hash_set<EventId> cancelled_;
  SimTime now_ = 0;
  EventId next_seq_ = 0;
  uint64_t dispatched_ = 0;
  uint64_t fingerprint_ = 0xcbf29ce484222325ULL;
  bool stopped_ = false;
  bool clock_saturated_ = false;
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_CORE_SIMULATOR_H_
