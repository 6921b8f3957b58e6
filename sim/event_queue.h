// event_queue.h — the pending-event set: small plain events in an implicit heap.
//
// Events are ordered by (time, seq); seq is the insertion counter, so events at
// equal times leave in insertion order. Two interchangeable queues share one
// interface (Push / Top / Pop / Size / Empty): a 4-ary heap (default: shallower
// than a binary heap, and its four children share a cache line) and a binary
// heap, kept for the benchmark (bench/engine_bench.cc) that compares them.
// Neither allocates per event once the vector has grown.
// Usage: FourAryHeap q; q.Push(ev); Event e = q.Top(); q.Pop();
#ifndef MLSYSIM_SIM_EVENT_QUEUE_H_
#define MLSYSIM_SIM_EVENT_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "sim/time.h"

namespace mlsysim {

// One pending event: 32 bytes, trivially copyable.
struct Event {
  SimTime time;
  uint64_t seq;      // insertion order; also the event's id for cancellation
  uint32_t target;   // handler id registered with the Simulator
  uint32_t kind;     // handler-defined event kind
  uint64_t payload;  // handler-defined (an index, an id, a packed pair)
};

inline bool EarlierThan(const Event& a, const Event& b) {
  return a.time < b.time || (a.time == b.time && a.seq < b.seq);
}

// An implicit d-ary min-heap on (time, seq).
template <int kArity>
class DaryHeap {
 public:
  void Reserve(size_t n) { heap_.reserve(n); }
  bool Empty() const { return heap_.empty(); }
  size_t Size() const { return heap_.size(); }
  const Event& Top() const { return heap_.front(); }
  void Clear() { heap_.clear(); }

  void Push(const Event& e) {
    size_t i = heap_.size();
    heap_.push_back(e);
    while (i > 0) {
      const size_t parent = (i - 1) / kArity;
      if (!EarlierThan(e, heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }

  void Pop() {
    const Event last = heap_.back();
    heap_.pop_back();
    const size_t n = heap_.size();
    if (n == 0) return;
    size_t i = 0;
    for (;;) {
      const size_t first = i * kArity + 1;
      if (first >= n) break;
      size_t best = first;
      const size_t end = first + kArity < n ? first + kArity : n;
      for (size_t c = first + 1; c < end; ++c)
        if (EarlierThan(heap_[c], heap_[best])) best = c;
      if (!EarlierThan(heap_[best], last)) break;
      heap_[i] = heap_[best];
      i = best;
    }
    heap_[i] = last;
  }

 private:
  std::vector<Event> heap_;
};

using FourAryHeap = DaryHeap<4>;
using BinaryHeap = DaryHeap<2>;

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_EVENT_QUEUE_H_
