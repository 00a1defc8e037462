// SPDX-License-Identifier: Apache-2.0
// The exact single-node command of every engine x format of the four seed families.
#include <doctest/doctest.h>

#include <map>

#include "core/engines/compatibility.hpp"
#include "engine_command_fixtures.hpp"

using namespace xl;
using engines::Engine;

namespace {

struct Row {
  const char* spec;
  Engine engine;
  const char* command;  // without the CUDA_VISIBLE_DEVICES=0,...,7 prefix
};

const Row k_rows[] = {
      {"r1_pytorch", Engine::vllm,
       "bin/vllm serve snap --host 127.0.0.1 --port 8000 --served-model-name deepseek-r1 "
       "--tensor-parallel-size 8 --pipeline-parallel-size 1 --gpu-memory-utilization "
       "0.90 --trust-remote-code --reasoning-parser deepseek_r1 "
       "--enable-auto-tool-choice --tool-call-parser deepseek_v3"},
      {"r1_pytorch", Engine::sglang,
       "bin/sglang serve --model-path snap --host 127.0.0.1 --port 8000 "
       "--served-model-name deepseek-r1 --tp-size 8 --pp-size 1 --trust-remote-code "
       "--reasoning-parser deepseek-r1 --tool-call-parser deepseekv3"},
      {"r1_pytorch", Engine::transformers,
       "bin/transformers serve --host 127.0.0.1 --port 8000 --force-model snap --dtype "
       "auto --device auto --trust-remote-code"},
      {"r1_awq", Engine::vllm,
       "bin/vllm serve snap --host 127.0.0.1 --port 8000 --served-model-name deepseek-r1 "
       "--tensor-parallel-size 8 --pipeline-parallel-size 1 --gpu-memory-utilization "
       "0.90 --trust-remote-code --dtype float16 --reasoning-parser deepseek_r1 "
       "--enable-auto-tool-choice --tool-call-parser deepseek_v3"},
      {"r1_awq", Engine::sglang,
       "bin/sglang serve --model-path snap --host 127.0.0.1 --port 8000 "
       "--served-model-name deepseek-r1 --tp-size 8 --pp-size 1 --trust-remote-code "
       "--dtype float16 --reasoning-parser deepseek-r1 --tool-call-parser deepseekv3"},
      {"r1_awq", Engine::transformers,
       "bin/transformers serve --host 127.0.0.1 --port 8000 --force-model snap --dtype "
       "auto --device auto --trust-remote-code"},
      {"v3_pytorch", Engine::vllm,
       "bin/vllm serve snap --host 127.0.0.1 --port 8000 --served-model-name "
       "deepseek-v3-0324 --tensor-parallel-size 8 --pipeline-parallel-size 1 "
       "--gpu-memory-utilization 0.90 --trust-remote-code --enable-auto-tool-choice "
       "--tool-call-parser deepseek_v3"},
      {"v3_pytorch", Engine::sglang,
       "bin/sglang serve --model-path snap --host 127.0.0.1 --port 8000 "
       "--served-model-name deepseek-v3-0324 --tp-size 8 --pp-size 1 --trust-remote-code "
       "--tool-call-parser deepseekv3"},
      {"v3_pytorch", Engine::transformers,
       "bin/transformers serve --host 127.0.0.1 --port 8000 --force-model snap --dtype "
       "auto --device auto --trust-remote-code"},
      {"v3_awq", Engine::vllm,
       "bin/vllm serve snap --host 127.0.0.1 --port 8000 --served-model-name "
       "deepseek-v3-0324 --tensor-parallel-size 8 --pipeline-parallel-size 1 "
       "--gpu-memory-utilization 0.90 --trust-remote-code --dtype float16 "
       "--enable-auto-tool-choice --tool-call-parser deepseek_v3"},
      {"v3_awq", Engine::sglang,
       "bin/sglang serve --model-path snap --host 127.0.0.1 --port 8000 "
       "--served-model-name deepseek-v3-0324 --tp-size 8 --pp-size 1 --trust-remote-code "
       "--dtype float16 --tool-call-parser deepseekv3"},
      {"v3_awq", Engine::transformers,
       "bin/transformers serve --host 127.0.0.1 --port 8000 --force-model snap --dtype "
       "auto --device auto --trust-remote-code"},
      {"v31_pytorch", Engine::vllm,
       "bin/vllm serve snap --host 127.0.0.1 --port 8000 --served-model-name "
       "Deepseek-V3.1 --tensor-parallel-size 8 --pipeline-parallel-size 1 "
       "--gpu-memory-utilization 0.90 --trust-remote-code --reasoning-parser deepseek_v3 "
       "--enable-auto-tool-choice --tool-call-parser deepseek_v31"},
      {"v31_pytorch", Engine::sglang,
       "bin/sglang serve --model-path snap --host 127.0.0.1 --port 8000 "
       "--served-model-name Deepseek-V3.1 --tp-size 8 --pp-size 1 --trust-remote-code "
       "--reasoning-parser deepseek-v3 --tool-call-parser deepseekv31"},
      {"v31_pytorch", Engine::transformers,
       "bin/transformers serve --host 127.0.0.1 --port 8000 --force-model snap --dtype "
       "auto --device auto --trust-remote-code"},
      {"v31_gptq", Engine::vllm,
       "bin/vllm serve snap --host 127.0.0.1 --port 8000 --served-model-name "
       "Deepseek-V3.1 --tensor-parallel-size 8 --pipeline-parallel-size 1 "
       "--gpu-memory-utilization 0.90 --trust-remote-code --reasoning-parser deepseek_v3 "
       "--enable-auto-tool-choice --tool-call-parser deepseek_v31"},
      {"v31_gptq", Engine::sglang,
       "bin/sglang serve --model-path snap --host 127.0.0.1 --port 8000 "
       "--served-model-name Deepseek-V3.1 --tp-size 8 --pp-size 1 --trust-remote-code "
       "--reasoning-parser deepseek-v3 --tool-call-parser deepseekv31"},
      {"v31_gptq", Engine::transformers,
       "bin/transformers serve --host 127.0.0.1 --port 8000 --force-model snap --dtype "
       "auto --device auto --trust-remote-code"},
      {"v31_awq", Engine::vllm,
       "bin/vllm serve snap --host 127.0.0.1 --port 8000 --served-model-name "
       "Deepseek-V3.1 --tensor-parallel-size 8 --pipeline-parallel-size 1 "
       "--gpu-memory-utilization 0.90 --trust-remote-code --dtype float16 "
       "--reasoning-parser deepseek_v3 --enable-auto-tool-choice --tool-call-parser "
       "deepseek_v31"},
      {"v31_awq", Engine::sglang,
       "bin/sglang serve --model-path snap --host 127.0.0.1 --port 8000 "
       "--served-model-name Deepseek-V3.1 --tp-size 8 --pp-size 1 --trust-remote-code "
       "--dtype float16 --reasoning-parser deepseek-v3 --tool-call-parser deepseekv31"},
      {"v31_awq", Engine::transformers,
       "bin/transformers serve --host 127.0.0.1 --port 8000 --force-model snap --dtype "
       "auto --device auto --trust-remote-code"},
      {"v2_16", Engine::vllm,
       "bin/vllm serve snap --host 127.0.0.1 --port 8000 --served-model-name "
       "deepseek-v2-chat --tensor-parallel-size 8 --pipeline-parallel-size 1 "
       "--gpu-memory-utilization 0.90 --trust-remote-code"},
      {"v2_16", Engine::sglang,
       "bin/sglang serve --model-path snap --host 127.0.0.1 --port 8000 "
       "--served-model-name deepseek-v2-chat --tp-size 8 --pp-size 1 --trust-remote-code"},
      {"v2_16", Engine::transformers,
       "bin/transformers serve --host 127.0.0.1 --port 8000 --force-model snap --dtype "
       "auto --device auto --trust-remote-code"},
      {"v2_236", Engine::vllm,
       "bin/vllm serve snap --host 127.0.0.1 --port 8000 --served-model-name "
       "deepseek-v2-chat --tensor-parallel-size 8 --pipeline-parallel-size 1 "
       "--gpu-memory-utilization 0.90 --trust-remote-code"},
      {"v2_236", Engine::sglang,
       "bin/sglang serve --model-path snap --host 127.0.0.1 --port 8000 "
       "--served-model-name deepseek-v2-chat --tp-size 8 --pp-size 1 --trust-remote-code"},
      {"v2_236", Engine::transformers,
       "bin/transformers serve --host 127.0.0.1 --port 8000 --force-model snap --dtype "
       "auto --device auto --trust-remote-code"},
};

}  // namespace

