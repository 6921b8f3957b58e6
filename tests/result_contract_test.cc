// result_contract_test.cc — the one result contract of `mlsysim simulate`:
// every shipped scenario runs with its fingerprints pinned; every quick form's
// --dump-scenario, run as a file, gives byte-identical JSON; the JSON parses
// into proto/result.proto with unknown fields rejected; the reports never
// print nan or filler; the Perfetto traces pass a format check (required
// keys, named tracks, communication spans); `schema --type result` is the file.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/cli_runner.h"
#include "tests/result_testing.h"

namespace mlsysim {
namespace {

std::string Source(const std::string& rel) { return std::string(MLSYSIM_SOURCE_DIR) + "/" + rel; }

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// Pinned: the event-stream fingerprint of replication 0 and an FNV-1a hash of
// the whole `--reproducible -o json` result. A deliberate model or result
// change updates these in the same commit, saying why in its message.
struct Pin {
  const char* scenario;
  const char* fingerprint;
  uint64_t json_hash;
};
constexpr Pin kPins[] = {
    {"llama3_405b_16k_54d.textproto", "d888e3e3961bb38c", 0x07b0f82b54affb07ull},
    {"llama3_70b_fp16_1000qps.textproto", "a7d3c514d1f01f1f", 0x778bafbf9ea6c9c0ull},
    {"llama3_70b_int4_1000qps.textproto", "cefe260034749b59", 0x2a05b1e8a07faf8dull},
    {"llama3_70b_research256.textproto", "70880bd931aff41c", 0x8d28ad62e425491aull},
    {"llama3_8b_8xh100_bursty.textproto", "05891351aa033520", 0xaf82caa04c9ff4edull},
    {"mixtral_ep8_frontier.textproto", "f03250833f84ec02", 0xba58b8d77c1fdb9dull},
    {"mm8_tail_latency.textproto", "ca203467c8e87e3b", 0x6042e37645594341ull},
    {"shared_cluster_day.textproto", "f7b555fc20b5033b", 0x9a2ee8d101f82853ull},
    {"two_tenants_and_training_queue.textproto", "d0347090d5da33ac", 0xed2598849195b4ebull},
};

TEST(ResultContractTest, EveryShippedScenarioRunsWithPinnedFingerprints) {
  std::set<std::string> pinned;
  for (const Pin& p : kPins) {
    pinned.insert(p.scenario);
    const CliRun r = Mlsysim({"-o", "json", "--reproducible", "simulate",
                              Source(std::string("scenarios/") + p.scenario)});
    ASSERT_EQ(r.code, 0) << p.scenario << ": " << r.err;
    ParsedResult j(r.out);
    EXPECT_EQ(j.r.fingerprint(), p.fingerprint) << p.scenario;
    EXPECT_EQ(j.r.wall_seconds(), 0) << "--reproducible leaves the wall time out";
    std::printf("pin %s %s 0x%016llxull\n", p.scenario, j.r.fingerprint().c_str(),
                static_cast<unsigned long long>(Fnv1a(r.out)));
    if (p.json_hash != 0) {
      EXPECT_EQ(Fnv1a(r.out), p.json_hash) << p.scenario;
    }
  }
  // Every scenario in scenarios/ (a registry file is read by the scenarios
  // that name it) is pinned here: a new scenario without a pin fails.
  int listed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(Source("scenarios"))) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || !name.ends_with(".textproto") ||
        name.ends_with(".registry.textproto"))
      continue;
    ++listed;
    EXPECT_TRUE(pinned.count(name)) << "scenarios/" << name << " has no pin";
  }
  EXPECT_EQ(listed, static_cast<int>(pinned.size()));
}

