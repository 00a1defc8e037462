// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "core/engines/compatibility.hpp"
#include "core/engines/engine.hpp"
#include "core/util/error.hpp"
#include "engine_fixtures.hpp"

using namespace xl;
using namespace xl::engines;

TEST_CASE("engine names are looked up case-insensitively and strictly") {
  CHECK(find_engine("vllm") == Engine::vllm);
  CHECK(find_engine("VLLM") == Engine::vllm);
  CHECK(find_engine("vLLM") == Engine::vllm);
  CHECK(find_engine("sglang") == Engine::sglang);
  CHECK(find_engine("LLAMA.CPP") == Engine::llama_cpp);
  CHECK(find_engine("mlx") == Engine::mlx);
  CHECK(find_engine("transformers") == Engine::transformers);
  CHECK_FALSE(find_engine("llamacpp"));
  CHECK_FALSE(find_engine("vllm "));
  CHECK_FALSE(find_engine(""));
  CHECK(engine_name(Engine::llama_cpp) == "llama.cpp");
  CHECK(engine_names() == "vLLM, SGLang, llama.cpp, MLX, Transformers");
  try {
    parse_engine("llamacpp");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::usage);
    CHECK(std::string(e.what()).find("llama.cpp") != std::string::npos);
  }
}

TEST_CASE("engine x format matrix for the seed families (linux)") {
  const auto r1 = test::deepseek_r1();
  const auto v31 = test::deepseek_v31();
  const auto linux = test::linux_x86();
  const auto pytorch = test::make_spec(r1, "pytorch", "none", "deepseek-ai/DeepSeek-R1");
  const auto awq = test::make_spec(r1, "awq", "Int4", "cognitivecomputations/DeepSeek-R1-AWQ");
  const auto gptq = test::make_spec(v31, "gptq", "Int4", "cpatonn/DeepSeek-V3.1-GPTQ-4bit");
  const auto gguf = test::r1_gguf(r1, "Q4_K_M", 9);
  const auto mlx = test::make_spec(r1, "mlx", "4bit", "mlx-community/DeepSeek-R1-4bit");

  for (const auto* spec : {&pytorch, &awq, &gptq}) {
    CHECK_FALSE(engine_can_run(Engine::vllm, *spec, linux));
    CHECK_FALSE(engine_can_run(Engine::sglang, *spec, linux));
    CHECK_FALSE(engine_can_run(Engine::transformers, *spec, linux));
    CHECK(engine_can_run(Engine::llama_cpp, *spec, linux));
    CHECK(engine_can_run(Engine::mlx, *spec, linux));
  }
  CHECK_FALSE(engine_can_run(Engine::llama_cpp, gguf, linux));
  const auto split = engine_can_run(Engine::vllm, gguf, linux);
  REQUIRE(split);
  CHECK(split->find("split GGUF (9 parts") != std::string::npos);
  CHECK(engine_can_run(Engine::sglang, gguf, linux));
  CHECK(engine_can_run(Engine::transformers, gguf, linux));

  const auto mlx_on_linux = engine_can_run(Engine::mlx, mlx, linux);
  REQUIRE(mlx_on_linux);
  CHECK(mlx_on_linux->find("macOS arm64") != std::string::npos);
  CHECK(engine_can_run(Engine::vllm, mlx, linux));
  CHECK(engine_can_run(Engine::llama_cpp, pytorch, linux)->find("cannot run pytorch") !=
        std::string::npos);
}

TEST_CASE("format-specific rules: fp8, fp4, single-file GGUF, quantization digits") {
  const auto r1 = test::deepseek_r1();
  const auto linux = test::linux_x86();
  const auto fp8 = test::make_spec(r1, "fp8", "FP8", "x/y");
  CHECK_FALSE(engine_can_run(Engine::vllm, fp8, linux));
  CHECK_FALSE(engine_can_run(Engine::sglang, fp8, linux));
  CHECK(engine_can_run(Engine::transformers, fp8, linux));
  const auto fp4 = test::make_spec(r1, "fp4", "FP4", "x/y");
  CHECK(engine_can_run(Engine::sglang, fp4, linux));
  CHECK_FALSE(engine_can_run(Engine::vllm, fp4, linux));
  // A single-file GGUF is fine for vLLM (experimental), a split one is not.
  auto single = test::r1_gguf(r1, "Q4_K_M", 0);
  CHECK_FALSE(engine_can_run(Engine::vllm, single, linux));
  const auto awq3 = test::make_spec(r1, "awq", "Int3", "x/y");
  CHECK(engine_can_run(Engine::vllm, awq3, linux));
  const auto pytorch_q = test::make_spec(r1, "pytorch", "8-bit", "x/y");
  CHECK(engine_can_run(Engine::vllm, pytorch_q, linux));
  CHECK_FALSE(engine_can_run(Engine::transformers, pytorch_q, linux));
}

TEST_CASE("platform gates") {
  const auto r1 = test::deepseek_r1();
  const auto mlx = test::make_spec(r1, "mlx", "4bit", "mlx-community/DeepSeek-R1-4bit");
  const auto pytorch = test::make_spec(r1, "pytorch", "none", "deepseek-ai/DeepSeek-R1");
  CHECK_FALSE(engine_can_run(Engine::mlx, mlx, test::mac_arm()));
  CHECK(engine_can_run(Engine::mlx, mlx, hardware::Platform{"darwin", "x86_64"}));
  CHECK(engine_can_run(Engine::vllm, pytorch, test::mac_arm())->find("Linux") !=
        std::string::npos);
  CHECK_FALSE(engine_can_run(Engine::transformers, pytorch, test::mac_arm()));
  CHECK_FALSE(engine_platform_problem(Engine::llama_cpp, test::mac_arm()));
  CHECK(engine_platform_problem(Engine::sglang, test::mac_arm()));
}

TEST_CASE("natural engine per format") {
  const auto r1 = test::deepseek_r1();
  const auto gguf = test::r1_gguf(r1, "UD-IQ1_S", 3);
  const auto mlx = test::make_spec(r1, "mlx", "4bit", "m/x");
  const auto pytorch = test::make_spec(r1, "pytorch", "none", "d/r");
  const auto fp8 = test::make_spec(r1, "fp8", "FP8", "d/r");
  CHECK(natural_engine(gguf, test::linux_x86()) == Engine::llama_cpp);
  CHECK(natural_engine(mlx, test::linux_x86()) == Engine::mlx);
  CHECK(natural_engine(pytorch, test::linux_x86()) == Engine::vllm);
  CHECK(natural_engine(pytorch, test::mac_arm()) == Engine::transformers);
  CHECK(natural_engine(fp8, test::mac_arm()) == Engine::vllm);
  CHECK(natural_engine(mlx, test::mac_arm()) == Engine::mlx);
}
