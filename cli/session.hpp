// SPDX-License-Identifier: Apache-2.0
#pragma once

// What several commands need before they can do anything: the merged catalog, the engine
// rules, the hub decision.

#include "catalog/catalog.hpp"
#include "cli/flags.hpp"

namespace xl::cli {

catalog::Catalog load_catalog(const CommonOptions& common);

}  // namespace xl::cli

#include "core/launch_options.hpp"
#include "core/matching/registry_engine_rules.hpp"
#include "core/plan/launch_plan.hpp"

namespace xl::cli {

// The engine rules for this host.
const EngineRules& engine_rules();

// Which hub a launch uses, and why.
HubDecision decide_hub(const LaunchOptions& options);

// Matches the options against the catalog and makes the plan's first stage (no I/O).
LaunchPlan plan_launch(const catalog::Catalog& catalog, const LaunchOptions& options);

}  // namespace xl::cli
