// event_queue.h — the pending-event set: small plain events in an implicit heap.
//
// Events are ordered by (time, seq); seq is the insertion counter, so events at
// equal times leave in insertion order. Two interchangeable queues share one
// interface (Push / Top / Pop / Size / Empty): a 4-ary heap (default: shallower
// than a binary heap, and its four children share a cache line) and a binary
// heap, kept for the benchmark (bench/engine_bench.cc) that compares them.
// Neither allocates per event once the vector has grown.
// Usage: FourAryHeap q; q.Push(ev); Event e = q.Top(); q.Pop();
#ifndef MLSYSIM_SIM_CORE_EVENT_QUEUE_H_
#define MLSYSIM_SIM_CORE_EVENT_QUEUE_H_

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

#include "sim/core/time.h"

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

// Allocates with 64-byte alignment, so a heap's sibling groups can share a line.
template <typename T>
struct CacheAlignedAllocator {
  using value_type = T;
  CacheAlignedAllocator() = default;
  template <typename U>
  CacheAlignedAllocator(const CacheAlignedAllocator<U>&) {}
  T* allocate(size_t n) {
    return static_cast<T*>(::operator new (n * sizeof(T), std::align_val_t{64}));
  }
  void deallocate(T* p, size_t) { ::operator delete (p, std::align_val_t{64}); }
  template <typename U>
  bool operator==(const CacheAlignedAllocator<U>&) const {
    return true;
  }
};

// An implicit d-ary min-heap on (time, seq).
//
// The heap holds 16-byte keys {time, seq << 24 | slot}; an event's target, kind
// and payload wait in a side table at `slot` (recycled through a free list).
// Small keys keep the four children of a 4-ary node in one cache line, which
// is what makes the 4-ary heap pay off at 1e5–1e6 pending events. Limits: 2^24
// The array starts kPad entries early so that, for the 4-ary heap, the four
// children of a node fill exactly one 64-byte line.
// (16.7 M) events pending at once and 2^40 (1.1e12) events scheduled per run;
// beyond either the process aborts with a message rather than misorder events.
template <int kArity>
class DaryHeap {
 public:
  DaryHeap() : heap_(kPad) {}
  void Reserve(size_t n) {
    heap_.reserve(n + kPad);
    slots_.reserve(n);
  }
  bool Empty() const { return heap_.size() == kPad; }
  size_t Size() const { return heap_.size() - kPad; }
  void Clear() {
    heap_.resize(kPad);
    slots_.clear();
    free_.clear();
  }

  void Push(const Event& e) {
    uint32_t slot;
    if (!free_.empty()) {
      slot = free_.back();
      free_.pop_back();
    } else {
      slot = static_cast<uint32_t>(slots_.size());
      if (slot >= kMaxSlots) Overflow("more than 2^24 events pending");
      slots_.push_back({});
    }
    if (e.seq >= kMaxSeq) Overflow("more than 2^40 events scheduled");
    slots_[slot] = Body{e.target, e.kind, e.payload};
    const Key key = MakeKey(e.time, (e.seq << kSlotBits) | slot);
    size_t i = Size();
    heap_.push_back(key);
    Key* h = heap_.data() + kPad;
    while (i > 0) {
      const size_t parent = (i - 1) / kArity;
      if (!(key < h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = key;
  }

  // The earliest event.
  Event Top() const {
    const Key k = heap_[kPad];
    const uint64_t seq_slot = static_cast<uint64_t>(k);
    const Body& b = slots_[seq_slot & kSlotMask];
    return Event{static_cast<SimTime>(k >> 64), seq_slot >> kSlotBits, b.target, b.kind, b.payload};
  }

  void Pop() {
    free_.push_back(static_cast<uint32_t>(static_cast<uint64_t>(heap_[kPad]) & kSlotMask));
    const Key last = heap_.back();
    heap_.pop_back();
    const size_t n = Size();
    if (n == 0) return;
    Key* h = heap_.data() + kPad;
    // Floyd's variant: move the hole down along the smallest children to a
    // leaf, then sift `last` up from there (it usually belongs near the bottom).
    size_t i = 0;
    for (;;) {
      const size_t first = i * kArity + 1;
      if (first >= n) break;
      size_t best = first;
      const size_t end = first + kArity < n ? first + kArity : n;
      for (size_t c = first + 1; c < end; ++c)
        if (h[c] < h[best]) best = c;
      h[i] = h[best];
      i = best;
    }
    while (i > 0) {
      const size_t parent = (i - 1) / kArity;
      if (!(last < h[parent])) break;
      h[i] = h[parent];
      i = parent;
    }
    h[i] = last;
    // The next Top() will read the new minimum's body: start fetching it now.
    __builtin_prefetch(&slots_[static_cast<uint64_t>(h[0]) & kSlotMask]);
  }

 private:
  static constexpr int kSlotBits = 24;
  static constexpr uint64_t kSlotMask = (uint64_t{1} << kSlotBits) - 1;
  static constexpr uint64_t kMaxSlots = uint64_t{1} << kSlotBits;
  static constexpr uint64_t kMaxSeq = uint64_t{1} << (64 - kSlotBits);

  // time in the high 64 bits (never negative), then seq << 24 | slot: one
  // unsigned comparison orders by (time, seq).
  using Key = unsigned __int128;
  static Key MakeKey(SimTime time, uint64_t seq_slot) {
    return (static_cast<Key>(static_cast<uint64_t>(time)) << 64) | seq_slot;
  }
  struct Body {
    uint32_t target;
    uint32_t kind;
    uint64_t payload;
  };
  [[noreturn]] static void Overflow(const char* what) {
    std::fprintf(stderr, "mlsysim: event queue overflow: %s\n", what);
    std::abort();
  }

  // Children of logical node i start at logical 4i+1, physical 4i+1+kPad:
  // a multiple of 4 (one cache line of 16-byte keys) when kPad = 3.
  static constexpr size_t kPad = kArity == 4 ? 3 : 0;
  std::vector<Key, CacheAlignedAllocator<Key>> heap_;
  std::vector<Body> slots_;
  std::vector<uint32_t> free_;
};

using FourAryHeap = DaryHeap<4>;
using BinaryHeap = DaryHeap<2>;

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_CORE_EVENT_QUEUE_H_
