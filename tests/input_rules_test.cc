// input_rules_test.cc — the input rules of issue 24 (each is a rule, not a
// patch for one input): fields that would silently override each other are
// refused by name (a registry cluster and its node count, a request trace and
// an arrival rate), non-finite and absurd magnitudes are refused, a checkpoint
// interval must be longer than one write, `simulate` alone and a directory
// given as a scenario say what is wrong on stderr, and a file-size limit
// (SIGXFSZ) leaves no temporary file behind. Also the README's
// ServingModel-parity sentence, checked where it used to be false.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sim/training/training_step.h"
#include "tests/cli_runner.h"
#include "tests/result_testing.h"
#include "tests/training_testing.h"
#include "topology/registry.h"

namespace mlsysim {
namespace {

const std::vector<std::string> kServing = {"simulate",   "serving", "--model",    "Llama3_8B",
                                           "--hardware", "H100",    "--replicas", "1"};

std::vector<std::string> With(std::vector<std::string> base, const std::vector<std::string>& more) {
  base.insert(base.end(), more.begin(), more.end());
  return base;
}

void ExpectRefused(const std::vector<std::string>& args, const std::string& says) {
  const CliRun r = Mlsysim(args);
  EXPECT_EQ(r.code, 1) << says << "\n" << r.out;
  EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
}

TEST(InputRulesTest, FieldsThatWouldOverrideEachOtherAreRefusedByName) {
  ExpectRefused(
      {"simulate", "training", "--model", "Llama3_70B", "--cluster", "Research_256", "--nodes", "4",
       "--tp", "8", "--batch-size", "64"},
      "cluster.nodes (--nodes): cluster.registry_name (--cluster) 'Research_256' fixes the nodes");
  const std::string trace = std::string(MLSYSIM_TEST_DATA_DIR) + "/azure_sample.csv";
  ExpectRefused(With(kServing, {"--request-trace", trace, "--qps", "5"}),
                "serving.qps (--qps): serving.trace_file");
  // The same rule holds for scenario files.
  const std::string scen = ::testing::TempDir() + "/both.textproto";
  std::ofstream(scen) << "cluster { registry_name: \"Research_256\" node: \"DGX_A100\" }\n"
                         "training { model: \"Llama3_8B\" global_batch_size: 8 }\n";
  ExpectRefused({"simulate", scen}, "cluster.node: cluster.registry_name 'Research_256'");
}

TEST(InputRulesTest, NonFiniteAndAbsurdMagnitudesAreRefused) {
  ExpectRefused(
      With(kServing, {"--qps", "1", "--requests", "10", "--input-tokens", "empirical:nan"}),
      "serving.input_tokens (--input-tokens): 'empirical:nan' has a count that is not a finite "
      "number >= 1");
  ExpectRefused(
      With(kServing, {"--requests", "10", "--tenant", "a/1e308/0", "--tenant", "b/1e308/0"}),
      "serving.tenants (--tenant) 'a': qps must lie in (0, 1e9]");
}

TEST(InputRulesTest, EveryMagnitudeIsFiniteAndInsideTheClock) {
  const std::vector<std::string> base = {"simulate",  "collective", "--op",
                                         "allreduce", "--ranks",    "8"};
  // 1e308 EB overflows to infinity in bytes.
  ExpectRefused(
      With(base, {"--message", "1e308EB", "--bandwidth", "50GB/s", "--latency", "1us"}),
      "collective.message (--message): '1e308EB' is not a finite quantity after unit conversion");
  // 1e-300 GB/s: finite, but the collective would outlast the clock.
  ExpectRefused(With(base, {"--message", "1GB", "--bandwidth", "1e-300GB/s", "--latency", "1us"}),
                "past the clock's range of 9.2e+09 s (292 years)");
  const std::string plan = ::testing::TempDir() + "/forever.yaml";
  std::ofstream(plan) << "version: 1\nworkload: {name: Llama3_8B}\nhardware: {name: H100}\n"
                         "ops: {region: US_Avg, duration_days: 1e300}\n";
  ExpectRefused({"eval", plan}, "ops.duration_days: must lie in [0, 106751] (292 years)");
}

TEST(InputRulesTest, SolveNamesTheArgumentAndNeverWrapsAnInteger) {
  const std::string lines = ::testing::TempDir() + "/solve_rules.jsonl";
  std::ofstream(lines)
      << "{\"id\": 1, \"request\": {\"solver\": \"Engine\", \"args\": {\"model\": \"Llama3_8B\", "
         "\"hardware\": \"H100\", \"batch_size\": 18446744073709549568}}}\n"
      << "{\"id\": 2, \"request\": {\"request\": {\"solver\": \"Engine\", \"args\": {}}}}\n";
  const CliRun r = Mlsysim({"solve", lines});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(
      r.out.find("\"field\": \"batch_size\", \"message\": \"out of range: 18446744073709549568\""),
      std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("-2048"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("got request (an object)"), std::string::npos) << r.out;
}

TEST(InputRulesTest, EscapesThatDecodeToInvalidUtf8AreRefused) {
  // The file is valid UTF-8; the string it spells with escapes is not.
  const std::string scen = ::testing::TempDir() + "/escapes.textproto";
  std::ofstream(scen)
      << "name: \"\\xff\\xfe\" queue { servers: 1 arrival_rate: 0.5 service_time: 1 "
         "requests: 1000 }\n";
  ExpectRefused({"simulate", scen}, "escapes.textproto: name: invalid UTF-8");
}

TEST(InputRulesTest, ACheckpointIntervalMustBeLongerThanOneWrite) {
  // Llama-3-70B: 14 B/parameter = 988 GB; 256 GPUs' local NVMe write it in
  // well over a nanosecond.
  ExpectRefused(
      {"simulate", "training", "--model", "Llama3_70B", "--cluster", "Research_256", "--tp", "8",
       "--pp", "4", "--batch-size", "256", "--days", "1", "--failures", "registry",
       "--checkpoint-interval", "1 ns"},
      "checkpoint.interval (--checkpoint-interval): 1 ns gives 1e-09 s, not longer than one "
      "checkpoint write");
}

TEST(InputRulesTest, SimulateAloneAndADirectoryScenarioSayWhatIsWrongOnStderr) {
  const CliRun alone = Mlsysim({"simulate"});
  EXPECT_EQ(alone.code, 1);
  EXPECT_TRUE(alone.out.empty()) << alone.out;
  EXPECT_NE(alone.err.find("simulate needs a scenario file (.textproto), 'default', or a form"),
            std::string::npos)
      << alone.err;
  const std::string dir = ::testing::TempDir() + "/a_directory.textproto";
  std::filesystem::create_directories(dir);
  ExpectRefused({"simulate", dir}, "scenario: cannot read '" + dir + "': a directory, not a file");
  ExpectRefused({"simulate", dir + "/missing.textproto"}, "No such file or directory");
}

TEST(InputRulesTest, AFileSizeLimitLeavesNoTemporaryFile) {
  // ulimit -f 1 (512-byte blocks): the requests CSV of 2,000 requests passes
  // it and the kernel sends SIGXFSZ; the handler removes the temporary file.
  const std::string dir = ::testing::TempDir() + "/xfsz";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string cmd =
      std::string("ulimit -f 1; exec '") + MLSYSIM_BINARY +
      "' simulate serving --model Llama3_8B --hardware H100 --replicas 1 --qps 50 "
      "--requests 2000 --requests-csv '" +
      dir + "/requests.csv' >/dev/null 2>&1";
  const int status = std::system(("bash -c \"" + cmd + "\"").c_str());
  EXPECT_NE(status, 0) << "the limit should have stopped the run";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    ++files;
    ADD_FAILURE() << "left behind: " << entry.path();
  }
  EXPECT_EQ(files, 0);
}

// The README's ServingModel-parity sentence, checked: with --attention square a
// lone request's TTFT is ServingModel's where prefill is compute-bound; a
// short prompt is memory-bound here (the simulator's iteration is a roofline),
// so Llama-3-8B fp16 on H100 at S = 128 takes the weights' streaming time:
// 2 B x 8.03e9 parameters (docs/mlsysim_v0.1.1_contract.md §4 models table)
// / 3.35 TB/s (H100) + the 0.01 ms dispatch tax = 4.80403 ms, where
// ServingModel (compute only) gives 4.184 ms.
TEST(ServingCliTest, ShortPromptsAreMemoryBoundUnlikeServingModel) {
  const CliRun r =
      Mlsysim({"-o",          "json",  "simulate",       "serving", "--model",         "Llama3_8B",
               "--hardware",  "H100",  "--replicas",     "1",       "--qps",           "0.001",
               "--requests",  "1",     "--input-tokens", "128",     "--output-tokens", "1",
               "--attention", "square", "--hardware-model", "roofline"});
  ASSERT_EQ(r.code, 0) << r.err;
  const ParsedResult j(r.out);
  const double ttft = j.Sim("ttft_p50_s"), analytic = j.Ana("ttft_p50_mlsysim");
  EXPECT_NEAR(ttft, 2 * 8.03e9 / 3.35e12 + 1e-5, 1e-9);
  EXPECT_NEAR(analytic, 4.184e-3, 0.5e-6);  // ServingModel: compute only
  EXPECT_GT(ttft, analytic);
  // The queueing-aware estimate at a vanishing load: the replica is idle, so
  // TTFT is one prefill iteration alone — the same 4.80403 ms.
  EXPECT_NEAR(j.Ana("ttft_p50_s"), 2 * 8.03e9 / 3.35e12 + 1e-5, 1e-9);
}

TEST(InputRulesTest, EveryFormsHelpNamesTheReportFlag) {
  for (const char* form : {"training", "serving", "queue", "jobs", "collective", "chakra"}) {
    const CliRun r = Mlsysim({"simulate", form, "--help"});
    EXPECT_EQ(r.code, 0) << form;
    EXPECT_NE(r.out.find("--report FILE.html"), std::string::npos) << form;
  }
}

TEST(InputRulesTest, FileErrorsSayWhy) {
  // Every reader of a user-named file gives the OS's reason or the rule broken
  // (traces/small_file.h); these used to say only "cannot read 'PATH'".
  const std::string dir = ::testing::TempDir();
  ExpectRefused({"--registry", dir + "/no_such_registry.textproto", "zoo"},
                "registry file: cannot read '" + dir +
                    "/no_such_registry.textproto': No such file or directory");
  ExpectRefused(With(kServing, {"--request-trace", dir}),
                "request trace: cannot read '" + dir + "': a directory, not a file");
  ExpectRefused({"eval", dir + "/no_such_plan.yaml"}, "plan: cannot read '");
  ExpectRefused({"sweep", dir + "/no_such_sweep.textproto"}, "No such file or directory");
  const std::string fifo = dir + "/a_fifo.textproto";
  ::unlink(fifo.c_str());
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  ExpectRefused({"simulate", fifo}, "scenario: cannot read '" + fifo + "': not a regular file");
  ::unlink(fifo.c_str());
  // A 2 MiB "config.json": past the 1 MiB a model config may have.
  const std::string big = dir + "/big_config.json";
  std::ofstream(big) << std::string(2 << 20, ' ');
  ExpectRefused({"simulate", "training", "--model", big, "--nodes", "1", "--batch-size", "8"},
                "model config: cannot read '" + big +
                    "': 2097152 bytes, larger than the 1 MiB such a file may have");
}

TEST(InputRulesTest, TyposGetTheNameTheyMostLikelyMeant) {
  // One transposition, one deletion, one substitution: suggested.
  ExpectRefused({"simulate", "serving", "--qsp", "3"},
                "unknown option '--qsp' for simulate serving (did you mean '--qps'?); accepted:");
  ExpectRefused({"simulate", "training", "--modle", "Llama3_8B"},
                "(did you mean '--model'?)");
  ExpectRefused({"simulat"}, "unknown command 'simulat' (did you mean 'simulate'?)");
  ExpectRefused({"simulate", "traning"}, "unknown form 'traning' (did you mean 'training'?)");
  // Nothing close: no guess, the list only.
  const CliRun far = Mlsysim({"simulate", "training", "--xyzzy", "1"});
  EXPECT_EQ(far.code, 1);
  EXPECT_EQ(far.err.find("did you mean"), std::string::npos) << far.err;
  EXPECT_NE(far.err.find("accepted: --model"), std::string::npos) << far.err;
  // The distance counts a swap of two neighbours as one edit.
  EXPECT_EQ(DidYouMean("--qsp", {"--tp", "--qps"}), "--qps");
  EXPECT_EQ(DidYouMean("ab", {"ba", "xy"}), "ba");
  EXPECT_EQ(DidYouMean("xyzzy", {"model", "nodes"}), "");
}

TEST(InputRulesTest, GradientBucketsBeyondWhatAStepTracksAreRefused) {
  // Llama-3-8B's 16 GB of gradients over TP 8 in 10 KB buckets: 200,750
  // buckets on the stage, more than the 65,536 its events carry (this was a
  // segmentation fault: the bucket index overflowed into the actor index).
  ExpectRefused({"simulate", "training", "--model", "Llama3_8B", "--nodes", "2", "--tp", "8",
                 "--batch-size", "16", "--bucket", "10 KB", "--days", "0"},
                "training.bucket_size (--bucket): 10000 bytes split a stage's gradients into "
                "200750 buckets; at most 65536");
  // The model's own precondition says the same to a library caller.
  TrainingStepConfig c = StepOnRegistryFleet("Llama3_8B", "Frontier_8K", 2);
  c.tp = 8;
  c.global_batch = 16;
  c.microbatches = 1;
  c.bucket_bytes = 10e3;
  const absl::Status st = CheckTrainingStepConfig(c);
  EXPECT_EQ(st.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("200750 buckets"), std::string::npos) << st.message();
  c.bucket_bytes = 31e3;  // 64,758 buckets: runs
  EXPECT_TRUE(CheckTrainingStepConfig(c).ok());
}

TEST(InputRulesTest, AStepTooLargeToSimulateIsRefusedBeforeItRuns) {
  // A million nodes at tp 8 x pp 8, per flow: 125,000 data-parallel ranks, ~1.2e12 flows.
  ExpectRefused({"simulate", "training", "--model", "Llama3_70B", "--nodes", "1000000", "--tp", "8",
                 "--pp", "8", "--batch-size", "16000000", "--no-aggregation", "--dp-algorithm",
                 "ring"},
                "cluster.nodes (--nodes): 1000000 nodes make 125000 data-parallel ranks");
  // As flow classes the bound is on the classes' work: 2,000,000 nodes at tp 8 x pp 4.
  ExpectRefused({"simulate", "training", "--model", "Llama3_70B", "--nodes", "2000000", "--tp", "8",
                 "--pp", "4", "--batch-size", "16000000", "--dp-algorithm", "ring"},
                "500000 data-parallel ranks per gradient ring; one step would simulate ~4.9e+09 "
                "flows as flow classes");
}

}  // namespace
}  // namespace mlsysim
