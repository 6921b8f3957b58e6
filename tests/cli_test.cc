// cli_test.cc — the command line: exit codes, error messages naming the
// problem, JSON shapes, the tutorial demo, plans, and `solve` streaming.
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/cli_runner.h"

namespace mlsysim {
namespace {

std::string Data(const char* name) { return std::string(MLSYSIM_TEST_DATA_DIR) + "/" + name; }

TEST(CliTest, TutorialFirstDemo) {
  const CliRun r = Mlsysim({"eval", "Llama3_8B", "H100"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("5.603 ms"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("178.46/s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Memory"), std::string::npos);
}

TEST(CliTest, EvalJsonIsMlsysimsFlatDict) {
  const CliRun r = Mlsysim({"-o", "json", "eval", "Llama3_8B", "H100", "-b", "32"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["f_status"], "PASS");
  EXPECT_EQ(j["p_status"], "PASS");
  EXPECT_EQ(j["m_status"], "SKIPPED");
  EXPECT_GT(j["p_throughput"].template get<double>(), 178.46);
  EXPECT_FALSE(j.contains("macro"));
}

TEST(CliTest, InfeasibleEvaluationFailsBothLevels) {
  const CliRun r = Mlsysim({"-o", "json", "eval", "GPT4", "ESP32"});
  EXPECT_EQ(r.code, 2);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["f_status"], "FAIL");
  EXPECT_EQ(j["p_status"], "FAIL");
}

TEST(CliTest, ZooHardwareJsonListsAll28) {
  const CliRun r = Mlsysim({"zoo", "hardware", "--output", "json"});
  ASSERT_EQ(r.code, 0);
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["hardware"].size(), 28u);
  // Sorted by peak, descending.
  for (size_t i = 1; i < j["hardware"].size(); ++i)
    EXPECT_GE(j["hardware"][i - 1]["flops"].template get<double>(),
              j["hardware"][i]["flops"].template get<double>());
  for (const char* cat : {"models", "systems", "grids", "constants"})
    EXPECT_EQ(Mlsysim({"zoo", cat}).code, 0) << cat;
}

TEST(CliTest, BadInputExitsOneNamingTheProblem) {
  CliRun r = Mlsysim({"eval", "Llama9_8B", "H100"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("Llama9_8B"), std::string::npos);
  EXPECT_NE(r.err.find("Llama3_8B"), std::string::npos);  // closest match
  r = Mlsysim({"frobnicate"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("frobnicate"), std::string::npos);
  r = Mlsysim({"zoo", "gpus"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("gpus"), std::string::npos);
  r = Mlsysim({"eval", "Llama3_8B", "H100", "-b", "-4"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("batch-size"), std::string::npos);
  r = Mlsysim({"eval", "Llama3_8B", "H100", "-e", "1.5"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("efficiency"), std::string::npos);
  r = Mlsysim({"eval", "Llama3_8B", "H100", "--bogus"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--bogus"), std::string::npos);
  r = Mlsysim({"-o", "json", "eval", "Llama3_8B", "H100", "-p", "fp7"});
  EXPECT_EQ(r.code, 1);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["status"], "error");
  EXPECT_NE(j["reason"].get<std::string>().find("fp7"), std::string::npos);
}

TEST(CliTest, MalformedRegistryFileExitsOne) {
  const CliRun r = Mlsysim({"--registry", Data("bad_registry.textproto"), "zoo"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("bad_registry.textproto"), std::string::npos);
  EXPECT_NE(r.err.find("memory_bandwidth"), std::string::npos);
  const CliRun ok =
      Mlsysim({"--registry", Data("user_registry.textproto"), "eval", "MyChip24", "Llama3_8B"});
  EXPECT_EQ(ok.code, 1);  // arguments swapped: MODEL first
  const CliRun good =
      Mlsysim({"--registry", Data("user_registry.textproto"), "eval", "Llama3_8B", "MyChip24"});
  EXPECT_EQ(good.code, 0) << good.err;
}

TEST(CliTest, SlaPlanExitsThreeWithOneJsonObject) {
  const CliRun r = Mlsysim({"-o", "json", "eval", Data("test_assert_plan.yaml")});
  EXPECT_EQ(r.code, 3) << r.err;
  auto j = nlohmann::json::parse(r.out);  // a single JSON object
  EXPECT_EQ(j["status"], "sla_failed");
  EXPECT_FALSE(j["violations"].empty());
  EXPECT_TRUE(j.contains("m_tco_usd"));
}

TEST(CliTest, FleetPlanEvaluatesMacro) {
  const CliRun r = Mlsysim({"-o", "json", "eval", Data("test_fleet_plan.yaml")});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["m_status"], "PASS");
  EXPECT_GT(j["m_tco_usd"].template get<double>(), 0);
  EXPECT_FALSE(j.contains("macro"));
}

TEST(CliTest, OptimizeParallelismPlan) {
  const CliRun r = Mlsysim({"-o", "json", "optimize", "parallelism", Data("test_fleet_plan.yaml")});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j.contains("best_config"));
  EXPECT_TRUE(j["top_candidates"].is_array());
  const CliRun p = Mlsysim({"-o", "json", "optimize", "placement", Data("test_fleet_plan.yaml")});
  ASSERT_EQ(p.code, 0) << p.err;
  EXPECT_EQ(nlohmann::json::parse(p.out)["best_region"], "Quebec");
  const CliRun b = Mlsysim({"-o", "json", "optimize", "batching", Data("test_fleet_plan.yaml"),
                            "--sla-ms", "100000", "--qps", "1"});
  ASSERT_EQ(b.code, 0) << b.err;
}

TEST(CliTest, ServeJson) {
  const CliRun r = Mlsysim({"-o", "json", "serve", "Llama3_8B", "H100"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["ttft_ms"].template get<double>(), 70.97037058756726, 1e-9);
  EXPECT_NEAR(j["itl_ms"].template get<double>(), 5.194159837611941, 1e-9);
  EXPECT_EQ(j["memory_utilization"].template get<double>(), 0.19);
  EXPECT_EQ(Mlsysim({"serve", "ResNet50", "H100"}).code, 1);
}

TEST(CliTest, SolveKeepsGoingAfterABadLine) {
  const std::string path = ::testing::TempDir() + "solve_in.jsonl";
  std::ofstream(path)
      << R"({"id": 1, "request": {"solver": "TailLatencyModel", "args": {"arrival_rate_qps": 5, "service_latency_ms": 100}}})"
         "\n"
      << R"({"id": "two", "request": {"solver": "Engine", "args": {"model": "Llama3_8B", "hardware": "H100", "efficiency": 50}}})"
         "\n"
      << "not json\n"
      << R"({"id": 4, "request": {"solver": "NoSuchSolver", "args": {}}})"
         "\n"
      << R"({"id": 5, "request": {"solver": "Engine", "args": {"model": "Llama3_8B", "hardware": "H100", "batchsize": 2}}})"
         "\n"
      << R"({"id": 6, "request": {"solver": "DataModel", "args": {"workload_data_rate": "19 TB/hrs", "hardware": "H100"}}})"
         "\n"
      << R"({"id": 7, "request": {"solver": "calc_pipeline_bubble", "args": {"n_stages": 4, "n_microbatches": 8}}})"
         "\n";
  const CliRun r = Mlsysim({"solve", path});
  EXPECT_EQ(r.code, 1);
  std::istringstream lines(r.out);
  std::vector<nlohmann::json> out;
  for (std::string l; std::getline(lines, l);) out.push_back(nlohmann::json::parse(l));
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[0]["id"], 1);
  EXPECT_NEAR(out[0]["result"]["p99_latency"].get<double>(), 0.8824046010856291, 1e-12);
  EXPECT_EQ(out[1]["id"], "two");
  EXPECT_EQ(out[1]["error"]["field"], "efficiency");
  EXPECT_TRUE(out[2]["id"].is_null());
  EXPECT_EQ(out[3]["error"]["field"], "solver");
  EXPECT_NE(out[3]["error"]["message"].get<std::string>().find("ServingModel"), std::string::npos);
  EXPECT_EQ(out[4]["error"]["field"], "batchsize");
  EXPECT_NE(out[4]["error"]["message"].get<std::string>().find("batch_size"), std::string::npos);
  EXPECT_EQ(out[5]["error"]["field"], "workload_data_rate");
  EXPECT_NE(out[5]["error"]["message"].get<std::string>().find("'hrs'"), std::string::npos);
  EXPECT_DOUBLE_EQ(out[6]["result"]["bubble_fraction"].template get<double>(), 3.0 / 11.0);
}

TEST(CliTest, WallsSchemaVersionHelp) {
  const CliRun w = Mlsysim({"-o", "json", "walls"});
  ASSERT_EQ(w.code, 0);
  EXPECT_EQ(nlohmann::json::parse(w.out)["walls"].size(), 22u);
  const CliRun s = Mlsysim({"schema", "--type", "scenario"});
  EXPECT_EQ(s.code, 0);
  EXPECT_NE(s.out.find("message Scenario"), std::string::npos);
  EXPECT_EQ(Mlsysim({"schema", "--type", "nonsense"}).code, 1);
  EXPECT_EQ(Mlsysim({"--version"}).code, 0);
  for (const char* cmd : {"zoo", "eval", "serve", "optimize", "solve", "walls", "schema"}) {
    const CliRun h = Mlsysim({cmd, "--help"});
    EXPECT_EQ(h.code, 0) << cmd;
    EXPECT_NE(h.out.find("usage"), std::string::npos) << cmd;
  }
}

TEST(CliTest, OutputIsByteIdenticalAcrossRuns) {
  const CliRun a = Mlsysim({"solve", Data("mlsysim_v011_cases.jsonl")});
  const CliRun b = Mlsysim({"solve", Data("mlsysim_v011_cases.jsonl")});
  EXPECT_EQ(a.code, 0);
  EXPECT_EQ(a.out, b.out);
  EXPECT_GT(a.out.size(), 100000u);
}

}  // namespace
}  // namespace mlsysim
