// calibrate_test.cc — the calibrated machine model (issue 21): the kernel
// model against hand computation, `calibrate` recovering known parameters
// from synthetic profiles, its fit of Vidur's measured H100 kernels and NCCL
// times (topology/data/calibration/vidur/), the shipped profiles against the
// NCCL maintainers' 8 × H100 ring figure, the calibrated layer's GEMM FLOPs
// against the shape's own count, and the errors bad input gets.
// Sources of the expected numbers: tests/data/SOURCES.md ("calibration").
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/kernel_model.h"
#include "analytic/transformer_shape.h"
#include "gtest/gtest.h"
#include "sim/training/training_kernels.h"
#include "sim/training/training_step.h"
#include "tests/cli_runner.h"
#include "tests/result_testing.h"
#include "topology/calibrate.h"
#include "topology/registry.h"

namespace mlsysim {
namespace {

const std::string kVidur = std::string(MLSYSIM_SOURCE_DIR) + "/topology/data/calibration/vidur";

TEST(KernelModelTest, WaveQuantisationByHand) {
  KernelModel km;
  km.sms = 132;
  km.tile_m = km.tile_n = 128;
  // 1 × 64 tiles on 132 SMs: one wave, 64 of 132 slots busy.
  EXPECT_DOUBLE_EQ(WaveEfficiency(km, 128, 8192), 64.0 / 132);
  // 32 × 32 = 1,024 tiles: 8 waves of 132 = 1,056 slots.
  EXPECT_DOUBLE_EQ(WaveEfficiency(km, 4096, 4096), 1024.0 / 1056);
  // A partial tile: M = 100 fills 100/128 of its tile row.
  EXPECT_DOUBLE_EQ(WaveEfficiency(km, 100, 128 * 132), 100.0 / 128);
}

TEST(KernelModelTest, GemmIsLaunchPlusTheSlowerOfComputeAndMemoryByHand) {
  KernelModel km;
  km.sms = 132;
  km.tile_m = km.tile_n = 128;
  km.gemm_efficiency = 0.7;
  km.weight_stream_efficiency = 0.8;
  km.gemm_launch_s = 5e-6;
  const double peak = 989e12;
  double hbm = 3.35e12;
  // Compute bound: 4096³ at 1,024/1,056 of the slots.
  const double compute = 2.0 * 4096 * 4096 * 4096 / (peak * 0.7 * (1024.0 / 1056));
  EXPECT_NEAR(GemmSeconds(km, peak, hbm, 4096, 4096, 4096, 2, false), 5e-6 + compute, 1e-15);
  // Memory bound: one token through an 8192 × 8192 weight (on a slow HBM,
  // so that the one-row tile's wasted compute stays below the streaming).
  hbm = 1e12;
  const double memory = (8192.0 + 8192.0 * 8192 + 8192) * 2 / (hbm * 0.8);
  EXPECT_NEAR(GemmSeconds(km, peak, hbm, 1, 8192, 8192, 2, false), 5e-6 + memory, 1e-15);
}

TEST(KernelModelTest, NvlinkAllReduceUsesTheNearestMeasuredGroupAtOrBelow) {
  KernelModel km;
  km.nvlink_all_reduce = {{2, 0.6, 10e-6}, {8, 0.8, 30e-6}};
  const double bw = 450e9, bytes = 64.0 * (1 << 20);
  EXPECT_DOUBLE_EQ(NvlinkAllReduceSeconds(km, bw, 8, bytes), 30e-6 + 2 * 7.0 / 8 * bytes / (0.8 * bw));
  EXPECT_DOUBLE_EQ(NvlinkAllReduceSeconds(km, bw, 4, bytes), 10e-6 + 2 * 3.0 / 4 * bytes / (0.6 * bw));
  EXPECT_DOUBLE_EQ(NvlinkAllReduceSeconds(km, bw, 1, bytes), 0);
}

// NCCL's small-message protocols by hand: a message runs on the first line
// whose size range holds it (64 KiB: the first; 1 MiB: the second), above
// them all on the bandwidth line.
TEST(KernelModelTest, NvlinkAllReduceSmallMessagesRunOnTheirProtocolsLine) {
  KernelModel km;
  km.nvlink_all_reduce = {{8, 0.8, 30e-6, {{0.1, 8e-6, 65536}, {0.5, 15e-6, 1 << 20}}}};
  const double bw = 450e9, f = 2 * 7.0 / 8;
  EXPECT_DOUBLE_EQ(NvlinkAllReduceSeconds(km, bw, 8, 65536), 8e-6 + f * 65536 / (0.1 * bw));
  EXPECT_DOUBLE_EQ(NvlinkAllReduceSeconds(km, bw, 8, 65537), 15e-6 + f * 65537 / (0.5 * bw));
  EXPECT_DOUBLE_EQ(NvlinkAllReduceSeconds(km, bw, 8, 1 << 20), 15e-6 + f * (1 << 20) / (0.5 * bw));
  EXPECT_DOUBLE_EQ(NvlinkAllReduceSeconds(km, bw, 8, 4 << 20), 30e-6 + f * (4 << 20) / (0.8 * bw));
}

// A synthetic NCCL profile with two small-message protocols switching at 64 KiB
// and 1 MiB: calibrate finds both switch sizes among the sampled ones and
// gives back every line's latency and bus efficiency.
TEST(CalibrateTest, RecoversSmallMessageProtocolsFromASyntheticProfile) {
  KernelModel truth;
  truth.nvlink_all_reduce = {{8, 0.81, 30e-6, {{0.12, 9e-6, 65536}, {0.55, 18e-6, 1 << 20}}}};
  CalibrationTarget target;
  target.accelerator = "H100";
  target.peak_16bit = 989e12;
  target.hbm = 3.35e12;
  target.sms = 132;
  target.nvlink_per_direction = 450e9;
  std::string csv = "op,m,n,k,precision,bytes,gpus,time_us\n";
  for (int i = 0; i <= 30; ++i) {  // 4 KiB … 128 MiB, powers of √2 (even i: powers of 2)
    const double b = std::round(std::ldexp(i % 2 ? 4096 * std::sqrt(2.0) : 4096, i / 2));
    absl::StrAppend(&csv, "all_reduce,,,,,", absl::StrFormat("%.17g", b), ",8,",
                    absl::StrFormat("%.17g", NvlinkAllReduceSeconds(truth, 450e9, 8, b) * 1e6),
                    "\n");
  }
  CalibrationSamples samples;
  ASSERT_TRUE(ParseProfileText(csv, "synthetic.csv", &samples).ok());
  auto fit = Calibrate(samples, target);
  ASSERT_TRUE(fit.ok()) << fit.status();
  ASSERT_EQ(fit->profile.nvlink_all_reduce_size(), 1);
  const registry::NvlinkAllReduce& a = fit->profile.nvlink_all_reduce(0);
  EXPECT_NEAR(a.bus_efficiency() / 0.81, 1, 1e-6);
  EXPECT_NEAR(a.latency_us() / 30, 1, 1e-6);
  ASSERT_EQ(a.small_messages_size(), 2);
  EXPECT_NEAR(a.small_messages(0).bus_efficiency() / 0.12, 1, 1e-6);
  EXPECT_NEAR(a.small_messages(0).latency_us() / 9, 1, 1e-6);
  EXPECT_EQ(a.small_messages(0).max_bytes(), 65536);
  EXPECT_NEAR(a.small_messages(1).bus_efficiency() / 0.55, 1, 1e-6);
  EXPECT_NEAR(a.small_messages(1).latency_us() / 18, 1, 1e-6);
  EXPECT_EQ(a.small_messages(1).max_bytes(), 1 << 20);
}

// Synthetic profiles from known parameters: the fit gives them back.
TEST(CalibrateTest, RecoversKnownParametersFromSyntheticProfiles) {
  KernelModel truth;
  truth.sms = 132;
  truth.tile_m = 64;
  truth.tile_n = 128;
  truth.gemm_efficiency = 0.68;
  truth.weight_stream_efficiency = 0.83;
  truth.gemm_launch_s = 4.2e-6;
  truth.weight_stream_launch_s = 2.9e-6;  // the memory line's own
  truth.stream[static_cast<int>(StreamKind::kNorm)] = {0.41, 2.5e-6};
  truth.stream[static_cast<int>(StreamKind::kActivation)] = {0.62, 1.5e-6};
  truth.nvlink_all_reduce = {{4, 0.74, 17e-6}, {8, 0.81, 30e-6}};
  CalibrationTarget target;
  target.accelerator = "H100";
  target.peak_16bit = 989e12;
  target.hbm = 3.35e12;
  target.nvlink_per_direction = 450e9;
  target.sms = 132;
  std::string csv = "op,m,n,k,precision,bytes,gpus,time_us\n";
  for (double m : {1.0, 8.0, 64.0, 128.0, 384.0, 1000.0, 2048.0, 4096.0})
    for (double n : {1024.0, 3072.0, 8192.0, 14336.0})
      for (double k : {1024.0, 4096.0, 8192.0}) {
        const double t = GemmSeconds(truth, target.peak_16bit, target.hbm, m, n, k, 2, false);
        absl::StrAppend(&csv, "gemm,", m, ",", n, ",", k, ",bf16,,,", absl::StrFormat("%.17g", t * 1e6), "\n");
      }
  for (StreamKind kind : {StreamKind::kNorm, StreamKind::kActivation})
    for (double bytes : {1e4, 1e6, 3e7, 2e8}) {
      absl::StrAppend(&csv, StreamKindName(kind), ",,,,,", bytes, ",,",
                      absl::StrFormat("%.17g", StreamSeconds(truth, kind, target.hbm, bytes) * 1e6),
                      "\n");
    }
  for (int gpus : {4, 8})
    for (double bytes : {1e6, 1.6e7, 6.4e7}) {
      absl::StrAppend(
          &csv, "all_reduce,,,,,", bytes, ",", gpus, ",",
          absl::StrFormat("%.17g", NvlinkAllReduceSeconds(truth, 450e9, gpus, bytes) * 1e6), "\n");
    }
  CalibrationSamples samples;
  ASSERT_TRUE(ParseProfileText(csv, "synthetic.csv", &samples).ok());
  auto fit = Calibrate(samples, target);
  ASSERT_TRUE(fit.ok()) << fit.status();
  const registry::MachineProfile& p = fit->profile;
  EXPECT_EQ(p.tile_m(), 64);
  EXPECT_EQ(p.tile_n(), 128);
  EXPECT_NEAR(p.gemm_efficiency() / 0.68, 1, 1e-6);
  EXPECT_NEAR(p.weight_stream_efficiency() / 0.83, 1, 1e-6);
  EXPECT_NEAR(p.gemm_launch_us() / 4.2, 1, 1e-6);
  EXPECT_NEAR(p.weight_stream_launch_us() / 2.9, 1, 1e-6);
  ASSERT_EQ(p.streaming_size(), 2);
  EXPECT_EQ(p.streaming(0).kind(), "norm");
  EXPECT_NEAR(p.streaming(0).hbm_efficiency() / 0.41, 1, 1e-6);
  EXPECT_NEAR(p.streaming(0).launch_us() / 2.5, 1, 1e-6);
  EXPECT_NEAR(p.streaming(1).hbm_efficiency() / 0.62, 1, 1e-6);
  ASSERT_EQ(p.nvlink_all_reduce_size(), 2);
  EXPECT_NEAR(p.nvlink_all_reduce(1).bus_efficiency() / 0.81, 1, 1e-6);
  EXPECT_NEAR(p.nvlink_all_reduce(1).latency_us() / 30, 1, 1e-6);
  EXPECT_NEAR(p.nvlink_all_reduce(0).bus_efficiency() / 0.74, 1, 1e-6);
}

// Vidur's measured H100 operators: the fitted model explains the GEMMs to a
// median of 12 % each (every shape and token count from 1 to 4,096, TP 1–8).
TEST(CalibrateTest, FitsVidursMeasuredH100Operators) {
  CalibrationSamples samples;
  for (const char* model : {"meta-llama/Llama-2-7b-hf", "meta-llama/Llama-2-70b-hf",
                            "codellama/CodeLlama-34b-Instruct-hf"}) {
    ASSERT_TRUE(
        ReadProfileFile(absl::StrCat(kVidur, "/compute/h100/", model, "/mlp.csv"), &samples).ok());
  }
  ASSERT_TRUE(ReadProfileFile(kVidur + "/network/h100_dgx/all_reduce.csv", &samples).ok());
  CalibrationTarget target{"H100", 989e12, 0, 3.35e12, 450e9, 132, 0, ""};
  auto fit = Calibrate(samples, target);
  ASSERT_TRUE(fit.ok()) << fit.status();
  for (const FitError& e : fit->errors) {
    if (e.op.rfind("gemm", 0) == 0) {
      EXPECT_LT(e.median_abs_error, 0.12) << e.op;
    }
    // The bandwidth regime of NCCL's all-reduce (16–128 MiB): within 6 %.
    if (e.op.find("16–128 MiB") != std::string::npos) {
      EXPECT_LT(e.median_abs_error, 0.06) << e.op;
    }
    // Below it, NCCL's protocol switches (small-message lines): 8 GPUs at
    // 256 KiB–16 MiB, what a TP all-reduce sends, within 5 % (one α–β line
    // missed 256–2048 KiB by a median 20 %). A fit to its own data.
    if (e.op == "all_reduce 8 GPUs 256–2048 KiB" || e.op == "all_reduce 8 GPUs 2–16 MiB") {
      EXPECT_LT(e.median_abs_error, 0.05) << e.op;
    }
  }
  // Large GEMMs on H100 run at 0.6–0.8 of the dense peak, streaming near 0.8
  // of HBM (Vidur's own tables, tests/data/SOURCES.md).
  EXPECT_GT(fit->profile.gemm_efficiency(), 0.6);
  EXPECT_LT(fit->profile.gemm_efficiency(), 0.8);
  EXPECT_GT(fit->profile.weight_stream_efficiency(), 0.7);
  EXPECT_LT(fit->profile.weight_stream_efficiency(), 0.95);
  // Pure weight streaming (GEMMs of at most 8 tokens, ≤ 8 flop per weight
  // byte): the fitted model explains them to a median 6 % (measured outcome:
  // 4 % on these three models; fitting every efficiency jointly left them
  // 14 % slow in median: tests/data/SOURCES.md §10).
  const KernelModel km = KernelModelOf(fit->profile);
  std::vector<double> streaming;
  for (const auto& g : samples.gemms) {
    if (g.m > 8) continue;
    streaming.push_back(
        std::fabs(GemmSeconds(km, 989e12, 3.35e12, g.m, g.n, g.k, g.bytes, false) / g.seconds - 1));
  }
  ASSERT_GT(streaming.size(), 50u);
  std::sort(streaming.begin(), streaming.end());
  EXPECT_LT(streaming[streaming.size() / 2], 0.06);
}

// The shipped H100 profile, 8 GPUs in a DGX H100 (the registry's 900 GB/s is
// both directions: 450 each way). Large messages: NCCL's ring all-reduce bus
// bandwidth is ~370 GB/s (nccl-tests maintainers). At 66,060,288 bytes Vidur
// measured 0.343 ms (its all_reduce.csv; the fit's own data, ±5 %).
TEST(CalibrateTest, ShippedH100AllReduceMatchesNcclsBusBandwidth) {
  auto reg = Registry::Builtin();
  ASSERT_TRUE(reg.ok());
  const KernelModel* km = (*reg)->FindMachine("H100");
  ASSERT_NE(km, nullptr);
  auto node = (*reg)->FindNode("DGX_H100");
  ASSERT_TRUE(node.ok());
  const double per_direction = node->intra_node_bw.si / 2;
  const double big = 8.0 * (1 << 30);  // nccl-tests' largest size
  const double busbw = 2 * 7.0 / 8 * big / NvlinkAllReduceSeconds(*km, per_direction, 8, big);
  EXPECT_NEAR(busbw / 370e9, 1, 0.10) << busbw;
  const double t = NvlinkAllReduceSeconds(*km, per_direction, 8, 66060288);
  EXPECT_NEAR(t / 0.343e-3, 1, 0.05) << t;
  for (const char* key : {"A100", "H100", "H200", "B200"}) EXPECT_NE((*reg)->FindMachine(key), nullptr);
  EXPECT_EQ((*reg)->FindMachine("MI300X"), nullptr);
}

// The calibrated layer's GEMMs compute exactly what the shape's FLOP count
// says (analytic/transformer_shape.h counts them independently).
TEST(CalibratedTrainingTest, LayerGemmFlopsAreTheShapesCount) {
  auto reg = Registry::Builtin();
  ASSERT_TRUE(reg.ok());
  for (const char* name : {"Llama3_70B", "Llama3_8B", "GPT3"}) {
    auto model = (*reg)->FindModel(name);
    ASSERT_TRUE(model.ok());
    TrainingStepConfig c;
    c.model = *model;
    c.node = *(*reg)->FindNode("DGX_H100");
    c.tp = 4;
    c.seq_len = 4096;
    const double tokens = 2 * 4096.0;
    const CalibratedLayer k = CalibratedLayerCosts(c, *(*reg)->FindMachine("H100"), tokens);
    const double want = ForwardFlopsPerToken(c.model, c.seq_len, true).layer_gemm * tokens / c.tp;
    EXPECT_NEAR(k.gemm_flops_fwd / want, 1, 1e-12) << name;
    EXPECT_GT(k.bwd_s, 2 * k.fwd_s) << name;  // two GEMMs per GEMM, 2.5× attention, + recompute
  }
}

// The default machine: calibrated where the accelerator has a profile,
// roofline where it does not or where the workload gives an η.
TEST(CalibrateCliTest, CalibratedIsTheDefaultWhereAProfileExists) {
  auto fact = [](std::vector<std::string> args) {
    args.insert(args.begin(), {"-o", "json", "simulate"});
    const CliRun r = Mlsysim(args);
    EXPECT_EQ(r.code, 0) << r.err;
    if (r.code != 0) return std::string("error");
    const ParsedResult j(r.out);
    for (const auto& f : j.r.facts())
      if (f.name() == "hardware_model") return f.text();
    return std::string("roofline");
  };
  const std::vector<std::string> h100 = {"training", "--model", "Llama3_8B", "--nodes", "1",
                                         "--tp", "8", "--batch-size", "8"};
  EXPECT_EQ(fact(h100), "calibrated");
  std::vector<std::string> eta = h100;
  eta.insert(eta.end(), {"--efficiency", "0.4"});
  EXPECT_EQ(fact(eta), "roofline");
  EXPECT_EQ(fact({"serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas", "1",
                  "--qps", "1", "--requests", "10"}),
            "calibrated");
  EXPECT_EQ(fact({"serving", "--model", "Llama3_8B", "--hardware", "MI300X", "--replicas", "1",
                  "--qps", "1", "--requests", "10"}),
            "roofline");
}

TEST(CalibrateCliTest, BadInputNamesTheFieldAndWritesNothing) {
  CliRun r = Mlsysim({"simulate", "training", "--model", "Llama3_8B", "--nodes", "1",
                      "--batch-size", "8", "--hardware-model", "calibrat"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cluster.hardware_model (--hardware-model): unknown 'calibrat'"),
            std::string::npos)
      << r.err;
  // Any form's scenario file: the word is checked where the scenario is.
  const std::string queue = std::string(::testing::TempDir()) + "/hardware_model.textproto";
  {
    std::FILE* q = std::fopen(queue.c_str(), "w");
    ASSERT_NE(q, nullptr);
    std::fputs("cluster { hardware_model: \"fast\" }\nqueue { servers: 2 }\n", q);
    std::fclose(q);
  }
  r = Mlsysim({"simulate", queue});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("cluster.hardware_model: unknown 'fast'"), std::string::npos) << r.err;
  r = Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "MI300X", "--replicas",
               "1", "--qps", "1", "--requests", "10", "--hardware-model", "calibrated"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("accelerator 'MI300X' has no machine model"), std::string::npos) << r.err;
  const std::string out = std::string(::testing::TempDir()) + "/machine.textproto";
  std::remove(out.c_str());
  const std::string unknown = std::string(::testing::TempDir()) + "/unknown_layout.csv";
  std::FILE* f = std::fopen(unknown.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("kernel,duration\nfoo,3\n", f);
  std::fclose(f);
  r = Mlsysim({"calibrate", unknown, "--accelerator", "H100", "-o", out});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("unknown profile layout"), std::string::npos) << r.err;
  EXPECT_NE(access(out.c_str(), F_OK), 0);
  r = Mlsysim({"calibrate", kVidur + "/network/h100_dgx/all_reduce.csv", "--accelerator", "H100",
               "-o", out});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("--node"), std::string::npos) << r.err;
  EXPECT_NE(access(out.c_str(), F_OK), 0);
  r = Mlsysim({"calibrate", kVidur + "/network/h100_dgx/all_reduce.csv", "--accelerator", "H100",
               "--node", "DGX_H100", "-o", out});
  EXPECT_EQ(r.code, 0) << r.err;
  // What it wrote is a registry file the loader takes.
  auto reg = Registry::WithFile(out);
  ASSERT_TRUE(reg.ok()) << reg.status();
  EXPECT_NE((*reg)->FindMachine("H100"), nullptr);
}

