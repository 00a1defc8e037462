// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "core/cli_args/argv_normalizer.hpp"
#include "core/util/error.hpp"

using namespace xl;

TEST_CASE("launch is the default command and xinference's short flags are rewritten") {
  const auto n = normalize_argv({"-n", "deepseek-r1", "-en", "vllm", "-mp", "/m", "-ev", "A", "1", "-lm", "l", "/p", "-ak", "k",
                                 "--download_hub", "modelscope", "--model_path=/x"});
  CHECK(n.command == "launch");
  CHECK(n.parser_args == std::vector<std::string>{"-n", "deepseek-r1", "--model-engine", "vllm", "--model-path", "/m", "--env", "A", "1",
                                                  "--lora-modules", "l", "/p", "--api-key", "k", "--download-hub", "modelscope",
                                                  "--model-path=/x"});
  CHECK(normalize_argv({"list", "--json"}).command == "list");
  CHECK(normalize_argv({"launch", "-n", "x"}).parser_args == std::vector<std::string>{"-n", "x"});
}

TEST_CASE("words after -- are kept verbatim and never rewritten") {
  const auto n = normalize_argv({"-n", "x", "--", "-en", "--endpoint", "--"});
  CHECK(n.parser_args == std::vector<std::string>{"-n", "x"});
  CHECK(n.raw_args == std::vector<std::string>{"-en", "--endpoint", "--"});
}

TEST_CASE("server-only flags are refused with the reason") {
  for (const std::string flag : {"-e", "--endpoint", "--worker-ip", "--enable-virtual-env", "--virtual-env-package"}) {
    try {
      (void)normalize_argv({"-n", "x", flag, "v"});
      FAIL("accepted " << flag);
    } catch (const Error& e) {
      CHECK(e.code() == ExitCode::usage);
      CHECK(std::string(e.what()).find(flag + " is not supported: ") == 0);
    }
  }
  CHECK_THROWS_AS(normalize_argv({"--endpoint=http://x"}), Error);
}

TEST_CASE("unrecognised words become engine arguments in order") {
  const auto extras = group_extra_args({"--max_model_len", "8192", "--enforce-eager", "--gpu-memory-utilization=0.9", "--seed", "-1"},
                                       {"--raw", "x y"});
  REQUIRE(extras.size() == 6);
  CHECK(extras[0].flag == "--max_model_len");
  CHECK(extras[0].value == "8192");
  CHECK(extras[1].flag == "--enforce-eager");
  CHECK_FALSE(extras[1].value.has_value());
  CHECK(extras[2].flag == "--gpu-memory-utilization");
  CHECK(extras[2].value == "0.9");
  CHECK(extras[3].value == "-1");
  CHECK(extras[4].raw);
  CHECK(extras[4].flag == "--raw");
  CHECK(extras[5].flag == "x y");
  CHECK_FALSE(extras[5].value.has_value());
}

TEST_CASE("a stray word is a usage error naming it") {
  try {
    (void)group_extra_args({"deepseek-r1"}, {});
    FAIL("accepted a stray word");
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::usage);
    CHECK(std::string(e.what()).find("unexpected argument 'deepseek-r1'") == 0);
  }
}

namespace {

std::string refusal(const std::vector<std::string>& args) {
  try {
    (void)normalize_argv(args);
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::usage);
    return e.what();
  }
  return "accepted";
}

}  // namespace

TEST_CASE("a mistyped or misplaced command is said as such, not as a launch without --model-name") {
  CHECK(refusal({"lsit"}).find("unknown command 'lsit'; did you mean 'list'?") == 0);
  CHECK(refusal({"LIST"}).find("did you mean 'list'?") != std::string::npos);
  CHECK(refusal({"downlod", "-n", "deepseek-r1"}).find("did you mean 'download'?") != std::string::npos);
  CHECK(refusal({"version"}).find("did you mean 'xlaunch --version'?") != std::string::npos);
  CHECK(refusal({"deepseek-r1"}).find("to launch a model, name it with -n: xlaunch -n 'deepseek-r1'") !=
        std::string::npos);
  CHECK(refusal({"--json", "list"}).find("'list' is a command: put it first") == 0);
  // Launch lines stay launch lines: a value after -n, words after --, a stray word beside -n.
  CHECK(normalize_argv({"-n", "deepseek-r1", "--dry-run"}).command == "launch");
  CHECK(normalize_argv({"--dry-run", "-n", "list"}).command == "launch");
  CHECK(normalize_argv({"--dry-run", "--", "list"}).command == "launch");
  CHECK(normalize_argv({"stray", "-n", "deepseek-r1"}).command == "launch");
  CHECK(normalize_argv({"list", "--json"}).command == "list");
}

TEST_CASE("the engines' own short flags go to the engine as typed, with their value") {
  // Parsed as xlaunch's -t and -n these were "-t p" and a second model name.
  const auto normalized =
      normalize_argv({"-n", "deepseek-r1", "-tp", "4", "-ngl", "50", "-fa", "on", "-cb", "--dry-run", "-ts=1,1"});
  CHECK(normalized.parser_args == std::vector<std::string>{"-n", "deepseek-r1", "--dry-run"});
  CHECK(normalized.raw_args == std::vector<std::string>{"-tp", "4", "-ngl", "50", "-fa", "on", "-cb", "-ts=1,1"});
  // xlaunch's own short flags and aliases are untouched.
  CHECK(normalize_argv({"-n", "x", "-en", "vllm", "-t", "LLM"}).raw_args.empty());
}
