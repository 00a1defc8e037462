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

// engines.md pins a first release for one parser only: vLLM's deepseek_r1 reasoning parser came
// with `--enable-reasoning` in PR #12473, "Jan 2025, v0.7.x" (§1.2); v0.7.1 is the first release
// that lists it (the DeepSeek-R1 docs cite "vLLM >= 0.7.1"), so that is the conservative pin.
//
// It pins none for the others, so with a known version they are left out and named in a note:
// - vLLM reasoning parser deepseek_v3 and tool parser deepseek_v31: "in current main; the
//   release that added them (after the V3.1 release, Aug 2025) was not pinned" (§11);
// - vLLM tool parser deepseek_v3: §1.3 names it, with no release;
// - SGLang deepseek-r1, deepseek-v3, deepseekv3, deepseekv31: §2.2/§2.3 read current main only.
// Add a row here once engines.md pins one.
const std::vector<FirstRelease>& first_releases() {
  static const std::vector<FirstRelease> k_table = {
      {Engine::vllm, ParserKind::reasoning, "deepseek_r1", {0, 7, 1}},
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
    return engine + " " + version.text + " predates " + what + " (" + engine + " >= " +
           version_text(*first) + "), so it is not passed; upgrade " + engine + " to get it";
  }
  return engine + " " + version.text + ": " + what + " not passed: xlaunch knows no " + engine +
         " release sure to have it; if yours has it, add `" +
         parser_words(install.engine, kind, name) + "` after --";
}

}  // namespace xl::engines
