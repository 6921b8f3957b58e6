// sweep_test.cc — `mlsysim sweep`: the points (grid order, linear/log/integer
// ranges, Latin-hypercube strata), field paths, byte-identical output for any
// number of workers, --resume after a partial run, and the Pareto front and
// best point against a hand-checked set.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sim/scenario/sweep_points.h"
#include "sim/scenario/sweep_runner.h"
#include "tests/cli_runner.h"

namespace mlsysim {
namespace {

sweep::Sweep Parse(const std::string& text) {
  sweep::Sweep s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &s)) << text;
  return s;
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream b;
  b << in.rdbuf();
  return b.str();
}

TEST(SweepPointsTest, GridRangesAndOrder) {
  auto s = Parse(R"pb(
    base { queue { servers: 1 arrival_rate: 0.5 service_time: 1 requests: 1000 } }
    axes {
      field: "queue.servers"
      values: [ "1", "2" ]
    }
    axes {
      field: "queue.service_time"
      range { from: 0.1 to: 10 points: 3 log: true }
    }
  )pb");
  auto p = SweepPoints(s);
  ASSERT_TRUE(p.ok()) << p.status();
  ASSERT_EQ(p->size(), 6u);  // row-major: the first axis varies slowest
  EXPECT_EQ((*p)[0], (SweepPoint{"1", "0.1"}));
  EXPECT_EQ((*p)[1][1], "1");  // geometric midpoint of 0.1 and 10
  EXPECT_EQ((*p)[3], (SweepPoint{"2", "0.1"}));
  auto q = Parse(R"pb(
    base { training { model: "Llama3_8B" global_batch_size: 8 } }
    axes {
      field: "checkpoint.interval"
      range { from: 10 to: 40 points: 4 integer: true }
      unit: "min"
    }
  )pb");
  auto qp = SweepPoints(q);
  ASSERT_TRUE(qp.ok());
  EXPECT_EQ((*qp)[3][0], "40 min");
  auto sc = PointScenario(q, (*qp)[1], 1);
  ASSERT_TRUE(sc.ok());
  EXPECT_EQ(sc->checkpoint().interval(), "20 min");
}

TEST(SweepPointsTest, LatinHypercubeHitsEveryStratumOnce) {
  auto s = Parse(R"pb(
    base { queue { servers: 1 arrival_rate: 0.5 service_time: 1 requests: 1000 } }
    axes {
      field: "queue.arrival_rate"
      range { from: 0 to: 1 points: 2 }
    }
    axes {
      field: "queue.service_time"
      range { from: 0 to: 1 points: 2 }
    }
    sample { method: "latin_hypercube" points: 50 }
    seed: 9
  )pb");
  auto p = SweepPoints(s);
  ASSERT_TRUE(p.ok());
  for (int axis = 0; axis < 2; ++axis) {
    std::vector<int> hits(50, 0);
    for (const SweepPoint& pt : *p) ++hits[static_cast<int>(std::stod(pt[axis]) * 50)];
    for (int k = 0; k < 50; ++k) EXPECT_EQ(hits[k], 1) << "axis " << axis << " stratum " << k;
  }
}

TEST(SweepPointsTest, FieldPathsAreChecked) {
  scenario::Scenario s;
  s.mutable_serving()->set_qps(1);
  EXPECT_TRUE(SetFieldByPath(&s, "serving.qps", "250").ok());
  EXPECT_EQ(s.serving().qps(), 250);
  EXPECT_TRUE(SetFieldByPath(&s, "cluster.nodes", "4").ok());
  EXPECT_NE(SetFieldByPath(&s, "training.tp", "8").message().find("another workload"),
            std::string::npos);
  EXPECT_NE(SetFieldByPath(&s, "serving.qpz", "8").message().find("no field 'qpz'"),
            std::string::npos);
  EXPECT_NE(SetFieldByPath(&s, "serving.replicas", "eight").message().find("not an integer"),
            std::string::npos);
}

// An "ok" row with the given values, in order.
SweepRow OkRow(int64_t index, const std::vector<std::pair<std::string, double>>& values) {
  SweepRow r;
  r.set_index(index);
  r.set_status("ok");
  for (const auto& [name, value] : values) {
    sweep::NamedValue* m = r.add_metrics();
    m->set_name(name);
    m->set_value(value);
  }
  return r;
}

