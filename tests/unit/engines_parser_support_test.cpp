// SPDX-License-Identifier: Apache-2.0
// Reasoning and tool-call parsers are passed only to engine versions known to have them: an
// unknown parser name stops vLLM and SGLang at start-up.
#include <doctest/doctest.h>

#include <algorithm>

#include "core/engines/parser_support.hpp"
#include "engine_command_fixtures.hpp"

using namespace xl;
using engines::Engine;
using engines::ParserKind;

namespace {

engines::ExecPlan plan_for(Engine engine, const catalog::FlatSpec& spec,
                           const std::string& version,
                           std::optional<std::string> chat_template = std::nullopt) {
  static const LaunchOptions options;
  engines::CommandInput input;
  input.install = test::install(engine, version);
  input.spec = &spec;
  input.model_path = "snap";
  input.options = &options;
  input.gpus = test::gpus(8);
  input.chat_template = std::move(chat_template);
  return engines::build_exec_plan(input);
}

bool has_word(const engines::ExecPlan& plan, const std::string& word) {
  return std::find(plan.argv.begin(), plan.argv.end(), word) != plan.argv.end();
}

bool has_note(const engines::ExecPlan& plan, const std::string& text) {
  return std::any_of(plan.notes.begin(), plan.notes.end(), [&](const std::string& note) {
    return note.find(text) != std::string::npos;
  });
}

}  // namespace

TEST_CASE("parsers: vLLM 0.8.5 and SGLang 0.4.3 get no V3.1 parser they may not know") {
  const auto v31 = test::deepseek_v31();
  const auto awq = test::make_spec(v31, "awq", "Int4", "QuantTrio/DeepSeek-V3.1-AWQ");
  const auto vllm = plan_for(Engine::vllm, awq, "0.8.5", "templates/vllm/v31.jinja");
  for (const char* word : {"--reasoning-parser", "--enable-reasoning", "--enable-auto-tool-choice",
                           "--tool-call-parser", "--chat-template"}) {
    CAPTURE(word);
    CHECK_FALSE(has_word(vllm, word));
  }
  CHECK(has_note(vllm, "vLLM 0.8.5: reasoning parser deepseek_v3 not passed, as only vLLM 0.11.1 and "
                       "later are sure to have it; if yours has it, add `--reasoning-parser "
                       "deepseek_v3` after --, or upgrade vLLM"));
  CHECK(has_note(vllm, "add `--enable-auto-tool-choice --tool-call-parser deepseek_v31` after --"));

  const auto sglang = plan_for(Engine::sglang, awq, "0.4.3");
  CHECK_FALSE(has_word(sglang, "--reasoning-parser"));
  CHECK_FALSE(has_word(sglang, "--tool-call-parser"));
  CHECK(has_note(sglang, "SGLang 0.4.3: reasoning parser deepseek-v3 not passed"));
  CHECK(has_note(sglang, "add `--tool-call-parser deepseekv31` after --"));
}

TEST_CASE("parsers: an unknown version keeps every parser, as before") {
  const auto v31 = test::deepseek_v31();
  const auto spec = test::make_spec(v31, "pytorch", "none", "deepseek-ai/DeepSeek-V3.1");
  const auto vllm = engines::render_command(plan_for(Engine::vllm, spec, ""));
  CHECK(vllm.find("--reasoning-parser deepseek_v3 --enable-auto-tool-choice --tool-call-parser "
                  "deepseek_v31") != std::string::npos);
  const auto sglang = engines::render_command(plan_for(Engine::sglang, spec, ""));
  CHECK(sglang.find("--reasoning-parser deepseek-v3 --tool-call-parser deepseekv31") !=
        std::string::npos);
}

