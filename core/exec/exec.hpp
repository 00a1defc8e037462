// SPDX-License-Identifier: Apache-2.0
#pragma once

// Replacing xlaunch with the engine: same pid, so signals and the exit code are the engine's.

#include <string>
#include <utility>
#include <vector>

#include "core/engines/exec_plan.hpp"

namespace xl::exec {

// `base` (KEY=VALUE entries, e.g. from environ) with every `set` entry replacing or adding its
// key, in a stable order: base order first, new keys appended.
std::vector<std::string> merge_environment(const std::vector<std::string>& base,
                                           const std::vector<std::pair<std::string, std::string>>& set);

// execve(plan.program, plan.argv, environ + plan.env_set). Returns only by throwing
// Error(preflight) naming the program and the OS error (not found, not executable).
[[noreturn]] void exec_plan(const engines::ExecPlan& plan);

}  // namespace xl::exec
