// hf_config_test.cc — models read from Hugging Face config.json files
// (topology/hf_config.h): parameter counts against the published ones
// (tests/data/SOURCES.md, "Workload model"), unknown architectures and bad
// keys refused by name, the registry's shapes against their stated counts
// (split out of workload_model_test.cc).
#include <cmath>
#include <string>
#include <vector>

#include "analytic/transformer_shape.h"
#include "gtest/gtest.h"
#include "tests/cli_runner.h"
#include "topology/hf_config.h"
#include "topology/registry.h"

namespace mlsysim {
namespace {

std::string Hf(const char* name) { return std::string(MLSYSIM_TEST_DATA_DIR) + "/hf/" + name; }

TEST(HuggingFaceConfigTest, ParameterCountsMatchThePublishedOnes) {
  const struct {
    const char* file;
    double parameters;
  } published[] = {
      {"gpt2_xl.config.json", 1557611200},        // GPT-2 XL (GPT2LMHeadModel, tied)
      {"opt_125m.config.json", 125239296},        // OPT-125m (learned positions + 2)
      {"pythia_1p4b.config.json", 1414647808},    // Pythia-1.4B (GPT-NeoX, untied)
      {"llama3_8b.config.json", 8030261248},      // Llama-3-8B (GQA, SwiGLU)
      {"mixtral_8x7b.config.json", 46702792704},  // Mixtral-8x7B (8 experts)
  };
  for (const auto& p : published) {
    auto m = LoadHuggingFaceConfig(Hf(p.file));
    ASSERT_TRUE(m.ok()) << m.status();
    EXPECT_EQ(m->parameters, p.parameters) << p.file;
  }
  auto mixtral = LoadHuggingFaceConfig(Hf("mixtral_8x7b.config.json"));
  ASSERT_TRUE(mixtral.ok());
  EXPECT_EQ(mixtral->architecture, Architecture::kSparse);
  EXPECT_NEAR(mixtral->active_parameters, 12.9e9, 0.005 * 12.9e9);  // "12.9 B active"
  auto llama = LoadHuggingFaceConfig(Hf("llama3_8b.config.json"));
  ASSERT_TRUE(llama.ok());
  EXPECT_NEAR(llama->parameters, 8.03e9, 0.005 * 8.03e9);
  EXPECT_TRUE(llama->gated_mlp);
  EXPECT_EQ(llama->kv_heads, 8);
}

TEST(HuggingFaceConfigTest, UnknownArchitecturesAndBadKeysAreRefusedByName) {
  auto t5 = LoadHuggingFaceConfig(Hf("t5.config.json"));
  ASSERT_FALSE(t5.ok());
  EXPECT_NE(t5.status().message().find("architecture 'T5ForConditionalGeneration'"),
            std::string::npos)
      << t5.status();
  EXPECT_NE(t5.status().message().find("LlamaForCausalLM"), std::string::npos);
  auto bad = ParseHuggingFaceConfig(
      R"({"architectures": ["LlamaForCausalLM"], "num_hidden_layers": -3, "hidden_size": 64,
          "num_attention_heads": 8, "intermediate_size": 128, "vocab_size": 100})",
      "x.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("'num_hidden_layers'"), std::string::npos);
  auto missing = ParseHuggingFaceConfig(R"({"architectures": ["LlamaForCausalLM"]})", "y.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("is missing"), std::string::npos);
  EXPECT_FALSE(ParseHuggingFaceConfig("[1, 2", "z.json").ok());
  EXPECT_FALSE(LoadHuggingFaceConfig(MLSYSIM_TEST_DATA_DIR).ok());  // a directory
  // The CLI names the field and the flag.
  const CliRun r = Mlsysim({"simulate", "training", "--model", Hf("t5.config.json"), "--nodes", "1",
                            "--batch-size", "8"});
  EXPECT_EQ(r.code, 1);
  EXPECT_NE(r.err.find("training.model (--model)"), std::string::npos) << r.err;
}

TEST(HuggingFaceConfigTest, RegistryShapesAgreeWithTheirStatedCounts) {
  auto reg = Registry::Builtin();
  ASSERT_TRUE(reg.ok());
  for (const char* key : {"GPT3", "Llama3_8B", "Llama3_70B", "Llama3_1_8B", "Llama3_1_70B",
                          "Llama3_1_405B", "Mixtral_8x7B"}) {
    auto m = (*reg)->FindModel(key);
    ASSERT_TRUE(m.ok()) << key;
    ASSERT_TRUE(m->HasFullShape()) << key;
    EXPECT_NEAR(ShapeParameters(*m), m->parameters, 0.005 * m->parameters) << key;
  }
  // Llama 3.1 405B: "405B" (Meta); GPT-3 by Megatron's eq. (2), 174.6 B.
  EXPECT_NEAR(ShapeParameters(*(*reg)->FindModel("Llama3_1_405B")), 405e9, 0.005 * 405e9);
  EXPECT_NEAR(ShapeParameters(*(*reg)->FindModel("GPT3")), 174.6e9, 0.0005 * 174.6e9);
}

}  // namespace
}  // namespace mlsysim
