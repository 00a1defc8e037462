// SPDX-License-Identifier: Apache-2.0
// Engine commands beyond the defaults: pass-through arguments, LoRA, API keys, redaction,
// version-dependent spellings, tool templates, CPU mode and environment.
#include <doctest/doctest.h>

#include <algorithm>

#include <filesystem>
#include <fstream>

#include "core/engines/model_profile.hpp"
#include "core/engines/pass_through.hpp"
#include "core/util/error.hpp"
#include "error_code_of.hpp"
#include "engine_command_fixtures.hpp"
#include "temp_dir.hpp"

using namespace xl;
using test::code_of;
using engines::Engine;

namespace {

engines::ExecPlan plan_for(Engine engine, const catalog::FlatSpec& spec,
                           const LaunchOptions& options, const std::string& version = "",
                           const hardware::GpuLayout& layout = test::gpus(2)) {
  engines::CommandInput input;
  input.install = test::install(engine, version);
  input.spec = &spec;
  input.model_path = "snap";
  input.options = &options;
  input.gpus = layout;
  return engines::build_exec_plan(input);
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) {
    out += (out.empty() ? "" : " ") + word;
  }
  return out;
}

}  // namespace

TEST_CASE("pass-through arguments: underscore spelling converted, raw words verbatim") {
  LaunchOptions options;
  options.extra_args = {{"--max_model_len", "32768", false},
                        {"--enforce_eager", std::nullopt, false},
                        {"--enable_prefix_caching", "False", false},
                        {"--disable_log_stats", "true", false},
                        {"--kv_cache_dtype=fp8_e5m2", std::nullopt, false},
                        {"-q", "fp8", false},
                        {"--weird_raw_flag", std::nullopt, true},
                        {"value_with_under_score", std::nullopt, true}};
  CHECK(joined(engines::pass_through_words(options.extra_args)) ==
        "--max-model-len 32768 --enforce-eager --no-enable-prefix-caching --disable-log-stats "
        "--kv-cache-dtype=fp8_e5m2 -q fp8 --weird_raw_flag value_with_under_score");

  const auto r1 = test::deepseek_r1();
  const auto spec = test::make_spec(r1, "pytorch", "none", "deepseek-ai/DeepSeek-R1");
  const auto plan = plan_for(Engine::vllm, spec, options);
  // Appended after xlaunch's own flags, so on a repeated flag the user's value wins.
  REQUIRE(plan.argv.size() > 12);
  CHECK(joined({plan.argv.end() - 12, plan.argv.end()}) ==
        "--tool-call-parser deepseek_v3 --max-model-len 32768 --enforce-eager --no-enable-prefix-caching --disable-log-stats "
        "--kv-cache-dtype=fp8_e5m2 -q fp8 --weird_raw_flag value_with_under_score");

  LaunchOptions bad;
  bad.extra_args = {{"positional", std::nullopt, false}};
  CHECK(code_of([&] { engines::pass_through_words(bad.extra_args); }) == ExitCode::usage);
}

TEST_CASE("pass-through arguments: false switches for SGLang and MLX are left out, with a note") {
  // Their argparse switches have no --no- form: '--no-enable-dp-attention' stopped SGLang.
  LaunchOptions options;
  options.extra_args = {{"--enable_dp_attention", "false", false}, {"--disable_radix_cache", "true", false}};
  const auto r1 = test::deepseek_r1();
  const auto spec = test::make_spec(r1, "pytorch", "none", "deepseek-ai/DeepSeek-R1");
  const auto sglang = plan_for(Engine::sglang, spec, options);
  CHECK(std::find(sglang.argv.begin(), sglang.argv.end(), "--no-enable-dp-attention") == sglang.argv.end());
  CHECK(std::find(sglang.argv.begin(), sglang.argv.end(), "--enable-dp-attention") == sglang.argv.end());
  CHECK(sglang.argv.back() == "--disable-radix-cache");
  CHECK(std::any_of(sglang.notes.begin(), sglang.notes.end(), [](const std::string& note) {
    return note == "--enable-dp-attention false left out: the switch has no --no- form and is off unless given";
  }));
  const auto mlx_spec = test::make_spec(r1, "mlx", "4bit", "mlx-community/DeepSeek-R1-4bit");
  const auto mlx = plan_for(Engine::mlx, mlx_spec, options);
  CHECK(std::find(mlx.argv.begin(), mlx.argv.end(), "--no-enable-dp-attention") == mlx.argv.end());
  // vLLM's switches have their --no- form.
  const auto vllm = plan_for(Engine::vllm, spec, options);
  CHECK(std::find(vllm.argv.begin(), vllm.argv.end(), "--no-enable-dp-attention") != vllm.argv.end());
}

