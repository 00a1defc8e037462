// SPDX-License-Identifier: Apache-2.0
#pragma once

// Hand-built catalog values for the engine tests: the four seed families of
// catalog/llm_family.json with the fields the engine code reads, so these tests do not depend
// on the catalog loader.

#include <string>
#include <vector>

#include "catalog/llm_family.hpp"
#include "core/hardware/platform.hpp"

namespace xl::test {

inline catalog::LlmFamily make_family(const std::string& name, std::int64_t context,
                                      const std::string& architecture,
                                      std::vector<std::string> abilities) {
  catalog::LlmFamily family;
  family.model_name = name;
  family.context_length = context;
  family.architectures = {architecture};
  family.model_ability = std::move(abilities);
  return family;
}

inline catalog::LlmFamily deepseek_r1() {
  return make_family("deepseek-r1", 163840, "DeepseekV3ForCausalLM", {"chat", "reasoning"});
}
inline catalog::LlmFamily deepseek_v3_0324() {
  return make_family("deepseek-v3-0324", 163840, "DeepseekV3ForCausalLM", {"chat"});
}
inline catalog::LlmFamily deepseek_v31() {
  auto family = make_family("Deepseek-V3.1", 131072, "DeepseekV3ForCausalLM",
                            {"chat", "reasoning", "hybrid", "tools"});
  family.tool_parser = "deepseek-v3.1";
  return family;
}
inline catalog::LlmFamily deepseek_v2_chat() {
  return make_family("deepseek-v2-chat", 128000, "DeepseekV2ForCausalLM", {"chat"});
}

inline catalog::FlatSpec make_spec(const catalog::LlmFamily& family, const std::string& format,
                                   const std::string& quantization,
                                   const std::string& model_id, const std::string& size = "671") {
  catalog::FlatSpec spec;
  spec.family = &family;
  spec.model_format = format;
  spec.size = catalog::ModelSize{size};
  spec.hub = "huggingface";
  spec.quantization = quantization;
  spec.model_id = model_id;
  return spec;
}

// R1 GGUF as the catalog flattens it: split template with `{part}` left in.
inline catalog::FlatSpec r1_gguf(const catalog::LlmFamily& family, const std::string& quant,
                                 int parts) {
  auto spec = make_spec(family, "ggufv2", quant, "unsloth/DeepSeek-R1-GGUF");
  spec.file_name_template = "DeepSeek-R1-" + quant + "/DeepSeek-R1-" + quant + ".gguf";
  spec.split_template = "DeepSeek-R1-" + quant + "/DeepSeek-R1-" + quant + "-{part}.gguf";
  for (int i = 1; i <= parts; ++i) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%05d-of-%05d", i, parts);
    spec.parts.emplace_back(buf);
  }
  return spec;
}

inline hardware::Platform linux_x86() { return {"linux", "x86_64"}; }
inline hardware::Platform mac_arm() { return {"darwin", "arm64"}; }

}  // namespace xl::test
