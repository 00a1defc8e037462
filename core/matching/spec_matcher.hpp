// SPDX-License-Identifier: Apache-2.0
#pragma once

// Picks the spec a launch uses, with Xinference's rules (xinference.md §3.1) plus the engine:
// name (exact, else ignoring case with a note), then format, size (`1_5` = `1.5`),
// quantization (ignoring case, catalog spelling kept), engine; the first candidate in catalog
// order wins. Every failure is an xl::Error(ExitCode::usage) that says what does exist.

#include <optional>
#include <string>
#include <vector>

#include "catalog/catalog.hpp"
#include "core/matching/engine_rules.hpp"

namespace xl {

struct MatchQuery {
  std::string model_name;
  std::optional<std::string> engine;
  std::optional<std::string> format;
  std::optional<std::string> size;
  std::optional<std::string> quantization;
  std::string hub;             // the hub whose sources are candidates
  bool hub_was_explicit = false;  // a user's choice is never switched; an automatic one may be, with a note
  bool local_weights = false;     // --model-path: any hub's spec will do, nothing is downloaded
};

struct Match {
  const catalog::LlmFamily* family = nullptr;
  catalog::FlatSpec spec;
  std::string engine;                // canonical name
  std::string engine_reason;         // "chosen with -en" / "natural engine for ggufv2"
  std::vector<std::string> notes;    // things the user should know (case fix, hub fallback)
};

Match match_spec(const catalog::Catalog& catalog, const MatchQuery& query, const EngineRules& rules);

// All flattened specs of `family` on `hub` that satisfy the format/size/quantization filters
// (unset filters match everything). Used by matching, `xlaunch engines` and completion.
std::vector<catalog::FlatSpec> filter_specs(const catalog::LlmFamily& family, const std::optional<std::string>& hub,
                                            const std::optional<std::string>& format, const std::optional<std::string>& size,
                                            const std::optional<std::string>& quantization);

// The table of specs shown when nothing matches: format, size, quantizations, hubs, engines.
std::string describe_specs(const catalog::LlmFamily& family, const std::vector<catalog::FlatSpec>& specs, const EngineRules& rules);

}  // namespace xl
