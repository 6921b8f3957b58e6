// serving_iteration_test.cc — the serving iteration's cost (one prompt and one
// decode are mlsysim's ServingModel; causal pieces add up; quantised serving
// streams 16-bit activations), the paged KV block pool and the routers (split
// out of serving_sim_test.cc).
#include <algorithm>
#include <cmath>

#include "analytic/serving.h"
#include "gtest/gtest.h"
#include "sim/core/sampling.h"
#include "sim/serving/kv_block_pool.h"
#include "sim/serving/router.h"
#include "sim/serving/serving_iteration.h"
#include "sim/serving/serving_sim.h"
#include "topology/registry.h"
#include "workloads/request_stream.h"

namespace mlsysim {
namespace {

// The iteration cost function alone, against mlsysim's ServingModel: one
// prompt of S tokens (square attention, as ServingModel counts it) costs its
// TTFT, one decode with S tokens of context its ITL — exact closed forms
// computed by another code path (analytic/serving.cc).
TEST(ServingIterationTest, OnePromptAndOneDecodeAreServingModel) {
  const Registry& reg = *Registry::Builtin().value();
  for (const char* model : {"Llama3_8B", "Llama3_70B"}) {
    for (const char* precision : {"fp16", "fp8"}) {
      for (int s : {128, 2048, 8192}) {
        const ModelSpec m = *reg.FindModel(model);
        const Accelerator hw = *reg.FindAccelerator("H200");
        const IterationModel im =
            IterationModel::For(m, hw, precision, 0.5, 1, 900e9, /*causal=*/false);
        ServingOptions so;
        so.seq_len = s;
        so.precision = precision;
        auto a = SolveServing(m, hw, so);
        ASSERT_TRUE(a.ok());
        const double ttft = CostOfIteration(im, {{0, static_cast<double>(s)}}, {}).seconds;
        const double itl = CostOfIteration(im, {}, {static_cast<double>(s)}).seconds;
        EXPECT_NEAR(ttft, a->ttft_ms / 1000, 1e-9 * a->ttft_ms / 1000)
            << model << " " << precision << " S=" << s;
        EXPECT_NEAR(itl, a->itl_ms / 1000, 1e-9 * a->itl_ms / 1000)
            << model << " " << precision << " S=" << s;
      }
    }
  }
}

// Quantised serving streams 16-bit activations: FP8 quantises the weights,
// the GEMM inputs and the KV cache, not the residual stream. Two machines that
// differ only in the norm kernel's HBM efficiency (e1, e2) differ, per
// iteration of T tokens, by exactly the two norms of every layer reading and
// writing T·h 16-bit values: 2·L·(2·T·h·2 B)·(1/(HBM·e2) − 1/(HBM·e1)).
TEST(ServingIterationTest, QuantisedServingNormsStream16BitActivations) {
  const Registry& reg = *Registry::Builtin().value();
  const ModelSpec m = *reg.FindModel("Llama3_8B");
  const Accelerator hw = *reg.FindAccelerator("H100");
  ASSERT_NE(reg.FindMachine("H100"), nullptr);
  for (const char* precision : {"fp8", "int4", "fp16"}) {
    IterationModel im = IterationModel::For(m, hw, precision, 0.5, 1, 450e9, true);
    KernelModel km = *reg.FindMachine("H100");
    const double e1 = 0.4, e2 = 0.2;
    const int norm = static_cast<int>(StreamKind::kNorm);
    km.stream[norm].hbm_efficiency = e1;
    im.machine = km;
    const std::vector<PrefillPiece> pieces = {{0, 1000}};
    const std::vector<double> decodes = {100, 200, 300};
    const double t1 = CostOfIteration(im, pieces, decodes).seconds;
    km.stream[norm].hbm_efficiency = e2;
    im.machine = km;
    const double t2 = CostOfIteration(im, pieces, decodes).seconds;
    const double T = 1003, h = m.hidden_dim, L = m.layers, hbm = hw.memory_bw.si;
    const double expected = 2 * L * (2 * T * h * 2) * (1 / (hbm * e2) - 1 / (hbm * e1));
    EXPECT_NEAR(t2 - t1, expected, 1e-9 * expected) << precision;
  }
}

// Causal prefill in pieces costs the same attention FLOPs as the whole
// prompt: sum over pieces of (c·p + c(c+1)/2) = S(S+1)/2.
TEST(ServingIterationTest, CausalPiecesAddUpToTheWholePrompt) {
  const Registry& reg = *Registry::Builtin().value();
  const IterationModel im = IterationModel::For(
      *reg.FindModel("Llama3_8B"), *reg.FindAccelerator("H100"), "fp16", 0.5, 1, 900e9, true);
  const double whole = CostOfIteration(im, {{0, 4096}}, {}).flops;
  double pieces = 0;
  for (int k = 0; k < 4; ++k) pieces += CostOfIteration(im, {{1024.0 * k, 1024}}, {}).flops;
  EXPECT_NEAR(pieces, whole, 1e-12 * whole);
  const double exact = 2.0 * im.parameters * 4096 + im.attn_flops_per_pair * 4096.0 * 4097 / 2;
  EXPECT_NEAR(whole, exact, 1e-12 * exact);
}

}  // namespace
}  // namespace mlsysim

namespace mlsysim {
namespace {

TEST(KvBlockPoolTest, BlocksAreCeilingsAndRunOut) {
  KvBlockPool pool(10, 16);
  int a = 0, b = 0;
  EXPECT_TRUE(pool.Grow(&a, 17));  // ceil(17/16) = 2 blocks
  EXPECT_EQ(a, 2);
  EXPECT_TRUE(pool.Grow(&a, 32));  // still 2
  EXPECT_EQ(pool.used(), 2);
  EXPECT_FALSE(pool.Grow(&b, 16 * 9));  // 9 > 8 free: nothing taken
  EXPECT_EQ(b, 0);
  EXPECT_TRUE(pool.Grow(&b, 16 * 8));
  EXPECT_DOUBLE_EQ(pool.utilization(), 1.0);
  pool.Release(&a);
  EXPECT_EQ(pool.free(), 2);
  EXPECT_EQ(a, 0);
}

TEST(RouterTest, PoliciesPickAsDocumented) {
  const int64_t outstanding[] = {3, 1, 1, 4};
  const int64_t kv[] = {9, 7, 2, 2};
  auto out = [&](int i) { return outstanding[i]; };
  auto load = [&](int i) { return kv[i]; };
  Router rr(RouterPolicy::kRoundRobin);
  EXPECT_EQ(rr.Pick(0, 4, 0, out, load), 0);
  EXPECT_EQ(rr.Pick(0, 4, 0, out, load), 1);
  EXPECT_EQ(rr.Pick(2, 4, 1, out, load), 2);  // its own counter
  EXPECT_EQ(rr.Pick(0, 4, 0, out, load), 2);
  EXPECT_EQ(Router(RouterPolicy::kLeastOutstanding).Pick(0, 4, 0, out, load),
            1);  // lowest index of the tie
  EXPECT_EQ(Router(RouterPolicy::kJoinShortestKv).Pick(0, 4, 0, out, load), 2);
  EXPECT_FALSE(ParseRouter("random").ok());
}

}  // namespace
}  // namespace mlsysim
