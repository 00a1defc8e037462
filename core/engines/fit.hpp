// SPDX-License-Identifier: Apache-2.0
#pragma once

// Will the chosen spec fit this machine? Weights (the real sum of the spec's file sizes) plus
// the KV cache for the context length plus an overhead, against the GPUs' memory (and RAM where
// the engine can offload or runs on the CPU). Pure arithmetic; the formula is documented at
// check_fit().

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "catalog/llm_family.hpp"
#include "core/engines/engine.hpp"
#include "core/hardware/gpu.hpp"
#include "core/hardware/memory.hpp"

namespace xl::engines {

// KV-cache shape per token: `values_per_layer` cached numbers in each of `layers` layers.
// DeepSeek MLA caches the 512-d latent plus the 64-d rope key: 576 values (engines.md §10.4);
// classic attention caches K and V: 2 x kv_heads x head_dim.
struct KvGeometry {
  int layers = 0;
  std::int64_t values_per_layer = 0;
  int bytes_per_value = 2;  // BF16/FP16 cache
  std::string source;       // "DeepSeek-V3 MLA (engines.md §10.4)", "config.json", ...

  std::uint64_t bytes_per_token() const {
    return static_cast<std::uint64_t>(layers) * static_cast<std::uint64_t>(values_per_layer) *
           static_cast<std::uint64_t>(bytes_per_value);
  }
};

// The geometry xlaunch knows without downloading: DeepSeek-V3/R1/V3.1 (61 layers, MLA) and
// DeepSeek-V2 236B (60 layers, MLA). Nullopt otherwise (e.g. V2-Lite 16B: read config.json).
std::optional<KvGeometry> known_kv_geometry(const catalog::FlatSpec& spec);

// From a model's config.json: MLA when kv_lora_rank is present (kv_lora_rank +
// qk_rope_head_dim), else 2 x num_key_value_heads x head_dim (head_dim defaulting to
// hidden_size / num_attention_heads). Nullopt when the fields are missing.
std::optional<KvGeometry> kv_geometry_from_config(const nlohmann::json& config);

struct FitInput {
  Engine engine = Engine::vllm;
  std::uint64_t weight_bytes = 0;   // sum of the spec's file sizes
  std::int64_t context_length = 0;  // tokens the KV cache must hold (one full sequence)
  std::optional<KvGeometry> kv;     // nullopt: KV folded into the overhead (GPUStack formula)
  hardware::GpuLayout gpus;         // this node's GPUs; other nodes are assumed alike
  std::size_t gpus_visible = 0;     // GPUs on this node in all (for the "more GPUs" hint)
  int nnodes = 1;
  std::optional<hardware::MemoryInfo> ram;  // this node's RAM
};

enum class FitVerdict {
  fits_gpu,      // everything in GPU memory
  fits_offload,  // GPU + RAM (llama.cpp layer offload, Transformers device_map)
  fits_ram,      // CPU or Apple unified memory
  no_fit,
  unknown,       // nothing to compare against (no GPU and no RAM figure)
};

struct FitResult {
  std::uint64_t weight_bytes = 0;
  std::uint64_t kv_cache_bytes = 0;
  std::uint64_t overhead_bytes = 0;
  std::uint64_t required_bytes = 0;
  std::uint64_t gpu_budget_bytes = 0;  // usable GPU memory over all nodes
  std::uint64_t ram_budget_bytes = 0;  // usable RAM over all nodes (0 if the engine cannot use it)
  int gpu_count = 0;                   // over all nodes
  FitVerdict verdict = FitVerdict::unknown;
  std::string summary;  // "needs 412.3 GiB (weights ... + KV ... + overhead ...), has ..."

  bool fits() const { return verdict != FitVerdict::no_fit; }
};

// required = weights + KV + overhead, where
//   KV       = context_length x bytes_per_token            (when the geometry is known)
//   overhead = weights / 10 + 1 GiB per GPU (CUDA context, graphs; engines.md §10.4 "~10 %")
// and, when the geometry is unknown, GPUStack's weights x 1.2 + 2 GiB (engines.md §10.2).
// Budgets: per GPU min(total x 0.90, free) (vLLM's --gpu-memory-utilization), times nnodes;
// RAM = MemAvailable (llama.cpp/Transformers offload, CPU runs) or, for MLX, 90 % of RAM
// (unified memory with the wired limit raised, engines.md §4.2).
FitResult check_fit(const FitInput& input);

// Another spec of the same model, for suggestions.
struct SiblingSpec {
  std::string model_format;
  std::string quantization;
  std::uint64_t weight_bytes = 0;
};

// Throws Error(resources) with the numbers and suggestions (a smaller quantization of the same
// model that would fit, more GPUs on this node, or how many nodes of this kind) unless the
// result fits or `force` is set.
void require_fit(const FitResult& result, const FitInput& input,
                 const std::vector<SiblingSpec>& siblings, bool force);

// "412.3 GiB"
std::string format_gib(std::uint64_t bytes);

}  // namespace xl::engines
