// SPDX-License-Identifier: Apache-2.0
#include "core/engines/parser_support.hpp"

namespace xl::engines {
namespace {

struct FirstRelease {
  Engine engine;
  ParserKind kind;
  std::string_view name;
  std::vector<int> version;
};

// The first release sure to have each parser. engines.md pins one: vLLM's deepseek_r1
// reasoning parser came with `--enable-reasoning` in PR #12473, "Jan 2025, v0.7.x" (§1.2); v0.7.1
// is the first release the DeepSeek-R1 docs cite. The others are dated by the pull requests
// that added them; each pin is one release later than the first the merge could have reached
// (release dates as the projects' release pages give them, not re-checked here), so an engine
// at the pin has the parser and one just below it may too (its note says how to pass it):
// - vLLM tool parser deepseek_v3: PR #17784, reviewed 7-9 May 2025 (v0.9.0, mid-May): 0.9.1;
// - vLLM tool parser deepseek_v31: PR #23454, opened 23 Aug 2025 (after v0.10.1.1): 0.10.2;
// - vLLM reasoning parser deepseek_v3: PR #25589, after 24 Sep 2025 (v0.11.0, October): 0.11.1;
// - SGLang reasoning parser deepseek-r1: `--reasoning-parser` arrived in March 2025: 0.4.5;
// - SGLang tool parser deepseekv3: PR #5224, April 2025: 0.4.7;
// - SGLang reasoning parser deepseek-v3 (PR #9464) and tool parser deepseekv31, August 2025
//   with DeepSeek-V3.1: 0.5.2.
// Reading the names from `vllm serve --help` at run time (engines.md §11) would be exact, at the
// cost of a second slow probe of the engine. A parser with no row is left out whenever the
// version is known, and named in a note.
const std::vector<FirstRelease>& first_releases() {
  static const std::vector<FirstRelease> k_table = {
      {Engine::vllm, ParserKind::reasoning, "deepseek_r1", {0, 7, 1}},
      {Engine::vllm, ParserKind::tool_call, "deepseek_v3", {0, 9, 1}},
      {Engine::vllm, ParserKind::tool_call, "deepseek_v31", {0, 10, 2}},
      {Engine::vllm, ParserKind::reasoning, "deepseek_v3", {0, 11, 1}},
      {Engine::sglang, ParserKind::reasoning, "deepseek-r1", {0, 4, 5}},
      {Engine::sglang, ParserKind::tool_call, "deepseekv3", {0, 4, 7}},
      {Engine::sglang, ParserKind::reasoning, "deepseek-v3", {0, 5, 2}},
      {Engine::sglang, ParserKind::tool_call, "deepseekv31", {0, 5, 2}},
  };
  return k_table;
}

std::string version_text(const std::vector<int>& version) {
  std::string out;
  // Appended piece by piece: gcc 12 at -O3 takes `"." + std::to_string(n)` for an overlapping
  // memcpy (-Wrestrict, a known false positive).
  for (const int number : version) {
    if (!out.empty()) {
      out += '.';
    }
    out += std::to_string(number);
  }
  return out;
}

// The words that pass the parser, as the builders emit them (vLLM also needs the tool switch).
std::string parser_words(Engine engine, ParserKind kind, const std::string& name) {
  if (kind == ParserKind::reasoning) {
    return "--reasoning-parser " + name;
  }
  return std::string(engine == Engine::vllm ? "--enable-auto-tool-choice " : "") +
         "--tool-call-parser " + name;
}

}  // namespace

std::optional<std::vector<int>> parser_first_release(Engine engine, ParserKind kind,
                                                     std::string_view name) {
  for (const auto& row : first_releases()) {
    if (row.engine == engine && row.kind == kind && row.name == name) {
      return row.version;
    }
  }
  return std::nullopt;
}

std::optional<std::string> parser_left_out(const EngineInstall& install, ParserKind kind,
                                           const std::string& name) {
  const auto& version = install.version;
  if (!version.known()) {
    return std::nullopt;
  }
  const std::string engine = std::string(engine_name(install.engine));
  const std::string what =
      std::string(kind == ParserKind::reasoning ? "reasoning parser " : "tool-call parser ") + name;
  const auto first = parser_first_release(install.engine, kind, name);
  if (first && version.at_least(*first)) {
    return std::nullopt;
  }
  if (first) {
    return engine + " " + version.text + ": " + what + " not passed, as only " + engine + " " +
           version_text(*first) + " and later are sure to have it; if yours has it, add `" +
           parser_words(install.engine, kind, name) + "` after --, or upgrade " + engine;
  }
  return engine + " " + version.text + ": " + what + " not passed: xlaunch knows no " + engine +
         " release sure to have it; if yours has it, add `" +
         parser_words(install.engine, kind, name) + "` after --";
}

}  // namespace xl::engines