TEST_CASE("requested context length: pass-through wins over --context-length") {
  LaunchOptions options;
  CHECK_FALSE(engines::requested_context_length(options));
  options.context_length = 8192;
  CHECK(engines::requested_context_length(options) == 8192);
  options.extra_args = {{"--max_model_len", "32768", false}};
  CHECK(engines::requested_context_length(options) == 32768);
  options.extra_args = {{"--ctx-size=4096", std::nullopt, true}};
  CHECK(engines::requested_context_length(options) == 4096);
  options.extra_args = {{"--max-model-len", "lots", false}};
  CHECK(engines::requested_context_length(options) == 8192);
}

TEST_CASE("context length, env pairs and offline reach the command") {
  LaunchOptions options;
  options.context_length = 65536;
  options.envs = {{"VLLM_LOGGING_LEVEL", "DEBUG"}, {"CUDA_VISIBLE_DEVICES", "3"}};
  options.offline = true;
  options.model_uid = "my-r1";
  options.port = 9000;
  options.host = "0.0.0.0";
  const auto r1 = test::deepseek_r1();
  const auto spec = test::make_spec(r1, "pytorch", "none", "deepseek-ai/DeepSeek-R1");
  CHECK(engines::render_command(plan_for(Engine::vllm, spec, options)) ==
        "CUDA_VISIBLE_DEVICES=0,1 HF_HUB_OFFLINE=1 VLLM_LOGGING_LEVEL=DEBUG "
        "CUDA_VISIBLE_DEVICES=3 bin/vllm serve snap --host 0.0.0.0 --port 9000 "
        "--served-model-name my-r1 --tensor-parallel-size 2 --pipeline-parallel-size 1 "
        "--gpu-memory-utilization 0.90 --max-model-len 65536 --trust-remote-code "
        "--reasoning-parser deepseek_r1 --enable-auto-tool-choice --tool-call-parser deepseek_v3");
  CHECK(engines::render_command(plan_for(Engine::sglang, spec, options)).find(
            "--context-length 65536") != std::string::npos);
  const auto gguf = test::r1_gguf(r1, "UD-IQ1_S", 3);
  CHECK(engines::render_command(plan_for(Engine::llama_cpp, gguf, options)).find(
            "--alias my-r1 --host 0.0.0.0 --port 9000 -c 65536") != std::string::npos);
}

TEST_CASE("LoRA modules map to each engine's flags") {
  LaunchOptions options;
  options.lora_modules = {{"sql", "adapters/sql"}, {"chat", "adapters/chat"}};
  const auto r1 = test::deepseek_r1();
  const auto pytorch = test::make_spec(r1, "pytorch", "none", "deepseek-ai/DeepSeek-R1");
  const auto gguf = test::r1_gguf(r1, "UD-IQ1_S", 3);
  const auto mlx = test::make_spec(r1, "mlx", "4bit", "mlx-community/DeepSeek-R1-4bit");
  CHECK(joined(engines::lora_words(Engine::vllm, options.lora_modules)) ==
        "--enable-lora --lora-modules sql=adapters/sql chat=adapters/chat");
  CHECK(joined(engines::lora_words(Engine::sglang, options.lora_modules)) ==
        "--lora-paths sql=adapters/sql chat=adapters/chat");
  CHECK(joined(engines::lora_words(Engine::llama_cpp, options.lora_modules)) ==
        "--lora adapters/sql --lora adapters/chat");
  CHECK(code_of([&] { plan_for(Engine::mlx, mlx, options); }) == ExitCode::usage);
  CHECK(code_of([&] { plan_for(Engine::transformers, pytorch, options); }) == ExitCode::usage);
  CHECK(render_command(plan_for(Engine::llama_cpp, gguf, options)).find(
            "--lora adapters/sql --lora adapters/chat") != std::string::npos);
  options.lora_modules.pop_back();
  CHECK(render_command(plan_for(Engine::mlx, mlx, options, "", {})) ==
        "bin/mlx_lm.server --model snap --host 127.0.0.1 --port 8000 --max-tokens 32768 "
        "--trust-remote-code --adapter-path adapters/sql");
}

