// simulator_test.cc — the event engine: ordering, ties, cancel, run-until,
// stop, time formatting, and fingerprint determinism.
#include "sim/core/simulator.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "gtest/gtest.h"
#include "sim/core/random.h"
#include "sim/core/statistics.h"
#include "sim/core/time.h"

namespace mlsysim {
namespace {

// Records (time, kind, payload) of every event it receives.
class Recorder : public EventHandler {
 public:
  struct Seen {
    SimTime time;
    uint32_t kind;
    uint64_t payload;
  };
  void HandleEvent(Simulator& sim, const Event& e) override {
    seen.push_back({sim.now(), e.kind, e.payload});
    if (e.kind == kStopKind) sim.Stop();
  }
  static constexpr uint32_t kStopKind = 99;
  std::vector<Seen> seen;
};

TEST(SimulatorTest, DispatchesInTimeOrder) {
  Simulator sim;
  Recorder r;
  const uint32_t id = sim.Register(&r);
  sim.ScheduleAt(30, id, 0, 3);
  sim.ScheduleAt(10, id, 0, 1);
  sim.ScheduleAt(20, id, 0, 2);
  sim.Run();
  ASSERT_EQ(r.seen.size(), 3u);
  EXPECT_EQ(r.seen[0].payload, 1u);
  EXPECT_EQ(r.seen[1].payload, 2u);
  EXPECT_EQ(r.seen[2].payload, 3u);
  EXPECT_EQ(r.seen[2].time, 30);
  EXPECT_EQ(sim.now(), 30);
  EXPECT_EQ(sim.dispatched(), 3u);
}

TEST(SimulatorTest, EqualTimesLeaveInInsertionOrder) {
  Simulator sim;
  Recorder r;
  const uint32_t id = sim.Register(&r);
  for (uint64_t i = 0; i < 100; ++i) sim.ScheduleAt(5, id, 0, i);
  sim.ScheduleAt(4, id, 0, 1000);
  sim.Run();
  ASSERT_EQ(r.seen.size(), 101u);
  EXPECT_EQ(r.seen[0].payload, 1000u);
  for (uint64_t i = 0; i < 100; ++i) EXPECT_EQ(r.seen[i + 1].payload, i);
}

TEST(SimulatorTest, CancelSkipsTheEvent) {
  Simulator sim;
  Recorder r;
  const uint32_t id = sim.Register(&r);
  sim.ScheduleAt(1, id, 0, 1);
  const EventId doomed = sim.ScheduleAt(2, id, 0, 2);
  sim.ScheduleAt(3, id, 0, 3);
  EXPECT_TRUE(sim.Cancel(doomed));
  EXPECT_FALSE(sim.Cancel(doomed));  // already cancelled
  EXPECT_FALSE(sim.Cancel(12345));   // never issued
  EXPECT_EQ(sim.pending(), 2u);
  sim.Run();
  ASSERT_EQ(r.seen.size(), 2u);
  EXPECT_EQ(r.seen[0].payload, 1u);
  EXPECT_EQ(r.seen[1].payload, 3u);
  EXPECT_EQ(sim.pending(), 0u);
}

TEST(SimulatorTest, RunUntilStopsAtTheLimitAndAdvancesTheClock) {
  Simulator sim;
  Recorder r;
  const uint32_t id = sim.Register(&r);
  sim.ScheduleAt(10, id, 0, 1);
  sim.ScheduleAt(20, id, 0, 2);
  sim.ScheduleAt(21, id, 0, 3);
  sim.RunUntil(20);
  ASSERT_EQ(r.seen.size(), 2u);  // events at exactly the limit run
  EXPECT_EQ(sim.now(), 20);
  sim.RunUntil(100);
  ASSERT_EQ(r.seen.size(), 3u);
  EXPECT_EQ(sim.now(), 100);
  // Scheduling after a run-until counts from the advanced clock.
  sim.ScheduleAfter(5, id, 0, 4);
  sim.Run();
  EXPECT_EQ(r.seen.back().time, 105);
}

TEST(SimulatorTest, StopReturnsAfterTheCurrentEvent) {
  Simulator sim;
  Recorder r;
  const uint32_t id = sim.Register(&r);
  sim.ScheduleAt(1, id, 0, 1);
  sim.ScheduleAt(2, id, Recorder::kStopKind, 2);
  sim.ScheduleAt(3, id, 0, 3);
  sim.Run();
  EXPECT_EQ(r.seen.size(), 2u);
  EXPECT_EQ(sim.now(), 2);
  sim.Run();  // resumes
  EXPECT_EQ(r.seen.size(), 3u);
}

TEST(SimulatorTest, NeverSchedulesInThePast) {
  Simulator sim;
  Recorder r;
  const uint32_t id = sim.Register(&r);
  sim.ScheduleAt(50, id, 0, 1);
  sim.Run();
  sim.ScheduleAt(10, id, 0, 2);  // clamped to now()
  sim.Run();
  EXPECT_EQ(r.seen.back().time, 50);
}

// A hold-model workload: each event schedules one more at now + Exp(mean 1 us).
class HoldModel : public EventHandler {
 public:
  HoldModel(RandomStream stream, int budget) : stream_(stream), budget_(budget) {}
  void HandleEvent(Simulator& sim, const Event& e) override {
    if (--budget_ <= 0) return;
    sim.ScheduleAfter(SecondsToTime(stream_.Exponential(1e6)), e.target, e.kind % 7 + 1, 0);
  }

