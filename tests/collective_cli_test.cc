// collective_cli_test.cc — `mlsysim simulate collective`: the quick form's
// JSON contract against the α-β closed forms (ring, hierarchical, direct on a
// fat-tree), the message-sweep series only when something will use them, and
// bad input.
#include <fstream>
#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "sim/scenario/runners.h"
#include "tests/cli_runner.h"
#include "tests/result_testing.h"

namespace mlsysim {
namespace {

TEST(CollectiveCliTest, CollectiveQuickForm) {
  const CliRun r = Mlsysim({"-o", "json", "simulate", "collective", "--op", "allreduce",
                            "--algorithm", "ring", "--ranks", "8", "--message", "1 GB",
                            "--bandwidth", "50 GB/s", "--latency", "500 ns"});
  ASSERT_EQ(r.code, 0) << r.err;
  ParsedResult j(r.out);
  EXPECT_NEAR(j.Ana("simulated_time_s"), 0.035007, 1e-12);
  EXPECT_NEAR(j.Sim("simulated_time_s"), 0.035007, 1e-9);
  EXPECT_LT(std::abs(j.Gap("simulated_time_s")), 1e-6);
  EXPECT_GT(j.r.events(), 0u);
}

// --nics-per-node: a direct all-to-all over two nodes of 8 GPUs is bound by
// the NICs (each GPU sends half its message across at 50 GB/s, NVLink's share
// is 7/16 at 900 GB/s); with 4 NICs two GPUs share each port: exactly twice
// the time. A count that does not divide the GPUs names the field.
TEST(CollectiveCliTest, FewerNicsThanGpusShareThePorts) {
  std::vector<std::string> args = {"-o", "json", "simulate", "collective", "--op", "alltoall",
                                   "--algorithm", "direct", "--ranks", "16", "--gpus-per-node",
                                   "8", "--message", "1GB", "--bandwidth", "900GB/s", "--latency",
                                   "0us", "--inter-bandwidth", "50GB/s", "--inter-latency", "0us"};
  const CliRun own = Mlsysim(args);
  args.insert(args.end(), {"--nics-per-node", "4"});
  const CliRun shared = Mlsysim(args);
  ASSERT_EQ(own.code, 0) << own.err;
  ASSERT_EQ(shared.code, 0) << shared.err;
  const double a = ParsedResult(own.out).Sim("simulated_time_s");
  const double b = ParsedResult(shared.out).Sim("simulated_time_s");
  EXPECT_NEAR(a, 0.5e9 / 50e9, 1e-9);
  EXPECT_NEAR(b / a, 2, 1e-9);
  args.back() = "3";
  const CliRun bad = Mlsysim(args);
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("collective.nics_per_node (3)"), std::string::npos) << bad.err;
}

TEST(CollectiveCliTest, HierarchicalReportsTheMlsysimQuirk) {
  const CliRun r = Mlsysim({"-o",
                            "json",
                            "simulate",
                            "collective",
                            "--algorithm",
                            "hierarchical",
                            "--ranks",
                            "64",
                            "--gpus-per-node",
                            "8",
                            "--message",
                            "4 GB",
                            "--bandwidth",
                            "900 GB/s",
                            "--latency",
                            "0.5 us",
                            "--inter-bandwidth",
                            "400 Gbps",
                            "--inter-latency",
                            "5 us"});
  ASSERT_EQ(r.code, 0) << r.err;
  ParsedResult j(r.out);
  EXPECT_LT(std::abs(j.Gap("simulated_time_s")), 1e-6);
  EXPECT_LT(j.Gap("mlsysim_v011_time_s"), 0);
}

TEST(CollectiveCliTest, DirectAllToAllOnAFatTreeAndSeriesOnlyWhenWanted) {
  // 256 ranks, one 50 GB/s NIC each, non-blocking fat-tree under D-mod-k:
  // (N-1)/N * M/beta + alpha = 255/256 * 256 MB / 50 GB/s + 1 us = 5.1010 ms.
  const std::vector<std::string> args = {"simulate",    "collective", "--op",      "alltoall",
                                         "--algorithm", "direct",     "--ranks",   "256",
                                         "--topology",  "fat_tree_2", "--message", "256MB",
                                         "--bandwidth", "50GB/s",     "--latency", "1us"};
  std::vector<std::string> json = {"-o", "json"};
  json.insert(json.end(), args.begin(), args.end());
  const CliRun r = Mlsysim(json);
  ASSERT_EQ(r.code, 0) << r.err;
  ParsedResult j(r.out);
  EXPECT_NEAR(j.Ana("simulated_time_s"), 255.0 / 256 * 256e6 / 50e9 + 1e-6, 1e-12);
  EXPECT_LT(std::abs(j.Gap("simulated_time_s")), 1e-6);
  EXPECT_EQ(j.Num("steps"), 1);
  // JSON keeps the message sweep (the collective rerun at 1/4 ... 1/1024);
  // a run whose caller wants no series (text output, sweeps) runs it once.
  auto points = [](const result::Result& res) {
    for (const auto& s : res.series())
      if (s.name() == "time_by_message" && s.source() == "simulated") return s.x_size();
    return -1;
  };
  EXPECT_EQ(points(j.r), 6);
  scenario::Scenario sc;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      "cluster { topology: \"fat_tree_2\" } collective { op: \"alltoall\" algorithm: \"direct\" "
      "ranks: 256 "
      "message: \"256MB\" bandwidth: \"50GB/s\" latency: \"1us\" }",
      &sc));
  RunContext rc;
  rc.plot_series = false;
  auto lean = RunCollective(sc, rc);
  ASSERT_TRUE(lean.ok()) << lean.status();
  EXPECT_EQ(points(*lean), 1);
  EXPECT_EQ(lean->fingerprint(), j.r.fingerprint());
  EXPECT_EQ(lean->events(), j.r.events());
}

