// serving_cli_test.cc — `mlsysim simulate serving` from the command line: the
// quick form's result against mlsysim's ServingModel, bad input naming the
// field and the flag, preemption policies, shipped serving scenarios and
// tenants (split out of simulate_cli_test.cc).
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/cli_runner.h"
#include "tests/result_testing.h"


namespace mlsysim {
namespace {

std::string Scenario(const char* name) {
  return std::string(MLSYSIM_SOURCE_DIR) + "/scenarios/" + name;
}

TEST(SimulateCliTest, ServingQuickForm) {
  const std::string csv = ::testing::TempDir() + "requests.csv";
  const std::string trace = ::testing::TempDir() + "iterations.json";
  const CliRun r = Mlsysim({"-o",
                            "json",
                            "simulate",
                            "serving",
                            "--model",
                            "Llama3_8B",
                            "--hardware",
                            "H100",
                            "--replicas",
                            "2",
                            "--qps",
                            "40",
                            "--requests",
                            "2000",
                            "--input-tokens",
                            "uniform:64:512",
                            "--output-tokens",
                            "uniform:16:128",
                            "--router",
                            "jsq-kv",
                            "--replications",
                            "3",
                            "--requests-csv",
                            csv,
                            "--trace",
                            trace});
  ASSERT_EQ(r.code, 0) << r.err;
  ParsedResult j(r.out);
  for (const char* key : {"ttft_p50_s", "ttft_p99_s", "itl_p50_s", "itl_p99_s", "e2e_p99_s",
                          "throughput_tokens_per_s", "preemptions"}) {
    EXPECT_TRUE(j.Has(key)) << key;
  }
  EXPECT_GT(j.Sim("ttft_p99_s"), j.Sim("ttft_p50_s"));
  // Round-robin over replicas: no queueing-aware estimate (it holds for one
  // replica); mlsysim's one-request-alone TTFT beside the same p50.
  EXPECT_FALSE(FindMetric(j.r, "ttft_p50_s")->has_analytic());
  EXPECT_EQ(FindMetric(j.r, "ttft_p50_mlsysim")->analytic_source(), "mlsysim ServingModel");
  EXPECT_EQ(j.Sim("ttft_p50_mlsysim"), j.Sim("ttft_p50_s"));
  EXPECT_EQ(j.r.files_size(), 2);
  std::ifstream c(csv);
  std::string header;
  std::getline(c, header);
  EXPECT_EQ(header,
            "arrival_s,start_s,first_token_s,finish_s,input_tokens,output_tokens,replica,"
            "preemptions,tenant,ttft_s,tpot_s,e2e_s,queue_s");
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
               "1", "--request-trace", std::string(MLSYSIM_TEST_DATA_DIR) + "/azure_bad_row.csv"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find(":11:"), std::string::npos);
  r = Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas",
               "1", "--qps", "-3", "--requests", "10"});
  EXPECT_EQ(r.code, 1);
  r = Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas",
               "1", "--qps", "3", "--requests", "10", "--input-tokens", "normal:5"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("serving.input_tokens (--input-tokens)"), std::string::npos) << r.err;
  r = Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas",
               "1", "--qps", "3", "--requests", "10", "--preemption", "evict"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("serving.preemption"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("never"), std::string::npos) << r.err;
}

// `--preemption never` (TensorRT-LLM's GUARANTEED_NO_EVICT) under memory
// pressure: no preemption, where recompute (vLLM's) preempts.
TEST(SimulateCliTest, ServingPreemptionNeverReservesAndNeverPreempts) {
  std::vector<std::string> args = {"-o", "json", "simulate", "serving", "--model", "Llama3_8B",
                                   "--hardware", "H100", "--replicas", "1", "--qps", "50",
                                   "--requests", "300", "--input-tokens", "fixed:1024",
                                   "--output-tokens", "fixed:512", "--gpu-memory-utilization",
                                   "0.215"};
  const CliRun recompute = Mlsysim(args);
  args.insert(args.end(), {"--preemption", "never"});
  const CliRun never = Mlsysim(args);
  ASSERT_EQ(recompute.code, 0) << recompute.err;
  ASSERT_EQ(never.code, 0) << never.err;
  const ParsedResult a(recompute.out), b(never.out);
  EXPECT_GT(a.Sim("preemptions"), 0);
  EXPECT_EQ(b.Sim("preemptions"), 0);
}

TEST(SimulateCliTest, ServingAndQueueScenarios) {
  for (const char* s : {"llama3_8b_8xh100_bursty.textproto", "mm8_tail_latency.textproto"}) {
    const CliRun a = Mlsysim({"-o", "json", "--reproducible", "simulate", Scenario(s)});
    const CliRun b = Mlsysim({"-o", "json", "--reproducible", "simulate", Scenario(s)});
    ASSERT_EQ(a.code, 0) << s << ": " << a.err;
    EXPECT_EQ(a.out, b.out) << s;
  }
}

TEST(SimulateCliTest, TenantsWithPrioritiesAndLimits) {
  const CliRun r = Mlsysim({"-o", "json", "simulate", "serving", "--model", "Llama3_8B",
                            "--hardware", "H100", "--replicas", "2", "--requests", "6000",
                            "--tenant", "chat/60/1/0/uniform:64:512/uniform:16:256", "--tenant",
                            "batch/100/0/16/fixed:2000/fixed:256"});
  ASSERT_EQ(r.code, 0) << r.err;
  ParsedResult j(r.out);
  const result::Section* chat = j.Section("tenant.chat");
  const result::Section* batch = j.Section("tenant.batch");
  ASSERT_TRUE(chat && batch);
  // The high-priority tenant is protected from the overloaded, capped one.
  EXPECT_EQ(chat->metrics(1).name(), "ttft_p99_s");
  EXPECT_LT(chat->metrics(1).simulated(), 1.0);
  EXPECT_EQ(batch->metrics(0).name(), "ttft_p50_s");
  EXPECT_GT(batch->metrics(0).simulated(), 10.0);
  EXPECT_EQ(Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100",
                     "--replicas", "1", "--requests", "10", "--tenant", "x/abc/1"})
                .code,
            1);
}

}  // namespace
}  // namespace mlsysim
