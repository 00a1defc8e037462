// SPDX-License-Identifier: Apache-2.0
#pragma once

// What matching needs to know about engines, as an interface: the engine registry implements
// it, and matching tests use a small table of their own.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalog/llm_family.hpp"

namespace xl {

class EngineRules {
 public:
  virtual ~EngineRules() = default;
  // Canonical engine names in display order: vLLM, SGLang, llama.cpp, MLX, Transformers.
  virtual std::vector<std::string> engine_names() const = 0;
  // The canonical spelling of a typed engine name (case-insensitive), or nullopt if unknown.
  virtual std::optional<std::string> canonical_name(std::string_view typed) const = 0;
  // Why `engine` cannot run `spec` on this platform, or nullopt when it can.
  virtual std::optional<std::string> why_cannot_run(const std::string& engine, const catalog::FlatSpec& spec) const = 0;
  // The engine xlaunch uses for `spec` when the user names none.
  virtual std::string natural_engine(const catalog::FlatSpec& spec) const = 0;
};

}  // namespace xl
