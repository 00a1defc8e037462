// SPDX-License-Identifier: Apache-2.0
#include "core/engines/tensor_parallel.hpp"

namespace xl::engines {

std::optional<std::string> keep_tensor_parallel_gpus(Engine engine, const LaunchOptions& options,
                                                     hardware::GpuLayout& gpus) {
  if ((engine != Engine::vllm && engine != Engine::sglang) || options.n_gpu != "auto" || options.gpu_idx) {
    return std::nullopt;
  }
  const std::size_t count = gpus.count();
  std::size_t kept = 1;
  while (kept * 2 <= count) {
    kept *= 2;
  }
  if (count <= 1 || kept == count) {
    return std::nullopt;
  }
  gpus.gpus.resize(kept);
  return "using " + std::to_string(kept) + " of the " + std::to_string(count) + " GPUs (" +
         gpus.cuda_visible_devices() +
         "): the tensor-parallel size must divide the model's attention heads, a power of two for "
         "DeepSeek; --gpu-idx or --n-gpu N chooses others";
}

}  // namespace xl::engines
