// SPDX-License-Identifier: Apache-2.0
#pragma once

// Which engine can run which catalog spec on which platform (engines.md §6, xinference.md §3.4).
// The spec matcher calls these to filter specs by engine, and the launch picks natural_engine()
// when the user gave no -en.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/llm_family.hpp"
#include "core/engines/engine.hpp"
#include "core/hardware/platform.hpp"

namespace xl::engines {

// The model formats an engine runs at all ("pytorch", "awq", ...), in Xinference's spelling.
const std::vector<std::string_view>& engine_formats(Engine engine);

// Nullopt when `engine` can run `spec` on `platform`; otherwise one lower-case sentence saying
// why not, e.g. "vLLM cannot load a split GGUF (9 parts); use llama.cpp". Format and
// quantization rules are checked before the platform, so the reason names the real obstacle.
std::optional<std::string> engine_can_run(Engine engine, const catalog::FlatSpec& spec,
                                          const hardware::Platform& platform);

// Only the platform part of engine_can_run(): MLX needs macOS arm64, vLLM and SGLang need Linux.
// Preflight uses this to refuse with exit code 4 before any download.
std::optional<std::string> engine_platform_problem(Engine engine,
                                                   const hardware::Platform& platform);

// The engine to use when the user gave none: ggufv2 -> llama.cpp, mlx -> MLX, everything else
// -> vLLM, except on a non-Linux host where Transformers is used when it can run the spec.
Engine natural_engine(const catalog::FlatSpec& spec, const hardware::Platform& platform);

}  // namespace xl::engines
