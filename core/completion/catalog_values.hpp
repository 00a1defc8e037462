// SPDX-License-Identifier: Apache-2.0
#pragma once

// The catalog half of completion: which models, engines, formats, sizes, quantizations and hubs
// remain possible given the values already typed.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "catalog/llm_family.hpp"
#include "core/completion/completion.hpp"
#include "core/matching/engine_rules.hpp"

namespace xl::completion {

// The spec-selecting values typed so far (each as typed, unset when absent).
struct Selection {
  std::optional<std::string> model, engine, format, size, quantization, hub;
};

// Candidates of `kind` among the specs that match every value in `selection` except the one of
// `kind` itself, distinct, in catalog order (sizes ascending). Engines are those `rules` say can
// run at least one of those specs on this host, in the rules' order.
std::vector<Candidate> catalog_values(ValueKind kind, const Selection& selection,
                                      std::span<const catalog::FlatSpec> specs, const EngineRules& rules);

}  // namespace xl::completion
