// SPDX-License-Identifier: Apache-2.0
#pragma once

// What `xlaunch config` shows: each effective setting and where it came from, as a text table
// or as JSON (schema in docs/json-schema.md; later versions only add fields).

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/config/settings.hpp"

namespace xl::config {

// "default", "config_file", "environment" or "flag".
std::string_view source_name(Source source);

// {"config_file": ..., "config_file_found": ..., "settings": [{"name", "value", "source",
// "origin", "env_var", "config_key", "flag", "description"}, ...]}
nlohmann::json settings_to_json(const Settings& settings);

// A table with one row per setting: NAME  VALUE  SOURCE. Ends with a newline.
std::string format_settings(const Settings& settings);

}  // namespace xl::config
