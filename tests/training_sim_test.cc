// training_sim_test.cc — validation of the training simulation against its
// closed forms (tests/data/SOURCES.md §1–3): the Iron Law, the 1F1B bubble,
// Poisson failure counts, Daly's optimum, and the Llama 3 fleet figures.
#include <cmath>
#include <cstdio>

#include "analytic/formulas.h"
#include "gtest/gtest.h"
#include "sim/training/training_run.h"
#include "sim/training/training_step.h"
#include "topology/registry.h"
#include "workloads/failure_presets.h"

namespace mlsysim {
namespace {

const Registry& Reg() {
  static auto reg = Registry::Builtin();
  return **reg;
}

TrainingStepConfig Base(int nodes, int tp, int pp, int microbatches, int batch) {
  const FleetSpec f = *Reg().FindFleet("Frontier_8K");
  TrainingStepConfig c;
  c.model = *Reg().FindModel("Llama3_70B");
  c.node = f.node;
  c.fabric = f.fabric;
  c.nodes = nodes;
  c.tp = tp;
  c.pp = pp;
  c.microbatches = microbatches;
  c.global_batch = batch;
  c.efficiency = 0.5;
  c.sequence_parallel = tp > 1;  // as the scenario layer defaults
  return c;
}

// The causal attention core per token and layer: 4·h FLOPs per key, (s+1)/2
// keys on average (scores and values; Korthikanti et al. 2022, halved for
// causal masking as FlashAttention computes it).
double CausalAttention(double h, double s) { return 4 * h * (s + 1) / 2; }

TEST(TrainingStepTest, NoCommunicationEqualsTheFlopCountAtPeak) {
  // 8 GPUs, tp = pp = 1, dp = 8; GPT-2 XL has no FFN width or vocabulary in
  // the registry, so a layer costs 2·P/L per token plus the attention core.
  // Without recomputation each GPU computes 3 × (2P + L·attn) × tokens/N at
  // peak·η, and MFU (model FLOPs) is exactly η; with selective recomputation
  // the attention core runs once more and MFU falls below η by that share.
  TrainingStepConfig c = Base(1, 1, 1, 1, 8);
  c.model = *Reg().FindModel("GPT2");  // 1.5 B: fits unsharded
  c.communication = false;
  const double attn = 48 * CausalAttention(1600, 2048);
  const double fwd_per_token = 2 * 1.5e9 + attn;
  for (const char* recompute : {"none", "selective"}) {
    c.activation_recompute = recompute;
    auto r = SimulateTrainingStep(c);
    ASSERT_TRUE(r.ok()) << r.status();
    const bool selective = std::string(recompute) == "selective";
    const double flops = (3 * fwd_per_token + (selective ? attn : 0)) * 8 * 2048;
    const double expected = flops / (8 * 989e12 * 0.5);
    EXPECT_NEAR(r->step_time_s, expected, 1e-9 * expected) << recompute;
    EXPECT_NEAR(r->hardware_flops_per_step, flops, 1e-9 * flops) << recompute;
    EXPECT_NEAR(r->model_flops_per_step, 3 * fwd_per_token * 8 * 2048, 1e-3) << recompute;
    EXPECT_NEAR(r->mfu, 0.5 * 3 * fwd_per_token / (3 * fwd_per_token + (selective ? attn : 0)),
                1e-9);
    EXPECT_NEAR(r->mfu_6p, 6 * 1.5e9 * 8 * 2048 / (8 * 989e12 * r->step_time_s), 1e-12);
  }
}

TEST(TrainingStepTest, CommunicationEqualsItsClosedForms) {
  // Llama-3-8B on 4 DGX H100 (TP8 x DP4, PP 1) on an idle non-blocking
  // fat-tree under D-mod-k, no overlap, one gradient bucket, 2 microbatches of
  // one 2,048-token sequence. Each closed form is computed here from the model
  // (tests/data/SOURCES.md §1):
  //  - DP: one ring all-reduce of the stage's gradients, 2 B x P / TP, over the
  //    4 replicas at the NIC's 50 GB/s and 5 us (IB NDR; each TP rank its own
  //    rail, so the 8 rings never share a link);
  //  - TP: Megatron's 2 all-reduces per layer forward and 2 backward, each of
  //    tokens x hidden x 2 B over the 8 GPUs at 900 GB/s and 0.5 us (NVLink):
  //    4 L per microbatch (6 L with full recomputation, below);
  //  - the step: compute (TP inside) + the exposed gradient sync, no bubble.
  TrainingStepConfig c = Base(4, 8, 1, 2, 8);
  c.model = *Reg().FindModel("Llama3_8B");
  c.overlap_gradients = false;
  c.bucket_bytes = 0;
  auto r = SimulateTrainingStep(c);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->dp, 4);
  const double grad_bytes = 2.0 * c.model.parameters / 8;
  const double dp_ab = RingAllReduceTime(grad_bytes, 4, 50e9, 5e-6);
  EXPECT_NEAR(r->dp_allreduce_s, dp_ab, 1e-6 * dp_ab);
  const double tp_one = RingAllReduceTime(2048.0 * c.model.hidden_dim * 2, 8, 900e9, 500e-9);
  // ... and one more per microbatch for the embedding's output (stage 0).
  const double tp_all = 2 * (4 * c.model.layers + 1) * tp_one;
  EXPECT_NEAR(r->tp_communication_s, tp_all, 1e-6 * tp_all);
  EXPECT_EQ(r->bubble_time_s, 0.0);  // exactly: no pipeline, no bubble (was 5.6e-17 s, printed as
                                     // a +100 % gap against the closed form)
  EXPECT_EQ(r->bubble_fraction, 0.0);
  EXPECT_NEAR(r->exposed_dp_s, r->dp_allreduce_s, 1e-9 * dp_ab);
  EXPECT_NEAR(r->step_time_s, r->compute_time_s + r->dp_allreduce_s, 1e-9 * r->step_time_s);
  // And the whole step from the closed forms alone: each GPU's 1/TP share of
  // the step's FLOPs over 4,096 tokens at 989 TFLOP/s x 0.5 (compute-bound),
  // plus TP, plus DP. Llama-3-8B's shape by hand: per token and layer the
  // projections 2(2·4096² + 2·4096·1024) (8 KV heads of 128), the SwiGLU FFN
  // 2·3·4096·14,336 and the causal attention core; the LM head 2·4096·128,256
  // once; backward twice the forward, selective recomputation (the default)
  // the attention core once more; the input embedding's HBM traffic, its
  // rows read and written forward, read and added backward (5 · h · 2 B per
  // token, every TP rank, at H100's 3.35 TB/s).
  const double h = 4096, gemm = 2 * (2 * h * h + 2 * h * 1024) + 2 * 3 * h * 14336;
  const double attn = CausalAttention(h, 2048), head = 2 * h * 128256;
  const double flops = 4096 * (3 * (32 * (gemm + attn) + head) + 32 * attn);
  const double compute = flops / (8 * 989e12 * 0.5) + 4096 * 5 * h * 2 / 3.35e12;
  EXPECT_NEAR(r->step_time_s, compute + tp_all + dp_ab, 1e-6 * r->step_time_s);

