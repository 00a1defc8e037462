// SPDX-License-Identifier: Apache-2.0
#include "core/engines/fit.hpp"

#include <algorithm>
#include <cstdio>

#include "core/engines/command.hpp"
#include "core/util/error.hpp"

namespace xl::engines {
namespace {

constexpr std::uint64_t k_gib = 1024ULL * 1024 * 1024;
constexpr std::uint64_t k_mib = 1024ULL * 1024;

std::uint64_t gpu_budget(const hardware::GpuLayout& gpus) {
  std::uint64_t sum = 0;
  for (const auto& gpu : gpus.gpus) {
    const auto share =
        static_cast<std::uint64_t>(static_cast<double>(gpu.memory_total_mib) * k_gpu_memory_utilization);
    sum += std::min(share, gpu.memory_free_mib()) * k_mib;
  }
  return sum;
}

bool offloads_to_ram(Engine engine) {
  return engine == Engine::llama_cpp || engine == Engine::transformers;
}

struct Need {
  std::uint64_t kv = 0;
  std::uint64_t overhead = 0;
  std::uint64_t total = 0;
};

Need need_for(std::uint64_t weights, const FitInput& input, int gpu_count) {
  Need need;
  if (input.kv) {
    need.kv = static_cast<std::uint64_t>(std::max<std::int64_t>(input.context_length, 0)) *
              input.kv->bytes_per_token();
    need.overhead = weights / 10 + k_gib * static_cast<std::uint64_t>(std::max(gpu_count, 1));
  } else {
    need.overhead = weights / 5 + 2 * k_gib;
  }
  need.total = weights + need.kv + need.overhead;
  return need;
}

}  // namespace

std::string format_gib(std::uint64_t bytes) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f GiB", static_cast<double>(bytes) / k_gib);
  return buffer;
}

std::optional<KvGeometry> known_kv_geometry(const catalog::FlatSpec& spec) {
  if (spec.family == nullptr) {
    return std::nullopt;
  }
  const auto& arch = spec.family->architectures;
  auto has = [&arch](const char* name) {
    return std::find(arch.begin(), arch.end(), name) != arch.end();
  };
  if (has("DeepseekV3ForCausalLM")) {
    return KvGeometry{61, 576, 2, "DeepSeek-V3 MLA: 61 layers x (512 latent + 64 rope)"};
  }
  if (has("DeepseekV2ForCausalLM") && spec.size.text == "236") {
    return KvGeometry{60, 576, 2, "DeepSeek-V2 MLA: 60 layers x (512 latent + 64 rope)"};
  }
  return std::nullopt;
}

std::optional<KvGeometry> kv_geometry_from_config(const nlohmann::json& config) {
  auto number = [&config](const char* key) -> std::optional<std::int64_t> {
    const auto it = config.find(key);
    if (it == config.end() || !it->is_number_integer() || it->get<std::int64_t>() <= 0) {
      return std::nullopt;
    }
    return it->get<std::int64_t>();
  };
  const auto layers = number("num_hidden_layers");
  if (!layers) {
    return std::nullopt;
  }
  if (const auto rank = number("kv_lora_rank")) {
    return KvGeometry{static_cast<int>(*layers), *rank + number("qk_rope_head_dim").value_or(0),
                      2, "config.json (MLA)"};
  }
  const auto heads = number("num_attention_heads");
  const auto kv_heads = number("num_key_value_heads").has_value() ? number("num_key_value_heads")
                                                                  : heads;
  auto head_dim = number("head_dim");
  if (!head_dim && heads && number("hidden_size")) {
    head_dim = *number("hidden_size") / *heads;
  }
  if (!kv_heads || !head_dim) {
    return std::nullopt;
  }
  return KvGeometry{static_cast<int>(*layers), 2 * *kv_heads * *head_dim, 2, "config.json"};
}

