// SPDX-License-Identifier: Apache-2.0
#pragma once

// The engine side of `xlaunch launch` (core/engines/launch_engine.hpp) with this host's real
// probes: preflight before any hub request, then the dry-run section or the exec.

#include <optional>
#include <string>

#include "core/engines/launch_engine.hpp"
#include "core/plan/launch_plan.hpp"

namespace xl::cli {

// Preflight for the matched engine: engine installed + platform + version, GPUs, RAM.
// Throws Error(preflight/resources) for a real launch; a dry run lists the problems instead.
engines::EngineLaunch engine_preflight(const LaunchPlan& plan, const LaunchOptions& options);

// Adds the engine section (program, GPUs, fit, every node's redacted command) to the dry-run
// output: plan.extra["launch"] for JSON, text appended after the plan.
// `weight_bytes` is the spec's size from the hub listing when it was read; `file_text` the
// file plan's text section.
void print_dry_run(LaunchPlan plan, engines::EngineLaunch launch, const LaunchOptions& options,
                   std::optional<std::uint64_t> weight_bytes, const std::string& file_text);

// Fit check, command for this node, exec (same pid). `weights` is the snapshot folder or
// --model-path. Returns only by throwing.
[[noreturn]] void exec_engine(const LaunchPlan& plan, const engines::EngineLaunch& launch,
                              const LaunchOptions& options, const std::string& weights,
                              std::optional<std::uint64_t> weight_bytes);

}  // namespace xl::cli
