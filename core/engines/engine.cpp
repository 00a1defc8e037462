// SPDX-License-Identifier: Apache-2.0
#include "core/engines/engine.hpp"

#include <algorithm>
#include <cctype>

#include "core/util/error.hpp"

namespace xl::engines {
namespace {

constexpr std::array<EngineInfo, 5> k_engines{{
    {Engine::vllm, "vLLM", "XLAUNCH_VLLM_BIN", "vllm", "pip install vllm"},
    {Engine::sglang, "SGLang", "XLAUNCH_SGLANG_BIN", "sglang", "pip install \"sglang[all]\""},
    {Engine::llama_cpp, "llama.cpp", "XLAUNCH_LLAMA_CPP_BIN", "llama-server",
     "brew install llama.cpp (macOS), or a llama.cpp release / your distribution's llama.cpp "
     "package (provides llama-server)"},
    {Engine::mlx, "MLX", "XLAUNCH_MLX_BIN", "mlx_lm.server", "pip install mlx-lm"},
    {Engine::transformers, "Transformers", "XLAUNCH_TRANSFORMERS_BIN", "transformers",
     "pip install \"transformers[serving]\""},
}};

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

}  // namespace

const std::array<Engine, 5>& all_engines() {
  static constexpr std::array<Engine, 5> k_all{Engine::vllm, Engine::sglang, Engine::llama_cpp,
                                               Engine::mlx, Engine::transformers};
  return k_all;
}

const EngineInfo& engine_info(Engine engine) {
  for (const auto& info : k_engines) {
    if (info.engine == engine) {
      return info;
    }
  }
  throw Error(ExitCode::failure, "unknown engine value");
}

std::string_view engine_name(Engine engine) { return engine_info(engine).name; }

std::optional<Engine> find_engine(std::string_view name) {
  for (const auto& info : k_engines) {
    if (iequals(info.name, name)) {
      return info.engine;
    }
  }
  return std::nullopt;
}

Engine parse_engine(std::string_view name) {
  if (auto engine = find_engine(name)) {
    return *engine;
  }
  throw Error(ExitCode::usage,
              "unknown engine '" + std::string(name) + "': use one of " + engine_names());
}

std::string engine_names() {
  std::string out;
  for (const auto& info : k_engines) {
    if (!out.empty()) {
      out += ", ";
    }
    out += info.name;
  }
  return out;
}

}  // namespace xl::engines