TEST(SweepSummaryTest, ParetoFrontAndBestByHand) {
  auto s = Parse(R"pb(
    objectives { metric: "cost" maximize: false }
    objectives { metric: "speed" maximize: true }
    constraints { metric: "latency" op: "<=" value: 1 }
  )pb");
  // (cost, speed, latency): #0 (1, 1, .5), #1 (2, 3, .5), #2 (2, 2, .5) dominated by #1,
  // #3 (3, 3, .5) dominated by #1, #4 (0.5, 9, 2) infeasible, #5 error.
  std::vector<SweepRow> rows;
  const double v[][3] = {{1, 1, .5}, {2, 3, .5}, {2, 2, .5}, {3, 3, .5}, {0.5, 9, 2}};
  for (int i = 0; i < 5; ++i) {
    SweepRow r = OkRow(i, {{"cost", v[i][0]}, {"speed", v[i][1]}, {"latency", v[i][2]}});
    JudgeRow(s, &r);
    rows.push_back(r);
  }
  SweepRow err;
  err.set_index(5);
  err.set_status("error");
  rows.push_back(err);
  const SweepSummary sum = Summarize(s, rows);
  EXPECT_EQ(sum.feasible, 4);
  EXPECT_EQ(sum.errors, 1);
  EXPECT_EQ(sum.pareto, (std::vector<int64_t>{0, 1}));
  EXPECT_EQ(sum.best, 0);  // cheapest
  // A tie on the first objective goes to the next one: (1, 1) vs (1, 5 maximized).
  rows[1].mutable_metrics(0)->set_value(1);
  EXPECT_EQ(Summarize(s, rows).best, 1);
  // ... and #0, with the same cost, is named as tied with it (an equal value).
  EXPECT_EQ(Summarize(s, rows).tied, (std::vector<int64_t>{0}));
  EXPECT_FALSE(Summarize(s, rows).tied_by_noise);
}

TEST(SweepSummaryTest, PointsWithinTheNoiseOfTheBestAreNamed) {
  // Maximize ettr; (mean, 95 % half-width): #0 0.910 ± 0.0045, #1 0.905 ±
  // 0.002, #2 0.900 ± 0.004, #3 0.915 ± 0.001 is best. Against #3: #0 |Δ|
  // 0.005 <= 0.0055, tied; #1 0.010 > 0.003; #2 0.015 > 0.005.
  auto s = Parse(R"pb(objectives { metric: "ettr" maximize: true })pb");
  const double v[][2] = {{0.910, 0.0045}, {0.905, 0.002}, {0.900, 0.004}, {0.915, 0.001}};
  std::vector<SweepRow> rows;
  for (int i = 0; i < 4; ++i) {
    SweepRow r = OkRow(i, {{"ettr", v[i][0]}, {"ettr.ci95", v[i][1]}, {"usd", i == 3 ? 2.0 : 1.0}});
    JudgeRow(s, &r);
    rows.push_back(r);
  }
  SweepSummary sum = Summarize(s, rows);
  EXPECT_EQ(sum.best, 3);
  EXPECT_EQ(sum.tied, (std::vector<int64_t>{0}));
  EXPECT_TRUE(sum.tied_by_noise);
  // Goodput per dollar: #3 costs twice as much, 0.4575 ± 0.0005 per USD;
  // #0 0.910 ± 0.0045 is best, #1 0.905 ± 0.002 (|Δ| 0.005 <= 0.0065: tied),
  // #2 0.900 ± 0.004 (0.010 > 0.0085: not).
  s = Parse(R"pb(objectives { metric: "ettr" maximize: true per: "usd" })pb");
  sum = Summarize(s, rows);
  EXPECT_EQ(sum.best, 0);
  EXPECT_EQ(sum.tied, (std::vector<int64_t>{1}));
  EXPECT_NEAR(ObjectiveCi(s.objectives(0), rows[3]), 0.0005, 1e-15);
  EXPECT_EQ(UnitOfMetricName("ttft_p99_s"), "s");
  EXPECT_EQ(UnitOfMetricName("fleet_capex_usd"), "USD");
  EXPECT_EQ(UnitOfMetricName("ettr"), "");
}