// A ring as flow classes (issue 22) against the same ring per flow
// (--no-aggregation): the same time to the clock's nanosecond on a single
// switch, a 2-tier fat-tree with 8 GPUs per node (dmodk and spray, 2:1
// oversubscribed) and a rail-optimized fabric; all-gather too. Then a ring of
// 16,384 ranks (per flow refused past 8,192) against its α-β closed form.
// NCCL's double binary tree (issue 22) on 16 DGX H100 nodes (128 ranks, the
// tree over NVLink inside a node and the NICs across): on a single switch and
// under spray every rank's busiest link carries three half-buffers (0.5 GB
// each at 50 GB/s: 30 ms) after the 2·7·α fill, as the closed form counts;
// under D-mod-k on a fat-tree the trees' edges, unlike a ring's shift, meet
// on leaf up-links (four half-buffers: 40 ms), the gap the closed form leaves.
// Past the flat ring's 8,192-rank bound: 4(N − 1) flows, not N².
TEST(CollectiveCliTest, DoubleTreeMeetsItsClosedFormWhereTheFabricIsNonBlocking) {
  for (const std::string topology : {"single_switch", "fat_tree_2"}) {
    for (const std::string routing : {"dmodk", "spray"}) {
      const CliRun r = Mlsysim({"-o", "json", "simulate", "collective", "--op", "allreduce",
                                "--algorithm", "double_tree", "--node", "DGX_H100", "--nodes",
                                "16", "--message", "1GB", "--topology", topology, "--routing",
                                routing});
      ASSERT_EQ(r.code, 0) << r.err;
      ParsedResult j(r.out);
      EXPECT_NEAR(j.Ana("simulated_time_s"), 0.030 + 14 * 5e-6, 1e-12);
      const bool collides = topology == "fat_tree_2" && routing == "dmodk";
      EXPECT_NEAR(j.Sim("simulated_time_s"), collides ? 0.040 + 14 * 5e-6 : 0.030 + 14 * 5e-6,
                  1e-9)
          << topology << " " << routing;
    }
  }
  const CliRun big = Mlsysim({"-o", "json", "simulate", "collective", "--op", "allreduce",
                              "--algorithm", "double_tree", "--ranks", "20000", "--message", "1GB",
                              "--bandwidth", "50GB/s", "--latency", "5us"});
  ASSERT_EQ(big.code, 0) << big.err;
  ParsedResult j(big.out);
  EXPECT_EQ(j.Num("flows"), 4 * (20000 - 1));
  EXPECT_NEAR(j.Sim("simulated_time_s"), 2 * 15 * 5e-6 + 2 * 1e9 / 50e9, 1e-9);  // depth 15
  const CliRun rs = Mlsysim({"simulate", "collective", "--op", "reducescatter", "--algorithm",
                             "double_tree", "--ranks", "8", "--message", "1GB", "--bandwidth",
                             "50GB/s", "--latency", "5us"});
  EXPECT_EQ(rs.code, 1);
  EXPECT_NE(rs.err.find("allreduce only"), std::string::npos) << rs.err;
}

