// warning_rules_test.cc — the warnings a run gives about its own statistics,
// each checked on both sides of its threshold with the threshold computed
// here by hand: a queue run shorter than 50 relaxation times (Whitt's
// S/(1−√ρ)²) and a serving fleet offered more load than it completes.
#include <cmath>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cli_runner.h"
#include "tests/result_testing.h"

namespace mlsysim {
namespace {

int CountWarnings(const CliRun& r, const std::string& says) {
  const ParsedResult j(r.out);
  int n = 0;
  for (const std::string& w : j.r.warnings()) n += w.find(says) != std::string::npos;
  return n;
}

CliRun Queue(int requests) {
  return Mlsysim({"-o", "json", "simulate", "queue", "--servers", "1", "--arrival-rate", "0.9",
                  "--service-time", "1", "--requests", std::to_string(requests), "--replications",
                  "2"});
}

TEST(WarningRulesTest, AQueueRunShorterThanFiftyRelaxationTimesSaysSo) {
  // M/M/1 at ρ = 0.9, S = 1 s: relaxation time 1/(1 − √0.9)² = 379.74 s. A
  // replication of n requests covers n/λ·(1 − 0.05 warm-up) seconds, so 50
  // relaxation times need n ≥ 50·379.74·0.9/0.95 = 17,988 requests.
  const double relaxation = 1 / std::pow(1 - std::sqrt(0.9), 2);
  const int needed = static_cast<int>(std::ceil(50 * relaxation * 0.9 / 0.95));
  ASSERT_EQ(needed, 17988);
  const CliRun short_run = Queue(needed - 100);
  ASSERT_EQ(short_run.code, 0) << short_run.err;
  EXPECT_EQ(CountWarnings(short_run, "relaxation times (S/(1-sqrt(rho))^2 = 379.7) < 50"), 1)
      << short_run.err;
  EXPECT_NE(short_run.err.find("use queue.requests >= 1.8e+04"), std::string::npos);
  const CliRun long_run = Queue(needed + 100);
  ASSERT_EQ(long_run.code, 0) << long_run.err;
  EXPECT_EQ(CountWarnings(long_run, "relaxation times"), 0) << long_run.err;
}

CliRun Serving(const std::string& qps) {
  return Mlsysim({"-o", "json", "simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100",
                  "--replicas", "1", "--qps", qps, "--requests", "2000", "--replications", "1"});
}

TEST(WarningRulesTest, ServingOverCapacitySaysTheRunIsUnstable) {
  // One H100 serving Llama-3-8B completes ~45 requests/s of the default
  // lengths (measured by the overloaded run itself). Offered 200/s, fewer
  // than 95 % complete per second and queueing grows: warned. Offered 5/s
  // (a ninth of capacity), it is stable: no warning.
  const CliRun over = Serving("200");
  ASSERT_EQ(over.code, 0) << over.err;
  EXPECT_EQ(CountWarnings(over, "offered load exceeds capacity: 200 requests/s arrive"), 1)
      << over.err;
  const ParsedResult j(over.out);
  ASSERT_TRUE(j.Has("throughput_requests_per_s")) << over.out.substr(0, 400);
  EXPECT_LT(j.Sim("throughput_requests_per_s"), 0.95 * 200);
  const CliRun under = Serving("5");
  ASSERT_EQ(under.code, 0) << under.err;
  EXPECT_EQ(CountWarnings(under, "offered load exceeds capacity"), 0) << under.err;
}

}  // namespace
}  // namespace mlsysim