  // Full recomputation reruns each layer's forward before its backward, TP
  // all-reduces included (tests/data/SOURCES.md): 6 per
  // layer and microbatch, not 4; the recomputed forward's FLOPs (every layer,
  // not the head) replace the selective core.
  c.activation_recompute = "full";
  auto full = SimulateTrainingStep(c);
  ASSERT_TRUE(full.ok()) << full.status();
  const double tp_full = 2 * (6 * c.model.layers + 1) * tp_one;
  EXPECT_NEAR(full->tp_communication_s, tp_full, 1e-6 * tp_full);
  const double flops_full = 4096 * (4 * 32 * (gemm + attn) + 3 * head);
  const double compute_full = flops_full / (8 * 989e12 * 0.5) + 4096 * 5 * h * 2 / 3.35e12;
  EXPECT_NEAR(full->step_time_s, compute_full + tp_full + dp_ab, 1e-6 * full->step_time_s);
}

TEST(TrainingStepTest, ShardedComputeEqualsTheFlopCountStretchedByTheBubble) {
  // 32 GPUs as TP8 x PP4 (dp 1), Llama-3-70B's 80 layers in 4 uniform stages
  // (the vocabulary left out, so no stage carries an LM head), 8
  // microbatches, no communication. Each GPU does 1/32 of the step's FLOPs
  // (2P/L per layer and token plus the attention core, ×3, plus the
  // selectively recomputed core) at peak·η, and 1F1B stretches that by
  // (M + P − 1)/M: the FLOP count and the bubble formula combined,
  // independent of how the schedule is simulated.
  TrainingStepConfig c = Base(4, 8, 4, 8, 8);
  c.model.vocab_size = 0;
  c.communication = false;
  ASSERT_EQ(c.model.layers % 4, 0);
  auto r = SimulateTrainingStep(c);
  ASSERT_TRUE(r.ok()) << r.status();
  const double d = 8.0 * 2048;  // tokens per step
  const double attn = 80 * CausalAttention(8192, 2048);
  const double flops = (3 * (2 * c.model.parameters + attn) + attn) * d;
  const double iron = flops / (32 * c.node.accelerator.PeakFor("bf16").si * 0.5);
  const double expected = iron * (8 + 4 - 1) / 8.0;
  EXPECT_NEAR(r->step_time_s, expected, 1e-6 * expected);
}

TEST(TrainingStepTest, UniformOneFOneBBubbleMatchesTheFormula) {
  for (int p : {2, 4, 8}) {
    for (int m : {1, 4, 8, 32}) {
      TrainingStepConfig c = Base(p, 8, p, m, m);  // dp = 1
      c.model.vocab_size = 0;                      // no LM head: uniform stages
      c.communication = false;
      c.model.layers = 8 * p;  // uniform stages
      auto r = SimulateTrainingStep(c);
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_NEAR(r->bubble_fraction, PipelineBubble(p, m, 1), 1e-9) << "P=" << p << " M=" << m;
    }
  }
}

TEST(TrainingStepTest, InterleavedBubbleMatchesTheFormula) {
  for (int p : {2, 4}) {
    for (int v : {2, 4}) {
      for (int m : {p, 2 * p, 4 * p}) {
        TrainingStepConfig c = Base(p, 8, p, m, m);
        c.model.vocab_size = 0;  // no LM head: uniform stages
        c.communication = false;
        c.virtual_stages = v;
        c.model.layers = 4 * p * v;
        auto r = SimulateTrainingStep(c);
        ASSERT_TRUE(r.ok()) << r.status();
        EXPECT_NEAR(r->bubble_fraction, PipelineBubble(p, m, v), 1e-9)
            << "P=" << p << " V=" << v << " M=" << m;
      }
    }
  }
  TrainingStepConfig bad = Base(4, 8, 4, 6, 6);
  bad.virtual_stages = 2;
  EXPECT_FALSE(SimulateTrainingStep(bad).ok());  // M not a multiple of P
}

TEST(TrainingStepTest, ExpertParallelismShardsExpertsAndAddsAllToAlls) {
  ModelSpec moe;  // a Mixtral-8x7B-like mixture of experts
  moe.key = "MoE_8x7B";
  moe.architecture = Architecture::kSparse;
  moe.parameters = 46.7e9;
  moe.active_parameters = 12.9e9;
  moe.layers = 32;
  moe.hidden_dim = 4096;
  moe.heads = 32;
  moe.kv_heads = 8;
  moe.num_experts = 8;
  moe.experts_per_token = 2;
  TrainingStepConfig c = Base(8, 8, 2, 4, 64);  // dp = 4
  c.model = moe;
  c.ep = 1;
  auto no_ep = SimulateTrainingStep(c);
  c.ep = 4;
  auto ep = SimulateTrainingStep(c);
  ASSERT_TRUE(no_ep.ok()) << no_ep.status();
  ASSERT_TRUE(ep.ok()) << ep.status();
  EXPECT_LT(ep->memory_per_gpu_bytes, no_ep->memory_per_gpu_bytes);
  EXPECT_GT(ep->ep_communication_s, 0);
  EXPECT_EQ(no_ep->ep_communication_s, 0);
  // Compute follows the active parameters: without communication or a
  // pipeline, the step is the FLOP count of 12.9 B active parameters (2P per
  // token forward, plus the attention core; ×3, plus the recomputed core).
  c = Base(8, 8, 1, 4, 64);  // dp = 8
  c.model = moe;
  c.ep = 4;
  c.communication = false;
  auto compute = SimulateTrainingStep(c);
  ASSERT_TRUE(compute.ok());
  const double attn = 32 * CausalAttention(4096, 2048);
  const double iron = (3 * (2 * 12.9e9 + attn) + attn) * 64 * 2048 / (64 * 989e12 * 0.5);
  EXPECT_NEAR(compute->step_time_s, iron, 1e-6 * iron);
  c.ep = 3;
  EXPECT_FALSE(SimulateTrainingStep(c).ok());  // does not divide dp = 8
  TrainingStepConfig dense = Base(8, 8, 1, 4, 64);
  dense.ep = 2;
  EXPECT_FALSE(SimulateTrainingStep(dense).ok());  // not a MoE model
}

TEST(TrainingStepTest, CommunicationAddsToTheComputeBound) {
  TrainingStepConfig c = Base(16, 8, 4, 8, 256);
  auto with = SimulateTrainingStep(c);
  c.communication = false;
  auto without = SimulateTrainingStep(c);
  ASSERT_TRUE(with.ok() && without.ok());
  EXPECT_GT(with->step_time_s, without->step_time_s);
  EXPECT_GT(with->tp_communication_s, 0);
  EXPECT_GT(with->dp_allreduce_s, 0);
  EXPECT_EQ(with->dp, 4);
}

TEST(TrainingStepTest, SameSeedSameStepDifferentSeedWithStragglers) {
  TrainingStepConfig c = Base(8, 8, 2, 8, 64);
  c.straggler_cv = 0.1;
  auto a = SimulateTrainingStep(c), b = SimulateTrainingStep(c);
  c.seed = 99;
  auto d = SimulateTrainingStep(c);
  ASSERT_TRUE(a.ok() && b.ok() && d.ok());
  EXPECT_EQ(a->step_time_s, b->step_time_s);
  EXPECT_EQ(a->fingerprint, b->fingerprint);
  EXPECT_NE(a->step_time_s, d->step_time_s);
}

TEST(TrainingStepTest, BadConfigurationsFailWithTheReason) {
  TrainingStepConfig c = Base(4, 8, 3, 4, 64);  // 32 GPUs, tp*pp = 24
  auto r = SimulateTrainingStep(c);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("does not divide"), std::string::npos);
  c = Base(1, 8, 1, 1, 8);
  c.model = *Reg().FindModel("GPT3");  // 175B on one node
  r = SimulateTrainingStep(c);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsFailedPrecondition(r.status()));
  EXPECT_NE(r.status().message().find("does not fit"), std::string::npos);
  c = Base(4, 16, 1, 1, 8);
  EXPECT_FALSE(SimulateTrainingStep(c).ok());  // TP beyond a node
  c = Base(4, 8, 2, 3, 8);
  EXPECT_FALSE(SimulateTrainingStep(c).ok());  // batch not a multiple of dp x M
}

