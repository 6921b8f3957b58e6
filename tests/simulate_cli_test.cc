// simulate_cli_test.cc — `mlsysim simulate`: the quick forms' JSON contracts,
// the example scenarios, byte-identical output, files written whole, and bad
// input with the right exit codes.
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

TEST(SimulateCliTest, TrainingQuickForm) {
  const CliRun r = Mlsysim({"-o",
                            "json",
                            "simulate",
                            "training",
                            "--model",
                            "Llama3_70B",
                            "--cluster",
                            "Research_256",
                            "--tp",
                            "8",
                            "--pp",
                            "4",
                            "--batch-size",
                            "256",
                            "--days",
                            "7",
                            "--failures",
                            "registry",
                            "--checkpoint-interval",
                            "daly",
                            "--seed",
                            "3"});
  ASSERT_EQ(r.code, 0) << r.err;
  ParsedResult j(r.out);
  for (const char* key :
       {"step_time_s", "interruptions", "ettr", "checkpoint_interval_s", "checkpoint_write_s",
        "restart_time_s", "cluster_mtbf_s", "step_time_mlsysim"}) {
    EXPECT_TRUE(j.Has(key)) << key;
  }
  EXPECT_EQ(j.Num("dp"), 8);
  EXPECT_GT(j.Sim("ettr"), 0.9);
  EXPECT_EQ(j.r.seed(), 3u);
  EXPECT_NEAR(j.Sim("checkpoint_interval_s"), j.Ana("daly_interval_s"), 1e-9);
  EXPECT_EQ(FindMetric(j.r, "step_time_s")->analytic_source(), "Iron Law 6PD/(N*peak*eta)");
}

// Flow classes on the command line (issue 22): the default runs a symmetric
// 4,096-GPU step as classes in full detail and says so; --no-aggregation runs
// every flow (auto detail would then pick replica detail above 2,048 GPUs, so
// full is asked for) and gives the same step.
TEST(SimulateCliTest, TrainingFlowClassesAndNoAggregation) {
  const std::vector<std::string> args = {"-o", "json", "simulate", "training", "--model", "GPT3",
                                         "--node", "DGX_H100", "--fabric", "InfiniBand_NDR",
                                         "--nodes", "512", "--tp", "8", "--pp", "8",
                                         "--batch-size", "1024", "--days", "0"};
  const CliRun classes = Mlsysim(args);
  ASSERT_EQ(classes.code, 0) << classes.err;
  std::vector<std::string> per_flow_args = args;
  per_flow_args.insert(per_flow_args.end(), {"--no-aggregation", "--detail", "full"});
  const CliRun per_flow = Mlsysim(per_flow_args);
  ASSERT_EQ(per_flow.code, 0) << per_flow.err;
  ParsedResult a(classes.out), b(per_flow.out);
  EXPECT_EQ(a.Text("detail"), "full");
  EXPECT_EQ(b.Text("detail"), "full");
  EXPECT_NE(a.Text("flow_aggregation").find("flow classes"), std::string::npos);
  EXPECT_EQ(b.Text("flow_aggregation"), "off (--no-aggregation)");
  EXPECT_LT(a.Num("simulated_flows") * 100, a.Num("flows"));
  EXPECT_EQ(a.Num("flows"), b.Num("flows"));
  EXPECT_NEAR(a.Sim("step_time_s"), b.Sim("step_time_s"), 1e-9 * b.Sim("step_time_s"));
  EXPECT_NEAR(a.Sim("dp_allreduce_s"), b.Sim("dp_allreduce_s"), 1e-9 * b.Sim("step_time_s"));
}

