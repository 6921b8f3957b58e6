// chakra_test.cc — ASTRA-sim workloads: the four reference cases ASTRA-sim's
// analytical backends print for its own inputs (tests/data/astra-sim/, with
// their provenance in README.md there) reproduced to the cycle; the flow
// backend against the ring α-β closed form; a generated 1,024-rank trace; an
// exported training step re-imported with the same step time; and malformed
// inputs refused with the file, node and field.
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "analytic/formulas.h"
#include "gtest/gtest.h"
#include "sim/network/chakra_runner.h"
#include "sim/training/training_chakra.h"
#include "sim/training/training_step.h"
#include "tests/chakra_testing.h"
#include "topology/registry.h"
#include "traces/astra_platform.h"
#include "traces/chakra_trace.h"

namespace mlsysim {
namespace {

const std::string kData = MLSYSIM_TEST_DATA_DIR "/astra-sim/";

absl::StatusOr<ChakraRunResult> RunCase(const std::string& dir, const std::string& prefix,
                                        ChakraBackend backend) {
  auto net = ReadAstraNetwork(kData + dir + "/network.yml");
  auto sys = ReadAstraSystem(kData + dir + "/system.json");
  auto ranks = ReadChakraWorkload(kData + dir + "/workload/" + prefix);
  if (!net.ok()) return net.status();
  if (!sys.ok()) return sys.status();
  if (!ranks.ok()) return ranks.status();
  return RunChakraWorkload(*ranks, {*net, *sys, backend});
}

TEST(ChakraTest, ReproducesAstraSimsReferenceNumbersToTheCycle) {
  struct Case {
    const char *dir, *prefix;
    int64_t aware, unaware;
  } cases[] = {{"rt_template", "chakra_trace", 117780, 117780},
               {"hgx_h100_allreduce_8", "all_reduce", 57426, 55222},
               {"ring_allgather_16", "all_gather", 323560, 323560},
               {"ring_reducescatter_4", "reduce_scatter", 22240, 22240}};
  for (const Case& c : cases) {
    auto aware = RunCase(c.dir, c.prefix, ChakraBackend::kAstraAware);
    auto unaware = RunCase(c.dir, c.prefix, ChakraBackend::kAstraUnaware);
    ASSERT_TRUE(aware.ok()) << aware.status();
    ASSERT_TRUE(unaware.ok()) << unaware.status();
    EXPECT_EQ(aware->finish_ns, static_cast<double>(c.aware)) << c.dir;
    EXPECT_EQ(unaware->finish_ns, static_cast<double>(c.unaware)) << c.dir;
    // Every NPU finishes at the same cycle, as in ASTRA-sim.
    for (double f : aware->rank_finish_ns) EXPECT_EQ(f, aware->finish_ns) << c.dir;
  }
}

TEST(ChakraTest, HandComputedCycles) {
  // rt_template: Ring 8 x 50 GB/s (= 53.687 B/ns) x 500 ns, S = 4, A = 1, e = 10, L = 50:
  // s = 1 MiB/4/8 = 32768 B, D = ⌊500 + 610.35⌋ = 1110, 3·⌊32768/50⌋ = 1965,
  // T = 4 · (14·1120 + 7·1965 + 10) = 117,780.
  AstraDimension d{AstraTopology::kRing, 8, 50, 50 * 1073741824.0 / 1e9, 500};
  AstraSystem s;
  s.splits = 4;
  s.active_chunks = 1;
  s.endpoint_delay = 10;
  s.local_mem_bw = 50;
  EXPECT_EQ(*AstraCollectiveCycles(chakra::ALL_REDUCE, 1 << 20, d, s, true),
            4 * (14 * 1120 + 7 * 1965 + 10));
}

TEST(ChakraTest, FlowBackendEqualsTheRingAlphaBeta) {
  // rt_template on our flow network: one all-reduce of 1 MiB over a ring of 8,
  // β = 50 GiB/s, α = 500 ns: the textbook ring form.
  auto r = RunCase("rt_template", "chakra_trace", ChakraBackend::kFlow);
  ASSERT_TRUE(r.ok()) << r.status();
  const double ab = RingAllReduceTime(1 << 20, 8, 50 * 1073741824.0, 500e-9);
  EXPECT_NEAR(r->finish_ns * 1e-9, ab, 1e-9 * ab);
  // All-gather of 1 MiB per NPU over 16: (N−1)·(share/β + α).
  auto ag = RunCase("ring_allgather_16", "all_gather", ChakraBackend::kFlow);
  ASSERT_TRUE(ag.ok()) << ag.status();
  const double ag_ab = 15 * ((1 << 20) / (50 * 1073741824.0) + 500e-9);
  EXPECT_NEAR(ag->finish_ns * 1e-9, ag_ab, 1e-9 * ag_ab);
}

TEST(ChakraTest, GeneratedThousandRankAllReduceInBothModes) {
  const int n = 1024;
  const auto ranks = OneCollective(n, chakra::ALL_REDUCE, 64 << 20);
  AstraNetwork net;
  net.dims.push_back({AstraTopology::kRing, n, 50, 50 * 1073741824.0 / 1e9, 500});
  AstraSystem sys;
  sys.splits = 4;
  sys.endpoint_delay = 10;
  sys.local_mem_bw = 1600;
  auto compat = RunChakraWorkload(ranks, {net, sys, ChakraBackend::kAstraAware});
  ASSERT_TRUE(compat.ok()) << compat.status();
  // The formula by hand: s = 64 MiB/4/1024 = 16384 B; D = ⌊500 + 305.18⌋ = 805;
  // 3·⌊16384/1600⌋ = 30; T = 4·(2046·815 + 1023·30 + 10).
  EXPECT_EQ(compat->finish_ns, 4.0 * (2046 * 815 + 1023 * 30 + 10));
  auto flow = RunChakraWorkload(ranks, {net, sys, ChakraBackend::kFlow});
  ASSERT_TRUE(flow.ok()) << flow.status();
  const double ab = RingAllReduceTime(64 << 20, n, 50 * 1073741824.0, 500e-9);
  EXPECT_NEAR(flow->finish_ns * 1e-9, ab, 1e-6 * ab);
}

TEST(ChakraTest, ExportedTrainingStepReimportsWithTheSameStepTime) {
  auto reg = Registry::Builtin();
  ASSERT_TRUE(reg.ok());
  TrainingStepConfig c;
  c.model = *(*reg)->FindModel("Llama3_70B");
  c.node = *(*reg)->FindNode("DGX_H100");
  c.fabric = *(*reg)->FindFabric("InfiniBand_NDR");
  c.nodes = 16;
  c.tp = 8;
  c.pp = 4;
  c.microbatches = 8;
  c.global_batch = 32;
  c.bucket_bytes = 500e6;
  c.record_plan = true;
  for (int v : {1, 2}) {
    c.virtual_stages = v;
    auto step = SimulateTrainingStep(c);
    ASSERT_TRUE(step.ok()) << step.status();
    const ChakraExport e = TrainingStepToChakra(step->plan);
    ASSERT_EQ(e.ranks.size(), 128u);
    const std::string dir = ::testing::TempDir() + "/chakra_export_" + std::to_string(v);
    auto files = WriteChakraExport(e, dir, "step");
    ASSERT_TRUE(files.ok()) << files.status();
    auto net = ReadAstraNetwork(dir + "/network.yml");
    auto sys = ReadAstraSystem(dir + "/system.json");
    auto ranks = ReadChakraWorkload(dir + "/step");
    ASSERT_TRUE(net.ok() && sys.ok() && ranks.ok());
    auto r = RunChakraWorkload(*ranks, {*net, *sys, ChakraBackend::kFlow});
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_NEAR(r->finish_ns * 1e-9, step->step_time_s, 1e-9 * step->step_time_s) << "v = " << v;
    for (const std::string& f : *files) std::remove(f.c_str());
  }
}

TEST(ChakraTest, UnknownAttributesSurviveARoundTrip) {
  auto ranks = OneCollective(1, chakra::ALL_REDUCE, 4096);
  auto* a = ranks[0].nodes[0].add_attr();
  a->set_name("my_tool_annotation");
  a->set_string_val("kept");
  const std::string path = ::testing::TempDir() + "/roundtrip.0.et";
  ASSERT_TRUE(WriteChakraTrace(path, ranks[0]).ok());
  auto back = ReadChakraTrace(path);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->nodes.size(), 1u);
  EXPECT_EQ(back->nodes[0].SerializeAsString(), ranks[0].nodes[0].SerializeAsString());
  std::remove(path.c_str());
}

std::string WriteBytes(const std::string& name, const std::string& bytes) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

TEST(ChakraTest, MalformedInputsAreRefusedWithTheFileNodeAndField) {
  // Truncated: a length prefix promising more bytes than the file has.
  auto t = ReadChakraTrace(WriteBytes("trunc.0.et", std::string("\x05\x0a\x03", 3)));
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("truncated"), std::string::npos) << t.status();
  // A dependency on a node that does not exist.
  ChakraTrace bad = OneCollective(1, chakra::ALL_REDUCE, 8)[0];
  bad.nodes[0].add_data_deps(42);
  const std::string p = ::testing::TempDir() + "/dep.0.et";
  ASSERT_TRUE(WriteChakraTrace(p, bad).ok());
  auto d = ReadChakraTrace(p);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("node 0: data_deps: no node with id 42"), std::string::npos)
      << d.status();
  // Rank count that does not match the network; mismatched collectives; a deadlock.
  AstraNetwork net;
  net.dims.push_back({AstraTopology::kRing, 4, 50, 53.6870912, 500});
  auto three = RunChakraWorkload(OneCollective(3, 0, 1024), {net, {}, ChakraBackend::kAstraAware});
  ASSERT_FALSE(three.ok());
  EXPECT_NE(three.status().message().find("3 trace files but the network has 4"),
            std::string::npos);
  auto mixed = OneCollective(4, 0, 1024);
  mixed[2] = OneCollective(1, 0, 2048)[0];
  auto m = RunChakraWorkload(mixed, {net, {}, ChakraBackend::kAstraAware});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("differs between rank 0"), std::string::npos) << m.status();
  auto lonely = OneCollective(4, 0, 1024);
  chakra::Node& recv = lonely[1].nodes.emplace_back();
  recv.set_id(1);
  recv.set_type(chakra::COMM_RECV_NODE);
  auto* src = recv.add_attr();
  src->set_name("comm_src");
  src->set_int64_val(0);
  auto dl = RunChakraWorkload(lonely, {net, {}, ChakraBackend::kAstraAware});
  ASSERT_FALSE(dl.ok());
  EXPECT_NE(dl.status().message().find("deadlock"), std::string::npos) << dl.status();
  // Platform files.
  auto y = ReadAstraNetwork(WriteBytes("bad.yml",
                                       "topology: [ Torus ]\nnpus_count: [ 4 ]\n"
                                       "bandwidth: [ 50 ]\nlatency: [ 500 ]\n"));
  ASSERT_FALSE(y.ok());
  EXPECT_NE(y.status().message().find("topology[0]: unknown 'Torus'"), std::string::npos)
      << y.status();
  auto y2 = ReadAstraNetwork(WriteBytes("bad2.yml", "topology: Ring\n"));
  ASSERT_FALSE(y2.ok());
  auto j = ReadAstraSystem(WriteBytes("bad.json", "{\"preferred-dataset-splits\": -1}"));
  ASSERT_FALSE(j.ok());
  EXPECT_NE(j.status().message().find("preferred-dataset-splits"), std::string::npos) << j.status();
  auto dir = ReadChakraTrace(::testing::TempDir());
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find("a directory, not a file"), std::string::npos);
}

}  // namespace
}  // namespace mlsysim
