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
// is the first release the DeepSeek-R1 docs cite. The others come from the pull requests that
// added them; each pin is the release after the one the merge could first have reached, so an
// engine older than the pin may have the parser (the note then says how to pass it), but one at
// the pin always has it:
// - vLLM tool parser deepseek_v3: PR #17784, reviewed 7-9 May 2025 (v0.9.0 came out 15 May):
//   pinned at 0.9.1;
// - vLLM tool parser deepseek_v31: PR #23454, opened 23 Aug 2025 (v0.10.1.1 came out 20 Aug,
//   v0.10.2 in September): pinned at 0.10.2;
// - vLLM reasoning parser deepseek_v3: PR #25589, after 24 Sep 2025 (v0.11.0 came out in
//   October): pinned at 0.11.1;
// - SGLang reasoning parser deepseek-r1: `--reasoning-parser` arrived in March 2025 (v0.4.4):
//   pinned at 0.4.5;
// - SGLang tool parser deepseekv3: PR #5224, April 2025 (v0.4.6 came out late April): pinned at
//   0.4.7;
// - SGLang reasoning parser deepseek-v3 (PR #9464) and tool parser deepseekv31, both August
//   2025 with DeepSeek-V3.1 (v0.5.1 came out late August): pinned at 0.5.2.
// A parser with no row is left out whenever the version is known, and named in a note.
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
  for (const int number : version) {
    out += (out.empty() ? "" : ".") + std::to_string(number);
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
