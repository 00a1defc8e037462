// SPDX-License-Identifier: Apache-2.0
#pragma once

// Reads Xinference's v2 `llm_family.json` schema: a JSON list of families (the shape of
// Xinference's own bundled file) or a single family object (the shape of a user-registered
// family). Unknown fields are kept in `raw` and ignored, so Xinference's file loads unchanged.

#include <string>
#include <string_view>
#include <vector>

#include "catalog/llm_family.hpp"

namespace xl::catalog {

// Throws xl::Error(ExitCode::usage) naming `origin`, the JSON path (e.g.
// `$[2].model_specs[0].model_src.huggingface.quantizations`) and the problem.
std::vector<LlmFamily> parse_catalog(std::string_view text, const std::string& origin);

}  // namespace xl::catalog
