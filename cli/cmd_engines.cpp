// SPDX-License-Identifier: Apache-2.0
// `xlaunch engines -n NAME`: which engine can run which spec, like `xinference engine`.
#include <algorithm>
#include <iostream>

#include "cli/flags.hpp"
#include "cli/session.hpp"
#include "catalog/flatten.hpp"
#include "core/matching/spec_matcher.hpp"
#include "core/util/error.hpp"
#include "core/util/strings.hpp"

namespace xl::cli {

int run_engines(const CommandArgs& args) {
  LaunchOptions options;
  CommonOptions common;
  CLI::App app("List the engine, format, size and quantization choices of a model.", "xlaunch engines");
  add_spec_flags(app, options, true);
  add_common_flags(app, common);
  if (auto code = parse(app, args)) {
    return *code;
  }
  const catalog::Catalog catalog = load_catalog(common);
  const EngineRules& rules = engine_rules();
  // Reuse matching for the name (did-you-mean, case) and the engine name; the rows then list
  // every combination under the given filters rather than the single first match.
  MatchQuery query;
  query.model_name = options.model_name;
  query.hub = "huggingface";
  const catalog::LlmFamily* family = catalog.find(options.model_name);
  if (!family) {
    family = match_spec(catalog, query, rules).family;
  }
  std::vector<std::string> engines = rules.engine_names();
  if (options.model_engine) {
    const auto engine = rules.canonical_name(*options.model_engine);
    if (!engine) {
      throw Error(ExitCode::usage, "unknown engine '" + *options.model_engine + "'; choose one of: " + join(engines, ", "));
    }
    engines = {*engine};
  }
  const std::optional<std::string> hub =
      options.download_hub == "auto" ? std::nullopt : std::optional<std::string>(options.download_hub);
  const auto specs = filter_specs(*family, hub, options.model_format, options.model_size, options.quantization);

  struct Row {
    std::string engine, format, size, quantization;
    std::vector<std::string> hubs;
  };
  std::vector<Row> rows;
  for (const auto& engine : engines) {
    for (const auto& spec : specs) {
      if (rules.why_cannot_run(engine, spec)) {
        continue;
      }
      auto same = std::find_if(rows.begin(), rows.end(), [&](const Row& row) {
        return row.engine == engine && row.format == spec.model_format && row.size == spec.size.display() &&
               row.quantization == spec.quantization;
      });
      if (same == rows.end()) {
        rows.push_back({engine, spec.model_format, spec.size.display(), spec.quantization, {spec.hub}});
      } else if (std::find(same->hubs.begin(), same->hubs.end(), spec.hub) == same->hubs.end()) {
        same->hubs.push_back(spec.hub);
      }
    }
  }
  if (rows.empty()) {
    throw Error(ExitCode::usage, "no engine can run " + family->model_name + " with the given filters; these specs exist:",
                describe_specs(*family, catalog::flatten(*family), rules));
  }
  if (common.json) {
    nlohmann::ordered_json json = nlohmann::ordered_json::array();
    for (const auto& row : rows) {
      json.push_back({{"model_name", family->model_name}, {"model_engine", row.engine}, {"model_format", row.format},
                      {"model_size_in_billions", row.size}, {"quantization", row.quantization}, {"hubs", row.hubs}});
    }
    std::cout << json.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> table;
  for (const auto& row : rows) {
    table.push_back({family->model_name, row.engine, row.format, row.size, row.quantization, join(row.hubs, ",")});
  }
  std::cout << render_table({"NAME", "ENGINE", "FORMAT", "SIZE", "QUANTIZATION", "HUBS"}, table);
  return 0;
}

}  // namespace xl::cli