// The flags of one quick form; --dump-scenario turns them into a file that
// must give the same bytes.
void ExpectRoundTrip(std::vector<std::string> form) {
  std::vector<std::string> dump = {"simulate"};
  dump.insert(dump.end(), form.begin(), form.end());
  dump.push_back("--dump-scenario");
  const CliRun d = Mlsysim(dump);
  ASSERT_EQ(d.code, 0) << d.err;
  const std::string file = ::testing::TempDir() + "/roundtrip_" + form[0] + ".textproto";
  std::ofstream(file, std::ios::binary) << d.out;
  std::vector<std::string> flags = {"-o", "json", "--reproducible", "simulate"};
  flags.insert(flags.end(), form.begin(), form.end());
  const CliRun a = Mlsysim(flags);
  const CliRun b = Mlsysim({"-o", "json", "--reproducible", "simulate", file});
  ASSERT_EQ(a.code, 0) << a.err;
  ASSERT_EQ(b.code, 0) << b.err << "\n" << d.out;
  EXPECT_EQ(a.out, b.out) << form[0] << "\n" << d.out;
  ParsedResult j(a.out);
  EXPECT_EQ(j.r.form(), form[0] == "jobs" ? "jobs" : form[0]);
}

TEST(ResultContractTest, DumpScenarioRoundTripsEveryQuickForm) {
  const std::string d = std::string(MLSYSIM_TEST_DATA_DIR) + "/astra-sim/hgx_h100_allreduce_8/";
  ExpectRoundTrip({"queue", "--servers", "4", "--arrival-rate", "3.2", "--service-time", "1",
                   "--service-dist", "gamma", "--cv", "0.5", "--requests", "20000", "--seed",
                   "12345678", "--replications", "3"});
  ExpectRoundTrip({"jobs", "--gpus", "256", "--arrival-rate", "4", "--duration", "12", "--job-gpus",
                   "8,64", "--policy", "backfill", "--jobs", "2000", "--seed", "5"});
  ExpectRoundTrip({"serving",
                   "--model",
                   "Llama3_8B",
                   "--hardware",
                   "H100",
                   "--replicas",
                   "2",
                   "--qps",
                   "20",
                   "--requests",
                   "1500",
                   "--input-tokens",
                   "uniform:64:512",
                   "--router",
                   "jsq-kv",
                   "--seed",
                   "9",
                   "--replications",
                   "2",
                   "--slo-ttft",
                   "200 ms"});
  ExpectRoundTrip({"serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas", "2",
                   "--requests", "1000", "--tenant", "chat/30/1/0", "--tenant",
                   "batch/10/0/8/fixed:1024/fixed:64"});
  ExpectRoundTrip({"training",
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
                   "3",
                   "--failures",
                   "registry",
                   "--checkpoint-interval",
                   "daly",
                   "--seed",
                   "3",
                   "--replications",
                   "2",
                   "--weibull-shape",
                   "0.8"});
  // The workload model's fields (issue 20) round-trip too.
  ExpectRoundTrip({"training",
                   "--model",
                   Source("tests/data/hf/llama3_8b.config.json"),
                   "--nodes",
                   "8",
                   "--tp",
                   "4",
                   "--cp",
                   "2",
                   "--pp",
                   "2",
                   "--virtual-stages",
                   "2",
                   "--microbatches",
                   "4",
                   "--batch-size",
                   "16",
                   "--seq-len",
                   "4096",
                   "--stage-layers",
                   "7,9,9,7",
                   "--zero",
                   "1",
                   "--sequence-parallel",
                   "off",
                   "--attention",
                   "square",
                   "--precision",
                   "fp8",
                   "--recompute",
                   "full"});
  ExpectRoundTrip({"collective",
                   "--op",
                   "allreduce",
                   "--algorithm",
                   "hierarchical",
                   "--ranks",
                   "64",
                   "--gpus-per-node",
                   "8",
                   "--message",
                   "1 GB",
                   "--bandwidth",
                   "900 GB/s",
                   "--latency",
                   "0.5 us",
                   "--inter-bandwidth",
                   "50 GB/s",
                   "--inter-latency",
                   "5 us",
                   "--topology",
                   "fat_tree_2"});
  ExpectRoundTrip({"chakra", "--workload", d + "workload/all_reduce", "--network",
                   d + "network.yml", "--system", d + "system.json", "--backend", "astra-unaware"});
}

