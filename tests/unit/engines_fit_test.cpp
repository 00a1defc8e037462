// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "core/engines/fit.hpp"
#include "engine_command_fixtures.hpp"
#include "error_code_of.hpp"

using namespace xl;
using engines::Engine;
using engines::FitVerdict;

namespace {

constexpr std::uint64_t k_gib = 1024ULL * 1024 * 1024;
// DeepSeek-V3 MLA: 61 layers x 576 values x 2 bytes.
constexpr std::uint64_t k_v3_token_bytes = 61 * 576 * 2;

engines::FitInput r1_input(Engine engine, std::uint64_t weights, std::int64_t context,
                           const hardware::GpuLayout& layout) {
  static const auto family = test::deepseek_r1();
  const auto spec = test::make_spec(family, "awq", "Int4", "x");
  engines::FitInput input;
  input.engine = engine;
  input.weight_bytes = weights;
  input.context_length = context;
  input.kv = engines::known_kv_geometry(spec);
  input.gpus = layout;
  input.gpus_visible = layout.count();
  return input;
}

}  // namespace

TEST_CASE("KV geometry: DeepSeek MLA known, others from config.json") {
  const auto r1 = test::deepseek_r1();
  const auto kv = engines::known_kv_geometry(test::make_spec(r1, "pytorch", "none", "x"));
  REQUIRE(kv);
  CHECK(kv->bytes_per_token() == 70272);  // engines.md §10.4
  const auto v2 = test::deepseek_v2_chat();
  CHECK(engines::known_kv_geometry(test::make_spec(v2, "pytorch", "none", "x", "236"))
            ->bytes_per_token() == 69120);
  CHECK_FALSE(engines::known_kv_geometry(test::make_spec(v2, "pytorch", "none", "x", "16")));

  const auto mla = engines::kv_geometry_from_config(
      {{"num_hidden_layers", 27}, {"kv_lora_rank", 512}, {"qk_rope_head_dim", 64}});
  REQUIRE(mla);
  CHECK(mla->bytes_per_token() == 27 * 576 * 2);
  const auto gqa = engines::kv_geometry_from_config({{"num_hidden_layers", 32},
                                                     {"num_attention_heads", 32},
                                                     {"num_key_value_heads", 8},
                                                     {"hidden_size", 4096}});
  REQUIRE(gqa);
  CHECK(gqa->values_per_layer == 2 * 8 * 128);
  CHECK_FALSE(engines::kv_geometry_from_config({{"hidden_size", 4096}}));
}

TEST_CASE("R1 AWQ fits 8 x 80 GB, the arithmetic is the documented formula") {
  const auto input = r1_input(Engine::vllm, 360 * k_gib, 163840, test::gpus(8));
  const auto fit = engines::check_fit(input);
  CHECK(fit.kv_cache_bytes == 163840 * k_v3_token_bytes);
  CHECK(fit.overhead_bytes == 36 * k_gib + 8 * k_gib);  // weights / 10 + 1 GiB per GPU
  CHECK(fit.required_bytes == 360 * k_gib + 163840 * k_v3_token_bytes + 44 * k_gib);
  CHECK(fit.gpu_budget_bytes == 8 * 73728ULL * 1024 * 1024);  // 90 % of 81920 MiB each
  CHECK(fit.gpu_count == 8);
  CHECK(fit.verdict == FitVerdict::fits_gpu);
  CHECK(fit.summary ==
        "needs 414.7 GiB (weights 360.0 GiB + KV cache 10.7 GiB for 163840 tokens + overhead "
        "44.0 GiB), has 576.0 GiB usable on 8 GPUs");
  CHECK(test::code_of([&] { engines::require_fit(fit, input, {}, false); }) == ExitCode::ok);
}

TEST_CASE("FP8 R1 does not fit one 8 x 80 GB node: refusal with suggestions, unless forced") {
  const auto input = r1_input(Engine::vllm, 642 * k_gib, 163840, test::gpus(8));
  const auto fit = engines::check_fit(input);
  CHECK(fit.verdict == FitVerdict::no_fit);
  const std::vector<engines::SiblingSpec> siblings{{"pytorch", "none", 642 * k_gib},
                                                   {"awq", "Int4", 360 * k_gib}};
  try {
    engines::require_fit(fit, input, siblings, false);
    FAIL("expected a refusal");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::resources);
    CHECK(std::string(e.what()).find("needs 724.9 GiB") != std::string::npos);
    CHECK(std::string(e.what()).find("has 576.0 GiB usable on 8 GPUs") != std::string::npos);
    CHECK(e.hint().find("-f awq -q Int4 (360.0 GiB of weights)") != std::string::npos);
    CHECK(e.hint().find("pytorch") == std::string::npos);
    CHECK(e.hint().find("run on 2 nodes") != std::string::npos);
    CHECK(e.hint().find("--force") != std::string::npos);
  }
  CHECK(test::code_of([&] { engines::require_fit(fit, input, siblings, true); }) == ExitCode::ok);

  auto two_nodes = input;
  two_nodes.nnodes = 2;
  const auto spread = engines::check_fit(two_nodes);
  CHECK(spread.gpu_count == 16);
  CHECK(spread.gpu_budget_bytes == 2 * fit.gpu_budget_bytes);
  CHECK(spread.verdict == FitVerdict::fits_gpu);
}