TEST(CollectiveCliTest, RingAsFlowClassesEqualsPerFlow) {
  const std::vector<std::vector<std::string>> cases = {
      {"--ranks", "64", "--bandwidth", "50 GB/s", "--latency", "5 us"},
      {"--ranks", "256", "--gpus-per-node", "8", "--bandwidth", "450 GB/s", "--latency",
       "0.5 us", "--inter-bandwidth", "50 GB/s", "--inter-latency", "5 us", "--topology",
       "fat_tree_2"},
      {"--ranks", "256", "--gpus-per-node", "8", "--bandwidth", "450 GB/s", "--latency",
       "0.5 us", "--inter-bandwidth", "50 GB/s", "--inter-latency", "5 us", "--topology",
       "fat_tree_2", "--routing", "spray", "--oversubscription", "2"},
      {"--ranks", "256", "--gpus-per-node", "8", "--bandwidth", "450 GB/s", "--latency",
       "0.5 us", "--inter-bandwidth", "50 GB/s", "--inter-latency", "5 us", "--topology",
       "fat_tree_2", "--oversubscription", "2", "--op", "allgather"},
      {"--ranks", "128", "--gpus-per-node", "8", "--bandwidth", "450 GB/s", "--latency",
       "0.5 us", "--inter-bandwidth", "50 GB/s", "--inter-latency", "5 us", "--topology",
       "rail_optimized"}};
  for (const auto& extra : cases) {
    std::vector<std::string> args = {"-o", "json", "simulate", "collective", "--message", "1 GB"};
    args.insert(args.end(), extra.begin(), extra.end());
    const CliRun classes = Mlsysim(args);
    ASSERT_EQ(classes.code, 0) << classes.err;
    args.push_back("--no-aggregation");
    const CliRun per_flow = Mlsysim(args);
    ASSERT_EQ(per_flow.code, 0) << per_flow.err;
    ParsedResult a(classes.out), b(per_flow.out);
    EXPECT_NE(a.Text("flow_aggregation").find("flow classes for"), std::string::npos)
        << a.Text("flow_aggregation");
    EXPECT_EQ(b.Text("flow_aggregation"), "off (--no-aggregation)");
    EXPECT_EQ(a.Num("flows"), b.Num("flows"));
    EXPECT_LT(a.Num("simulated_flows") * 4, a.Num("flows"));
    EXPECT_NEAR(a.Sim("simulated_time_s"), b.Sim("simulated_time_s"), 1e-9) << extra[1];
  }
  const std::vector<std::string> big = {"-o", "json", "simulate", "collective", "--ranks",
                                        "16384", "--message", "1 GB", "--bandwidth", "50 GB/s",
                                        "--latency", "5 us"};
  const CliRun r = Mlsysim(big);
  ASSERT_EQ(r.code, 0) << r.err;
  ParsedResult j(r.out);
  EXPECT_EQ(j.Num("flows"), 2.0 * 16383 * 16384);
  EXPECT_LT(std::abs(j.Gap("simulated_time_s")), 1e-6);  // ring α-β on an idle switch
  std::vector<std::string> per_flow = big;
  per_flow.push_back("--no-aggregation");
  const CliRun refused = Mlsysim(per_flow);
  EXPECT_EQ(refused.code, 1);
  EXPECT_NE(refused.err.find("at most 8192 ranks per flow"), std::string::npos) << refused.err;
}

TEST(CollectiveCliTest, CollectiveBadInput) {
  EXPECT_EQ(Mlsysim({"simulate", "collective", "--ranks", "8", "--message", "1 GB", "--bandwidth",
                     "0 GB/s", "--latency", "1 us"})
                .code,
            1);
  CliRun r = Mlsysim({"simulate", "collective", "--ranks", "8", "--message", "1 GB", "--bandwidth",
                      "50 GB", "--latency", "1 us"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--bandwidth"), std::string::npos);
  r = Mlsysim({"simulate", "collective", "--op", "alltoall", "--algorithm", "tree", "--ranks", "8",
               "--message", "1 GB", "--bandwidth", "50 GB/s", "--latency", "1 us"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("pairwise"), std::string::npos);
  EXPECT_EQ(Mlsysim({"simulate", "collective", "--ranks", "8", "--message", "-1 GB", "--bandwidth",
                     "5 GB/s", "--latency", "1 us"})
                .code,
            1);
}

}  // namespace
}  // namespace mlsysim