TEST(TrainingStepTest, TheFlowEstimateCountsWhatTheStepStarts) {
  // EstimatedStepFlows (the bound on a step's run time) against the flows the
  // simulation actually starts, over detail, buckets, interleaving and TP.
  struct Case {
    int nodes, tp, pp, mb, v;
    bool replica;
    double bucket;
    bool tree = false;  // the gradients on NCCL's double tree: 4(DP - 1) flows per bucket
  } cases[] = {{8, 8, 2, 4, 1, false, 0},
               {8, 8, 4, 4, 1, false, 500e6},
               {16, 8, 4, 8, 2, false, 1e9},
               {16, 8, 4, 8, 2, true, 1e9},
               {32, 4, 8, 16, 1, true, 2e9},
               {16, 8, 4, 8, 2, false, 1e9, true},
               {32, 4, 8, 16, 1, true, 2e9, true}};
  for (const Case& k : cases) {
    TrainingStepConfig c = Base(k.nodes, k.tp, k.pp, k.mb, k.nodes * 8 / (k.tp * k.pp) * k.mb);
    c.virtual_stages = k.v;
    c.representative_replica = k.replica;
    c.bucket_bytes = k.bucket;
    c.gradient_algorithm = k.tree ? GradientAlgorithm::kDoubleTree : GradientAlgorithm::kRing;
    c.aggregate_flows = false;  // flows counts what the per-flow step starts
    auto r = SimulateTrainingStep(c);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(static_cast<double>(r->flows), EstimatedStepFlows(c))
        << k.nodes << " nodes, tp " << k.tp << " pp " << k.pp << " v " << k.v;
  }
  // The bound: a million nodes at tp 8 x pp 8 are refused before anything runs.
  // (On rings: NCCL's choice at this size is the tree, 4(DP - 1) flows.)
  TrainingStepConfig huge = Base(1000000, 8, 8, 1, 125000);
  huge.gradient_algorithm = GradientAlgorithm::kRing;
  huge.representative_replica = true;
  huge.aggregate_flows = false;
  auto r = SimulateTrainingStep(huge);
  EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();
  EXPECT_NE(r.status().message().find("flows"), std::string::npos);
  // Aggregated, the bound is on the classes' work: the same million nodes
  // with 25 MB buckets (2(DP - 1) ring steps per bucket) are refused too.
  TrainingStepConfig larger = Base(1000000, 8, 8, 1, 125000);
  larger.gradient_algorithm = GradientAlgorithm::kRing;
  larger.bucket_bytes = 25e6;
  EXPECT_GT(EstimatedAggregatedWork(larger), kMaxStepFlows);
  r = SimulateTrainingStep(larger);
  EXPECT_TRUE(absl::IsInvalidArgument(r.status())) << r.status();
}

