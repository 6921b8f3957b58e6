// resolve_cli_test.cc — what sim/scenario/resolve.h settles for every form:
// closed vocabularies refused by field and flag (precision), and the cluster's
// GPUs taken from its node type in the registry.
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/cli_runner.h"
#include "tests/result_testing.h"

namespace mlsysim {
namespace {

TEST(ResolveCliTest, UnknownPrecisionIsRefusedOnEveryFormThatTakesOne) {
  struct Case {
    std::vector<std::string> args;
    const char* names;
  } cases[] = {
      {{"simulate", "training", "--model", "Llama3_8B", "--nodes", "1", "--batch-size", "8",
        "--precision", "fp7"},
       "training.precision (--precision): unknown precision 'fp7'; accepted: fp32, tf32, bf16"},
      {{"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas", "1",
        "--qps", "1", "--requests", "10", "--precision", "fp7"},
       "serving.precision (--precision): unknown precision 'fp7'"},
      {{"eval", "Llama3_8B", "H100", "-p", "fp7"}, "--precision: unknown precision 'fp7'"},
      {{"serve", "Llama3_8B", "H100", "-p", "fp7"},
       "--precision: unknown precision 'fp7'; accepted: fp32"},
  };
  for (const Case& c : cases) {
    const CliRun r = Mlsysim(c.args);
    EXPECT_EQ(r.code, 1) << c.args[1] << r.out;
    EXPECT_NE(r.err.find(c.names), std::string::npos) << r.err;
  }
  const std::string scen = ::testing::TempDir() + "/fp7.textproto";
  std::ofstream(scen)
      << "cluster { nodes: 1 } training { model: \"Llama3_8B\" global_batch_size: 8 "
         "precision: \"fp7\" }\n";
  const CliRun f = Mlsysim({"simulate", scen});
  EXPECT_EQ(f.code, 1);
  EXPECT_NE(f.err.find("training.precision: unknown precision 'fp7'"), std::string::npos) << f.err;
}

TEST(ResolveCliTest, TheJobQueueCountsTheNodeTypesGpus) {
  // A user node type with 4 GPUs: 6 nodes give the queue 24 GPUs (not 6 × 8).
  const std::string reg = ::testing::TempDir() + "/quad.registry.textproto";
  std::ofstream(reg)
      << "node { key: \"Quad_H100\" name: \"4 x H100\" accelerator: \"H100\" "
         "accelerators_per_node: 4 intra_node_bandwidth: \"900 GB/s\" nics_per_node: 4 "
         "psus_per_node: 1 }\n";
  const std::string scen = ::testing::TempDir() + "/quad_jobs.textproto";
  std::ofstream(scen) << "cluster { node: \"Quad_H100\" nodes: 6 } replications: 1 job_queue { "
                         "arrival_rate_per_day: 4 duration: \"6 hour\" job_gpus: 4 jobs: 200 }\n";
  const CliRun r = Mlsysim({"-o", "json", "--registry", reg, "simulate", scen});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(ParsedResult(r.out).Num("gpus"), 24);
  // The default node type (DGX_H100) still gives 8 each.
  const std::string dgx = ::testing::TempDir() + "/dgx_jobs.textproto";
  std::ofstream(dgx) << "cluster { nodes: 6 } replications: 1 job_queue { arrival_rate_per_day: 4 "
                        "duration: \"6 hour\" job_gpus: 4 jobs: 200 }\n";
  const CliRun d = Mlsysim({"-o", "json", "simulate", dgx});
  ASSERT_EQ(d.code, 0) << d.err;
  EXPECT_EQ(ParsedResult(d.out).Num("gpus"), 48);
}

TEST(ResolveCliTest, IntraNodeBandwidthOverridesTheNodeTypesNvlink) {
  // The field added through the flag table (proto, resolve, table row): the
  // TP all-reduces run on NVLink, so their time is A/beta + B (ring alpha-beta
  // per all-reduce): equal steps in 1/beta give equal steps in time, and the
  // registry's 900 GB/s equals not setting it on the roofline machine; the
  // calibrated machine takes the registry figure as both directions (450 GB/s
  // each way), a figure given as per direction.
  auto tp_comm = [](const std::string& bw, const std::string& machine = "roofline") {
    std::vector<std::string> a = {"-o",      "json",      "simulate",     "training",
                                  "--model", "Llama3_8B", "--nodes",      "1",
                                  "--tp",    "8",         "--batch-size", "8",
                                  "--hardware-model", machine};
    if (!bw.empty()) {
      a.push_back("--intra-node-bandwidth");
      a.push_back(bw);
    }
    const CliRun r = Mlsysim(a);
    EXPECT_EQ(r.code, 0) << r.err;
    const ParsedResult j(r.out);
    for (const auto& sec : j.r.sections())
      for (const auto& m : sec.metrics())
        if (m.name() == "tp_communication_s") return m.simulated();
    return -1.0;
  };
  const double base = tp_comm(""), t900 = tp_comm("900 GB/s"), t450 = tp_comm("450 GB/s"),
               t300 = tp_comm("300 GB/s");
  ASSERT_GT(base, 0);
  EXPECT_DOUBLE_EQ(t900, base);
  EXPECT_DOUBLE_EQ(tp_comm("", "calibrated"), tp_comm("450 GB/s", "calibrated"));
  // 1/beta steps of 1/900 (GB/s)^-1: 900 -> 450 -> 300.
  EXPECT_GT(t450 - t900, 0.5 * t900);
  EXPECT_NEAR(t300 - t450, t450 - t900, 1e-6 * t300);
  // And the step's size from the alpha-beta form alone (the latency terms
  // cancel): 4 all-reduces per layer x 32 layers, and one of the embedding's
  // output, of 2 (N-1)/N x tokens x hidden x 2 B, over all 8 x 2,048 tokens
  // of the replica (Llama-3-8B: 32 layers, hidden 4096;
  // docs/mlsysim_v0.1.1_contract.md), at 1/450 - 1/900 (GB/s)^-1 — a 10 %
  // error in the bandwidth used would show here.
  const double bytes = (4 * 32 + 1) * 2 * (7.0 / 8) * (8 * 2048.0) * 4096 * 2;
  const double step = bytes * (1 / 450e9 - 1 / 900e9);
  EXPECT_NEAR(t450 - t900, step, 1e-6 * step);
  const CliRun bad = Mlsysim({"simulate", "training", "--model", "Llama3_8B", "--nodes", "1",
                              "--batch-size", "8", "--intra-node-bandwidth", "450 GB"});
  EXPECT_EQ(bad.code, 1);
  EXPECT_NE(bad.err.find("cluster.intra_node_bandwidth"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("--intra-node-bandwidth"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace mlsysim