FitResult check_fit(const FitInput& input) {
  FitResult result;
  const int nodes = std::max(input.nnodes, 1);
  result.gpu_count = static_cast<int>(input.gpus.count()) * nodes;
  const auto need = need_for(input.weight_bytes, input, result.gpu_count);
  result.weight_bytes = input.weight_bytes;
  result.kv_cache_bytes = need.kv;
  result.overhead_bytes = need.overhead;
  result.required_bytes = need.total;
  result.gpu_budget_bytes = gpu_budget(input.gpus) * static_cast<std::uint64_t>(nodes);

  const bool uses_gpus = !input.gpus.gpus.empty();
  const bool mlx = input.engine == Engine::mlx;
  if (input.ram && (mlx || !uses_gpus || offloads_to_ram(input.engine))) {
    // MLX: unified memory. mlx-lm raises the wired limit to Metal's working set and warns
    // above 90 % of it; with iogpu.wired_limit_mb raised (engines.md §4.2) 90 % of RAM is usable.
    const auto per_node = mlx ? input.ram->total_bytes / 10 * 9 : input.ram->available_bytes;
    result.ram_budget_bytes = per_node * static_cast<std::uint64_t>(nodes);
  }

  if (uses_gpus && result.required_bytes <= result.gpu_budget_bytes) {
    result.verdict = FitVerdict::fits_gpu;
  } else if (uses_gpus && offloads_to_ram(input.engine) && result.ram_budget_bytes > 0 &&
             result.required_bytes <= result.gpu_budget_bytes + result.ram_budget_bytes) {
    result.verdict = FitVerdict::fits_offload;
  } else if (!uses_gpus && result.ram_budget_bytes > 0 &&
             result.required_bytes <= result.ram_budget_bytes) {
    result.verdict = FitVerdict::fits_ram;
  } else if (!uses_gpus && result.ram_budget_bytes == 0) {
    result.verdict = FitVerdict::unknown;
  } else {
    result.verdict = FitVerdict::no_fit;
  }

  std::string have;
  if (uses_gpus) {
    have = format_gib(result.gpu_budget_bytes) + " usable on " +
           std::to_string(result.gpu_count) + " GPU" + (result.gpu_count == 1 ? "" : "s");
  }
  if (result.ram_budget_bytes > 0) {
    have += (have.empty() ? "" : " + ") + format_gib(result.ram_budget_bytes) +
            (mlx ? " unified memory" : " RAM");
  }
  result.summary = "needs " + format_gib(result.required_bytes) + " (weights " +
                   format_gib(result.weight_bytes) + " + KV cache " +
                   format_gib(result.kv_cache_bytes) + " for " +
                   std::to_string(input.context_length) + " tokens + overhead " +
                   format_gib(result.overhead_bytes) + "), has " +
                   (have.empty() ? std::string("no memory figure") : have);
  return result;
}

void require_fit(const FitResult& result, const FitInput& input,
                 const std::vector<SiblingSpec>& siblings, bool force) {
  if (result.fits() || force) {
    return;
  }
  std::vector<std::string> hints;
  for (const auto& sibling : siblings) {
    if (sibling.weight_bytes >= input.weight_bytes) {
      continue;
    }
    FitInput other = input;
    other.weight_bytes = sibling.weight_bytes;
    if (check_fit(other).fits()) {
      hints.push_back("a smaller spec fits: -f " + sibling.model_format + " -q " +
                      sibling.quantization + " (" + format_gib(sibling.weight_bytes) +
                      " of weights)");
    }
  }
  if (!input.gpus.gpus.empty() && input.gpus_visible > input.gpus.count()) {
    FitInput more = input;
    more.gpus.gpus.resize(input.gpus_visible, input.gpus.gpus.front());
    if (check_fit(more).fits()) {
      hints.push_back("use all " + std::to_string(input.gpus_visible) +
                      " GPUs of this node (--n-gpu auto)");
    }
  }
  if (!input.gpus.gpus.empty()) {
    const auto per_node = result.gpu_budget_bytes / static_cast<std::uint64_t>(std::max(input.nnodes, 1));
    if (per_node > 0) {
      const auto nodes = (result.required_bytes + per_node - 1) / per_node;
      hints.push_back("or run on " + std::to_string(nodes) + " nodes like this one (--nnodes " +
                      std::to_string(nodes) + " --node-rank R --master-addr HOST)");
    }
  }
  hints.push_back("or pass --force to launch anyway");
  std::string hint;
  for (const auto& line : hints) {
    hint += (hint.empty() ? "" : "\n") + line;
  }
  throw Error(ExitCode::resources, "the model does not fit: " + result.summary, hint);
}

}  // namespace xl::engines
