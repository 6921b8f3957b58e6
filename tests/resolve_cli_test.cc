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
      {{"simulate", "training", "--model", "Llama3_8B", "--nodes", "1", "--batch-size", "8", "--precision", "fp7"},
       "training.precision (--precision): unknown precision 'fp7'; accepted: fp32, tf32, bf16"},
      {{"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas", "1", "--qps", "1", "--requests", "10",
        "--precision", "fp7"},
       "serving.precision (--precision): unknown precision 'fp7'"},
      {{"eval", "Llama3_8B", "H100", "-p", "fp7"}, "--precision: unknown precision 'fp7'"},
      {{"serve", "Llama3_8B", "H100", "-p", "fp7"}, "--precision: unknown precision 'fp7'; accepted: fp32"},
  };
  for (const Case& c : cases) {
    const CliRun r = Mlsysim(c.args);
    EXPECT_EQ(r.code, 1) << c.args[1] << r.out;
    EXPECT_NE(r.err.find(c.names), std::string::npos) << r.err;
  }
  const std::string scen = ::testing::TempDir() + "/fp7.textproto";
  std::ofstream(scen) << "cluster { nodes: 1 } training { model: \"Llama3_8B\" global_batch_size: 8 "
                         "precision: \"fp7\" }\n";
  const CliRun f = Mlsysim({"simulate", scen});
  EXPECT_EQ(f.code, 1);
  EXPECT_NE(f.err.find("training.precision: unknown precision 'fp7'"), std::string::npos) << f.err;
}


TEST(ResolveCliTest, TheJobQueueCountsTheNodeTypesGpus) {
  // A user node type with 4 GPUs: 6 nodes give the queue 24 GPUs (not 6 × 8).
  const std::string reg = ::testing::TempDir() + "/quad.registry.textproto";
  std::ofstream(reg) << "node { key: \"Quad_H100\" name: \"4 x H100\" accelerator: \"H100\" "
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


}  // namespace
}  // namespace mlsysim