 private:
  RandomStream stream_;
  int budget_;
};

uint64_t RunHold(uint64_t seed) {
  Simulator sim;
  RandomStreams streams(seed, 0);
  HoldModel model(streams.Stream(1, "hold"), 20000);
  const uint32_t id = sim.Register(&model);
  for (int i = 0; i < 100; ++i) sim.ScheduleAt(i, id, 0);
  sim.Run();
  return sim.fingerprint();
}

TEST(SimulatorTest, FingerprintIsDeterministicAndSeedSensitive) {
  const uint64_t a = RunHold(42);
  const uint64_t b = RunHold(42);
  const uint64_t c = RunHold(43);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(TimeTest, ConversionsAndFormatting) {
  EXPECT_EQ(SecondsToTime(1.5), 1500000000);
  EXPECT_EQ(SecondsToTime(-3.0), 0);
  EXPECT_EQ(SecondsToTime(1e-9), 1);
  EXPECT_EQ(SecondsToTimeCeil(1.2e-9), 2);
  EXPECT_EQ(SecondsToTimeCeil(2e-9), 2);
  EXPECT_DOUBLE_EQ(TimeToSeconds(kHour), 3600.0);
  EXPECT_EQ(FormatTime(1500000000), "1.500000000 s");
  EXPECT_EQ(FormatTime(2 * kDay + 3 * kHour + 4 * kMinute + 5 * kSecond + 123),
            "2d 03:04:05.000000123");
  EXPECT_EQ(FormatTime(kTimeNever), "never");
}

// The plot grid's quantiles by nested selection equal nearest-rank
// quantiles read off a fully sorted copy, with ties and odd sizes.
TEST(StatisticsTest, QuantileGridEqualsNearestRankOnASortedCopy) {
  std::mt19937_64 rng(7);
  for (size_t n : {1u, 2u, 7u, 100u, 1001u, 54321u}) {
    std::vector<double> v(n);
    for (double& x : v)
      x = std::floor(std::exponential_distribution<double>(1.0)(rng) * 50) / 50;  // ties
    std::vector<double> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    const std::vector<double> grid = QuantileGrid(v);
    const std::vector<double>& ps = CdfGridProbabilities();
    ASSERT_EQ(grid.size(), ps.size());
    for (size_t i = 0; i < ps.size(); ++i) {
      const double rank = std::ceil(ps[i] * n);
      const size_t k = rank < 1 ? 0 : std::min(n - 1, static_cast<size_t>(rank) - 1);
      EXPECT_EQ(grid[i], sorted[k]) << "n " << n << " p " << ps[i];
    }
    EXPECT_EQ(grid.front(), sorted.front());
    EXPECT_EQ(grid.back(), sorted.back());
  }
  std::vector<double> none;
  EXPECT_TRUE(QuantileGrid(none).empty());
}

}  // namespace
}  // namespace mlsysim
