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