TEST_CASE("API key flag, and its redaction when shown") {
  LaunchOptions options;
  options.api_key = "sk-secret value";
  options.envs = {{"HF_TOKEN", "hf_abc"}, {"PLAIN", "visible"}};
  const auto r1 = test::deepseek_r1();
  const auto spec = test::make_spec(r1, "pytorch", "none", "deepseek-ai/DeepSeek-R1");
  const auto plan = plan_for(Engine::vllm, spec, options);
  REQUIRE(plan.argv.size() >= 2);
  CHECK(plan.argv[plan.argv.size() - 2] == "--api-key");
  CHECK(plan.argv.back() == "sk-secret value");
  const auto shown = engines::render_command(plan);
  CHECK(shown.find("sk-secret") == std::string::npos);
  CHECK(shown.find("hf_abc") == std::string::npos);
  CHECK(shown.find("HF_TOKEN='***'") != std::string::npos);
  CHECK(shown.find("PLAIN=visible") != std::string::npos);
  CHECK(shown.substr(shown.size() - 15) == "--api-key '***'");
  const auto data = engines::redacted(plan);
  CHECK(data.argv.back() == "***");
  CHECK(plan.argv.back() == "sk-secret value");  // the plan itself is untouched
  // --api-key=VALUE typed as a raw pass-through word, and extra secrets by value.
  engines::ExecPlan raw{"p", {"p", "--api-key=abc", "--other", "tok"}, {}, {}};
  CHECK(engines::render_command(raw, {"tok"}) == "p '--api-key=***' --other '***'");
  const auto gguf = test::r1_gguf(r1, "UD-IQ1_S", 3);
  CHECK(engines::render_command(plan_for(Engine::llama_cpp, gguf, options)).find(
            "--api-key '***'") != std::string::npos);
  const auto mlx = test::make_spec(r1, "mlx", "4bit", "m");
  CHECK(code_of([&] { plan_for(Engine::mlx, mlx, options, "", {}); }) == ExitCode::usage);
  CHECK(code_of([&] { plan_for(Engine::transformers, spec, options); }) == ExitCode::usage);
}

TEST_CASE("shell quoting makes pasteable words") {
  CHECK(engines::shell_quote("plain/path-1.0_x=y:z,@%+") == "plain/path-1.0_x=y:z,@%+");
  CHECK(engines::shell_quote("") == "''");
  CHECK(engines::shell_quote("two words") == "'two words'");
  CHECK(engines::shell_quote("it's") == "'it'\\''s'");
  CHECK(engines::shell_quote("{\"thinking\": true}") == "'{\"thinking\": true}'");
  CHECK(engines::shell_quote("$HOME;rm") == "'$HOME;rm'");
}

TEST_CASE("version-dependent spellings") {
  const auto r1 = test::deepseek_r1();
  const auto spec = test::make_spec(r1, "pytorch", "none", "deepseek-ai/DeepSeek-R1");
  const LaunchOptions options;
  const auto old_vllm = render_command(plan_for(Engine::vllm, spec, options, "0.8.5"));
  CHECK(old_vllm.find("--enable-reasoning --reasoning-parser deepseek_r1") != std::string::npos);
  const auto new_vllm = render_command(plan_for(Engine::vllm, spec, options, "0.10.1"));
  CHECK(new_vllm.find("--enable-reasoning") == std::string::npos);
  CHECK(new_vllm.find("--reasoning-parser deepseek_r1") != std::string::npos);

  engines::CommandInput input;
  input.install = test::install(Engine::sglang);
  input.install.program = "venv/bin/python3";
  input.install.launcher = engines::Launcher::python_module;
  input.spec = &spec;
  input.model_path = "snap";
  input.options = &options;
  input.gpus = test::gpus(1);
  CHECK(render_command(build_exec_plan(input)).rfind(
            "CUDA_VISIBLE_DEVICES=0 venv/bin/python3 -m sglang.launch_server --model-path snap "
            "--host", 0) == 0);

  CHECK(code_of([&] { plan_for(Engine::transformers, spec, options, "4.46.3"); }) ==
        ExitCode::preflight);
  CHECK(code_of([&] { plan_for(Engine::transformers, spec, options, "4.57.1"); }) ==
        ExitCode::ok);

  CHECK(engines::parse_engine_version("0.11.2\n").numbers == std::vector<int>{0, 11, 2});
  CHECK(engines::parse_engine_version("vllm v0.9.1+cu128").text == "0.9.1");
  CHECK(engines::parse_engine_version("version: 6123 (4b2cd80e)\nbuilt with gcc 13.2").text ==
        "6123");
  CHECK(engines::parse_engine_version("sglang version: 0.5.3rc0").text == "0.5.3");
  CHECK_FALSE(engines::parse_engine_version("cu128 build").known());
  CHECK_FALSE(engines::parse_engine_version("").known());
  const auto v = engines::parse_engine_version("0.11.0");
  CHECK(v.at_least({0, 11, 0}));
  CHECK(v.at_least({0, 9}));
  CHECK_FALSE(v.at_least({0, 11, 1}));
  CHECK(engines::EngineVersion{}.at_least({99}));
}