// --dump-scenario --full writes out every default the run applies; run as a
// file, that scenario gives the same metrics, facts, sections and
// fingerprint as the original (a different path through the resolver: every
// field now given rather than defaulted).
TEST(SimulateCliTest, DumpScenarioFullStatesTheDefaultsAndRunsTheSame) {
  struct Case {
    std::vector<std::string> dump;  // the command that prints the full scenario
    std::vector<std::string> run;   // the original run
    std::vector<std::string> stated;
  };
  const std::vector<Case> cases = {
      {{"simulate", "default", "--dump-scenario", "--full"},
       {"-o", "json", "--reproducible", "simulate", "default"},
       // The documented defaults: 2,048 tokens, a 500 MB bucket, Young's
       // interval under failures, node NVMe, 30 s / 10 min / 60 s recovery.
       {"seq_len: 2048", "bucket_size: \"500 MB\"", "interval: \"young\"", "storage: \"node_nvme\"",
        "detection_time: \"30 s\"", "restart_time: \"10 min\"", "reschedule_time: \"60 s\"",
        "microbatches: 16", "routing: \"ecmp\"", "hardware_model: \"calibrated\""}},
      {{"simulate", "training", "--model", "Llama3_8B", "--nodes", "2", "--tp", "8", "--batch-size",
        "16", "--dump-scenario", "--full"},
       {"-o", "json", "--reproducible", "simulate", "training", "--model", "Llama3_8B", "--nodes",
        "2", "--tp", "8", "--batch-size", "16"},
       // No failures, so no checkpoints; 4 microbatches (16 sequences over DP 2).
       {"preset: \"none\"", "interval: \"none\"", "microbatches: 4", "duration: \"0 s\"",
        "replications: 1", "seed: 1"}},
      {{"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas", "2",
        "--qps", "20", "--requests", "2000", "--dump-scenario", "--full"},
       {"-o", "json", "--reproducible", "simulate", "serving", "--model", "Llama3_8B", "--hardware",
        "H100", "--replicas", "2", "--qps", "20", "--requests", "2000"},
       {"input_tokens: \"fixed:512\"", "output_tokens: \"fixed:128\"", "max_batch: 256",
        "max_batched_tokens: 8192", "router: \"rr\"", "arrival: \"poisson\"",
        "preemption: \"recompute\""}},
      {{"simulate", Scenario("mm8_tail_latency.textproto"), "--dump-scenario", "--full"},
       {"-o", "json", "--reproducible", "simulate", Scenario("mm8_tail_latency.textproto")},
       {"service_distribution: \"exp\"", "warmup_fraction: 0.05", "replications: 10"}},
      {{"simulate", "jobs", "--gpus", "256", "--arrival-rate", "20", "--duration", "12",
        "--jobs", "2000", "--dump-scenario", "--full"},
       {"-o", "json", "--reproducible", "simulate", "jobs", "--gpus", "256", "--arrival-rate", "20",
        "--duration", "12", "--jobs", "2000"},
       {"policy: \"fifo\"", "restart_penalty: \"0.1 hour\"", "job_gpus: 256", "replications: 5"}},
  };
  int n = 0;
  for (const Case& c : cases) {
    const CliRun dump = Mlsysim(c.dump);
    ASSERT_EQ(dump.code, 0) << dump.err;
    EXPECT_NE(dump.out.find("every default the run applies is written out"), std::string::npos);
    for (const std::string& line : c.stated) EXPECT_NE(dump.out.find(line), std::string::npos) << line;
    const std::string file = ::testing::TempDir() + "/full_" + std::to_string(n++) + ".textproto";
    std::ofstream(file) << dump.out;
    const CliRun original = Mlsysim(c.run);
    const CliRun filled = Mlsysim({"-o", "json", "--reproducible", "simulate", file});
    ASSERT_EQ(original.code, 0) << original.err;
    ASSERT_EQ(filled.code, 0) << filled.err;
    const ParsedResult a(original.out), b(filled.out);
    EXPECT_EQ(a.r.fingerprint(), b.r.fingerprint());
    ASSERT_EQ(a.r.metrics_size(), b.r.metrics_size());
    for (int i = 0; i < a.r.metrics_size(); ++i)
      EXPECT_EQ(a.r.metrics(i).DebugString(), b.r.metrics(i).DebugString());
    ASSERT_EQ(a.r.sections_size(), b.r.sections_size());
    for (int i = 0; i < a.r.sections_size(); ++i)
      EXPECT_EQ(a.r.sections(i).DebugString(), b.r.sections(i).DebugString());
  }
  // A form whose defaults are not written out says so; --full alone is refused.
  const CliRun mixed = Mlsysim({"simulate", Scenario("two_tenants_and_training_queue.textproto"),
                                "--dump-scenario", "--full"});
  EXPECT_EQ(mixed.code, 0);
  EXPECT_NE(mixed.out.find("not written out yet"), std::string::npos);
  EXPECT_EQ(Mlsysim({"simulate", "default", "--full"}).code, 1);
}