// The 99.9 % two-sided Poisson band of a pooled count with mean m: m ± 3.29·√m
// (normal approximation; m is over 10,000 in every use here).
double PoissonBand999(double m) { return 3.29 * std::sqrt(m); }

TEST(TrainingRunTest, FailureCountsPooledOverSeedsMatchRateTimesT) {
  // 256 nodes, mlsysim's registry rates, 180 days: 258 expected interruptions
  // per seed. Every failure of these exponential causes interrupts the run, so
  // the count is Poisson: pooled over 200 seeds (51,610 expected) the 99.9 %
  // band is ±1.45 %, and a 3 % bias in the rate fails.
  auto causes = FailurePreset("registry", 256, 8);
  ASSERT_TRUE(causes.ok());
  const int seeds = 200;
  const double days = 180, expected = TotalRatePerHour(*causes) * days * 24 * seeds;
  ASSERT_NEAR(expected / seeds, 258.048, 1e-3);
  double total = 0;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    TrainingRunConfig c;
    c.step_time_s = 5;
    c.duration_s = days * 86400;
    c.nodes = 256;
    c.causes = *causes;
    c.restart_s = 60;
    c.seed = seed;
    auto r = SimulateTrainingRun(c);
    ASSERT_TRUE(r.ok());
    total += r->interruptions;
  }
  EXPECT_NEAR(total, expected, PoissonBand999(expected));
}