TEST_CASE("single-node command of every engine x format of the seed families") {
  const LaunchOptions options;
  const auto r1 = test::deepseek_r1();
  const auto v3 = test::deepseek_v3_0324();
  const auto v31 = test::deepseek_v31();
  const auto v2 = test::deepseek_v2_chat();
  const std::map<std::string, catalog::FlatSpec> specs{
      {"r1_pytorch", test::make_spec(r1, "pytorch", "none", "deepseek-ai/DeepSeek-R1")},
      {"r1_awq", test::make_spec(r1, "awq", "Int4", "cognitivecomputations/DeepSeek-R1-AWQ")},
      {"v3_pytorch", test::make_spec(v3, "pytorch", "none", "deepseek-ai/DeepSeek-V3-0324")},
      {"v3_awq", test::make_spec(v3, "awq", "Int4", "cognitivecomputations/DeepSeek-V3-0324-AWQ")},
      {"v31_pytorch", test::make_spec(v31, "pytorch", "none", "deepseek-ai/DeepSeek-V3.1")},
      {"v31_gptq", test::make_spec(v31, "gptq", "Int4", "cpatonn/DeepSeek-V3.1-GPTQ-4bit")},
      {"v31_awq", test::make_spec(v31, "awq", "Int4", "QuantTrio/DeepSeek-V3.1-AWQ")},
      {"v2_16", test::make_spec(v2, "pytorch", "none", "deepseek-ai/DeepSeek-V2-Lite-Chat", "16")},
      {"v2_236", test::make_spec(v2, "pytorch", "none", "deepseek-ai/DeepSeek-V2-Chat", "236")},
  };
  for (const auto& row : k_rows) {
    CAPTURE(row.spec);
    CAPTURE(engines::engine_name(row.engine));
    const auto& spec = specs.at(row.spec);
    REQUIRE_FALSE(engines::engine_can_run(row.engine, spec, test::linux_x86()));
    CHECK(test::command_line(row.engine, spec, options, test::gpus(8)) ==
          "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 " + std::string(row.command));
  }
}

