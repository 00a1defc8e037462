// SPDX-License-Identifier: Apache-2.0
#include "core/engines/compatibility.hpp"

#include <algorithm>

namespace xl::engines {
namespace {

bool contains_any_digit_of(const std::string& text, std::string_view digits) {
  return text.find_first_of(digits) != std::string::npos;
}

std::optional<std::string> quantization_problem(Engine engine, const catalog::FlatSpec& spec) {
  const auto name = std::string(engine_name(engine));
  const auto& q = spec.quantization;
  // Xinference's match_json: an unquantized pytorch spec is spelled "none"; anything else is a
  // community re-quantization the engines were never checked against.
  if (spec.model_format == "pytorch" && (engine == Engine::vllm || engine == Engine::sglang) &&
      q != "none") {
    return name + " runs pytorch specs only with quantization 'none', not '" + q + "'";
  }
  if (engine == Engine::vllm && spec.model_format == "awq" && !contains_any_digit_of(q, "48")) {
    return "vLLM runs 4-bit or 8-bit AWQ only, not '" + q + "'";
  }
  if (engine == Engine::vllm && spec.model_format == "gptq" && !contains_any_digit_of(q, "348")) {
    return "vLLM runs 3, 4 or 8-bit GPTQ only, not '" + q + "'";
  }
  // Every DeepSeek GGUF quantization is split, and vLLM refuses several GGUF files
  // ("please merge them first"): say so here instead of after a 400 GB download.
  if (engine == Engine::vllm && spec.is_gguf() && spec.parts.size() > 1) {
    return "vLLM cannot load a split GGUF (" + std::to_string(spec.parts.size()) + " parts of " +
           q + "); use llama.cpp";
  }
  return std::nullopt;
}

}  // namespace

const std::vector<std::string_view>& engine_formats(Engine engine) {
  static const std::vector<std::string_view> k_vllm{"pytorch", "gptq", "awq",   "fp4",
                                                    "fp8",     "bnb",  "ggufv2"};
  static const std::vector<std::string_view> k_sglang{"pytorch", "gptq", "awq", "fp8", "bnb"};
  static const std::vector<std::string_view> k_llama_cpp{"ggufv2"};
  static const std::vector<std::string_view> k_mlx{"mlx"};
  static const std::vector<std::string_view> k_transformers{"pytorch", "gptq", "awq", "bnb",
                                                            "fp4"};
  switch (engine) {
    case Engine::vllm: return k_vllm;
    case Engine::sglang: return k_sglang;
    case Engine::llama_cpp: return k_llama_cpp;
    case Engine::mlx: return k_mlx;
    case Engine::transformers: return k_transformers;
  }
  return k_transformers;
}

std::optional<std::string> engine_platform_problem(Engine engine,
                                                   const hardware::Platform& platform) {
  switch (engine) {
    case Engine::mlx:
      if (!platform.is_macos_arm64()) {
        return "MLX runs only on macOS arm64 (Apple silicon), not on " + platform.display();
      }
      break;
    case Engine::vllm:
    case Engine::sglang:
      if (!platform.is_linux()) {
        return std::string(engine_name(engine)) + " runs only on Linux, not on " +
               platform.display();
      }
      break;
    case Engine::llama_cpp:
    case Engine::transformers: break;
  }
  return std::nullopt;
}

std::optional<std::string> engine_can_run(Engine engine, const catalog::FlatSpec& spec,
                                          const hardware::Platform& platform) {
  const auto& formats = engine_formats(engine);
  if (std::find(formats.begin(), formats.end(), spec.model_format) == formats.end()) {
    std::string list;
    for (auto format : formats) {
      list += (list.empty() ? "" : ", ") + std::string(format);
    }
    return std::string(engine_name(engine)) + " cannot run " + spec.model_format +
           " specs (it runs " + list + ")";
  }
  if (auto problem = quantization_problem(engine, spec)) {
    return problem;
  }
  return engine_platform_problem(engine, platform);
}

Engine natural_engine(const catalog::FlatSpec& spec, const hardware::Platform& platform) {
  if (spec.is_gguf()) {
    return Engine::llama_cpp;
  }
  if (spec.model_format == "mlx") {
    return Engine::mlx;
  }
  if (!platform.is_linux() && !engine_can_run(Engine::transformers, spec, platform)) {
    return Engine::transformers;
  }
  return Engine::vllm;
}

}  // namespace xl::engines
