// SPDX-License-Identifier: Apache-2.0
#pragma once

// An engine's version as probed (`vllm --version` -> "0.11.2", `llama-server --version` ->
// build number "6123"). It picks flag spellings; an unknown version means "assume the newest".

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xl::engines {

struct EngineVersion {
  std::string text;         // as parsed, e.g. "0.11.2"; empty when unknown
  std::vector<int> numbers;  // {0, 11, 2}; empty when unknown

  bool known() const { return !numbers.empty(); }
  // True when unknown (newest spellings are the default) or >= the given version.
  bool at_least(std::initializer_list<int> wanted) const;
  bool at_least(const std::vector<int>& wanted) const;  // the same, for versions kept in tables
};

// Finds the version in a probe's output: "version: 6123 (abc)" (llama.cpp) or the first
// dotted number such as "0.11.2" / "vllm 0.9.1" / "4.57.1". Unknown when neither is present.
EngineVersion parse_engine_version(std::string_view output);

}  // namespace xl::engines
