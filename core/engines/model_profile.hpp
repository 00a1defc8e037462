// SPDX-License-Identifier: Apache-2.0
#pragma once

// Per-model engine knobs that the catalog does not carry: the DeepSeek reasoning and tool-call
// parsers in each engine's spelling (engines.md §1.3, §2.3) and the tool-call chat template the
// engine's source tree ships for them (engines.md §0 item 4).

#include <optional>
#include <string>

#include "catalog/llm_family.hpp"
#include "core/engines/engine.hpp"

namespace xl::engines {

struct ParserChoice {
  std::string reasoning_parser;  // "" = none
  std::string tool_parser;       // "" = none
  std::string tool_template;     // file name of the engine's tool template, "" = none
};

// vLLM and SGLang only (llama.cpp, MLX and Transformers have no parser flags). Nullopt for
// families without known parsers (e.g. deepseek-v2-chat) and for the other engines.
std::optional<ParserChoice> parser_choice(Engine engine, const catalog::LlmFamily& family);

// True when the family produces <think> reasoning (ability "reasoning").
bool family_reasons(const catalog::LlmFamily& family);
// True for hybrid reasoning models whose thinking is switched on by the chat template
// (ability "hybrid", e.g. DeepSeek-V3.1).
bool family_is_hybrid(const catalog::LlmFamily& family);

// True for mixture-of-experts specs: the catalog gives fewer activated than total parameters
// (Xinference's activated_size_in_billions), or the architecture is DeepSeek-V2/V3, which are
// MoE at every size (V2-Lite included) even where the catalog leaves the activated size out.
// llama.cpp can keep such a model's expert tensors in RAM (--cpu-moe, engines.md §3.3).
bool spec_is_moe(const catalog::FlatSpec& spec);

// xlaunch does not ship the template texts themselves (they live in the engines' source trees,
// not in a pip install, and are not reproduced here). A user or packager puts them at
// `<templates_dir>/<engine>/<file>` (engine lower-case: vllm, sglang); this returns that path
// when the file exists, so the command passes --chat-template only for a real file.
std::optional<std::string> find_tool_chat_template(Engine engine, const ParserChoice& choice,
                                                   const std::string& templates_dir);

}  // namespace xl::engines
