// SPDX-License-Identifier: Apache-2.0
#include "cli/session.hpp"

#include "core/paths/xlaunch_home.hpp"

namespace xl::cli {

catalog::Catalog load_catalog(const CommonOptions& common) {
  return catalog::Catalog::load(xlaunch_home() / "catalog.d", common.catalogs);
}

}  // namespace xl::cli

namespace xl::cli {

const EngineRules& engine_rules() {
  static const RegistryEngineRules rules(hardware::host_platform());
  return rules;
}

HubDecision decide_hub(const LaunchOptions& options) {
  if (options.download_hub != "auto") {
    return {options.download_hub, "--download-hub " + options.download_hub, true};
  }
  return {"huggingface", "default", false};
}

LaunchPlan plan_launch(const catalog::Catalog& catalog, const LaunchOptions& options) {
  HubDecision hub = decide_hub(options);
  MatchQuery query;
  query.model_name = options.model_name;
  query.engine = options.model_engine;
  query.format = options.model_format;
  query.size = options.model_size;
  query.quantization = options.quantization;
  query.hub = hub.hub;
  query.hub_was_explicit = hub.explicit_choice;
  Match match = match_spec(catalog, query, engine_rules());
  return make_plan(std::move(match), std::move(hub), options);
}

}  // namespace xl::cli