TEST_CASE("tool-call template is passed only when its file exists") {
  const auto v31 = test::deepseek_v31();
  const auto choice = engines::parser_choice(Engine::vllm, v31);
  REQUIRE(choice);
  CHECK(choice->tool_template == "tool_chat_template_deepseekv31.jinja");
  const test::TempDir temp;
  const auto dir = temp.path();
  std::filesystem::create_directories(dir / "vllm");
  CHECK_FALSE(engines::find_tool_chat_template(Engine::vllm, *choice, dir.string()));
  std::ofstream(dir / "vllm" / choice->tool_template) << "{{ messages }}";
  const auto found = engines::find_tool_chat_template(Engine::vllm, *choice, dir.string());
  REQUIRE(found);
  CHECK(*found == (dir / "vllm" / choice->tool_template).string());
  CHECK_FALSE(engines::find_tool_chat_template(
      Engine::sglang, *engines::parser_choice(Engine::sglang, v31), dir.string()));

  const auto spec = test::make_spec(v31, "pytorch", "none", "deepseek-ai/DeepSeek-V3.1");
  LaunchOptions options;
  engines::CommandInput input;
  input.install = test::install(Engine::vllm);
  input.spec = &spec;
  input.model_path = "snap";
  input.options = &options;
  input.gpus = test::gpus(8);
  input.chat_template = *found;
  const auto plan = build_exec_plan(input);
  CHECK(joined({plan.argv.end() - 7, plan.argv.end()}) ==
        "--reasoning-parser deepseek_v3 --enable-auto-tool-choice --tool-call-parser deepseek_v31 "
        "--chat-template " + *found);
  input.chat_template.reset();
  CHECK(build_exec_plan(input).notes.size() == 1);

  CHECK_FALSE(engines::parser_choice(Engine::vllm, test::deepseek_v2_chat()));
  CHECK_FALSE(engines::parser_choice(Engine::llama_cpp, test::deepseek_r1()));
}

TEST_CASE("CPU mode per engine") {
  hardware::GpuLayout cpu;
  cpu.cpu_requested = true;
  const LaunchOptions options;
  const auto v2 = test::deepseek_v2_chat();
  const auto spec = test::make_spec(v2, "pytorch", "none", "deepseek-ai/DeepSeek-V2-Lite-Chat", "16");
  CHECK(render_command(plan_for(Engine::transformers, spec, options, "", cpu)) ==
        "CUDA_VISIBLE_DEVICES=-1 bin/transformers serve --host 127.0.0.1 --port 8000 "
        "--force-model snap --dtype auto --device cpu --trust-remote-code");
  const auto vllm = plan_for(Engine::vllm, spec, options, "", cpu);
  CHECK(render_command(vllm) ==
        "CUDA_VISIBLE_DEVICES=-1 bin/vllm serve snap --host 127.0.0.1 --port 8000 "
        "--served-model-name deepseek-v2-chat --tensor-parallel-size 1 --pipeline-parallel-size 1 "
        "--trust-remote-code");
  CHECK(vllm.notes.size() == 1);
  // No GPU found and none requested: no CUDA_VISIBLE_DEVICES at all (Metal, CPU builds).
  CHECK(render_command(plan_for(Engine::transformers, spec, options, "", {})).rfind(
            "bin/transformers serve", 0) == 0);
}
