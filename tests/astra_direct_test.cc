// astra_direct_test.cc — ASTRA-sim's "direct" collectives (its AllToAll
// algorithm class) in the compatibility backends, against timings derived
// by hand from ASTRA-sim's code, and the flow backend's direct schedule
// against its α-β form; unknown implementation names are refused.
//
// How the hand forms follow from ASTRA-sim 2.x (system/collective/AllToAll.cc
// and Ring.cc, PacketBundle.cc, MemBus.cc; astra-network-analytical
// congestion_unaware/BasicTopology.cc, congestion_aware/Link.cc): with the
// window W = N−1 a stream inserts N−1 packets at once; each crosses the
// memory bus (e cycles) and is then sent, so all N−1 messages of s bytes
// leave at cycle e, one to each peer in ring order. Each arrival inserts a
// packet that crosses the bus again (e, plus 3·⌊s/L⌋ when reduced), and the
// stream ends at the last of those crossings. So one chunk takes
//   2e + (latest arrival of the N−1 messages) [+ 3⌊s/L⌋ for reduce-scatter].
// Congestion-unaware: each message takes ⌊h·α + s/B⌋, h = 2 through a Switch,
// the shortest way round a bidirectional Ring (at most ⌊N/2⌋ hops).
// Congestion-aware Switch: the N−1 messages queue on the sender's up-link,
// busy σ = ⌊s/B⌋ each; message m (0-based) reaches the switch at m·σ + δ
// (δ = ⌊α + s/B⌋) and, since in slot m every NPU sends to the peer m+1 away,
// each down-link receives one message per slot: arrival m·σ + 2δ, the last at
// (N−2)·σ + 2δ. Congestion-aware Ring: every link's timeline is the same
// (rotation symmetry), so one FIFO link whose transit arrivals are its own
// departures δ later gives the answer (RingLinkFinish below) — a different
// computation from the simulator's message-by-message one over all links.
// All-reduce (middle point): the second N−1 messages leave once all of the
// first N−1 are in and reduced: 3e + 2D + 3⌊s/L⌋ through a Switch.
// S chunks with one active at a time: S times one chunk.
#include <algorithm>
#include <cmath>
#include <deque>
#include <fstream>
#include <queue>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "proto/chakra.pb.h"
#include "sim/network/astra_direct.h"
#include "sim/network/astra_timing.h"
#include "sim/network/chakra_runner.h"
#include "tests/chakra_testing.h"
#include "traces/astra_platform.h"
#include "traces/chakra_trace.h"

