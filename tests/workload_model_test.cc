// workload_model_test.cc — the workload model of issue 20 checked against
// figures from outside this code (tests/data/SOURCES.md, "Workload model"):
// parameter counts of published models read from their Hugging Face
// config.json files, Megatron-LM's eq. (3) for the FLOPs of a step with full
// recomputation, the attention core that selective recomputation re-runs, and
// Llama-3-8B's per-token FLOPs by hand.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "analytic/transformer_shape.h"
#include "gtest/gtest.h"
#include "sim/training/training_layout.h"
#include "sim/training/training_memory.h"
#include "sim/training/training_step.h"
#include "tests/cli_runner.h"
#include "tests/result_testing.h"
#include "tests/training_testing.h"
#include "topology/hf_config.h"
#include "topology/registry.h"

namespace mlsysim {
namespace {

std::string Hf(const char* name) { return std::string(MLSYSIM_TEST_DATA_DIR) + "/hf/" + name; }

TEST(TransformerFlopsTest, LlamaThreeEightBPerTokenByHand) {
  auto m = LoadHuggingFaceConfig(Hf("llama3_8b.config.json"));
  ASSERT_TRUE(m.ok());
  // Per layer: Q and O 4096×4096, K and V 4096×1024 (8 KV heads of 128), the
  // SwiGLU FFN 3 × 4096×14,336; 2 FLOPs per MAC. The causal core at s = 8192:
  // 4·4096·(8193/2). The head 2·4096·128,256.
  const double gemm = 2.0 * (2 * 4096.0 * 4096 + 2 * 4096.0 * 1024 + 3 * 4096.0 * 14336);
  const TransformerFlops f = ForwardFlopsPerToken(*m, 8192, /*causal=*/true);
  EXPECT_DOUBLE_EQ(f.layer_gemm, gemm);
  EXPECT_DOUBLE_EQ(f.layer_attention, 4 * 4096.0 * 8193 / 2);
  EXPECT_DOUBLE_EQ(f.lm_head, 2 * 4096.0 * 128256);
  // The GEMMs alone are 2·(P − embedding) per token: 6PD's "2P" without the
  // embedding lookup (which costs no FLOPs) — an identity of the shape.
  EXPECT_NEAR(32 * gemm + f.lm_head, 2 * (m->parameters - 4096.0 * 128256 - 4096 * 65),
              1e-6 * m->parameters);
}

TEST(TransformerFlopsTest, SelectiveRecomputationAddsTheAttentionCore) {
  auto m = LoadHuggingFaceConfig(Hf("llama3_8b.config.json"));
  ASSERT_TRUE(m.ok());
  const double tokens = 1024.0 * 8192;
  const StepFlopCounts none = TrainingStepFlops(*m, tokens, 8192, true, "none");
  const StepFlopCounts sel = TrainingStepFlops(*m, tokens, 8192, true, "selective");
  const StepFlopCounts full = TrainingStepFlops(*m, tokens, 8192, true, "full");
  EXPECT_EQ(none.model, none.hardware);
  EXPECT_EQ(sel.model, none.model);
  // QKᵀ and AV again: 32 layers × 4·4096 FLOPs × 8193/2 keys, per token.
  EXPECT_NEAR(sel.hardware - none.hardware, tokens * 32 * 4 * 4096.0 * 8193 / 2,
              1e-9 * sel.hardware);
  // Full: every layer's forward again (the head is not recomputed).
  const TransformerFlops f = ForwardFlopsPerToken(*m, 8192, true);
  EXPECT_NEAR(full.hardware - none.hardware, tokens * 32 * (f.layer_gemm + f.layer_attention),
              1e-9 * full.hardware);
}

TEST(TransformerFlopsTest, FullRecomputeSquareAttentionIsMegatronsEquationThree) {
  // Megatron-LM's GPT 1.7B shape (Narayanan et al. SC'21 Table 1: l = 24,
  // h = 2304, V = 51,200, s = 2048) as a GPT-NeoX config.json, batch 512 on
  // 32 GPUs, full recomputation, square attention: the step's hardware FLOPs
  // are eq. (3), 96·B·s·l·h²·(1 + s/6h + V/16lh).
  const CliRun r = Mlsysim({"-o", "json", "simulate", "training", "--model",
                            Hf("megatron_gpt_1p7b.config.json"), "--nodes", "4", "--batch-size",
                            "512", "--recompute", "full", "--attention", "square", "--days", "0"});
  ASSERT_EQ(r.code, 0) << r.err;
  const ParsedResult j(r.out);
  const double B = 512, s = 2048, l = 24, h = 2304, V = 51200;
  const double eq3 = 96 * B * s * l * h * h * (1 + s / (6 * h) + V / (16 * l * h));
  EXPECT_NEAR(j.Sim("hardware_flops_per_step"), eq3, 1e-9 * eq3);
  // The model FLOPs (no recomputation) are 3/4 of the layers' part plus the
  // whole head: eq. (3) without its recomputed forward.
  const double layers_fwd = 24 * B * s * l * h * h * (1 + s / (6 * h));
  EXPECT_NEAR(j.Sim("model_flops_per_step"), eq3 - layers_fwd, 1e-9 * eq3);
  // 6PD sits beside it as the analytic figure.
  EXPECT_GT(j.Ana("model_flops_per_step"), 0);
}

// A step on one DGX H100 node of the registry: Llama-3-70B's shape with
// `layers` layers, TP t, PP p, `mb` microbatches of b sequences of 4,096.
TrainingStepConfig MemoryCase(int t, int p, int mb, int b, int nodes = 1) {
  TrainingStepConfig c = StepOnRegistryFleet("Llama3_70B", "Frontier_8K", nodes);
  c.tp = t;
  c.pp = p;
  c.microbatches = mb;
  c.seq_len = 4096;
  c.global_batch = nodes * 8 / (t * p) * mb * b;
  c.communication = false;
  return c;
}

// Llama-3-70B's size with GPT's shape (MHA, a plain 4h FFN): the model
// Korthikanti et al.'s Table 2 counts.
TrainingStepConfig GptShaped(TrainingStepConfig c) {
  c.model.kv_heads = c.model.heads;
  c.model.intermediate_size = 4 * c.model.hidden_dim;
  c.model.gated_mlp = false;
  c.model.hidden_act = "gelu";
  return c;
}

TEST(TrainingMemoryTest, ActivationsAreKorthikantisTableTwo) {
  // One microbatch in flight (pp 1): the layers' activations are L times the
  // row of Korthikanti et al. (2022) Table 2 for s = 4096, b = 1, h = 8192,
  // a = 64, t = 8, at 16 bits. The rows are typed here from the paper.
  const double s = 4096, b = 1, h = 8192, a = 64, t = 8, L = 80;
  const double sbh = s * b * h;
  const struct {
    bool sp;
    const char* recompute;
    double row;
  } rows[] = {
      {false, "none", sbh * (10 + 24 / t + 5 * a * s / (h * t))},
      {true, "none", sbh * (34 / t + 5 * a * s / (h * t))},
      {false, "selective", sbh * (10 + 24 / t)},
      {true, "selective", sbh * 34 / t},
      {false, "full", sbh * 2},
  };
  for (const auto& r : rows) {
    TrainingStepConfig c = GptShaped(MemoryCase(8, 1, 1, 1));
    c.sequence_parallel = r.sp;
    c.activation_recompute = r.recompute;
    const StepMemory mem = TrainingMemoryPerGpu(c, 1);
    EXPECT_NEAR(mem.activations, L * r.row, 1e-9 * L * r.row) << r.recompute << " sp " << r.sp;
  }
  // The table's own consistency: without TP its TP row is the no-parallelism
  // row sbh(34 + 5as/h); a model with no FFN width is counted as GPT.
  const ModelSpec gpt = GptShaped(MemoryCase(8, 1, 1, 1)).model;
  EXPECT_NEAR(ActivationBytesPerLayer(gpt, s, b, 1, false, "none", false),
              sbh * (34 + 5 * a * s / h), 1e-9 * sbh);
  ModelSpec unshaped = gpt;
  unshaped.intermediate_size = 0;
  unshaped.kv_heads = 8;
  EXPECT_NEAR(ActivationBytesPerLayer(unshaped, s, b, 8, true, "selective", false), sbh * 34 / 8,
              1e-9 * sbh);
}

TEST(TrainingMemoryTest, GqaAndSwiGluActivationsByHand) {
  // Llama-3-70B's own shape, s = 4096, b = 1, t = 8, SP, selective: the
  // tensors of §4.1 listed one by one (bytes, 16-bit):
  //   norm inputs 2 × 2sbh; QKV input 2sbh; Q 2sbh; K and V 2·sbh·(8/64)
  //   each; output-projection input 2sbh; FFN input 2sbh; gate and up
  //   outputs 2 × 2·sb·28672; their product 2·sb·28672; two masks 2 × sbh.
  const double s = 4096, h = 8192, f = 28672, t = 8, L = 80;
  const double sb = s;
  const double tensors = 2 * 2 * sb * h + 2 * sb * h + 2 * sb * h + 2 * 2 * sb * h * 8 / 64 +
                         2 * sb * h + 2 * sb * h + 2 * 2 * sb * f + 2 * sb * f + 2 * sb * h;
  TrainingStepConfig c = MemoryCase(8, 1, 1, 1);
  ASSERT_EQ(c.model.kv_heads, 8);
  ASSERT_EQ(c.model.intermediate_size, 28672);
  ASSERT_TRUE(c.model.gated_mlp);
  c.sequence_parallel = true;
  c.activation_recompute = "selective";
  EXPECT_NEAR(TrainingMemoryPerGpu(c, 1).activations, L * tensors / t, 1e-9 * L * tensors);
  // FP8 training (Transformer Engine): the four GEMM inputs kept for the
  // backward are one-byte casts — QKV input, output-projection input, FFN
  // input (sbh each saved) and the FFN's second GEMM input (sb·f saved).
  c.precision = "fp8";
  const double fp8 = tensors - 3 * sb * h - sb * f;
  EXPECT_NEAR(TrainingMemoryPerGpu(c, 1).activations, L * fp8 / t, 1e-9 * L * tensors);
  // Without SP only the TP-split tensors are over t: 10·sbh outside.
  c.precision = "bf16";
  c.sequence_parallel = false;
  const double outside = 10 * sb * h;
  EXPECT_NEAR(TrainingMemoryPerGpu(c, 1).activations, L * (outside + (tensors - outside) / t),
              1e-9 * L * tensors);
}

TEST(TrainingMemoryTest, InFlightMicrobatchesFollowTheSchedule) {
  // 1F1B keeps min(p, M) microbatches on the first device; Megatron's
  // interleaved schedule keeps 2(p − 1) + (v − 1)p + 1 chunks of L/(p·v)
  // layers (p 4, v 2, M 8: 11 chunks of 10 layers).
  TrainingStepConfig c = GptShaped(MemoryCase(8, 4, 8, 1, 4));
  c.sequence_parallel = true;
  const double row = 4096.0 * 8192 * 34 / 8;
  EXPECT_NEAR(TrainingMemoryPerGpu(c, 1).activations, 4 * 20 * row, 1e-9 * row);
  c.virtual_stages = 2;
  EXPECT_NEAR(TrainingMemoryPerGpu(c, 1).activations, 11 * 10 * row, 1e-9 * row);
}

TEST(TrainingMemoryTest, ModelStatesUnderZeroAreRajbhandarisSplit) {
  // Ψ = the parameters a GPU holds before ZeRO: Llama-3-70B's P/80 per layer,
  // 20 layers per stage (pp 4), over TP 8. 16-bit weights and gradients and
  // 12 B of Adam state per parameter (Rajbhandari et al. 2020, §3 and Fig. 1):
  // stage 0 (2 + 2 + 12)Ψ; 1: (2 + 2)Ψ + 12Ψ/N; 2: 2Ψ + 14Ψ/N; 3: 16Ψ/N
  // (N = dp = 8), plus, for stage 3, two layers' gathered weights (2 × 2 B ×
  // P/80 / TP) as FSDP keeps the computing and the prefetched layer.
  TrainingStepConfig c = MemoryCase(8, 4, 8, 1, 32);
  const double psi = 70.6e9 / 80 * 20 / 8;
  const int n = 8;
  const double expected[] = {16 * psi, 4 * psi + 12 * psi / n, 2 * psi + 14 * psi / n,
                             16 * psi / n + 2 * 2 * 70.6e9 / 80 / 8};
  for (int z = 0; z <= 3; ++z) {
    c.zero_stage = z;
    const StepMemory mem = TrainingMemoryPerGpu(c, n);
    EXPECT_NEAR(mem.weights + mem.gradients + mem.optimizer, expected[z], 1e-9 * expected[z])
        << "zero " << z;
  }
  // The step reports the same figures; there is no stage 4.
  c.zero_stage = 1;
  auto step = SimulateTrainingStep(c);
  ASSERT_TRUE(step.ok()) << step.status();
  EXPECT_NEAR(step->memory_states_bytes, expected[1], 1e-9 * expected[1]);
  c.zero_stage = 4;
  EXPECT_FALSE(SimulateTrainingStep(c).ok());
}

TEST(TrainingMemoryTest, ZeroThreeGathersWeightsAndReduceScattersGradients) {
  // Llama-3-8B (P/L per layer, the registry's 8.03 B) on 4 DGX nodes, TP 8,
  // DP 4, one 2,048-token sequence per replica, no recomputation, ZeRO-3:
  //  - the gradients are reduce-scattered: (dp − 1)(α + G/(dp·B)) with
  //    G = 2 B × P / 8 on the 50 GB/s, 5 µs NIC — half an all-reduce's ring;
  //  - each layer's weights, W = 2 B × P/32 / 8, are all-gathered before its
  //    forward and its backward: (dp − 1)(α + W/(dp·B)), hidden under the
  //    layer's compute where it can be (forward f, backward 2f).
  TrainingStepConfig c = MemoryCase(8, 1, 1, 1, 4);
  c.model = *(*Registry::Builtin())->FindModel("Llama3_8B");
  c.seq_len = 2048;
  c.global_batch = 4;
  c.activation_recompute = "none";
  c.zero_stage = 3;
  c.communication = true;
  c.bucket_bytes = 0;
  auto r = SimulateTrainingStep(c);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->dp, 4);
  const double alpha = 5e-6, bw = c.fabric.bandwidth.si, p = 8.03e9;
  ASSERT_EQ(bw, 50e9);
  const double rs = 3 * (alpha + 2 * p / 8 / 4 / bw);
  EXPECT_NEAR(r->dp_allreduce_s, rs, 1e-6 * rs);
  const double h = 4096, gemm = 2 * (2 * h * h + 2 * h * 1024) + 2 * 3 * h * 14336;
  const double f = (gemm + 4 * h * 2049 / 2) * 2048 / 8 / (989e12 * 0.5);
  const double gather = 3 * (alpha + 2 * p / 32 / 8 / 4 / bw);
  ASSERT_GT(gather, 2 * f);  // exposed both ways here
  const double exposed = 32 * ((gather - f) + (gather - 2 * f));
  EXPECT_NEAR(r->zero3_allgather_s, exposed, 1e-9 * exposed);
}

// The interleaved 1F1B step of an uneven split computed another way: each
// device runs its ops in Megatron's order (OneFOneBOrder); an op starts when
// the device is free and its input is there (the previous virtual stage's
// forward, the next one's backward, the own forward on the last), and lasts
// layers × (f or 2f). Finish times are filled in by sweeping the devices
// until every op is placed — no event queue, no simulator.
double HandScheduledStep(const std::vector<int>& split, int p, int v, int m, double f) {
  const int k = p * v;
  std::vector<std::vector<PipelineOp>> order(p);
  for (int s = 0; s < p; ++s) order[s] = OneFOneBOrder(s, p, m, v);
  // done[fwd/bwd][virtual stage][microbatch]: finish time, < 0 if not yet.
  std::vector<std::vector<std::vector<double>>> done(
      2, std::vector<std::vector<double>>(k, std::vector<double>(m, -1)));
  std::vector<size_t> next(p, 0);
  std::vector<double> free_at(p, 0);
  for (bool progress = true; progress;) {
    progress = false;
    for (int s = 0; s < p; ++s) {
      while (next[s] < order[s].size()) {
        const PipelineOp op = order[s][next[s]];
        const int j = op.chunk * p + s;
        double ready = 0;
        if (op.forward && j > 0) ready = done[0][j - 1][op.mb];
        if (!op.forward) ready = j == k - 1 ? done[0][j][op.mb] : done[1][j + 1][op.mb];
        if (ready < 0) break;
        const double start = std::max(free_at[s], ready);
        free_at[s] = start + split[j] * (op.forward ? f : 2 * f);
        done[op.forward ? 0 : 1][j][op.mb] = free_at[s];
        ++next[s];
        progress = true;
      }
    }
  }
  return *std::max_element(free_at.begin(), free_at.end());
}

TEST(UnevenPipelineTest, TenLayersOnFourStagesTimesTwoChunks) {
  // PP 4, V 2: 8 virtual stages for 10 layers. Megatron's split puts one
  // layer on each and the remaining two on the middle ones (3 and 4).
  EXPECT_EQ(VirtualStageLayers(10, 4, 2, {}), (std::vector<int>{1, 1, 1, 2, 2, 1, 1, 1}));
  EXPECT_EQ(VirtualStageLayers(126, 16, 1, {})[0], 7);  // Llama 3 405B: 7, 8 × 14, 7
  EXPECT_EQ(VirtualStageLayers(126, 16, 1, {})[1], 8);
  auto reg = Registry::Builtin();
  TrainingStepConfig c = MemoryCase(8, 4, 8, 1, 4);  // dp 1, 8 microbatches
  c.model.layers = 10;
  c.model.vocab_size = 0;  // no LM head: layers only
  c.virtual_stages = 2;
  c.activation_recompute = "none";
  // One layer's forward for one microbatch at the GPU's peak × η: 2P/L + the
  // causal attention core per token, 4,096 tokens, over TP 8.
  const double per_token = 2 * 70.6e9 / 10 + 4 * 8192.0 * 4097 / 2;
  const double f = per_token * 4096 / 8 / (989e12 * 0.5);
  for (const std::vector<int>& split :
       {VirtualStageLayers(10, 4, 2, {}), std::vector<int>{2, 1, 1, 1, 1, 1, 1, 2}}) {
    c.stage_layers = split;
    auto r = SimulateTrainingStep(c);
    ASSERT_TRUE(r.ok()) << r.status();
    const double hand = HandScheduledStep(split, 4, 2, 8, f);
    EXPECT_NEAR(r->step_time_s, hand, 1e-9 * hand);
  }
  c.stage_layers = {2, 2, 2, 2};  // 4 counts for 8 virtual stages
  EXPECT_FALSE(SimulateTrainingStep(c).ok());
}

TEST(UnevenPipelineTest, TheBubbleClosedFormIsTheSchedulesOwn) {
  // Equal devices: the textbook (p − 1)/(v·m + p − 1), p 4, m 8: 3/11 for
  // 1F1B, 3/19 interleaved with v 2 (Narayanan et al. 2021, §2.2).
  EXPECT_NEAR(PipelineBubbleOfSplit({1, 1, 1, 1}, 8, 1), 3.0 / 11, 1e-15);
  EXPECT_NEAR(PipelineBubbleOfSplit({2, 2, 2, 2}, 8, 2), 3.0 / 19, 1e-15);
  EXPECT_EQ(PipelineBubbleOfSplit({5}, 8, 1), 0.0);
  // 10 layers as 2, 3, 3, 2 on PP 4 (1F1B), 8 microbatches, a layer's
  // forward f and backward 2f: T = 6f, 9f, 9f, 6f; fill/drain 30f − 9f =
  // 21f; the critical device works 8 × 9f = 72f: closed form 21/93. The
  // schedule itself (HandScheduledStep, and the simulation) overlaps 3f of
  // that fill and drain: 90f, a bubble of 18f/90f.
  TrainingStepConfig c = MemoryCase(8, 4, 8, 1, 4);  // dp 1
  c.model.layers = 10;
  c.model.vocab_size = 0;  // no LM head
  c.activation_recompute = "none";
  c.stage_layers = {2, 3, 3, 2};
  const double per_token = 2 * 70.6e9 / 10 + 4 * 8192.0 * 4097 / 2;
  const double f = per_token * 4096 / 8 / (989e12 * 0.5);
  auto r = SimulateTrainingStep(c);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_NEAR(r->bubble_fraction_closed_form, 21.0 / 93, 1e-12);
  EXPECT_NEAR(HandScheduledStep({2, 3, 3, 2}, 4, 1, 8, f), 90 * f, 1e-9 * f);
  EXPECT_NEAR(r->step_time_s, 90 * f, 1e-9 * 90 * f);
  EXPECT_NEAR(r->bubble_fraction, 18.0 / 90, 1e-9);
  EXPECT_NEAR(r->compute_time_s + r->bubble_time_s + r->exposed_dp_s, r->step_time_s,
              1e-12 * r->step_time_s);
  // The LM head sits on the last device, the embedding on the first:
  // Llama-3-70B's shape per layer
  // (projections with 8 KV heads of 128, SwiGLU 28,672, the causal core),
  // the head 2·h·V per token, both forward + 2× backward over TP 8.
  c.model.vocab_size = 128256;
  auto with_head = SimulateTrainingStep(c);
  ASSERT_TRUE(with_head.ok());
  const double h = 8192, v = 128256;
  const double layer = 2 * (h * (h + 2 * 1024 + h) + 3 * h * 28672) + 4 * h * 4097 / 2;
  const double g = layer * 4096 / 8 / (989e12 * 0.5);  // one layer's forward
  const double head = 3 * 2 * h * v * 4096 / 8 / (989e12 * 0.5);
  const double embed = 5 * 4096 * h * 2 / 3.35e12;  // the embedding's HBM traffic, first device
  const double t[] = {6 * g + embed, 9 * g, 9 * g, 6 * g + head};
  const double tmax = std::max(9 * g, t[3]), fill = t[0] + t[1] + t[2] + t[3] - tmax;
  EXPECT_NEAR(with_head->bubble_fraction_closed_form, fill / (8 * tmax + fill), 1e-12);
}

TEST(TransformerFlopsTest, FpEightRunsTheGemmsAtTheFpEightPeak) {
  // Llama-3-8B on one DGX H100 (dp 8, tp 1, pp 1), no communication, no
  // recomputation, one 1,024-token sequence per GPU. FP8 training runs the
  // GEMMs at H100's FP8 peak (1,979 TFLOP/s dense) and the attention core and
  // LM head at BF16 (989 TFLOP/s; NVIDIA H100 SXM datasheet), η = 0.5, and
  // keeps BF16 weights and gradients (the same model states as BF16).
  TrainingStepConfig c = MemoryCase(1, 1, 1, 1);
  auto m = LoadHuggingFaceConfig(Hf("llama3_8b.config.json"));
  ASSERT_TRUE(m.ok());
  c.model = *m;
  c.activation_recompute = "none";
  c.seq_len = 1024;
  c.zero_stage = 2;  // 8 B parameters' states do not fit one H100 unsharded
  const double h = 4096, gemm = 2 * (2 * h * h + 2 * h * 1024) + 2 * 3 * h * 14336;
  const double attn = 4 * h * 1025 / 2, head = 2 * h * 128256;
  double states[2];
  for (const char* precision : {"bf16", "fp8"}) {
    c.precision = precision;
    auto r = SimulateTrainingStep(c);
    ASSERT_TRUE(r.ok()) << r.status();
    const double gemm_peak = std::string(precision) == "fp8" ? 1979e12 : 989e12;
    const double per_token = 32 * (gemm / gemm_peak + attn / 989e12) + head / 989e12;
    // The input embedding: its rows read and written forward, the gradient
    // read and added backward, 5 × h × 2 B per token at 3.35 TB/s (HBM3).
    const double embed = 5 * 1024 * h * 2 / 3.35e12;
    const double expected = 3 * 1024 * per_token / 0.5 + embed;
    EXPECT_NEAR(r->step_time_s, expected, 1e-9 * expected) << precision;
    states[std::string(precision) == "fp8"] = r->memory_states_bytes;
  }
  EXPECT_EQ(states[0], states[1]);
}

TEST(ContextParallelTest, RanksShareTheSequenceAndPassTheirKvAroundTheRing) {
  // Llama-3-8B on one node (8 GPUs), tp 1, pp 1, cp 2: 4 data-parallel
  // replicas of 2 ranks, each rank holding 4,096 tokens of an 8,192-token
  // sequence. Without communication every GPU computes 3 × (32·(GEMMs +
  // attention core at the full context, (s + 1)/2 keys) + head), plus the
  // selectively recomputed core, for its 4,096 tokens: the core's FLOPs are
  // shared N ways like the rest.
  TrainingStepConfig c = MemoryCase(1, 1, 1, 1);
  auto m = LoadHuggingFaceConfig(Hf("llama3_8b.config.json"));
  ASSERT_TRUE(m.ok());
  c.model = *m;
  c.cp = 2;
  c.seq_len = 8192;
  c.global_batch = 4;
  c.activation_recompute = "selective";  // the scores of 8K tokens do not fit otherwise
  c.zero_stage = 2;
  const double h = 4096, gemm = 2 * (2 * h * h + 2 * h * 1024) + 2 * 3 * h * 14336;
  const double attn = 4 * h * 8193 / 2, head = 2 * h * 128256;
  auto r = SimulateTrainingStep(c);  // MemoryCase: no communication
  ASSERT_TRUE(r.ok()) << r.status();
  const double compute = 4096 * (3 * (32 * (gemm + attn) + head) + 32 * attn) / (989e12 * 0.5) +
                         5 * 4096 * h * 2 / 3.35e12;  // + the embedding's HBM traffic
  EXPECT_NEAR(r->step_time_s, compute, 1e-9 * compute);
  // With communication: each layer's forward passes the rank's KV block,
  // 2 × 4,096 tokens × 1,024 (8 KV heads of 128) × 2 B, once around the ring
  // of 2 (on NVLink, 500 ns); the core (4,096 tokens at 989 TFLOP/s × 0.5)
  // hides it entirely here.
  c.communication = true;
  r = SimulateTrainingStep(c);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_DOUBLE_EQ(r->cp_kv_bytes_per_layer, 2 * 4096.0 * 1024 * 2);
  EXPECT_EQ(r->cp_communication_s, 0);
  // A short sequence over 8 ranks cannot hide it: s = 512, 64 tokens per
  // rank; the ring's 7 steps of 500 ns + KV/B against the core's time,
  // forward once and backward twice, per layer and microbatch.
  c.cp = 8;
  c.seq_len = 512;
  c.global_batch = 1;
  r = SimulateTrainingStep(c);
  ASSERT_TRUE(r.ok()) << r.status();
  const double kv = 2 * 64.0 * 1024 * 2;
  const double ring = 7 * (500e-9 + kv / c.node.intra_node_bw.si);
  const double core = 4 * h * 513 / 2 * 64 / (989e12 * 0.5);
  ASSERT_GT(ring, core);
  EXPECT_DOUBLE_EQ(r->cp_kv_bytes_per_layer, kv);
  EXPECT_NEAR(r->cp_communication_s, 32 * 3 * (ring - core), 1e-9 * ring);
  c.seq_len = 500;  // not a multiple of 2 x cp
  EXPECT_FALSE(SimulateTrainingStep(c).ok());
}

TEST(SequenceParallelTest, MovesTheAllReducesBytesAndSplitsTheActivations) {
  // Megatron's sequence parallelism replaces each TP all-reduce by a
  // reduce-scatter + an all-gather of the same tensor: on a ring, 2(t − 1)
  // steps of M/t either way — the same bytes and the same α-β time. So the
  // step's TP communication and time are the same with and without it; only
  // the activations shrink (Table 2: 34/t against 10 + 24/t, selective).
  TrainingStepConfig c = GptShaped(MemoryCase(8, 4, 4, 1, 8));  // dp 2
  c.communication = true;
  c.sequence_parallel = false;
  auto off = SimulateTrainingStep(c);
  c.sequence_parallel = true;
  auto on = SimulateTrainingStep(c);
  ASSERT_TRUE(off.ok() && on.ok());
  EXPECT_GT(on->tp_communication_s, 0);
  EXPECT_EQ(on->tp_communication_s, off->tp_communication_s);
  EXPECT_EQ(on->step_time_s, off->step_time_s);
  EXPECT_NEAR(off->memory_activations_bytes / on->memory_activations_bytes,
              (10 + 24.0 / 8) / (34.0 / 8), 1e-9);
}

}  // namespace
}  // namespace mlsysim