// `simulate collective --node`: registry hardware. Roofline: NVLink per
// direction is half the DGX H100's 900 GB/s, the ring's α-β closed form by
// hand (2·7/8·M/450 GB/s + 14·0.5 µs). Calibrated: NCCL's ~370 GB/s bus
// bandwidth (nccl-tests maintainers; tests/data/SOURCES.md §10) within 10 %.
TEST(CalibrateCliTest, CollectiveOnRegistryHardware) {
  const double m = 8.0 * (1 << 30);
  CliRun r = Mlsysim({"-o", "json", "simulate", "collective", "--node", "DGX_H100", "--message",
                      "8 GiB", "--hardware-model", "roofline"});
  ASSERT_EQ(r.code, 0) << r.err;
  ParsedResult roofline(r.out);
  const double by_hand = 2 * 7.0 / 8 * m / 450e9 + 14 * 0.5e-6;
  EXPECT_NEAR(roofline.Ana("simulated_time_s") / by_hand, 1, 1e-12);
  EXPECT_NEAR(roofline.Sim("simulated_time_s") / by_hand, 1, 1e-7);  // printed to the ns
  // Calibrated is the default on an accelerator with a machine model.
  r = Mlsysim({"-o", "json", "simulate", "collective", "--node", "DGX_H100", "--message", "8 GiB"});
  ASSERT_EQ(r.code, 0) << r.err;
  ParsedResult calibrated(r.out);
  const double busbw = 2 * 7.0 / 8 * m / calibrated.Sim("simulated_time_s");
  EXPECT_NEAR(busbw / 370e9, 1, 0.10) << busbw;
  // Link figures and registry hardware together are refused.
  r = Mlsysim({"simulate", "collective", "--node", "DGX_H100", "--message", "1 GB", "--bandwidth",
               "1 GB/s"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not both"), std::string::npos) << r.err;
  r = Mlsysim({"simulate", "collective", "--ranks", "8", "--message", "1 GB", "--bandwidth",
               "1 GB/s", "--latency", "1 us", "--hardware-model", "calibrated"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("needs registry hardware"), std::string::npos) << r.err;
}

// Serving engines' own names for their limits: vLLM's --max-num-seqs (our
// --max-batch) and --gpu-memory-utilization (the HBM share for weights + KV).
// KV blocks by hand: ⌊(u·capacity − P·2 B) / (2·layers·kv_heads·head_dim·2 B·16 tokens)⌋.
TEST(CalibrateCliTest, ServingEngineLimitsUnderTheirFrameworkNames) {
  auto reg = Registry::Builtin();
  ASSERT_TRUE(reg.ok());
  const ModelSpec m = *(*reg)->FindModel("Llama3_8B");
  const Accelerator hw = *(*reg)->FindAccelerator("H100");
  const double kv_block = 2.0 * m.layers * m.kv_heads * (m.hidden_dim / m.heads) * 2 * 16;
  for (double u : {0.9, 0.5}) {
    CliRun r = Mlsysim({"-o", "json", "simulate", "serving", "--model", "Llama3_8B", "--hardware",
                        "H100", "--replicas", "1", "--qps", "1", "--requests", "10",
                        "--gpu-memory-utilization", absl::StrCat(u), "--max-num-seqs", "4"});
    ASSERT_EQ(r.code, 0) << r.err;
    ParsedResult j(r.out);
    EXPECT_EQ(j.Num("kv_blocks_per_replica"),
              std::floor((u * hw.capacity - m.parameters * 2) / kv_block))
        << u;
    // The defaults a run used are in its facts (issue 26).
    EXPECT_EQ(j.Text("input_tokens"), "fixed:512");
    EXPECT_EQ(j.Text("output_tokens"), "fixed:128");
    EXPECT_EQ(j.Text("precision"), "fp16");
  }
  CliRun r = Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100",
                      "--replicas", "1", "--qps", "1", "--requests", "10", "--max-num-seqs", "4",
                      "--max-batch", "3"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("not both"), std::string::npos) << r.err;
  r = Mlsysim({"simulate", "serving", "--model", "Llama3_8B", "--hardware", "H100", "--replicas",
               "1", "--qps", "1", "--requests", "10", "--gpu-memory-utilization", "1.5"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("serving.gpu_memory_utilization"), std::string::npos) << r.err;
}

TEST(CalibrateCliTest, RegistryRefusesAMachineOutOfRange) {
  auto reg = Registry::Builtin();
  ASSERT_TRUE(reg.ok());
  Registry copy = **reg;
  absl::Status s = copy.AddText("machine { accelerator: \"H100\" gemm_efficiency: 2 }", "user.textproto");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("gemm_efficiency out of range"), std::string::npos) << s;
  s = copy.AddText("machine { accelerator: \"H1000\" gemm_efficiency: 0.7 }", "user.textproto");
  EXPECT_FALSE(s.ok());
  // A new accelerator needs the GEMM fields; a known one is completed: an
  // NCCL-only profile replaces the all-reduce table and keeps the GEMMs.
  s = copy.AddText("machine { accelerator: \"MI300X\" nvlink_all_reduce { gpus: 8 "
                   "bus_efficiency: 0.5 } }",
                   "user.textproto");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(std::string(s.message()).find("sms is required"), std::string::npos) << s;
  const double gemm = copy.FindMachine("H100")->gemm_efficiency;
  ASSERT_TRUE(copy.AddText("machine { accelerator: \"H100\" nvlink_all_reduce { gpus: 8 "
                           "bus_efficiency: 0.5 latency_us: 10 } }",
                           "user.textproto")
                  .ok());
  const KernelModel* h100 = copy.FindMachine("H100");
  EXPECT_EQ(h100->gemm_efficiency, gemm);
  ASSERT_EQ(h100->nvlink_all_reduce.size(), 1u);
  EXPECT_EQ(h100->nvlink_all_reduce[0].bus_efficiency, 0.5);
}

}  // namespace
}  // namespace mlsysim