TEST_CASE("llama.cpp gets the first part of a split GGUF inside the snapshot folder") {
  const LaunchOptions options;
  const auto r1 = test::deepseek_r1();
  const auto q4 = test::r1_gguf(r1, "Q4_K_M", 9);
  CHECK(test::command_line(Engine::llama_cpp, q4, options, test::gpus(8), "hub/snapshots/abc") ==
        "CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7 bin/llama-server "
        "-m hub/snapshots/abc/DeepSeek-R1-Q4_K_M/DeepSeek-R1-Q4_K_M-00001-of-00009.gguf "
        "--alias deepseek-r1 --host 127.0.0.1 --port 8000 -c 163840 -ngl 999 --jinja "
        "--reasoning-format deepseek --split-mode layer");
  const auto iq1 = test::r1_gguf(r1, "UD-IQ1_S", 3);
  CHECK(engines::engine_model_path(iq1, "snap/") ==
        "snap/DeepSeek-R1-UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf");
  const auto single = test::r1_gguf(r1, "Q4_K_M", 0);
  CHECK(engines::engine_model_path(single, "snap") == "snap/DeepSeek-R1-Q4_K_M/DeepSeek-R1-Q4_K_M.gguf");
  // One GPU: no split mode; --n-gpu none: no layers offloaded.
  CHECK(test::command_line(Engine::llama_cpp, iq1, options, test::gpus(1)) ==
        "CUDA_VISIBLE_DEVICES=0 bin/llama-server "
        "-m snap/DeepSeek-R1-UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf "
        "--alias deepseek-r1 --host 127.0.0.1 --port 8000 -c 163840 -ngl 999 --jinja "
        "--reasoning-format deepseek");
  hardware::GpuLayout cpu;
  cpu.cpu_requested = true;
  CHECK(test::command_line(Engine::llama_cpp, iq1, options, cpu) ==
        "CUDA_VISIBLE_DEVICES=-1 bin/llama-server "
        "-m snap/DeepSeek-R1-UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf "
        "--alias deepseek-r1 --host 127.0.0.1 --port 8000 -c 163840 -ngl 0 --jinja "
        "--reasoning-format deepseek");
}

TEST_CASE("MLX commands for the seed families") {
  LaunchOptions options;
  const auto r1 = test::deepseek_r1();
  const auto v3 = test::deepseek_v3_0324();
  const auto v31 = test::deepseek_v31();
  for (const auto* family : {&r1, &v3, &v31}) {
    const auto spec = test::make_spec(*family, "mlx", "4bit", "mlx-community/x-4bit");
    CHECK(test::command_line(Engine::mlx, spec, options, {}) ==
          "bin/mlx_lm.server --model snap --host 127.0.0.1 --port 8000 --max-tokens 32768 "
          "--trust-remote-code");
  }
  options.enable_thinking = true;
  options.context_length = 8192;
  options.trust_remote_code = false;
  const auto v31_mlx = test::make_spec(v31, "mlx", "8bit", "mlx-community/DeepSeek-V3.1-8bit");
  CHECK(test::command_line(Engine::mlx, v31_mlx, options, {}) ==
        "bin/mlx_lm.server --model snap --host 127.0.0.1 --port 8000 --max-tokens 8192 "
        "--chat-template-args '{\"thinking\": true}'");
  // Thinking is a V3.1 (hybrid) switch only.
  const auto r1_mlx = test::make_spec(r1, "mlx", "4bit", "mlx-community/DeepSeek-R1-4bit");
  CHECK(test::command_line(Engine::mlx, r1_mlx, options, {}) ==
        "bin/mlx_lm.server --model snap --host 127.0.0.1 --port 8000 --max-tokens 8192");
}
