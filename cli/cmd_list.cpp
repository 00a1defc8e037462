// SPDX-License-Identifier: Apache-2.0
// `xlaunch list`: the families in the catalog.
#include <algorithm>
#include <iostream>

#include "catalog/catalog.hpp"
#include "catalog/flatten.hpp"
#include "cli/flags.hpp"
#include "cli/session.hpp"
#include "core/util/strings.hpp"

namespace xl::cli {

int run_list(const CommandArgs& args) {
  CommonOptions common;
  CLI::App app("List the models in the catalog (built-in, $XLAUNCH_HOME/catalog.d and --catalog files).", "xlaunch list");
  add_common_flags(app, common);
  if (auto code = parse(app, args)) {
    return *code;
  }
  const catalog::Catalog catalog = load_catalog(common);
  nlohmann::ordered_json json = nlohmann::ordered_json::array();
  std::vector<std::vector<std::string>> rows;
  for (const auto& family : catalog.families()) {
    std::vector<std::string> formats;
    std::vector<std::string> hubs;
    for (const auto& spec : catalog::flatten(*family)) {
      if (std::find(formats.begin(), formats.end(), spec.model_format) == formats.end()) {
        formats.push_back(spec.model_format);
      }
      if (std::find(hubs.begin(), hubs.end(), spec.hub) == hubs.end()) {
        hubs.push_back(spec.hub);
      }
    }
    rows.push_back({family->model_name, join(family->model_ability, ","), std::to_string(family->context_length),
                    join(formats, ","), join(hubs, ",")});
    json.push_back({{"model_name", family->model_name},
                    {"model_ability", family->model_ability},
                    {"model_lang", family->model_lang},
                    {"context_length", family->context_length},
                    {"model_formats", formats},
                    {"hubs", hubs},
                    {"catalog", family->origin},
                    {"model_description", family->model_description}});
  }
  if (common.json) {
    std::cout << json.dump(2) << "\n";
  } else {
    std::cout << render_table({"NAME", "ABILITIES", "CONTEXT", "FORMATS", "HUBS"}, rows);
  }
  return 0;
}

}  // namespace xl::cli
