// SPDX-License-Identifier: Apache-2.0
#pragma once

// Turning what the user typed for the engine (pass-through arguments, -lm, -ak, -ev) into the
// engine's own command-line words.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/engines/engine.hpp"
#include "core/launch_options.hpp"

namespace xl::engines {

// Pass-through arguments in the engine's spelling, in the order typed. Xinference users write
// `--max_model_len 8192`; every engine's CLI spells it `--max-model-len`, so underscores in a
// flag name become dashes (`--a_b=v` -> `--a-b=v`). A value "True"/"true" means the bare switch,
// "False"/"false" its `--no-` form, for engines whose switches have one (vLLM, llama.cpp,
// Transformers); SGLang's and mlx_lm's argparse switches have none and are off unless given, so
// there the flag is left out and `dropped` (when given) gets a note. Raw arguments (after `--`)
// are copied verbatim. A non-raw word that is not a flag throws Error(usage).
enum class FalseSwitch { no_form, leave_out };
std::vector<std::string> pass_through_words(const std::vector<ExtraArg>& extra_args,
                                            FalseSwitch false_switch = FalseSwitch::no_form,
                                            std::vector<std::string>* dropped = nullptr);

// True when the user handed the engine one of `flags` (exact engine spellings such as "-ngl",
// "--cpu-moe"), as a pass-through argument in any spelling xlaunch forwards it as
// (`--n_cpu_moe 4` -> `--n-cpu-moe`, `--flag=value`) or verbatim after `--`. Lets a builder
// leave a choice to the user instead of passing its own value beside theirs.
bool passes_flag(const std::vector<ExtraArg>& extra_args,
                 std::initializer_list<std::string_view> flags);

// The context length the user asked for: the last pass-through --max-model-len /
// --context-length / --ctx-size / -c (any spelling), else --context-length, else nullopt.
std::optional<std::int64_t> requested_context_length(const LaunchOptions& options);

// -lm NAME PATH pairs as the engine's LoRA flags: vLLM `--enable-lora --lora-modules n=p ...`,
// SGLang `--lora-paths n=p ...`, llama.cpp `--lora p` per adapter, MLX `--adapter-path p` (one
// adapter only). Transformers has none. Unsupported -> Error(usage) naming the engine.
std::vector<std::string> lora_words(Engine engine,
                                    const std::vector<std::pair<std::string, std::string>>& loras);

// -ak KEY as `--api-key KEY` (vLLM, SGLang, llama.cpp). MLX and Transformers serve have no API
// key option -> Error(usage). Empty when no key was given.
std::vector<std::string> api_key_words(Engine engine, const std::optional<std::string>& api_key);

}  // namespace xl::engines
