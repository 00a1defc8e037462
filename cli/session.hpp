// SPDX-License-Identifier: Apache-2.0
#pragma once

// What several commands need before they can do anything: the merged catalog, the engine
// rules, the hub decision.

#include "catalog/catalog.hpp"
#include "cli/flags.hpp"

namespace xl::cli {

catalog::Catalog load_catalog(const CommonOptions& common);

}  // namespace xl::cli
