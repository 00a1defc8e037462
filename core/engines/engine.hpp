// SPDX-License-Identifier: Apache-2.0
#pragma once

// The engine registry: the five engines xlaunch can exec, their canonical names (as Xinference
// spells them), the programs that start them and what to install when they are missing.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xl::engines {

enum class Engine { vllm, sglang, llama_cpp, mlx, transformers };

struct EngineInfo {
  Engine engine;
  std::string_view name;        // canonical spelling: "vLLM", "SGLang", "llama.cpp", "MLX", "Transformers"
  std::string_view bin_env;     // override variable: "XLAUNCH_VLLM_BIN", ...
  std::string_view program;     // looked up on PATH: "vllm", "sglang", "llama-server", ...
  std::string_view install_hint;  // what to run when it is missing
};

// Every engine, in Xinference's registry order.
const std::array<Engine, 5>& all_engines();
const EngineInfo& engine_info(Engine engine);
std::string_view engine_name(Engine engine);

// Case-insensitive lookup of a canonical name ("vllm", "VLLM", "llama.cpp", "mlx"). Strict:
// no aliases such as "llamacpp", so a typo is reported rather than guessed.
std::optional<Engine> find_engine(std::string_view name);

// Like find_engine(), but an unknown name throws Error(usage) listing the valid names.
Engine parse_engine(std::string_view name);

// "vLLM, SGLang, llama.cpp, MLX, Transformers", for messages.
std::string engine_names();

}  // namespace xl::engines
