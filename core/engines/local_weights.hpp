// SPDX-License-Identifier: Apache-2.0
#pragma once

// --model-path: the weights a user already has. Checked before anything runs, so a typo is a
// usage error naming the path, not an engine that starts and fails to find its model.

#include <optional>
#include <string>

#include "catalog/llm_family.hpp"

namespace xl::engines {

// Why the engine could not load `spec` from `path`, or nullopt when it can start: the path
// exists; a GGUF spec's file (its first part, when split) is the path itself or lies in it at
// the catalog's relative path; any other spec's path is a folder with a config.json.
std::optional<std::string> local_weights_problem(const std::string& path, const catalog::FlatSpec& spec);

}  // namespace xl::engines
