// hf_config.cc — Hugging Face config.json to ModelSpec (see hf_config.h).
#include "topology/hf_config.h"


#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "analytic/transformer_shape.h"
#include "nlohmann/json.hpp"
#include "traces/small_file.h"

namespace mlsysim {
namespace {

using Json = nlohmann::json;

// How one family names its keys and builds its blocks.
struct Family {
  const char* architecture;
  bool gated, bias, sparse, tied_by_default;
  const char *layers, *hidden, *heads, *ffn, *positions;  // key names ("" : none)
  int position_offset;                                    // OPT keeps 2 extra positions
};

constexpr Family kFamilies[] = {
    {"LlamaForCausalLM", true, false, false, false, "num_hidden_layers", "hidden_size",
     "num_attention_heads", "intermediate_size", "", 0},
    {"MistralForCausalLM", true, false, false, false, "num_hidden_layers", "hidden_size",
     "num_attention_heads", "intermediate_size", "", 0},
    {"Qwen2ForCausalLM", true, false, false, false, "num_hidden_layers", "hidden_size",
     "num_attention_heads", "intermediate_size", "", 0},
    {"MixtralForCausalLM", true, false, true, false, "num_hidden_layers", "hidden_size",
     "num_attention_heads", "intermediate_size", "", 0},
    {"GPTNeoXForCausalLM", false, true, false, false, "num_hidden_layers", "hidden_size",
     "num_attention_heads", "intermediate_size", "", 0},
    {"GPT2LMHeadModel", false, true, false, true, "n_layer", "n_embd", "n_head", "n_inner",
     "n_positions", 0},
    {"OPTForCausalLM", false, true, false, true, "num_hidden_layers", "hidden_size",
     "num_attention_heads", "ffn_dim", "max_position_embeddings", 2},
};

std::string Accepted() {
  std::string s;
  for (const Family& f : kFamilies) absl::StrAppend(&s, s.empty() ? "" : ", ", f.architecture);
  return s;
}

// An integer key in [lo, hi]; `fallback` when absent or null (< 0: required).
absl::Status GetInt(const Json& j, const std::string& path, const char* key, long long lo,
                    long long hi, long long fallback, int* out) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (fallback < 0)
      return absl::InvalidArgumentError(absl::StrCat(path, ": '", key, "' is missing"));
    *out = static_cast<int>(fallback);
    return absl::OkStatus();
  }
  if (!it->is_number_integer() || it->get<long long>() < lo || it->get<long long>() > hi) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": '", key, "' must be an integer in [",
                                                   lo, ", ", hi, "]; got ", it->dump()));
  }
  *out = static_cast<int>(it->get<long long>());
  return absl::OkStatus();
}

}  // namespace

bool IsHuggingFaceConfigPath(const std::string& name) { return absl::EndsWith(name, ".json"); }

absl::StatusOr<ModelSpec> ParseHuggingFaceConfig(const std::string& text, const std::string& path) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": not a JSON object (a Hugging Face config.json)"));
  }
  const auto archs = j.find("architectures");
  if (archs == j.end() || !archs->is_array() || archs->empty() || !(*archs)[0].is_string()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": 'architectures' must list the model class; accepted: ", Accepted()));
  }
  const std::string arch = (*archs)[0].get<std::string>();
  const Family* fam = nullptr;
  for (const Family& f : kFamilies)
    if (arch == f.architecture) fam = &f;
  if (fam == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": architecture '", arch, "' is not modelled; accepted: ", Accepted()));
  }
  ModelSpec m;
  m.key = path;
  m.name = absl::StrCat(arch, " (", path, ")");
  m.group = "Language";
  m.architecture = fam->sparse ? Architecture::kSparse : Architecture::kTransformer;
  m.gated_mlp = fam->gated;
  m.linear_bias = fam->bias;
  constexpr long long kMaxWidth = 1 << 20;
  absl::Status st = GetInt(j, path, fam->layers, 1, 100000, -1, &m.layers);
  if (st.ok()) st = GetInt(j, path, fam->hidden, 1, kMaxWidth, -1, &m.hidden_dim);
  if (st.ok()) st = GetInt(j, path, fam->heads, 1, kMaxWidth, -1, &m.heads);
  if (st.ok()) st = GetInt(j, path, "num_key_value_heads", 1, kMaxWidth, m.heads, &m.kv_heads);
  if (st.ok()) st = GetInt(j, path, fam->ffn, 1, 1 << 24, 4LL * m.hidden_dim, &m.intermediate_size);
  if (st.ok()) st = GetInt(j, path, "vocab_size", 1, 100000000, -1, &m.vocab_size);
  if (st.ok() && *fam->positions) {
    st = GetInt(j, path, fam->positions, 1, 100000000, -1, &m.learned_positions);
    m.learned_positions += fam->position_offset;
  }
  if (st.ok() && fam->sparse) {
    st = GetInt(j, path, "num_local_experts", 1, 100000, -1, &m.num_experts);
    if (st.ok())
      st = GetInt(j, path, "num_experts_per_tok", 1, m.num_experts, -1, &m.experts_per_token);
  }
  if (!st.ok()) return st;
  if (m.hidden_dim % m.heads != 0 || m.heads % m.kv_heads != 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": the heads must divide the hidden size and the KV heads the heads; got hidden ",
        m.hidden_dim, ", ", m.heads, " heads, ", m.kv_heads, " KV heads"));
  }
  m.tie_word_embeddings = fam->tied_by_default;
  if (const auto t = j.find("tie_word_embeddings"); t != j.end() && !t->is_null()) {
    if (!t->is_boolean()) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": 'tie_word_embeddings' must be true or false"));
    }
    m.tie_word_embeddings = t->get<bool>();
  }
  for (const char* key : {"hidden_act", "activation_function"}) {
    if (const auto a = j.find(key); a != j.end() && a->is_string())
      m.hidden_act = a->get<std::string>();
  }
  m.parameters = ShapeParameters(m);
  if (fam->sparse) m.active_parameters = ShapeActiveParameters(m);
  m.inference_flops = 2 * (fam->sparse ? m.active_parameters : m.parameters);
  return m;
}

absl::StatusOr<ModelSpec> LoadHuggingFaceConfig(const std::string& path) {
  absl::StatusOr<std::string> text = ReadSmallFile(path, "model config", 1 << 20);
  if (!text.ok()) return text.status();
  return ParseHuggingFaceConfig(*text, path);
}

}  // namespace mlsysim