TEST_CASE("parsers: vLLM's deepseek_r1 reasoning parser from 0.7.1 on") {
  const auto r1 = test::deepseek_r1();
  const auto spec = test::make_spec(r1, "pytorch", "none", "deepseek-ai/DeepSeek-R1");
  const auto old = plan_for(Engine::vllm, spec, "0.7.0");
  CHECK_FALSE(has_word(old, "--reasoning-parser"));
  CHECK_FALSE(has_word(old, "--enable-reasoning"));
  CHECK(has_note(old, "vLLM 0.7.0: reasoning parser deepseek_r1 not passed, as only vLLM 0.7.1 and later"));
  const auto first = engines::render_command(plan_for(Engine::vllm, spec, "0.7.1"));
  CHECK(first.find("--enable-reasoning --reasoning-parser deepseek_r1") != std::string::npos);
  const auto current = plan_for(Engine::vllm, spec, "0.11.2");
  CHECK(engines::render_command(current).find("--reasoning-parser deepseek_r1") !=
        std::string::npos);
  // The deepseek_v3 tool parser from 0.9.1 on.
  CHECK(engines::render_command(current).find("--enable-auto-tool-choice --tool-call-parser deepseek_v3") !=
        std::string::npos);
  const auto before_tools = plan_for(Engine::vllm, spec, "0.9.0");
  CHECK_FALSE(has_word(before_tools, "--tool-call-parser"));
  CHECK(has_note(before_tools, "tool-call parser deepseek_v3 not passed, as only vLLM 0.9.1 and later"));
}

TEST_CASE("parsers: current vLLM and SGLang get every DeepSeek parser") {
  const auto v31 = test::deepseek_v31();
  const auto spec = test::make_spec(v31, "pytorch", "none", "deepseek-ai/DeepSeek-V3.1");
  const auto vllm = plan_for(Engine::vllm, spec, "0.11.2");
  CHECK(engines::render_command(vllm).find("--reasoning-parser deepseek_v3 --enable-auto-tool-choice "
                                           "--tool-call-parser deepseek_v31") != std::string::npos);
  CHECK_FALSE(has_note(vllm, "not passed"));
  const auto sglang = plan_for(Engine::sglang, spec, "0.5.2");
  CHECK(engines::render_command(sglang).find("--reasoning-parser deepseek-v3 --tool-call-parser deepseekv31") !=
        std::string::npos);
  const auto r1 = test::deepseek_r1();
  const auto r1_spec = test::make_spec(r1, "pytorch", "none", "deepseek-ai/DeepSeek-R1");
  CHECK(engines::render_command(plan_for(Engine::sglang, r1_spec, "0.4.7"))
            .find("--reasoning-parser deepseek-r1 --tool-call-parser deepseekv3") != std::string::npos);
}

TEST_CASE("parsers: the first releases sure to have them") {
  CHECK(engines::parser_first_release(Engine::vllm, ParserKind::reasoning, "deepseek_r1") ==
        std::vector<int>{0, 7, 1});
  CHECK(engines::parser_first_release(Engine::vllm, ParserKind::tool_call, "deepseek_v31") ==
        std::vector<int>{0, 10, 2});
  CHECK(engines::parser_first_release(Engine::sglang, ParserKind::reasoning, "deepseek-r1") ==
        std::vector<int>{0, 4, 5});
  CHECK(engines::parser_first_release(Engine::sglang, ParserKind::tool_call, "deepseekv3") ==
        std::vector<int>{0, 4, 7});
  CHECK_FALSE(engines::parser_first_release(Engine::sglang, ParserKind::tool_call, "no_such_parser"));

  const auto at = [](Engine engine, const std::string& version) {
    return test::install(engine, version);
  };
  CHECK_FALSE(engines::parser_left_out(at(Engine::vllm, ""), ParserKind::tool_call, "deepseek_v31"));
  CHECK_FALSE(engines::parser_left_out(at(Engine::vllm, "0.9.1"), ParserKind::reasoning,
                                       "deepseek_r1"));
  CHECK_FALSE(engines::parser_left_out(at(Engine::vllm, "0.9.1"), ParserKind::tool_call, "deepseek_v3"));
  CHECK(engines::parser_left_out(at(Engine::vllm, "0.9.0"), ParserKind::tool_call, "deepseek_v3"));
}