TEST_CASE("more GPUs of this node are suggested when they would be enough") {
  auto input = r1_input(Engine::vllm, 360 * k_gib, 16384, test::gpus(4));
  input.gpus_visible = 8;
  const auto fit = engines::check_fit(input);
  CHECK(fit.verdict == FitVerdict::no_fit);
  try {
    engines::require_fit(fit, input, {}, false);
    FAIL("expected a refusal");
  } catch (const Error& e) {
    CHECK(e.hint().find("use all 8 GPUs of this node") != std::string::npos);
  }
}

TEST_CASE("used GPU memory lowers the budget") {
  auto layout = test::gpus(2);
  layout.gpus[1].memory_used_mib = 81920 - 1024;  // another process holds all but 1 GiB
  const auto fit = engines::check_fit(r1_input(Engine::vllm, k_gib, 1024, layout));
  CHECK(fit.gpu_budget_bytes == (73728ULL + 1024ULL) * 1024 * 1024);
}

TEST_CASE("llama.cpp and Transformers can offload to RAM, vLLM cannot") {
  auto input = r1_input(Engine::llama_cpp, 380 * k_gib, 16384, test::gpus(2));
  input.ram = hardware::MemoryInfo{600 * k_gib, 500 * k_gib};
  const auto offload = engines::check_fit(input);
  CHECK(offload.verdict == FitVerdict::fits_offload);
  CHECK(offload.ram_budget_bytes == 500 * k_gib);
  CHECK(offload.summary.find("+ 500.0 GiB RAM") != std::string::npos);
  input.engine = Engine::transformers;
  CHECK(engines::check_fit(input).verdict == FitVerdict::fits_offload);
  input.engine = Engine::vllm;
  const auto vllm = engines::check_fit(input);
  CHECK(vllm.verdict == FitVerdict::no_fit);
  CHECK(vllm.ram_budget_bytes == 0);
  input.engine = Engine::llama_cpp;
  input.ram = hardware::MemoryInfo{300 * k_gib, 200 * k_gib};
  CHECK(engines::check_fit(input).verdict == FitVerdict::no_fit);
}

TEST_CASE("CPU runs use RAM, unknown geometry uses GPUStack's formula") {
  engines::FitInput input;
  input.engine = Engine::transformers;
  input.weight_bytes = 30 * k_gib;
  input.context_length = 128000;
  input.gpus.cpu_requested = true;
  input.ram = hardware::MemoryInfo{64 * k_gib, 40 * k_gib};
  const auto fit = engines::check_fit(input);
  CHECK(fit.kv_cache_bytes == 0);
  CHECK(fit.overhead_bytes == 6 * k_gib + 2 * k_gib);  // weights x 0.2 + 2 GiB
  CHECK(fit.required_bytes == 38 * k_gib);
  CHECK(fit.verdict == FitVerdict::fits_ram);
  input.ram->available_bytes = 30 * k_gib;
  CHECK(engines::check_fit(input).verdict == FitVerdict::no_fit);
  input.ram.reset();
  const auto unknown = engines::check_fit(input);
  CHECK(unknown.verdict == FitVerdict::unknown);
  CHECK(unknown.fits());
  CHECK(unknown.summary.find("has no memory figure") != std::string::npos);
}

TEST_CASE("MLX counts 90 % of unified memory") {
  auto input = r1_input(Engine::mlx, 378 * k_gib, 163840, {});
  input.ram = hardware::MemoryInfo{512 * k_gib, 100 * k_gib};
  const auto fit = engines::check_fit(input);
  CHECK(fit.ram_budget_bytes == 512 * k_gib / 10 * 9);
  CHECK(fit.verdict == FitVerdict::fits_ram);
  CHECK(fit.summary.find("unified memory") != std::string::npos);
  input.ram = hardware::MemoryInfo{256 * k_gib, 200 * k_gib};
  CHECK(engines::check_fit(input).verdict == FitVerdict::no_fit);
}