constexpr const char kQueueSweep[] = R"pb(
  name: "mm-c"
  seed: 4
  base {
    replications: 2
    queue { servers: 2 arrival_rate: 1 service_time: 1 requests: 2000 }
  }
  axes {
    field: "queue.servers"
    values: [ "1", "2", "4" ]
  }
  axes {
    field: "queue.arrival_rate"
    values: [ "0.5", "0.9", "1.5" ]
  }
  constraints { metric: "sojourn_p99" op: "<=" value: 8 }
  objectives { metric: "sojourn_p99" maximize: false }
  objectives { metric: "servers" maximize: false }
)pb";

TEST(SweepCliTest, SameOutputForAnyWorkersAndAfterResume) {
  const std::string dir = ::testing::TempDir();
  const std::string file = dir + "/q.sweep.textproto";
  std::ofstream(file) << kQueueSweep;
  const CliRun one = Mlsysim(
      {"sweep", file, "--jobs", "1", "--output", dir + "/q1.csv", "--jsonl", dir + "/q1.jsonl"});
  const CliRun two = Mlsysim(
      {"sweep", file, "--jobs", "2", "--output", dir + "/q2.csv", "--jsonl", dir + "/q2.jsonl"});
  ASSERT_EQ(one.code, 0) << one.err;
  ASSERT_EQ(two.code, 0) << two.err;
  const std::string csv = Slurp(dir + "/q1.csv");
  EXPECT_EQ(csv, Slurp(dir + "/q2.csv"));
  EXPECT_EQ(Slurp(dir + "/q1.jsonl"), Slurp(dir + "/q2.jsonl"));
  // 9 points; ρ = λ/c ≥ 1 (1 server at 0.9 is fine, at 1.5 not) is bad input, recorded.
  EXPECT_NE(csv.find("\n2,1,1.5,error,0,"), std::string::npos) << csv;
  EXPECT_NE(one.out.find("9 of 9 points"), std::string::npos) << one.out;
  // Resume from the header and the first four rows: the same bytes.
  std::istringstream lines(csv);
  std::string partial, line;
  for (int k = 0; k < 5 && std::getline(lines, line); ++k) partial += line + "\n";
  std::ofstream(dir + "/q3.csv", std::ios::binary) << partial;
  const CliRun resumed =
      Mlsysim({"sweep", file, "--jobs", "2", "--output", dir + "/q3.csv", "--resume"});
  ASSERT_EQ(resumed.code, 0) << resumed.err;
  EXPECT_EQ(Slurp(dir + "/q3.csv"), csv);
  // A CSV of another sweep is refused, not overwritten.
  std::ofstream(dir + "/q4.csv")
      << "index,queue.servers,queue.arrival_rate,status,meets_constraints,error\n0,7,7,ok,1,\n";
  EXPECT_EQ(Mlsysim({"sweep", file, "--output", dir + "/q4.csv", "--resume"}).code, 1);
}

TEST(SweepCliTest, BadSweepsNameTheProblem) {
  const std::string dir = ::testing::TempDir();
  std::ofstream(dir + "/bad.textproto")
      << "base { queue { servers: 1 } } axes { field: \"training.tp\" values: [\"8\"] }";
  const CliRun r = Mlsysim({"sweep", dir + "/bad.textproto"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("training.tp"), std::string::npos) << r.err;
  std::ofstream(dir + "/huge.textproto")
      << "base { queue { servers: 1 } } axes { field: \"queue.servers\" range { from: 1 to: 2 "
         "points: 100000 } }"
         " axes { field: \"queue.requests\" range { from: 100 to: 200 points: 100 } }";
  const CliRun h = Mlsysim({"sweep", dir + "/huge.textproto"});
  EXPECT_EQ(h.code, 1);
  EXPECT_NE(h.err.find("more than 1000000 points"), std::string::npos) << h.err;
}

}  // namespace
}  // namespace mlsysim