TEST(TrainingRunTest, EachFailureCostsDetectionRestartAndReschedule) {
  // Every interruption charges the configured path: detection + restart, and
  // rescheduling onto another node when a node-level failure finds no spare
  // (30 s + 600 s + 60 s here); a software failure keeps its node.
  TrainingRunConfig c;
  c.duration_s = 60 * 86400.0;
  c.nodes = 64;
  c.causes = {{"Faulty GPU", "gpu", 512, 1.0 / 20000, 0, true},  // ~37 expected
              {"Software", "software", 1, 1.0 / 50, 0, false}};  // ~29 expected
  c.detection_s = 30;
  c.restart_s = 600;
  c.reschedule_s = 60;
  c.record_log = true;
  auto r = SimulateTrainingRun(c);
  ASSERT_TRUE(r.ok()) << r.status();
  int node_level = 0, software = 0;
  for (const RunLogRow& row : r->log) {
    if (row.kind != "failure") continue;
    const bool node = row.component == "gpu";
    (node ? node_level : software)++;
    EXPECT_DOUBLE_EQ(row.downtime_s, node ? 690.0 : 630.0) << row.cause << " at " << row.time_s;
  }
  EXPECT_GT(node_level, 10);
  EXPECT_GT(software, 10);
}

TEST(TrainingRunTest, NoFailuresNoCheckpointsIsAllUsefulWork) {
  TrainingRunConfig c;
  c.step_time_s = 2;
  c.duration_s = 86400;
  auto r = SimulateTrainingRun(c);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->interruptions, 0);
  EXPECT_DOUBLE_EQ(r->ettr, 1.0);
  EXPECT_EQ(r->steps, 43200);
}

