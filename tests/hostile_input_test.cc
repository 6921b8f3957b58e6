// hostile_input_test.cc — hostile input through the command line (the
// findings in tests/data/SOURCES.md): parsers never crash and name the field,
// registry files are checked whole, request traces need their header, scenario
// fields are range-checked (split out of simulate_cli_test.cc).
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
  const CliRun p =
      Mlsysim({"eval", WriteFile("shape.yaml", "workload: 5\nhardware: {name: H100}\n")});
  EXPECT_EQ(p.code, 1);
  EXPECT_NE(p.err.find("shape.yaml:1:"), std::string::npos) << p.err;
  EXPECT_EQ(Mlsysim({"eval", WriteFile("key.yaml", "? [a, b]\n: 1\n")}).code, 1);
  // A non-numeric bound is an error, not a dropped assertion.
  const CliRun b =
      Mlsysim({"eval", WriteFile("bound.yaml",
                                 "workload: {name: Llama3_8B}\nhardware: {name: H100}\n"
                                 "constraints:\n  assert:\n"
                                 "    - {metric: performance.latency, max: fast}\n")});
  EXPECT_EQ(b.code, 1);
  EXPECT_NE(b.err.find("constraints.assert[].max"), std::string::npos) << b.err;
}

TEST(HostileInputTest, RegistryFilesAreCheckedWhole) {
  const std::string chip =
      "tier: \"Cloud\" peak_flops: \"200 TFLOP/s\" memory_bandwidth: \"1 TB/s\" ";
  const CliRun neg = Mlsysim({"--registry",
                              WriteFile("neg.textproto", "accelerator { key: \"X1\" " + chip +
                                                             "memory_capacity: \"-80 GB\" }\n"),
                              "zoo", "hardware"});
  EXPECT_EQ(neg.code, 1);  // bad input, not "infeasible"
  EXPECT_NE(neg.err.find("memory_capacity must be > 0"), std::string::npos) << neg.err;
  const std::string x = "accelerator { key: \"X1\" " + chip + "memory_capacity: \"80 GB\" }\n";
  const CliRun dup = Mlsysim({"--registry", WriteFile("dup.textproto", x + x), "zoo", "hardware"});
  EXPECT_EQ(dup.code, 1);
  EXPECT_NE(dup.err.find("'X1' is defined twice"), std::string::npos) << dup.err;
  const CliRun over = Mlsysim({"--registry",
                               WriteFile("over.textproto", "accelerator { key: \"H100\" " + chip +
                                                               "memory_capacity: \"80 GB\" }\n"),
                               "zoo", "hardware"});
  EXPECT_EQ(over.code, 0);
  EXPECT_NE(over.err.find("overrides the built-in hardware 'H100'"), std::string::npos) << over.err;
  EXPECT_EQ(Mlsysim({"--registry", ::testing::TempDir(), "zoo"}).code, 1);
  // Sizes past the documented limits are refused up front, naming the option.
  const CliRun days = Mlsysim({"simulate", "training", "--model", "Llama3_8B", "--nodes", "2",
                               "--tp", "8", "--batch-size", "16", "--days", "1e12"});
  EXPECT_EQ(days.code, 1);
  EXPECT_NE(days.err.find("clock's range"), std::string::npos) << days.err;
  // A ring past 131,072 ranks (its limit as flow classes; 8,192 per flow).
  EXPECT_EQ(Mlsysim({"simulate", "collective", "--op", "allreduce", "--ranks", "200000",
                     "--message", "1GB", "--bandwidth", "50GB/s", "--latency", "5us"})
                .code,
            1);
}

TEST(HostileInputTest, RequestTracesNeedTheirHeader) {
  const CliRun no_header =
      Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas",
               "1", "--request-trace", WriteFile("nh.csv", "0,100,10\n1,100,10\n")});
  EXPECT_EQ(no_header.code, 1);
  EXPECT_NE(no_header.err.find("nh.csv:1: expected the header"), std::string::npos)
      << no_header.err;
  const CliRun negative =
      Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas",
               "1", "--request-trace",
               WriteFile("neg.csv",
                         "TIMESTAMP,ContextTokens,GeneratedTokens\r\n0,100,10\r\n"
                         "-1,100,10\r\n")});
  EXPECT_EQ(negative.code, 1);
  EXPECT_NE(negative.err.find("neg.csv:3: timestamps must be >= 0"), std::string::npos)
      << negative.err;
}

TEST(HostileInputTest, ScenarioFieldsAreRangeCheckedAndNumbersKeepTheirDigits) {
  const CliRun tp =
      Mlsysim({"simulate", WriteFile("tp.textproto",
                                     "training { model: \"Llama3_8B\" tp: -8 "
                                     "global_batch_size: 8 }\ncluster { nodes: 1 }\n")});
  EXPECT_EQ(tp.code, 1);
  EXPECT_NE(tp.err.find("training.tp: must lie in [0, 1024]"), std::string::npos) << tp.err;
  const CliRun big =
      Mlsysim({"simulate", WriteFile("big.textproto",
                                     "training { model: \"Llama3_8B\" "
                                     "global_batch_size: 8 }\ncluster { nodes: 2000000000 }\n")});
  EXPECT_EQ(big.code, 1);
  EXPECT_NE(big.err.find("cluster.nodes"), std::string::npos) << big.err;
  EXPECT_EQ(big.err.find("-"), std::string::npos) << "no wrapped (negative) number: " << big.err;
  EXPECT_EQ(Mlsysim({"simulate", WriteFile("utf8.textproto", "name: \"\xff\xfe\"\n")}).code, 1);
  // seed 12345678 and 1234567 requests run exactly so (they went through a
  // six-digit formatter before).
  const CliRun r = Mlsysim(
      {"-o", "json", "simulate",
       WriteFile("exact.textproto",
                 "seed: 12345678\nreplications: 1\nserving { model: \"Llama3_8B\" hardware: "
                 "\"H100\" replicas: 2 qps: 10 requests: 1234567 input_tokens: \"fixed:16\" "
                 "output_tokens: \"fixed:2\" }\n")});
  ASSERT_EQ(r.code, 0) << r.err;
  ParsedResult j(r.out);
  EXPECT_EQ(j.r.seed(), 12345678u);
  EXPECT_EQ(j.r.scenario().seed(), 12345678u);
  EXPECT_EQ(j.r.scenario().serving().requests(), 1234567);
  EXPECT_EQ(j.Num("requests"), 1234567);
}

}  // namespace
}  // namespace mlsysim
