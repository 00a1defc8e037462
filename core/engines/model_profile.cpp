// SPDX-License-Identifier: Apache-2.0
#include "core/engines/model_profile.hpp"

#include <algorithm>
#include <cctype>
#include <sys/stat.h>

namespace xl::engines {
namespace {

enum class Profile { none, r1, v3, v31 };

Profile profile_of(const catalog::LlmFamily& family) {
  std::string name = family.model_name;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (name == "deepseek-r1" || name == "deepseek-r1-0528") {
    return Profile::r1;
  }
  if (name == "deepseek-v3" || name == "deepseek-v3-0324") {
    return Profile::v3;
  }
  if (name == "deepseek-v3.1" || name == "deepseek-v3.1-terminus") {
    return Profile::v31;
  }
  return Profile::none;
}

bool has_ability(const catalog::LlmFamily& family, const std::string& ability) {
  return std::find(family.model_ability.begin(), family.model_ability.end(), ability) !=
         family.model_ability.end();
}

}  // namespace

bool family_reasons(const catalog::LlmFamily& family) { return has_ability(family, "reasoning"); }
bool family_is_hybrid(const catalog::LlmFamily& family) { return has_ability(family, "hybrid"); }

bool spec_is_moe(const catalog::FlatSpec& spec) {
  if (spec.activated_size && spec.activated_size->text != spec.size.text) {
    return true;
  }
  if (spec.family == nullptr) {
    return false;
  }
  const auto& arch = spec.family->architectures;
  return std::any_of(arch.begin(), arch.end(), [](const std::string& name) {
    return name == "DeepseekV2ForCausalLM" || name == "DeepseekV3ForCausalLM";
  });
}

std::optional<ParserChoice> parser_choice(Engine engine, const catalog::LlmFamily& family) {
  const Profile profile = profile_of(family);
  if (profile == Profile::none) {
    return std::nullopt;
  }
  // Tables of engines.md §1.3 (vLLM) and §2.3 (SGLang); note the different spellings.
  if (engine == Engine::vllm) {
    switch (profile) {
      case Profile::r1: return ParserChoice{"deepseek_r1", "deepseek_v3", ""};
      case Profile::v3:
        return ParserChoice{"", "deepseek_v3", "tool_chat_template_deepseekv3.jinja"};
      case Profile::v31:
        return ParserChoice{"deepseek_v3", "deepseek_v31", "tool_chat_template_deepseekv31.jinja"};
      case Profile::none: break;
    }
  }
  if (engine == Engine::sglang) {
    switch (profile) {
      case Profile::r1:
        return ParserChoice{"deepseek-r1", "deepseekv3", "tool_chat_template_deepseekr1.jinja"};
      case Profile::v3:
        return ParserChoice{"", "deepseekv3", "tool_chat_template_deepseekv3.jinja"};
      case Profile::v31:
        return ParserChoice{"deepseek-v3", "deepseekv31", "tool_chat_template_deepseekv31.jinja"};
      case Profile::none: break;
    }
  }
  return std::nullopt;
}

std::optional<std::string> find_tool_chat_template(Engine engine, const ParserChoice& choice,
                                                   const std::string& templates_dir) {
  if (choice.tool_template.empty() || templates_dir.empty()) {
    return std::nullopt;
  }
  const std::string sub = engine == Engine::vllm ? "vllm" : engine == Engine::sglang ? "sglang" : "";
  if (sub.empty()) {
    return std::nullopt;
  }
  const std::string path = templates_dir + "/" + sub + "/" + choice.tool_template;
  struct stat info {};
  if (stat(path.c_str(), &info) != 0 || !S_ISREG(info.st_mode)) {
    return std::nullopt;
  }
  return path;
}

}  // namespace xl::engines
