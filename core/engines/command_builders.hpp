// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to command.cpp and command_*.cpp: one builder per engine, plus the shared pieces.

#include "core/engines/command.hpp"

namespace xl::engines::detail {

ExecPlan build_vllm(const CommandInput& input);
ExecPlan build_sglang(const CommandInput& input);
ExecPlan build_llama_cpp(const CommandInput& input);
ExecPlan build_mlx(const CommandInput& input);
ExecPlan build_transformers(const CommandInput& input);

// CUDA_VISIBLE_DEVICES for the chosen GPUs, HF_HUB_OFFLINE with --offline, then -ev pairs
// (last, so the user's value wins).
void add_environment(ExecPlan& plan, const CommandInput& input, bool uses_cuda);

void append(std::vector<std::string>& argv, const std::vector<std::string>& words);

// The context length for flags that must always be explicit (llama.cpp -c): the user's
// --context-length, else the family's context length.
std::int64_t context_or_family(const CommandInput& input);

}  // namespace xl::engines::detail
