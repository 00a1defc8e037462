// SPDX-License-Identifier: Apache-2.0
#pragma once

// How many of the GPUs a tensor-parallel engine can use. vLLM and SGLang split every layer's
// attention heads across the tensor-parallel ranks, and refuse a size that does not divide
// the head count: DeepSeek's 128 (16 for V2-Lite) take 1, 2, 4, 8 or 16, never 6. With
// --n-gpu auto, xlaunch used every visible GPU, so a 6-GPU machine could not start at all.

#include <optional>
#include <string>

#include "core/engines/engine.hpp"
#include "core/hardware/gpu.hpp"
#include "core/launch_options.hpp"

namespace xl::engines {

// Keeps the largest power of two of `gpus` (the first ones, in index order) when `engine`
// splits by tensor parallelism and the GPUs were not chosen by the user (--n-gpu auto, no
// --gpu-idx); a power of two divides the head count of every model the catalog knows and of
// most others. Returns the note saying so, or nullopt when nothing changed.
std::optional<std::string> keep_tensor_parallel_gpus(Engine engine, const LaunchOptions& options,
                                                     hardware::GpuLayout& gpus);

}  // namespace xl::engines