namespace mlsysim {
namespace {

constexpr double kGiB = 1073741824.0;

AstraDimension Dim(AstraTopology t, int n, double gb_s, double latency_ns) {
  return {t, n, gb_s, gb_s * kGiB / 1e9, latency_ns};
}

AstraSystem System(int splits, double endpoint, double mem_bw) {
  AstraSystem s;
  s.splits = splits;
  s.active_chunks = 1;
  s.endpoint_delay = endpoint;
  s.local_mem_bw = mem_bw;
  return s;
}

int64_t Floor(double x) { return static_cast<int64_t>(std::floor(x)); }

// The latest delivery on a congestion-aware bidirectional Ring, from the
// timeline of one clockwise and one anticlockwise link (see the banner).
int64_t RingLinkFinish(int n, int64_t t0, int64_t delta, int64_t sigma) {
  std::vector<int> clockwise, anticlockwise;  // hop counts in send order j = 1..N−1
  for (int j = 1; j < n; ++j) {
    if (n - j < j)
      anticlockwise.push_back(n - j);
    else
      clockwise.push_back(j);
  }
  int64_t finish = 0;
  for (const auto* local : {&clockwise, &anticlockwise}) {
    std::deque<int> queue(local->begin(), local->end());
    using Arrival = std::pair<int64_t, int>;  // (time, hops left)
    std::queue<Arrival> arrivals;             // times only grow: departures are ordered
    int64_t free_at = t0;
    while (!queue.empty() || !arrivals.empty()) {
      while (!arrivals.empty() && arrivals.front().first <= free_at) {
        queue.push_back(arrivals.front().second);
        arrivals.pop();
      }
      if (queue.empty()) {
        free_at = arrivals.front().first;
        continue;
      }
      const int hops = queue.front();
      queue.pop_front();
      if (hops == 1)
        finish = std::max(finish, free_at + delta);
      else
        arrivals.push({free_at + delta, hops - 1});
      free_at += sigma;
    }
  }
  return finish;
}

TEST(AstraDirectTest, AllToAllMatchesTheHandFormsAt8To256Npus) {
  const int64_t bytes = 64 << 20;
  const double e = 10, alpha = 500;
  for (int n : {8, 64, 256}) {
    for (AstraTopology topo : {AstraTopology::kSwitch, AstraTopology::kRing}) {
      const AstraDimension d = Dim(topo, n, 50, alpha);
      const int splits = n == 256 ? 1 : 4;  // 256 NPUs: one chunk keeps the test short
      const AstraSystem sys = System(splits, e, 1600);
      const double s = static_cast<double>(bytes) / splits / n;
      const int64_t delta = Floor(alpha + s / d.bytes_per_ns), sigma = Floor(s / d.bytes_per_ns);
      int64_t unaware_chunk, aware_chunk;
      if (topo == AstraTopology::kSwitch) {
        unaware_chunk = 2 * 10 + Floor(2 * alpha + s / d.bytes_per_ns);
        aware_chunk = 2 * 10 + 2 * delta + (n - 2) * sigma;
      } else {
        unaware_chunk = 2 * 10 + Floor((n / 2) * alpha + s / d.bytes_per_ns);
        aware_chunk = RingLinkFinish(n, 10, delta, sigma) + 10;
      }
      const char* name = AstraTopologyName(topo);
      auto unaware = AstraDirectCycles(chakra::ALL_TO_ALL, bytes, d, sys, -1, false);
      auto aware = AstraDirectCycles(chakra::ALL_TO_ALL, bytes, d, sys, -1, true);
      ASSERT_TRUE(unaware.ok() && aware.ok()) << unaware.status() << aware.status();
      EXPECT_EQ(*unaware, splits * unaware_chunk) << name << " N=" << n;
      EXPECT_EQ(*aware, splits * aware_chunk) << name << " N=" << n;
      // Direct beats the ring all-to-all by far (N(N−1)/2 serial ring steps).
      auto ring = AstraCollectiveCycles(chakra::ALL_TO_ALL, bytes, d, sys, true);
      ASSERT_TRUE(ring.ok());
      EXPECT_LT(*aware, *ring) << name << " N=" << n;
    }
  }
}

TEST(AstraDirectTest, RingAwareByHandAtEightNpus) {
  // N = 8, s = 4096 B at 50 GiB/s (53.687 B/ns): σ = 76, δ = ⌊500 + 76.29⌋ = 576.
  // Clockwise sends go 1, 2, 3, 4 hops (4 = N/2 goes clockwise), anticlockwise
  // 3, 2, 1. The clockwise link sends its own four at 0, 76, 152, 228; they
  // come back as transits δ later — 652 (1 hop left), 728 (2), 804 (3) — and
  // leave on arrival, then 1304 (1 left) and 1380 (2), then 1956 (1): the last
  // delivery 1956 + 576 = 2532 after the sends start (the anticlockwise link
  // is done at 1728).
  const AstraDimension d = Dim(AstraTopology::kRing, 8, 50, 500);
  EXPECT_EQ(RingLinkFinish(8, 0, 576, 76), 2532);
  auto aware = AstraDirectCycles(chakra::ALL_TO_ALL, 8 * 4096, d, System(1, 10, 1e30), -1, true);
  ASSERT_TRUE(aware.ok());
  EXPECT_EQ(*aware, 10 + 2532 + 10);
}

TEST(AstraDirectTest, OtherCollectivesAndWindows) {
  const double e = 10, alpha = 936.25, mem = 3350;
  const int n = 8;
  const AstraDimension d = Dim(AstraTopology::kSwitch, n, 400, alpha);
  const AstraSystem sys = System(1, e, mem);
  const int64_t bytes = 1 << 20;
  const double s = static_cast<double>(bytes) / n;
  const int64_t dd = Floor(2 * alpha + s / d.bytes_per_ns), reduce = 3 * Floor(s / mem);
  auto rs = AstraDirectCycles(chakra::REDUCE_SCATTER, bytes, d, sys, -1, false);
  auto ag = AstraDirectCycles(chakra::ALL_GATHER, bytes, d, sys, -1, false);
  auto ar = AstraDirectCycles(chakra::ALL_REDUCE, bytes, d, sys, -1, false);
  ASSERT_TRUE(rs.ok() && ag.ok() && ar.ok());
  EXPECT_EQ(*rs, 2 * 10 + dd + reduce);
  EXPECT_EQ(*ag, 2 * 10 + Floor(2 * alpha + bytes / d.bytes_per_ns));  // s = C: each NPU's share
  EXPECT_EQ(*ar, 3 * 10 + 2 * dd + reduce);
  // "direct3": at most 3 messages in flight, so ⌈7/3⌉ = 3 rounds of (D + e), then e.
  auto w3 = AstraDirectCycles(chakra::ALL_TO_ALL, bytes, d, sys, 3, false);
  ASSERT_TRUE(w3.ok());
  EXPECT_EQ(*w3, 3 * (dd + 10) + 10);
}

std::string Write(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(AstraDirectTest, ChakraWorkloadsRunDirectInEveryBackend) {
  const int n = 64;
  const int64_t bytes = 16 << 20;
  auto sys =
      ReadAstraSystem(Write("direct.json",
                            "{\"preferred-dataset-splits\": 1, \"active-chunks-per-dimension\": 1,"
                            " \"endpoint-delay\": 10, \"local-mem-bw\": 1600,"
                            " \"all-to-all-implementation\": [\"direct\"]}"));
  ASSERT_TRUE(sys.ok()) << sys.status();
  AstraNetwork net;
  net.dims.push_back(Dim(AstraTopology::kSwitch, n, 50, 500));
  const auto ranks = OneCollective(n, chakra::ALL_TO_ALL, bytes);
  auto aware = RunChakraWorkload(ranks, {net, *sys, ChakraBackend::kAstraAware});
  auto unaware = RunChakraWorkload(ranks, {net, *sys, ChakraBackend::kAstraUnaware});
  auto flow = RunChakraWorkload(ranks, {net, *sys, ChakraBackend::kFlow});
  ASSERT_TRUE(aware.ok() && unaware.ok() && flow.ok())
      << aware.status() << unaware.status() << flow.status();
  const double b = net.dims[0].bytes_per_ns, s = static_cast<double>(bytes) / n;
  EXPECT_EQ(aware->finish_ns, 20.0 + 2 * Floor(500 + s / b) + (n - 2) * Floor(s / b));
  EXPECT_EQ(unaware->finish_ns, 20.0 + Floor(1000 + s / b));
  // Flow: every rank's N−1 shares leave through its one port at once: (N−1)·s/B + α.
  const double ab = DirectAlphaBetaNs(chakra::ALL_TO_ALL, bytes, n, b, 1000);
  EXPECT_NEAR(ab, (n - 1) * s / b + 1000, 1e-9);
  EXPECT_NEAR(flow->finish_ns, ab, 1e-6 * ab);
  ASSERT_EQ(aware->collectives.size(), 1u);
  EXPECT_TRUE(aware->collectives[0].direct);
  EXPECT_NEAR(aware->collectives[0].alpha_beta_ns, ab, 1e-9 * ab);
}

TEST(AstraDirectTest, UnmodelledImplementationsAreRefusedByName) {
  for (const char* name :
       {"halvingDoubling", "doubleBinaryTree", "oneRing", "oneDirect", "direct0", "directx"}) {
    const std::string path =
        Write("impl.json", std::string("{\"all-to-all-implementation\": [\"") + name + "\"]}");
    auto sys = ReadAstraSystem(path);
    ASSERT_FALSE(sys.ok()) << name;
    const std::string msg(sys.status().message());
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
    EXPECT_NE(msg.find("all-to-all-implementation"), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::string("'") + name + "' is not modelled"), std::string::npos) << msg;
    EXPECT_NE(msg.find("accepted: ring, direct, directK"), std::string::npos) << msg;
  }
  auto w = ParseAstraImplementation("direct16");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w->window, 16);
  // A window is a compatibility-backend notion; the flow backend says so.
  AstraSystem sys = System(1, 10, 1600);
  sys.all_to_all.push_back(*w);
  AstraNetwork net;
  net.dims.push_back(Dim(AstraTopology::kSwitch, 8, 50, 500));
  auto flow = RunChakraWorkload(OneCollective(8, chakra::ALL_TO_ALL, 1 << 20),
                                {net, sys, ChakraBackend::kFlow});
  ASSERT_FALSE(flow.ok());
  EXPECT_NE(flow.status().message().find("'direct16'"), std::string::npos) << flow.status();
}

}  // namespace
}  // namespace mlsysim
