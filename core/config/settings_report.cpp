// SPDX-License-Identifier: Apache-2.0
#include "core/config/settings_report.hpp"

#include <algorithm>
#include <vector>

namespace xl::config {
namespace {

nlohmann::json typed_value(const Settings& settings, const SettingDef& def) {
  const auto text = value_text(settings, def);
  switch (def.type) {
    case SettingType::integer:
      return std::stoll(text);
    case SettingType::boolean:
      return text == "true";
    default:
      return text;
  }
}

nlohmann::json text_or_null(std::string_view text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(std::string(text));
}

std::string describe_origin(const Origin& origin) {
  switch (origin.source) {
    case Source::config_file:
      return "config file " + origin.where;
    case Source::environment:
      return "environment " + origin.where;
    case Source::flag:
      return "flag " + origin.where;
    case Source::built_in:
      break;
  }
  return "default";
}

}  // namespace

std::string_view source_name(Source source) {
  switch (source) {
    case Source::config_file:
      return "config_file";
    case Source::environment:
      return "environment";
    case Source::flag:
      return "flag";
    case Source::built_in:
      break;
  }
  return "default";
}

nlohmann::json settings_to_json(const Settings& settings) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& def : setting_defs()) {
    const auto& origin = settings.origin(def.name);
    rows.push_back({
        {"name", def.name},
        {"value", typed_value(settings, def)},
        {"source", source_name(origin.source)},
        {"origin", text_or_null(origin.where)},
        {"env_var", text_or_null(def.env_var)},
        {"config_key", def.in_config_file ? nlohmann::json(std::string(def.name)) : nlohmann::json(nullptr)},
        {"flag", text_or_null(def.flag)},
        {"default", std::string(def.default_value)},
        {"description", def.description},
    });
  }
  return {{"config_file", settings.config_file},
          {"config_file_found", settings.config_file_found},
          {"settings", std::move(rows)}};
}

std::string format_settings(const Settings& settings) {
  struct Row {
    std::string name, value, source;
  };
  std::vector<Row> rows{{"NAME", "VALUE", "SOURCE"}};
  for (const auto& def : setting_defs()) {
    auto value = value_text(settings, def);
    if (value.empty()) {
      value = "(hub default)";  // only cache_dir may be empty: each hub's standard cache
    }
    rows.push_back({std::string(def.name), std::move(value), describe_origin(settings.origin(def.name))});
  }
  std::size_t name_width = 0;
  std::size_t value_width = 0;
  for (const auto& row : rows) {
    name_width = std::max(name_width, row.name.size());
    value_width = std::max(value_width, row.value.size());
  }
  std::string out = "config file: " + settings.config_file + (settings.config_file_found ? "" : " (not present)") + "\n\n";
  for (const auto& row : rows) {
    out += row.name + std::string(name_width - row.name.size() + 2, ' ') + row.value +
           std::string(value_width - row.value.size() + 2, ' ') + row.source + "\n";
  }
  return out;
}

}  // namespace xl::config