namespace mlsysim {
namespace {

uint64_t Fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

// The shipped sweeps run with their output pinned (FNV-1a of the CSV; a
// deliberate model change updates the pin, saying why). The fleet sweep
// runs too (60 serving runs of 20,000 requests: ~10 s on two workers).
TEST(SweepCliTest, ShippedSweepsRunWithPinnedOutput) {
  const std::string dir = ::testing::TempDir();
  const struct {
    const char* file;
    uint64_t hash;
  } pins[] = {{"tp_pp_microbatches_70b_research256.textproto", 0xc0f5c3a0d4f6e6f5ull},
              {"checkpoint_interval_spares_16k.textproto", 0xe77e27447eecfbe6ull},
              {"cheapest_fleet_70b_1000qps.textproto", 0xd0e0f981e461b1d5ull},
              {"engine_batch_seq_precision_10k.textproto", 0x4011025d8362ce02ull}};
  // Every sweep in scenarios/sweeps/ has a pin: a new one without fails.
  int listed = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(MLSYSIM_SOURCE_DIR) + "/scenarios/sweeps")) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with(".textproto")) continue;
    ++listed;
    bool found = false;
    for (const auto& p : pins) found |= name == p.file;
    EXPECT_TRUE(found) << "scenarios/sweeps/" << name << " has no pin";
  }
  EXPECT_EQ(listed, static_cast<int>(std::size(pins)));
  for (const auto& p : pins) {
    const std::string out = dir + "/" + p.file + ".csv";
    const CliRun r =
        Mlsysim({"sweep", std::string(MLSYSIM_SOURCE_DIR) + "/scenarios/sweeps/" + p.file, "--jobs",
                 "2", "--output", out});
    ASSERT_EQ(r.code, 0) << r.err;
    std::printf("sweep pin %s 0x%016llxull\n", p.file,
                static_cast<unsigned long long>(Fnv1a(Slurp(out))));
    if (p.hash != 0) {
      EXPECT_EQ(Fnv1a(Slurp(out)), p.hash) << p.file;
    }
    EXPECT_NE(r.out.find("best: #"), std::string::npos) << r.out;
  }
  sweep::Sweep fleet;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
      Slurp(std::string(MLSYSIM_SOURCE_DIR) +
            "/scenarios/sweeps/cheapest_fleet_70b_1000qps.textproto"),
      &fleet));
  auto points = SweepPoints(fleet);
  ASSERT_TRUE(points.ok());
  EXPECT_EQ(points->size(), 60u);
  for (size_t i = 0; i < points->size(); ++i)
    EXPECT_TRUE(PointScenario(fleet, (*points)[i], i).ok()) << i;
}

}  // namespace
}  // namespace mlsysim

namespace mlsysim {
namespace {

// An analytic sweep: every row equals the same `solve` request made directly.
TEST(SweepCliTest, AnalyticSweepEqualsSolve) {
  const std::string dir = ::testing::TempDir();
  std::ofstream(dir + "/engine.textproto")
      << "solve: '{\"solver\": \"Engine\", \"args\": {\"model\": \"Llama3_8B\", \"hardware\": "
         "\"H100\"}}'\n"
         "axes { field: \"args.batch_size\" values: [\"1\", \"64\"] }\n"
         "axes { field: \"args.precision\" values: [\"fp16\", \"int8\"] }\n"
         "objectives { metric: \"throughput\" maximize: true }\n";
  const CliRun r = Mlsysim({"sweep", dir + "/engine.textproto", "--jsonl", dir + "/engine.jsonl"});
  ASSERT_EQ(r.code, 0) << r.err;
  std::ofstream(dir + "/req.jsonl")
      << "{\"id\": 1, \"request\": {\"solver\": \"Engine\", \"args\": "
         "{\"model\": \"Llama3_8B\", \"hardware\": \"H100\", \"batch_size\": 64, "
         "\"precision\": \"int8\"}}}\n";
  const CliRun direct = Mlsysim({"solve", dir + "/req.jsonl"});
  ASSERT_EQ(direct.code, 0) << direct.out;
  const auto expected = nlohmann::json::parse(direct.out)["result"];
  std::istringstream lines(Slurp(dir + "/engine.jsonl"));
  std::string line;
  std::vector<nlohmann::json> rows;
  while (std::getline(lines, line)) rows.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[3]["point"]["args.batch_size"], "64");
  for (const char* field : {"latency", "throughput", "memory_footprint", "mfu"}) {
    EXPECT_EQ(rows[3]["metrics"][field].get<double>(), expected[field].get<double>()) << field;
  }
  EXPECT_NE(r.out.find("best: #3 args.batch_size=64 args.precision=int8"), std::string::npos)
      << r.out;
  std::ofstream(dir + "/bad.textproto") << "solve: '{\"solver\": \"Engine\", \"args\": {}}'\n"
                                           "axes { field: \"batch_size\" values: [\"1\"] }\n";
  EXPECT_EQ(Mlsysim({"sweep", dir + "/bad.textproto"}).code, 1);
}

}  // namespace
}  // namespace mlsysim