TEST(ResultContractTest, SchemaResultIsTheProtoFile) {
  const CliRun r = Mlsysim({"schema", "--type", "result"});
  ASSERT_EQ(r.code, 0);
  EXPECT_EQ(r.out, Slurp(Source("proto/result.proto")));
}

TEST(ResultContractTest, ReportsAreReadable) {
  const CliRun text = Mlsysim({"--reproducible", "simulate", "default"});
  ASSERT_EQ(text.code, 0) << text.err;
  EXPECT_NE(text.out.find("mlsysim simulate training · llama3-70b-research256"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("figure"), std::string::npos);
  // (3.441 s: the default scenario on the calibrated H100 machine, issue 21;
  // 3.444 s before NCCL's small-message lines, 3.439 s before the memory line
  // was fitted on its own.)
  EXPECT_NE(text.out.find("step_time_s              3.441 s"), std::string::npos) << text.out;
  // A metric named in seconds prints in seconds (the cluster's 134-hour MTBF
  // is "482,100 s", Young's interval "729.3 s", not minutes or hours), and the
  // facts wrap before 100 characters.
  EXPECT_NE(text.out.find("cluster_mtbf_s         482,100 s"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("checkpoint_interval_s  729.3 s"), std::string::npos) << text.out;
  // A closed form inside the simulated CI is marked as such (0.80 ± 1.04
  // interruptions against rate x T = 1.254), one outside is not.
  EXPECT_NE(text.out.find("-36.22 % in CI"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("+96.14 %          Iron Law"), std::string::npos) << text.out;
  std::istringstream lines(text.out);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string name;
    words >> name;
    if (name.size() > 2 && name.ends_with("_s")) {
      for (const char* unit : {" min", " h ", " d "})
        EXPECT_EQ((line + " ").find(unit), std::string::npos) << line;
    }
    if (line.find(" · ") != std::string::npos) {
      size_t chars = 0;  // UTF-8 characters: "·" and "µ" are two bytes
      for (unsigned char c : line) chars += (c & 0xC0) != 0x80;
      EXPECT_LE(chars, 100u) << line;
    }
  }
  const CliRun serving =
      Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas",
               "2", "--qps", "10", "--requests", "2000", "--replications", "3"});
  ASSERT_EQ(serving.code, 0) << serving.err;
  const CliRun md = Mlsysim({"-o", "markdown", "simulate", "default"});
  ASSERT_EQ(md.code, 0);
  EXPECT_NE(md.out.find("| figure | simulated | closed form | gap | source |"), std::string::npos)
      << md.out;
  for (const std::string* out : {&text.out, &serving.out, &md.out}) {
    for (const char* bad : {"nan", "inf", "e+", "± 0 s", "± 0\n"}) {
      EXPECT_EQ(out->find(bad), std::string::npos) << bad << " in\n" << *out;
    }
  }
}

// A Chrome/Perfetto trace: every event has name, ph, pid, tid; every
// non-metadata event a numeric ts; every (pid, tid) used is named.
void CheckTrace(const std::string& path, const std::set<std::string>& categories_needed) {
  auto j = nlohmann::json::parse(Slurp(path));
  ASSERT_TRUE(j.contains("traceEvents"));
  std::set<int> named_pids;
  std::set<std::pair<int, int>> named_threads, used_threads;
  std::set<std::string> categories;
  for (const auto& e : j["traceEvents"]) {
    for (const char* key : {"name", "ph", "pid", "tid"})
      ASSERT_TRUE(e.contains(key)) << key << " in " << e.dump();
    const std::string ph = e["ph"];
    if (ph == "M") {
      if (e["name"] == "process_name") named_pids.insert(e["pid"].get<int>());
      if (e["name"] == "thread_name")
        named_threads.insert({e["pid"].get<int>(), e["tid"].get<int>()});
      ASSERT_TRUE(e["args"].contains("name"));
      continue;
    }
    ASSERT_TRUE(e.contains("ts") && e["ts"].is_number()) << e.dump();
    if (ph == "X") {
      ASSERT_TRUE(e.contains("dur") && e["dur"].get<double>() >= 0) << e.dump();
    }
    if (ph == "b" || ph == "e") {
      ASSERT_TRUE(e.contains("id")) << e.dump();
    }
    if (e.contains("cat")) categories.insert(e["cat"].get<std::string>());
    EXPECT_TRUE(named_pids.count(e["pid"].get<int>())) << "unnamed process in " << e.dump();
    if (ph == "X") used_threads.insert({e["pid"].get<int>(), e["tid"].get<int>()});
  }
  for (const auto& t : used_threads)
    EXPECT_TRUE(named_threads.count(t)) << t.first << "/" << t.second;
  for (const std::string& c : categories_needed)
    EXPECT_TRUE(categories.count(c)) << "no '" << c << "' spans";
}