// The queueing-aware TTFT estimate (sim/serving/ttft_estimate.h) against the
// simulation it approximates: one H100 replica of Llama-3-8B, 512/128 tokens,
// Poisson arrivals at 12.5 and 25 requests/s (3 × 20,000 requests, seeded).
// Measured gaps (tests/data/SOURCES.md §12): mean and p50 0.1–0.6 %, p99
// 0.5 % at 12.5/s and 5 % at 25/s (the chains the mixture takes at the mean).
// Tolerances: 2 % for mean and p50 at both rates, 2 % for p99 at 12.5/s.
// "One request alone" (mlsysim ServingModel) is 17 ms against 22–25 ms here.
TEST(SimulateCliTest, QueueingAwareTtftMatchesTheSimulatedReplica) {
  for (const char* qps : {"12.5", "25"}) {
    const CliRun r = Mlsysim({"-o", "json", "simulate", "serving", "--model", "Llama3_8B",
                              "--hardware", "H100", "--replicas", "1", "--qps", qps, "--requests",
                              "20000", "--replications", "3", "--seed", "1"});
    ASSERT_EQ(r.code, 0) << r.err;
    const ParsedResult j(r.out);
    for (const char* key : {"ttft_mean_s", "ttft_p50_s"}) {
      EXPECT_EQ(FindMetric(j.r, key)->analytic_source(), "gated batch iterations (queueing)");
      EXPECT_NEAR(j.Sim(key) / j.Ana(key), 1.0, 0.02) << key << " at " << qps << "/s";
    }
    if (std::string(qps) == "12.5") {
      EXPECT_NEAR(j.Sim("ttft_p99_s") / j.Ana("ttft_p99_s"), 1.0, 0.02);
    }
    // The one-request-alone closed form misses the queueing by 20 % and more.
    EXPECT_GT(j.Sim("ttft_p50_s") / j.Ana("ttft_p50_mlsysim"), 1.2) << qps;
  }
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
  r = Mlsysim({"simulate", "training", "--model", "Llama3_70B", "--cluster", "Research_256", "--tp",
               "8", "--pp", "4", "--batch-size", "256", "--days", "1", "--restart-time", "-5 min"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--restart-time"), std::string::npos);
  r = Mlsysim({"simulate", "training", "--model", "Llama3_70B", "--cluster", "Research_256", "--tp",
               "8", "--pp", "4", "--batch-size", "256", "--failures", "often"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("llama3"), std::string::npos);
  r = Mlsysim({"simulate", "training", "--model", "Llama3_70B", "--cluster", "Research_256", "--tp",
               "8", "--pp", "4", "--batch-size", "256", "--dp-algorithm", "butterfly"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("training.gradient_algorithm"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("double_tree"), std::string::npos) << r.err;
  r = Mlsysim({"simulate", "training", "--model", "Llama3_70B", "--cluster", "Research_256", "--tp",
               "8", "--pp", "4", "--batch-size", "256", "--dp-algorithm", "double_tree", "--zero",
               "3", "--days", "0"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("reduce-scatter"), std::string::npos) << r.err;
}

TEST(SimulateCliTest, ScenariosRunAndAreByteIdentical) {
  for (const char* s : {"llama3_70b_research256.textproto"}) {
    const CliRun a = Mlsysim({"-o", "json", "--reproducible", "simulate", Scenario(s)});
    const CliRun b = Mlsysim({"-o", "json", "--reproducible", "simulate", Scenario(s)});
    ASSERT_EQ(a.code, 0) << a.err;
    EXPECT_EQ(a.out, b.out);
  }
}

TEST(SimulateCliTest, DefaultScenarioIsTheEmbeddedResearch256Week) {
  const CliRun embedded = Mlsysim({"-o", "json", "simulate", "default"});
  ASSERT_EQ(embedded.code, 0) << embedded.err;
  ParsedResult a(embedded.out);
  ParsedResult b(
      Mlsysim({"-o", "json", "simulate", Scenario("llama3_70b_research256.textproto")}).out);
  EXPECT_EQ(a.r.name(), "llama3-70b-research256");
  EXPECT_EQ(a.Sim("step_time_s"), b.Sim("step_time_s"));
  EXPECT_EQ(a.Sim("interruptions"), b.Sim("interruptions"));
}

TEST(SimulateCliTest, Llama3ScenarioReproducesTheFleetFigures) {
  // The failure log goes where --events-csv says (scratch directory), announced.
  const std::string log = ::testing::TempDir() + "/llama3_405b_failures.csv";
  const CliRun r = Mlsysim(
      {"-o", "json", "simulate", Scenario("llama3_405b_16k_54d.textproto"), "--events-csv", log});
  ASSERT_EQ(r.code, 0) << r.err;
  ParsedResult j(r.out);
  EXPECT_NEAR(j.Sim("interruptions"), 419, 41);
  EXPECT_GT(j.Sim("ettr"), 0.85);
  EXPECT_EQ(j.Num("gpus"), 16384);
  ASSERT_EQ(j.r.files_size(), 1);
  EXPECT_EQ(j.r.files(0), log);
  EXPECT_NE(r.err.find("wrote " + log), std::string::npos) << r.err;
  std::ifstream csv(log);
  ASSERT_TRUE(csv.good());
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "time_s,kind,component,cause,downtime_s,lost_work_s");
  std::remove(log.c_str());
}

TEST(SimulateCliTest, TraceAndCsvAreWrittenWhole) {
  const std::string trace = ::testing::TempDir() + "step_trace.json";
  const std::string csv = ::testing::TempDir() + "events.csv";
  const CliRun r =
      Mlsysim({"-o",           "json", "simulate",     "training", "--model",    "Llama3_8B",
               "--nodes",      "4",    "--tp",         "8",        "--pp",       "2",
               "--batch-size", "32",   "--days",       "30",       "--failures", "registry",
               "--trace",      trace,  "--events-csv", csv});
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
  ParsedResult j(r.out);
  for (const char* key : {"wait_mean", "sojourn_mean", "sojourn_p50", "sojourn_p90", "sojourn_p99",
                          "sojourn_p999", "wait_p99", "utilization"}) {
    ASSERT_TRUE(j.Has(key)) << key;
    EXPECT_TRUE(FindMetric(j.r, key)->has_ci95()) << key;
  }
  EXPECT_EQ(FindMetric(j.r, "sojourn_p99")->analytic_source(), "M/M/c");
  EXPECT_NEAR(j.Ana("sojourn_p99"), 5.152, 1e-3);
  EXPECT_NEAR(j.Ana("p99_latency"), 3.39, 0.01);
  EXPECT_LT(std::abs(j.Gap("mean_in_system")), 2e-3);  // Little's law
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

TEST(SimulateCliTest, SharedClusterScenario) {
  const CliRun r =
      Mlsysim({"-o", "json", "simulate", Scenario("two_tenants_and_training_queue.textproto")});
  ASSERT_EQ(r.code, 0) << r.err;
  ParsedResult j(r.out);
  EXPECT_EQ(j.Num("serving_gpus"), 16);
  EXPECT_EQ(j.Num("job_queue_gpus"), 496);
  ASSERT_EQ(j.r.parts_size(), 2);
  const result::Result& serving = j.r.parts(0);
  const result::Result& jobs = j.r.parts(1);
  EXPECT_EQ(serving.sections_size(), 2);  // one per tenant
  EXPECT_NEAR(FindMetric(jobs, "utilization")->simulated(),
              FindFact(jobs, "offered_load")->number(), 0.05);
  EXPECT_FALSE(FindFact(jobs, "is_stable")->flag());  // mlsysim's one-server view
}

TEST(SimulateCliTest, JobsQuickForm) {
  const CliRun r =
      Mlsysim({"-o", "json", "simulate", "jobs", "--gpus", "256", "--arrival-rate", "0.35",
               "--duration", "48", "--duration-dist", "det", "--jobs", "5000"});
  ASSERT_EQ(r.code, 0) << r.err;
  ParsedResult j(r.out);
  EXPECT_NEAR(j.Ana("wait_mean_h"), j.Ana("avg_wait_time_h"), 1e-9);
  EXPECT_EQ(Mlsysim({"simulate", "jobs", "--gpus", "8", "--arrival-rate", "1", "--duration", "2",
                     "--job-gpus", "16"})
                .code,
            1);
  // A shared cluster's flag on a queue for --gpus is refused by name (it used
  // to be dropped without a word), and a stream's flag with --placement.
  const CliRun nodes = Mlsysim({"simulate", "jobs", "--gpus", "64", "--arrival-rate", "4",
                                "--duration", "6", "--nodes", "3"});
  EXPECT_EQ(nodes.code, 1);
  EXPECT_NE(nodes.err.find("--nodes: only with --placement"), std::string::npos) << nodes.err;
  const CliRun cv = Mlsysim({"simulate", "jobs", "--job-trace",
                             std::string(MLSYSIM_TEST_DATA_DIR) + "/jobs/five_jobs.csv",
                             "--placement", "contiguous", "--nodes", "8", "--cv", "2"});
  EXPECT_EQ(cv.code, 1);
  EXPECT_NE(cv.err.find("--cv: not with --placement"), std::string::npos) << cv.err;
}

TEST(SimulateCliTest, ChakraFormAndScenarioAndExport) {
  const std::string d = std::string(MLSYSIM_TEST_DATA_DIR) + "/astra-sim/hgx_h100_allreduce_8/";
  for (const auto& [backend, cycles] :
       {std::pair<std::string, long long>{"astra-aware", 57426}, {"astra-unaware", 55222}}) {
    const CliRun r = Mlsysim({"-o", "json", "simulate", "chakra", "--workload",
                              d + "workload/all_reduce", "--network", d + "network.yml", "--system",
                              d + "system.json", "--backend", backend});
    ASSERT_EQ(r.code, 0) << r.err;
    ParsedResult j(r.out);
    EXPECT_EQ(j.Num("finish_cycles"), cycles);
    EXPECT_EQ(j.Section("rank_finish")->metrics_size(), 8);
  }
  EXPECT_EQ(Mlsysim({"simulate", "chakra", "--workload", d + "workload/nothing", "--network",
                     d + "network.yml", "--system", d + "system.json"})
                .code,
            1);
  EXPECT_EQ(Mlsysim({"simulate", "chakra", "--workload", d + "workload/all_reduce", "--network",
                     d + "network.yml", "--system", d + "system.json", "--backend", "ns3"})
                .code,
            1);
  // An implementation name the backends do not model is refused, never replaced.
  const std::string bad_sys = ::testing::TempDir() + "/halving.json";
  std::ofstream(bad_sys) << "{\"all-reduce-implementation\": [\"halvingDoubling\"]}";
  const CliRun h = Mlsysim({"simulate", "chakra", "--workload", d + "workload/all_reduce",
                            "--network", d + "network.yml", "--system", bad_sys});
  EXPECT_EQ(h.code, 1);
  EXPECT_NE(h.err.find(bad_sys +
                       ": all-reduce-implementation: 'halvingDoubling' is not modelled; accepted: "
                       "ring, direct, directK"),
            std::string::npos)
      << h.err;
  // The same from a scenario file (paths relative to it).
  const std::string scen = ::testing::TempDir() + "/chakra.textproto";
  std::ofstream(scen) << "chakra { workload: \"" << d << "workload/all_reduce\" network: \"" << d
                      << "network.yml\" system: \"" << d
                      << "system.json\" backend: \"astra-unaware\" }\n";
  const CliRun s = Mlsysim({"-o", "json", "simulate", scen});
  ASSERT_EQ(s.code, 0) << s.err;
  EXPECT_EQ(ParsedResult(s.out).Num("finish_cycles"), 55222);
  // Export a step and run it again.
  const std::string dir = ::testing::TempDir() + "/cli_export";
  const CliRun t = Mlsysim({"-o", "json", "simulate", "training", "--model", "Llama3_70B",
                            "--nodes", "8", "--tp", "8", "--pp", "4", "--microbatches", "8",
                            "--batch-size", "16", "--export-chakra", dir});
  ASSERT_EQ(t.code, 0) << t.err;
  const CliRun back =
      Mlsysim({"-o", "json", "simulate", "chakra", "--workload", dir + "/step", "--network",
               dir + "/network.yml", "--system", dir + "/system.json", "--backend", "flow"});
  ASSERT_EQ(back.code, 0) << back.err;
  const double step = ParsedResult(t.out).Sim("step_time_s");
  EXPECT_NEAR(ParsedResult(back.out).Sim("simulated_time_s"), step, 1e-9 * step);
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
