// SPDX-License-Identifier: Apache-2.0
// vLLM and SGLang need a tensor-parallel size that divides the attention heads: with every GPU
// of a 6-GPU machine, DeepSeek (128 heads) could not start.
#include <doctest/doctest.h>

#include "core/engines/tensor_parallel.hpp"

using namespace xl;
using engines::Engine;

namespace {

hardware::GpuLayout gpus(int count) {
  hardware::GpuLayout layout;
  for (int i = 0; i < count; ++i) {
    layout.gpus.push_back(hardware::GpuInfo{i, "H100", 81920, 0});
  }
  return layout;
}

}  // namespace

TEST_CASE("tensor parallelism keeps the largest power of two of the GPUs it was not told to use") {
  const LaunchOptions automatic;
  for (const auto& [count, kept] : std::vector<std::pair<int, std::size_t>>{{6, 4}, {3, 2}, {12, 8}, {7, 4}}) {
    CAPTURE(count);
    auto layout = gpus(count);
    const auto note = engines::keep_tensor_parallel_gpus(Engine::vllm, automatic, layout);
    REQUIRE(note.has_value());
    CHECK(layout.count() == kept);
    CHECK(note->find("using " + std::to_string(kept) + " of the " + std::to_string(count) + " GPUs") == 0);
    CHECK(layout.gpus.back().index == static_cast<int>(kept) - 1);
  }
  for (int count : {0, 1, 2, 4, 8, 16}) {
    CAPTURE(count);
    auto layout = gpus(count);
    CHECK_FALSE(engines::keep_tensor_parallel_gpus(Engine::sglang, automatic, layout));
    CHECK(layout.count() == static_cast<std::size_t>(count));
  }
}

TEST_CASE("tensor parallelism leaves the user's GPU choice and other engines alone") {
  auto layout = gpus(6);
  CHECK_FALSE(engines::keep_tensor_parallel_gpus(Engine::llama_cpp, LaunchOptions{}, layout));
  CHECK_FALSE(engines::keep_tensor_parallel_gpus(Engine::transformers, LaunchOptions{}, layout));
  LaunchOptions counted;
  counted.n_gpu = "6";
  CHECK_FALSE(engines::keep_tensor_parallel_gpus(Engine::vllm, counted, layout));
  LaunchOptions indexed;
  indexed.gpu_idx = "0,1,2,3,4,5";
  CHECK_FALSE(engines::keep_tensor_parallel_gpus(Engine::vllm, indexed, layout));
  CHECK(layout.count() == 6);
}
