// hf_config.h — a model read from a Hugging Face `config.json`: its shape,
// the MLP form its architecture implies (gated SwiGLU for Llama, Mistral,
// Qwen2 and Mixtral; plain with biases for GPT-NeoX, GPT-2 and OPT, with
// GPT-2's and OPT's own key names), and the parameters counted from that
// shape (analytic/transformer_shape.h). An architecture not listed is refused
// by name.
//
// Usage: absl::StatusOr<ModelSpec> m = LoadHuggingFaceConfig("llama3/config.json");
#ifndef MLSYSIM_TOPOLOGY_HF_CONFIG_H_
#define MLSYSIM_TOPOLOGY_HF_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "analytic/specs.h"

namespace mlsysim {

// True when `name` names a config file rather than a registry model.
bool IsHuggingFaceConfigPath(const std::string& name);

// Reads and checks `path`; errors name the path and the key.
absl::StatusOr<ModelSpec> LoadHuggingFaceConfig(const std::string& path);

// The same from the file's text (for tests and fuzzing); `path` names it.
absl::StatusOr<ModelSpec> ParseHuggingFaceConfig(const std::string& text, const std::string& path);

}  // namespace mlsysim

#endif  // MLSYSIM_TOPOLOGY_HF_CONFIG_H_
