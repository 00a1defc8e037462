// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <vector>

#include "catalog/llm_family.hpp"

namespace xl::catalog {

// Xinference's flatten_quantizations(): one FlatSpec per spec x hub (model_src order) x
// quantization (list order), `{quantization}` expanded in every string field where Python's
// str.format would succeed. The result order is the matching order: first wins.
std::vector<FlatSpec> flatten(const LlmFamily& family);

}  // namespace xl::catalog
