// engine_bench.cc — the classic hold model on the event engine: pop the
// earliest event, dispatch it, schedule one new event at now + Exp(mean 1 us),
// with N events pending (1e3, 1e5, 1e6). Baselines in the same binary:
// a raw std::priority_queue hold loop, and raw 4-ary / binary heap loops (the
// two queues the Simulator can be built with).
//
// Run: build/bench/engine_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

#include "benchmark/benchmark.h"
#include "sim/core/event_queue.h"
#include "sim/core/random.h"
#include "sim/core/simulator.h"

namespace mlsysim {
namespace {

// Pre-drawn Exp(mean 1 us) increments in ns, shared by every variant so that
// only the queue and dispatch costs differ.
const std::vector<SimTime>& Increments() {
  static const std::vector<SimTime> inc = [] {
    RandomStream r = RandomStreams(1, 0).Stream(0, "hold");
    std::vector<SimTime> v(1 << 16);
    for (SimTime& x : v) x = 1 + static_cast<SimTime>(r.Exponential(1.0 / 1000.0));
    return v;
  }();
  return inc;
}

class HoldHandler : public EventHandler {
 public:
  void HandleEvent(Simulator& sim, const Event& e) override {
    const auto& inc = Increments();
    sim.ScheduleAfter(inc[next_++ & (inc.size() - 1)], e.target, e.kind, e.payload);
  }
  size_t next_ = 0;
};

// The engine: Simulator + handler dispatch.
void BM_EngineHold(benchmark::State& state) {
  const int64_t pending = state.range(0);
  Simulator sim;
  sim.Reserve(static_cast<size_t>(pending) + 1);
  HoldHandler h;
  const uint32_t id = sim.Register(&h);
  const auto& inc = Increments();
  for (int64_t i = 0; i < pending; ++i) sim.ScheduleAt(inc[i & (inc.size() - 1)], id, 0, i);
  for (auto _ : state) sim.Step();
  state.SetItemsProcessed(state.iterations());
}

// Raw hold loops over a queue with the Event struct (no dispatch).
template <typename Queue>
void RawHold(benchmark::State& state) {
  const int64_t pending = state.range(0);
  Queue q;
  q.Reserve(static_cast<size_t>(pending) + 1);
  const auto& inc = Increments();
  uint64_t seq = 0;
  for (int64_t i = 0; i < pending; ++i) q.Push(Event{inc[i & (inc.size() - 1)], seq++, 0, 0, 0});
  size_t next = 0;
  for (auto _ : state) {
    Event e = q.Top();
    q.Pop();
    e.time += inc[next++ & (inc.size() - 1)];
    e.seq = seq++;
    q.Push(e);
  }
  state.SetItemsProcessed(state.iterations());
}
void BM_RawFourAryHeap(benchmark::State& state) { RawHold<FourAryHeap>(state); }
void BM_RawBinaryHeap(benchmark::State& state) { RawHold<BinaryHeap>(state); }

// The baseline: a raw std::priority_queue hold loop over the engine's own
// 32-byte Event (time, seq, target, kind, payload), ordered by (time, seq).
struct LaterThan {
  bool operator()(const Event& a, const Event& b) const { return EarlierThan(b, a); }
};
void BM_StdPriorityQueueHold(benchmark::State& state) {
  const int64_t pending = state.range(0);
  std::vector<Event> storage;
  storage.reserve(static_cast<size_t>(pending) + 1);
  std::priority_queue<Event, std::vector<Event>, LaterThan> q(LaterThan(), std::move(storage));
  const auto& inc = Increments();
  uint64_t seq = 0;
  for (int64_t i = 0; i < pending; ++i) q.push(Event{inc[i & (inc.size() - 1)], seq++, 0, 0, 0});
  size_t next = 0;
  for (auto _ : state) {
    Event e = q.top();
    q.pop();
    e.time += inc[next++ & (inc.size() - 1)];
    e.seq = seq++;
    q.push(e);
  }
  state.SetItemsProcessed(state.iterations());
}

// For reference only: a std::priority_queue of bare (time, seq) pairs, which
// carries no event body at all (a lower bound, not an engine).
void BM_StdPriorityQueueKeysOnly(benchmark::State& state) {
  const int64_t pending = state.range(0);
  using Item = std::pair<SimTime, uint64_t>;
  std::vector<Item> storage;
  storage.reserve(static_cast<size_t>(pending) + 1);
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> q(std::greater<Item>(),
                                                                     std::move(storage));
  const auto& inc = Increments();
  uint64_t seq = 0;
  for (int64_t i = 0; i < pending; ++i) q.push({inc[i & (inc.size() - 1)], seq++});
  size_t next = 0;
  for (auto _ : state) {
    Item e = q.top();
    q.pop();
    q.push({e.first + inc[next++ & (inc.size() - 1)], seq++});
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_EngineHold)->Arg(1000)->Arg(100000)->Arg(1000000)->MinTime(1.0);
BENCHMARK(BM_StdPriorityQueueHold)->Arg(1000)->Arg(100000)->Arg(1000000)->MinTime(1.0);
BENCHMARK(BM_StdPriorityQueueKeysOnly)->Arg(1000)->Arg(100000)->Arg(1000000)->MinTime(1.0);
BENCHMARK(BM_RawFourAryHeap)->Arg(1000)->Arg(100000)->Arg(1000000)->MinTime(1.0);
BENCHMARK(BM_RawBinaryHeap)->Arg(1000)->Arg(100000)->Arg(1000000)->MinTime(1.0);

}  // namespace
}  // namespace mlsysim

BENCHMARK_MAIN();
