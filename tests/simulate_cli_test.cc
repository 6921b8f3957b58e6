// simulate_cli_test.cc — `mlsysim simulate`: the quick forms' JSON contracts,
// the example scenarios, byte-identical output, files written whole, and bad
// input with the right exit codes.
#include <fstream>
#include <sstream>
#include <string>

#include "cli/commands.h"
#include "tests/cli_runner.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace mlsysim {
namespace {


std::string Scenario(const char* name) {
  return std::string(MLSYSIM_SOURCE_DIR) + "/scenarios/" + name;
}

TEST(SimulateCliTest, CollectiveQuickForm) {
  const CliRun r = Mlsysim({"-o", "json", "simulate", "collective", "--op", "allreduce",
                            "--algorithm", "ring", "--ranks", "8", "--message", "1 GB",
                            "--bandwidth", "50 GB/s", "--latency", "500 ns"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["analytic_time_s"].get<double>(), 0.035007, 1e-12);
  EXPECT_NEAR(j["simulated_time_s"].get<double>(), 0.035007, 1e-9);
  EXPECT_LT(std::abs(j["relative_gap"].get<double>()), 1e-6);
  EXPECT_GT(j["events"].get<int>(), 0);
}

TEST(SimulateCliTest, HierarchicalReportsTheMlsysimQuirk) {
  const CliRun r = Mlsysim({"-o", "json", "simulate", "collective", "--algorithm", "hierarchical",
                            "--ranks", "64", "--gpus-per-node", "8", "--message", "4 GB",
                            "--bandwidth", "900 GB/s", "--latency", "0.5 us",
                            "--inter-bandwidth", "400 Gbps", "--inter-latency", "5 us"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_LT(std::abs(j["relative_gap"].get<double>()), 1e-6);
  EXPECT_LT(j["mlsysim_v011_relative_gap"].get<double>(), 0);
}

TEST(SimulateCliTest, CollectiveBadInput) {
  EXPECT_EQ(Mlsysim({"simulate", "collective", "--ranks", "8", "--message", "1 GB",
                     "--bandwidth", "0 GB/s", "--latency", "1 us"}).code, 1);
  CliRun r = Mlsysim({"simulate", "collective", "--ranks", "8", "--message", "1 GB",
                      "--bandwidth", "50 GB", "--latency", "1 us"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--bandwidth"), std::string::npos);
  r = Mlsysim({"simulate", "collective", "--op", "alltoall", "--algorithm", "tree", "--ranks", "8",
               "--message", "1 GB", "--bandwidth", "50 GB/s", "--latency", "1 us"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("pairwise"), std::string::npos);
  EXPECT_EQ(Mlsysim({"simulate", "collective", "--ranks", "8", "--message", "-1 GB",
                     "--bandwidth", "5 GB/s", "--latency", "1 us"}).code, 1);
}

TEST(SimulateCliTest, TrainingQuickForm) {
  const CliRun r = Mlsysim({"-o", "json", "simulate", "training", "--model", "Llama3_70B",
                            "--cluster", "Research_256", "--tp", "8", "--pp", "4",
                            "--batch-size", "256", "--days", "7", "--failures", "registry",
                            "--checkpoint-interval", "daly", "--seed", "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"step_time_s", "interruptions", "ettr", "checkpoint_interval_s",
                          "checkpoint_write_s", "restart_time_s", "cluster_mtbf_s", "analytic"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["dp"], 8);
  EXPECT_GT(j["ettr"].get<double>(), 0.9);
  EXPECT_NEAR(j["checkpoint_interval_s"].get<double>(),
              j["analytic"]["daly_interval_s"].get<double>(), 1e-9);
  EXPECT_TRUE(j["analytic"].contains("step_time_iron_law"));
  EXPECT_TRUE(j["analytic"].contains("step_time_mlsysim"));
}

TEST(SimulateCliTest, TrainingBadInput) {
  CliRun r = Mlsysim({"simulate", "training", "--model", "Llama3_70B", "--cluster", "Research_256",
                      "--tp", "8", "--pp", "3", "--batch-size", "256"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("does not divide"), std::string::npos);
  r = Mlsysim({"simulate", "training", "--model", "GPT3", "--nodes", "1", "--tp", "8", "--pp", "1",
               "--batch-size", "8"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("does not fit"), std::string::npos);
  r = Mlsysim({"simulate", "training", "--model", "Llama3_70B", "--cluster", "Research_256",
               "--tp", "8", "--pp", "4", "--batch-size", "256", "--days", "1",
               "--restart-time", "-5 min"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--restart-time"), std::string::npos);
  r = Mlsysim({"simulate", "training", "--model", "Llama3_70B", "--cluster", "Research_256",
               "--tp", "8", "--pp", "4", "--batch-size", "256", "--failures", "often"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("llama3"), std::string::npos);
}

TEST(SimulateCliTest, ScenariosRunAndAreByteIdentical) {
  for (const char* s : {"llama3_70b_research256.textproto"}) {
    const CliRun a = Mlsysim({"-o", "json", "simulate", Scenario(s)});
    const CliRun b = Mlsysim({"-o", "json", "simulate", Scenario(s)});
    ASSERT_EQ(a.code, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
  }
}

TEST(SimulateCliTest, DefaultScenarioIsTheEmbeddedResearch256Week) {
  const CliRun embedded = Mlsysim({"-o", "json", "simulate", "default"});
  ASSERT_EQ(embedded.code, 0) << embedded.err;
  auto a = nlohmann::json::parse(embedded.out);
  auto b = nlohmann::json::parse(Mlsysim({"-o", "json", "simulate", Scenario("llama3_70b_research256.textproto")}).out);
  EXPECT_EQ(a["scenario"], "llama3-70b-research256");
  EXPECT_EQ(a["step_time_s"], b["step_time_s"]);
  EXPECT_EQ(a["interruptions"], b["interruptions"]);
}

TEST(SimulateCliTest, Llama3ScenarioReproducesTheFleetFigures) {
  // The scenario writes its failure log next to the working directory.
  const std::string dir = ::testing::TempDir();
  const CliRun r = Mlsysim({"-o", "json", "simulate", Scenario("llama3_405b_16k_54d.textproto")});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["interruptions"].get<double>(), 419, 41);
  EXPECT_GT(j["ettr"].get<double>(), 0.85);
  EXPECT_EQ(j["gpus"], 16384);
  std::ifstream csv("llama3_405b_failures.csv");
  ASSERT_TRUE(csv.good());
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "time_s,kind,component,cause,downtime_s,lost_work_s");
  std::remove("llama3_405b_failures.csv");
}

TEST(SimulateCliTest, TraceAndCsvAreWrittenWhole) {
  const std::string trace = ::testing::TempDir() + "step_trace.json";
  const std::string csv = ::testing::TempDir() + "events.csv";
  const CliRun r = Mlsysim({"-o", "json", "simulate", "training", "--model", "Llama3_8B",
                            "--nodes", "4", "--tp", "8", "--pp", "2", "--batch-size", "32",
                            "--days", "30", "--failures", "registry", "--trace", trace,
                            "--events-csv", csv});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ifstream t(trace);
  std::stringstream buf;
  buf << t.rdbuf();
  auto j = nlohmann::json::parse(buf.str());
  EXPECT_GT(j["traceEvents"].size(), 10u);
  std::ifstream c(csv);
  EXPECT_TRUE(c.good());
}

TEST(SimulateCliTest, QueueQuickForm) {
  const CliRun r = Mlsysim({"-o", "json", "simulate", "queue", "--servers", "8", "--arrival-rate",
                            "6.4", "--service-time", "1", "--service-dist", "exp", "--requests",
                            "50000", "--replications", "5"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"wait_mean", "sojourn_mean", "sojourn_p50", "sojourn_p90", "sojourn_p99",
                          "sojourn_p999", "wait_p99", "utilization"}) {
    EXPECT_TRUE(j.contains(key)) << key;
    EXPECT_TRUE(j.contains(std::string(key) + "_ci95")) << key;
  }
  EXPECT_EQ(j["exact"]["model"], "M/M/c");
  EXPECT_NEAR(j["exact"]["sojourn_p99"].get<double>(), 5.152, 1e-3);
  EXPECT_NEAR(j["mlsysim"]["p99_latency"].get<double>(), 3.39, 0.01);
  EXPECT_LT(std::abs(j["littles_law_relative_gap"].get<double>()), 2e-3);
}

TEST(SimulateCliTest, QueueBadInput) {
  CliRun r = Mlsysim({"simulate", "queue", "--servers", "1", "--arrival-rate", "1.2",
                      "--service-time", "1", "--requests", "1000"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("unstable"), std::string::npos);
  r = Mlsysim({"simulate", "queue", "--servers", "1", "--arrival-rate", "-1", "--service-time", "1",
               "--requests", "1000"});
  EXPECT_EQ(r.code, 1);
  r = Mlsysim({"simulate", "queue", "--servers", "1", "--arrival-rate", "0.5", "--service-time",
               "1", "--service-dist", "weird", "--requests", "1000"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("exp, det, gamma"), std::string::npos);
}

TEST(SimulateCliTest, ServingQuickForm) {
  const std::string csv = ::testing::TempDir() + "requests.csv";
  const std::string trace = ::testing::TempDir() + "iterations.json";
  const CliRun r = Mlsysim({"-o", "json", "simulate", "serving", "--model", "Llama3_8B",
                            "--hardware", "H100", "--replicas", "2", "--qps", "40", "--requests",
                            "2000", "--input-tokens", "uniform:64:512", "--output-tokens",
                            "uniform:16:128", "--router", "jsq-kv", "--replications", "3",
                            "--requests-csv", csv, "--iterations-trace", trace});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"ttft_p50_s", "ttft_p99_s", "itl_p50_s", "itl_p99_s", "e2e_p99_s",
                          "throughput_tokens_per_s", "preemptions", "analytic"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_GT(j["ttft_p99_s"].get<double>(), j["ttft_p50_s"].get<double>());
  EXPECT_TRUE(j["analytic"].contains("serving_model"));
  std::ifstream c(csv);
  std::string header;
  std::getline(c, header);
  EXPECT_EQ(header, "arrival_s,start_s,first_token_s,finish_s,input_tokens,output_tokens,replica,preemptions,tenant");
  std::ifstream t(trace);
  std::stringstream buf;
  buf << t.rdbuf();
  EXPECT_GT(nlohmann::json::parse(buf.str())["traceEvents"].size(), 10u);
}

TEST(SimulateCliTest, ServingBadInput) {
  CliRun r = Mlsysim({"simulate", "serving", "--model", "Llama3_70B", "--hardware", "H100",
                      "--replicas", "1", "--qps", "1", "--requests", "10"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("does not fit"), std::string::npos);
  r = Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas",
               "1", "--trace", std::string(MLSYSIM_TEST_DATA_DIR) + "/azure_bad_row.csv"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(":11:"), std::string::npos);
  r = Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas",
               "1", "--qps", "-3", "--requests", "10"});
  EXPECT_EQ(r.code, 1);
  r = Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas",
               "1", "--qps", "3", "--requests", "10", "--input-tokens", "normal:5"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--input-tokens"), std::string::npos);
}

TEST(SimulateCliTest, ServingAndQueueScenarios) {
  for (const char* s : {"llama3_8b_8xh100_bursty.textproto", "mm8_tail_latency.textproto"}) {
    const CliRun a = Mlsysim({"-o", "json", "simulate", Scenario(s)});
    const CliRun b = Mlsysim({"-o", "json", "simulate", Scenario(s)});
    ASSERT_EQ(a.code, 0) << s << ": " << a.err;
    EXPECT_EQ(a.out, b.out) << s;
  }
}

TEST(SimulateCliTest, TenantsWithPrioritiesAndLimits) {
  const CliRun r = Mlsysim({"-o", "json", "simulate", "serving", "--model", "Llama3_8B",
                            "--hardware", "H100", "--replicas", "2", "--requests", "6000",
                            "--tenant", "chat/60/1/0/uniform:64:512/uniform:16:256",
                            "--tenant", "batch/100/0/16/fixed:2000/fixed:256"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["tenants"].size(), 2u);
  // The high-priority tenant is protected from the overloaded, capped one.
  EXPECT_LT(j["tenants"][0]["ttft_p99_s"].get<double>(), 1.0);
  EXPECT_GT(j["tenants"][1]["ttft_p50_s"].get<double>(), 10.0);
  EXPECT_EQ(Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100",
                     "--replicas", "1", "--requests", "10", "--tenant", "x/abc/1"}).code, 1);
}

TEST(SimulateCliTest, SharedClusterScenario) {
  const CliRun r = Mlsysim({"-o", "json", "simulate", Scenario("two_tenants_and_training_queue.textproto")});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["serving_gpus"], 16);
  EXPECT_EQ(j["job_queue_gpus"], 496);
  EXPECT_EQ(j["serving"]["tenants"].size(), 2u);
  EXPECT_NEAR(j["job_queue"]["utilization"].get<double>(), j["job_queue"]["offered_load"].get<double>(), 0.05);
  EXPECT_FALSE(j["job_queue"]["mlsysim"]["is_stable"].get<bool>());  // its one-server view
}

TEST(SimulateCliTest, JobsQuickForm) {
  const CliRun r = Mlsysim({"-o", "json", "simulate", "jobs", "--gpus", "256", "--arrival-rate",
                            "0.35", "--duration", "48", "--duration-dist", "det", "--jobs", "5000"});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_NEAR(j["exact"]["wait_mean_h"].get<double>(), j["mlsysim"]["avg_wait_time_h"].get<double>(), 1e-9);
  EXPECT_EQ(Mlsysim({"simulate", "jobs", "--gpus", "8", "--arrival-rate", "1", "--duration", "2",
                     "--job-gpus", "16"}).code, 1);
}

TEST(SimulateCliTest, ChakraFormAndScenarioAndExport) {
  const std::string d = std::string(MLSYSIM_TEST_DATA_DIR) + "/astra-sim/hgx_h100_allreduce_8/";
  for (const auto& [backend, cycles] : {std::pair<std::string, long long>{"astra-aware", 57426},
                                        {"astra-unaware", 55222}}) {
    const CliRun r = Mlsysim({"-o", "json", "simulate", "chakra", "--workload", d + "workload/all_reduce",
                              "--network", d + "network.yml", "--system", d + "system.json",
                              "--backend", backend});
    ASSERT_EQ(r.code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["finish_cycles"].get<long long>(), cycles);
    EXPECT_EQ(j["rank_finish"].size(), 8u);
  }
  EXPECT_EQ(Mlsysim({"simulate", "chakra", "--workload", d + "workload/nothing", "--network",
                     d + "network.yml", "--system", d + "system.json"}).code, 1);
  EXPECT_EQ(Mlsysim({"simulate", "chakra", "--workload", d + "workload/all_reduce", "--network",
                     d + "network.yml", "--system", d + "system.json", "--backend", "ns3"}).code, 1);
  // The same from a scenario file (paths relative to it).
  const std::string scen = ::testing::TempDir() + "/chakra.textproto";
  std::ofstream(scen) << "chakra { workload: \"" << d << "workload/all_reduce\" network: \"" << d
                      << "network.yml\" system: \"" << d << "system.json\" backend: \"astra-unaware\" }\n";
  const CliRun s = Mlsysim({"-o", "json", "simulate", scen});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(nlohmann::json::parse(s.out)["finish_cycles"].get<long long>(), 55222);
  // Export a step and run it again.
  const std::string dir = ::testing::TempDir() + "/cli_export";
  const CliRun t = Mlsysim({"-o", "json", "simulate", "training", "--model", "Llama3_70B", "--nodes", "8",
                            "--tp", "8", "--pp", "4", "--microbatches", "8", "--batch-size", "16",
                            "--export-chakra", dir});
  ASSERT_EQ(t.code, 0) << t.err;
  const CliRun back = Mlsysim({"-o", "json", "simulate", "chakra", "--workload", dir + "/step", "--network",
                               dir + "/network.yml", "--system", dir + "/system.json", "--backend", "flow"});
  ASSERT_EQ(back.code, 0) << back.err;
  const double step = nlohmann::json::parse(t.out)["step_time_s"].get<double>();
  EXPECT_NEAR(nlohmann::json::parse(back.out)["simulated_time_s"].get<double>(), step, 1e-9 * step);
}

TEST(SimulateCliTest, UnknownFormsAndMissingFiles) {
  EXPECT_EQ(Mlsysim({"simulate", "spaceship"}).code, 1);
  EXPECT_EQ(Mlsysim({"simulate", "/nonexistent/x.textproto"}).code, 1);
  const std::string bad = ::testing::TempDir() + "bad.textproto";
  std::ofstream(bad) << "training { model: \"Llama3_8B\" tp: eight }\n";
  const CliRun r = Mlsysim({"simulate", bad});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("line 1"), std::string::npos);
}

}  // namespace
}  // namespace mlsysim

namespace mlsysim {
namespace {

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(HostileInputTest, ParsersDoNotCrashAndNameTheField) {
  // solve: deeply nested JSON is refused before parsing; the echoed id must be a short scalar.
  const std::string deep = "{\"id\": " + std::string(100000, '[') + std::string(100000, ']') +
                           ", \"request\": {}}\n{\"id\": {\"a\": 1}, \"request\": {}}\n";
  const CliRun s = Mlsysim({"solve", WriteFile("deep.jsonl", deep)});
  EXPECT_EQ(s.code, 1);
  EXPECT_NE(s.out.find("nested deeper than 64"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("\"field\": \"id\""), std::string::npos) << s.out;
  // A directory where a file belongs.
  EXPECT_EQ(Mlsysim({"solve", ::testing::TempDir()}).code, 1);
  // YAML plans of the wrong shape: file:line:col, exit 1 (was an abort).
  const CliRun p = Mlsysim({"eval", WriteFile("shape.yaml", "workload: 5\nhardware: {name: H100}\n")});
  EXPECT_EQ(p.code, 1);
  EXPECT_NE(p.err.find("shape.yaml:1:"), std::string::npos) << p.err;
  EXPECT_EQ(Mlsysim({"eval", WriteFile("key.yaml", "? [a, b]\n: 1\n")}).code, 1);
  // A non-numeric bound is an error, not a dropped assertion.
  const CliRun b = Mlsysim({"eval", WriteFile("bound.yaml", "workload: {name: Llama3_8B}\nhardware: {name: H100}\n"
                                                            "constraints:\n  assert:\n"
                                                            "    - {metric: performance.latency, max: fast}\n")});
  EXPECT_EQ(b.code, 1);
  EXPECT_NE(b.err.find("constraints.assert[].max"), std::string::npos) << b.err;
}

TEST(HostileInputTest, RegistryFilesAreCheckedWhole) {
  const std::string chip = "tier: \"Cloud\" peak_flops: \"200 TFLOP/s\" memory_bandwidth: \"1 TB/s\" ";
  const CliRun neg = Mlsysim({"--registry", WriteFile("neg.textproto", "accelerator { key: \"X1\" " + chip +
                                                                       "memory_capacity: \"-80 GB\" }\n"),
                              "zoo", "hardware"});
  EXPECT_EQ(neg.code, 1);  // bad input, not "infeasible"
  EXPECT_NE(neg.err.find("memory_capacity must be > 0"), std::string::npos) << neg.err;
  const std::string x = "accelerator { key: \"X1\" " + chip + "memory_capacity: \"80 GB\" }\n";
  const CliRun dup = Mlsysim({"--registry", WriteFile("dup.textproto", x + x), "zoo", "hardware"});
  EXPECT_EQ(dup.code, 1);
  EXPECT_NE(dup.err.find("'X1' is defined twice"), std::string::npos) << dup.err;
  const CliRun over = Mlsysim({"--registry", WriteFile("over.textproto", "accelerator { key: \"H100\" " + chip +
                                                                         "memory_capacity: \"80 GB\" }\n"),
                               "zoo", "hardware"});
  EXPECT_EQ(over.code, 0);
  EXPECT_NE(over.err.find("overrides the built-in hardware 'H100'"), std::string::npos) << over.err;
  EXPECT_EQ(Mlsysim({"--registry", ::testing::TempDir(), "zoo"}).code, 1);
  // Sizes past the documented limits are refused up front, naming the option.
  const CliRun days = Mlsysim({"simulate", "training", "--model", "Llama3_8B", "--nodes", "2", "--tp", "8",
                               "--batch-size", "16", "--days", "1e12"});
  EXPECT_EQ(days.code, 1);
  EXPECT_NE(days.err.find("clock's range"), std::string::npos) << days.err;
  EXPECT_EQ(Mlsysim({"simulate", "collective", "--op", "allreduce", "--ranks", "100000", "--message", "1GB",
                     "--bandwidth", "50GB/s", "--latency", "5us"}).code, 1);
}

TEST(HostileInputTest, RequestTracesNeedTheirHeader) {
  const CliRun no_header = Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100",
                                    "--replicas", "1", "--trace", WriteFile("nh.csv", "0,100,10\n1,100,10\n")});
  EXPECT_EQ(no_header.code, 1);
  EXPECT_NE(no_header.err.find("nh.csv:1: expected the header"), std::string::npos) << no_header.err;
  const CliRun negative = Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100",
                                   "--replicas", "1", "--trace",
                                   WriteFile("neg.csv", "TIMESTAMP,ContextTokens,GeneratedTokens\r\n0,100,10\r\n"
                                                        "-1,100,10\r\n")});
  EXPECT_EQ(negative.code, 1);
  EXPECT_NE(negative.err.find("neg.csv:3: timestamps must be >= 0"), std::string::npos) << negative.err;
}

TEST(HostileInputTest, ScenarioFieldsAreRangeCheckedAndNumbersKeepTheirDigits) {
  const CliRun tp = Mlsysim({"simulate", WriteFile("tp.textproto", "training { model: \"Llama3_8B\" tp: -8 "
                                                                   "global_batch_size: 8 }\ncluster { nodes: 1 }\n")});
  EXPECT_EQ(tp.code, 1);
  EXPECT_NE(tp.err.find("training.tp: must lie in [0, 1024]"), std::string::npos) << tp.err;
  const CliRun big = Mlsysim({"simulate", WriteFile("big.textproto", "training { model: \"Llama3_8B\" "
                                                                     "global_batch_size: 8 }\ncluster { nodes: 2000000000 }\n")});
  EXPECT_EQ(big.code, 1);
  EXPECT_NE(big.err.find("cluster.nodes"), std::string::npos) << big.err;
  EXPECT_EQ(big.err.find("-"), std::string::npos) << "no wrapped (negative) number: " << big.err;
  EXPECT_EQ(Mlsysim({"simulate", WriteFile("utf8.textproto", "name: \"\xff\xfe\"\n")}).code, 1);
  // seed 12345678 and 1234567 requests run exactly so (they went through a
  // six-digit formatter before).
  const CliRun r = Mlsysim({"-o", "json", "simulate",
                            WriteFile("exact.textproto",
                                      "seed: 12345678\nreplications: 1\nserving { model: \"Llama3_8B\" hardware: "
                                      "\"H100\" replicas: 2 qps: 10 requests: 1234567 input_tokens: \"fixed:16\" "
                                      "output_tokens: \"fixed:2\" }\n")});
  ASSERT_EQ(r.code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["seed"].get<long long>(), 12345678);
  EXPECT_EQ(j["requests"].get<long long>(), 1234567);
}

}  // namespace
}  // namespace mlsysim