TEST(ResultContractTest, TrainingAndServingTracesPassAFormatCheck) {
  const std::string train = ::testing::TempDir() + "/train_trace.json";
  const CliRun t =
      Mlsysim({"-o",     "json", "simulate",   "training", "--model", "Llama3_8B",    "--nodes",
               "4",      "--tp", "4",          "--pp",     "2",       "--batch-size", "32",
               "--days", "20",   "--failures", "registry", "--trace", train});
  ASSERT_EQ(t.code, 0) << t.err;
  CheckTrace(train, {"compute", "tp", "pp", "dp", "bubble", "failure", "checkpoint"});
  EXPECT_EQ(ParsedResult(t.out).r.files(0), train);
  const std::string serve = ::testing::TempDir() + "/serve_trace.json";
  const std::string iters = ::testing::TempDir() + "/iterations.csv";
  const CliRun s = Mlsysim({"-o", "json", "simulate", "serving", "--model", "Llama3_8B",
                            "--hardware", "H100", "--replicas", "2", "--qps", "20", "--requests",
                            "500", "--trace", serve, "--iterations-csv", iters});
  ASSERT_EQ(s.code, 0) << s.err;
  CheckTrace(serve, {"iteration", "request"});
  const std::string csv = Slurp(iters);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "replica,start_s,end_s,prefill_tokens,decode_sequences,kv_utilization");
  EXPECT_EQ(ParsedResult(s.out).r.files_size(), 2);
  // A cap that is hit is reported, not silent.
  const CliRun capped =
      Mlsysim({"-o", "json", "simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100",
               "--replicas", "2", "--qps", "20", "--requests", "500", "--trace", serve,
               "--trace-max-events", "100"});
  ASSERT_EQ(capped.code, 0) << capped.err;
  EXPECT_NE(capped.err.find("capped at 100 events"), std::string::npos) << capped.err;
  EXPECT_EQ(ParsedResult(capped.out).r.warnings_size(), 1);
}

TEST(ResultContractTest, ErrorsNameTheFieldAndTheFlag) {
  const CliRun q = Mlsysim({"simulate", "queue", "--servers", "2", "--arrival-rate", "3",
                            "--service-time", "1", "--requests", "1000"});
  EXPECT_EQ(q.code, 1);
  EXPECT_NE(q.err.find("queue.arrival_rate (--arrival-rate)"), std::string::npos) << q.err;
  const std::string f = ::testing::TempDir() + "/bad_preset.textproto";
  std::ofstream(f)
      << "training { model: \"Llama3_8B\" global_batch_size: 16 tp: 8 duration: \"1 day\" }\n"
         "cluster { nodes: 2 }\nfailures { preset: \"often\" }\n";
  const CliRun s = Mlsysim({"simulate", f});
  EXPECT_EQ(s.code, 1);
  EXPECT_EQ(s.err.find("--failures"), std::string::npos)
      << "a scenario names fields, not flags: " << s.err;
}

}  // namespace
}  // namespace mlsysim
