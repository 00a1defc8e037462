// SPDX-License-Identifier: Apache-2.0
#pragma once

// xlaunch's user settings: every default a user may change, where each one can be set, and the
// one function that resolves them. Precedence, highest first:
//   1. a command-line flag (the CLI passes the flags that were given)
//   2. an XLAUNCH_* environment variable
//   3. the config file, $XLAUNCH_HOME/config.json (a JSON object keyed by setting name)
//   4. the built-in default
// XLAUNCH_HOME itself comes from the environment or its default, since it locates the file.
// Invalid values throw xl::Error(ExitCode::usage) naming the variable, file key or flag and
// what to write instead.

#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/config/config_file.hpp"
#include "core/hub_env/environment.hpp"

namespace xl::config {

using xl::Environment;  // core/hub_env/environment.hpp: getenv behind an interface

enum class Source { built_in, config_file, environment, flag };

// Where an effective value came from: `where` is the config file path, the variable name or
// the flag as typed; empty for built-in defaults.
struct Origin {
  Source source = Source::built_in;
  std::string where;
};

// The resolved settings. Path values have `~` expanded.
struct Settings {
  std::string home;         // XLAUNCH_HOME: config file, locks, logs
  std::string config_file;  // home + "/config.json" (derived, not a setting)
  bool config_file_found = false;
  std::string cache_dir;    // hub cache folder; empty = each hub's standard cache (HF_HUB_CACHE...)
  std::string hub;          // auto | huggingface | modelscope
  std::string host;         // address the engine listens on
  int port = 0;             // port the engine listens on
  int connections = 0;      // parallel connections per download
  int retries = 0;          // retries of a failed transfer before giving up
  int connect_timeout = 0;  // seconds to wait for a TCP/TLS connection
  int stall_timeout = 0;    // seconds without a received byte before a request is retried
  int lock_timeout = 0;     // seconds to wait for another xlaunch holding the model lock
  bool offline = false;     // never contact a hub; use only cached files
  bool assume_yes = false;  // answer yes to every prompt (as --yes)

  std::map<std::string, Origin, std::less<>> origins;  // by setting name; every setting has one

  const Origin& origin(std::string_view name) const;
};

enum class SettingType { text, path, integer, boolean, choice };

using SettingField = std::variant<std::string Settings::*, int Settings::*, bool Settings::*>;

// One row of the settings table.
struct SettingDef {
  std::string_view name;           // also the config file key
  std::string_view env_var;        // XLAUNCH_...
  std::string_view flag;           // the command-line flag that overrides it, or empty
  std::string_view default_value;  // as text; "~" expands to $HOME
  std::string_view description;
  SettingType type = SettingType::text;
  long long min = 0;  // integer range, inclusive
  long long max = 0;
  std::span<const std::string_view> choices;  // SettingType::choice
  SettingField field;
  bool in_config_file = true;  // false for home: the file cannot move itself
};

std::span<const SettingDef> setting_defs();
const SettingDef* find_setting(std::string_view name);

// The effective value of a setting as text ("8000", "true", "/home/u/.xlaunch").
std::string value_text(const Settings& settings, const SettingDef& def);

// A setting given on the command line. `flag` is shown as its origin ("--port").
struct FlagValue {
  std::string name;  // setting name, e.g. "port"
  std::string flag;
  std::string value;
};

Settings load_settings(const Environment& env, const ConfigFileReader& files,
                       std::span<const FlagValue> flags = {});

}  // namespace xl::config