// Mean waste (1 − ETTR) and its 95 % half-width over replications at one interval.
std::pair<double, double> Waste(double interval, double write_s, double mtbf_s, double restart_s,
                                int reps) {
  std::vector<double> w;
  for (int rep = 0; rep < reps; ++rep) {
    TrainingRunConfig c;
    c.step_time_s = 1;
    c.duration_s = 400 * mtbf_s;
    c.causes = {{"failure", "gpu", 1, 3600.0 / mtbf_s, 0, false}};
    c.checkpoint_interval_s = interval;
    c.checkpoint_write_s = write_s;
    c.detection_s = 0;
    c.reschedule_s = 0;
    c.restart_s = restart_s;
    c.seed = 11;
    c.replication = rep;
    w.push_back(1 - SimulateTrainingRun(c)->ettr);
  }
  double mean = 0, ss = 0;
  for (double x : w) mean += x;
  mean /= reps;
  for (double x : w) ss += (x - mean) * (x - mean);
  return {mean, 1.96 * std::sqrt(ss / (reps - 1) / reps)};
}

TEST(TrainingRunTest, SimulatedOptimumIsDalysInterval) {
  // Daly's second case: δ = 5 min, R = 10 min, M = 6 h -> τ ≈ 56.7 min.
  const double write = 300, restart = 600, mtbf = 6 * 3600;
  const double daly = DalyInterval(write, mtbf);
  EXPECT_NEAR(daly / 60, 56.7, 0.05);
  const auto at_daly = Waste(daly, write, mtbf, restart, 40);
  double best = 1e9, best_tau = 0, best_ci = 0;
  for (double f : {0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 4.0}) {
    const auto w = Waste(daly * f, write, mtbf, restart, 40);
    if (w.first < best) {
      best = w.first;
      best_tau = daly * f;
      best_ci = w.second;
    }
  }
  // The sweep's minimum is statistically indistinguishable from Daly's point,
  // and lies next to it.
  EXPECT_LE(at_daly.first - best, at_daly.second + best_ci);
  EXPECT_GE(best_tau, 0.5 * daly);
  EXPECT_LE(best_tau, 2.0 * daly);
  // First-order waste at Daly's τ: δ/τ + (τ/2 + R)/M, within the band.
  const double first_order = write / daly + (daly / 2 + restart) / mtbf;
  EXPECT_NEAR(at_daly.first, first_order, 0.2 * first_order);
}

TEST(TrainingRunTest, Llama3CalibrationSanityCheck) {
  // A calibration, not a validation: the llama3 preset's rates ARE the Llama 3
  // paper's interruption counts divided by 54 days on 16,384 GPUs
  // (tests/data/SOURCES.md), so reproducing 419 only checks the plumbing
  // (rates -> events -> counts). Pooled over 100 seeds (41,900 expected) the
  // 99.9 % Poisson band is ±1.6 %.
  auto causes = FailurePreset("llama3", 2048, 8);
  ASSERT_TRUE(causes.ok());
  EXPECT_NEAR(TotalRatePerHour(*causes) * 54 * 24, 419, 1e-9);
  EXPECT_NEAR(3600 / TotalRatePerHour(*causes) / 3600, 3.09, 0.01);  // one every 3.09 h
  const int seeds = 100;
  double total = 0, ettr = 0;
  for (uint64_t seed = 1; seed <= seeds; ++seed) {
    TrainingRunConfig c;
    c.step_time_s = 10;
    c.duration_s = 54 * 86400.0;
    c.nodes = 2048;
    c.causes = *causes;
    c.checkpoint_interval_s = 1800;
    c.checkpoint_write_s = 10;
    c.seed = 2023 + seed;
    auto r = SimulateTrainingRun(c);
    ASSERT_TRUE(r.ok());
    total += r->interruptions;
    ettr += r->ettr / seeds;
    int sum = 0;
    for (const auto& [cause, n] : r->by_cause) sum += n;
    EXPECT_EQ(sum, r->interruptions);
  }
  EXPECT_NEAR(total, 419.0 * seeds, PoissonBand999(419.0 * seeds));
  // ETTR against Daly's exact renewal form τ / (e^{λR}/λ·(e^{λ(τ+δ)} − 1))
  // (tests/fidelity_test.cc) with the restart R between detection + restart
  // (630 s, software) and + reschedule (690 s, a node without spare), ±0.005
  // for the 99.9 % spread of 100 seeds and the final partial interval.
  const double lambda = TotalRatePerHour(*causes) / 3600, tau = 1800, delta = 10;
  auto daly = [&](double restart) {
    return tau / (std::exp(lambda * restart) / lambda * std::expm1(lambda * (tau + delta)));
  };
  EXPECT_GT(ettr, daly(690) - 0.005);
  EXPECT_LT(ettr, daly(630) + 0.005);
}

}  // namespace
}  // namespace mlsysim
