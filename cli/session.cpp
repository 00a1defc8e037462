// SPDX-License-Identifier: Apache-2.0
#include "cli/session.hpp"

#include "core/paths/xlaunch_home.hpp"

namespace xl::cli {

catalog::Catalog load_catalog(const CommonOptions& common) {
  return catalog::Catalog::load(xlaunch_home() / "catalog.d", common.catalogs);
}

}  // namespace xl::cli
