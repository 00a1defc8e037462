// SPDX-License-Identifier: Apache-2.0
#include "core/config/settings.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include <nlohmann/json.hpp>

#include "core/util/error.hpp"

namespace xl::config {
namespace {

constexpr std::array<std::string_view, 3> k_hub_choices{"auto", "huggingface", "modelscope"};

// The table. Order is the order `xlaunch config` shows. Adding a setting is one row here and one
// field in Settings; nothing else needs to know about it.
const std::array<SettingDef, 12> k_settings{{
    {"home", "XLAUNCH_HOME", "", "~/.xlaunch",
     "xlaunch's own folder: config.json, locks and logs", SettingType::path, 0, 0, {},
     &Settings::home, false},
    {"cache_dir", "XLAUNCH_CACHE_DIR", "--cache-dir", "",
     "hub cache folder for weights; empty uses each hub's standard cache (HF_HUB_CACHE, MODELSCOPE_CACHE)",
     SettingType::path, 0, 0, {}, &Settings::cache_dir},
    {"hub", "XLAUNCH_HUB", "--download-hub", "auto",
     "hub to download from; auto follows Xinference 3.2: XINFERENCE_MODEL_SRC, then a probe of HF_ENDPOINT, else modelscope",
     SettingType::choice, 0, 0, k_hub_choices, &Settings::hub},
    {"host", "XLAUNCH_HOST", "--host", "127.0.0.1", "address the engine's server listens on",
     SettingType::text, 0, 0, {}, &Settings::host},
    {"port", "XLAUNCH_PORT", "--port", "8000", "port the engine's server listens on",
     SettingType::integer, 1, 65535, {}, &Settings::port},
    {"connections", "XLAUNCH_MAX_CONNECTIONS", "--max-connections", "16",
     "requests in flight while downloading one model", SettingType::integer, 1, 64, {},
     &Settings::connections},
    {"retries", "XLAUNCH_RETRIES", "", "5", "retries of a failed transfer before giving up",
     SettingType::integer, 0, 100, {}, &Settings::retries},
    {"connect_timeout", "XLAUNCH_CONNECT_TIMEOUT", "", "10",
     "seconds to wait for a connection to a hub or CDN before retrying", SettingType::integer, 1, 600, {},
     &Settings::connect_timeout},
    {"stall_timeout", "XLAUNCH_STALL_TIMEOUT", "", "20",
     "seconds without a received byte before a request is aborted and retried", SettingType::integer, 1,
     3600, {}, &Settings::stall_timeout},
    {"lock_timeout", "XLAUNCH_LOCK_TIMEOUT", "", "600",
     "seconds to wait for a file another process (xlaunch, huggingface_hub) is downloading", SettingType::integer, 0,
     86400, {}, &Settings::lock_timeout},
    {"offline", "XLAUNCH_OFFLINE", "--offline", "false",
     "never contact a hub; launch only what is already cached", SettingType::boolean, 0, 0, {},
     &Settings::offline},
    {"assume_yes", "XLAUNCH_YES", "--yes", "false", "answer yes to every confirmation prompt",
     SettingType::boolean, 0, 0, {}, &Settings::assume_yes},
}};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string expected_text(const SettingDef& def) {
  switch (def.type) {
    case SettingType::integer:
      return "an integer from " + std::to_string(def.min) + " to " + std::to_string(def.max);
    case SettingType::boolean:
      return "true or false (also 1/0, yes/no, on/off)";
    case SettingType::choice: {
      std::string list;
      for (const auto choice : def.choices) {
        list += (list.empty() ? "" : ", ") + std::string(choice);
      }
      return "one of " + list;
    }
    case SettingType::path:
      return "a folder path";
    case SettingType::text:
      break;
  }
  return "a value without spaces";
}

// Turns raw text into the canonical text of a valid value, or nullopt when it is invalid.
std::optional<std::string> canonical(const SettingDef& def, std::string_view raw, const std::optional<std::string>& user_home) {
  switch (def.type) {
    case SettingType::integer: {
      long long number = 0;
      const auto* end = raw.data() + raw.size();
      const auto [ptr, ec] = std::from_chars(raw.data(), end, number);
      if (raw.empty() || ec != std::errc{} || ptr != end || number < def.min || number > def.max) {
        return std::nullopt;
      }
      return std::to_string(number);
    }
    case SettingType::boolean: {
      const auto word = lower(raw);
      if (word == "1" || word == "true" || word == "yes" || word == "on") {
        return "true";
      }
      if (word == "0" || word == "false" || word == "no" || word == "off") {
        return "false";
      }
      return std::nullopt;
    }
    case SettingType::choice: {
      const auto word = lower(raw);
      for (const auto choice : def.choices) {
        if (word == choice) {
          return std::string(choice);
        }
      }
      return std::nullopt;
    }
    case SettingType::path: {
      if (raw.empty()) {
        return std::string();  // only reachable for defaults: "use the standard place"
      }
      if (raw == "~" || raw.starts_with("~/")) {
        if (!user_home) {
          throw Error(ExitCode::usage, "cannot expand '~' in " + std::string(def.name) +
                                           ": HOME is not set; set HOME or give an absolute path");
        }
        return *user_home + std::string(raw.substr(1));
      }
      return std::string(raw);
    }
    case SettingType::text:
      break;
  }
  if (raw.empty() || std::any_of(raw.begin(), raw.end(), [](unsigned char c) { return std::isspace(c) != 0; })) {
    return std::nullopt;
  }
  return std::string(raw);
}

void assign(Settings& settings, const SettingDef& def, const std::string& text, Origin origin) {
  std::visit(
      [&](auto member) {
        using Member = decltype(member);
        if constexpr (std::is_same_v<Member, std::string Settings::*>) {
          settings.*member = text;
        } else if constexpr (std::is_same_v<Member, int Settings::*>) {
          settings.*member = std::stoi(text);
        } else {
          settings.*member = text == "true";
        }
      },
      def.field);
  settings.origins.insert_or_assign(std::string(def.name), std::move(origin));
}

// Sets one value from the environment, the file or a flag; `describe` names the source and the
// fix in the error message.
void set_checked(Settings& settings, const SettingDef& def, std::string_view raw, Origin origin,
                 const std::optional<std::string>& user_home, const std::string& describe,
                 const std::string& fix) {
  const auto text = canonical(def, raw, user_home);
  if (!text || (def.type == SettingType::path && text->empty())) {
    throw Error(ExitCode::usage, describe + " is '" + std::string(raw) + "', expected " + expected_text(def) + "; " + fix);
  }
  assign(settings, def, *text, std::move(origin));
}

std::string known_keys() {
  std::string keys;
  for (const auto& def : k_settings) {
    if (def.in_config_file) {
      keys += (keys.empty() ? "" : ", ") + std::string(def.name);
    }
  }
  return keys;
}

void apply_config_file(Settings& settings, const std::string& path, const std::string& content,
                       const std::optional<std::string>& user_home) {
  nlohmann::json document;
  try {
    document = nlohmann::json::parse(content, nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::parse_error& error) {
    // The library's own text ("[json.exception.parse_error.101] parse error at line 1, ...")
    // says little to a user and may echo a control byte; where it stopped is what helps.
    if (content.find_first_not_of(" \t\r\n") == std::string::npos) {
      throw Error(ExitCode::usage, "config file " + path + " is empty; write {} in it or delete it");
    }
    throw Error(ExitCode::usage, "config file " + path + " is not valid JSON (it stops making sense at byte " +
                                     std::to_string(error.byte) + "); fix it or delete it");
  }
  if (!document.is_object()) {
    throw Error(ExitCode::usage, "config file " + path + " must hold a JSON object like {\"port\": 8000}; fix it or delete it");
  }
  for (const auto& [key, value] : document.items()) {
    const auto* def = find_setting(key);
    if (def == nullptr || !def->in_config_file) {
      throw Error(ExitCode::usage, "config file " + path + " has unknown setting '" + key + "'; known settings: " + known_keys());
    }
    if (value.is_null()) {
      continue;  // null means "not set here"
    }
    // Text and paths must be JSON strings: {"cache_dir": 5} or ["a"] made a folder named "5"
    // or '["a"]' in the current directory. Numbers and booleans may be written either way.
    const bool textual = def->type == SettingType::text || def->type == SettingType::path ||
                         def->type == SettingType::choice;
    if (textual && !value.is_string()) {
      throw Error(ExitCode::usage, "config file " + path + ": '" + key + "' is " + value.dump() +
                                       ", expected a string in quotes; fix or remove '" + key + "' in " + path);
    }
    std::string raw;
    if (value.is_string()) {
      raw = value.get<std::string>();
    } else {
      raw = value.dump();  // arrays, objects and fractions fail validation with their JSON text
    }
    set_checked(settings, *def, raw, Origin{Source::config_file, path}, user_home,
                "config file " + path + ": '" + key + "'", "fix or remove '" + key + "' in " + path);
  }
}

}  // namespace

const Origin& Settings::origin(std::string_view name) const {
  static const Origin k_built_in{};
  const auto found = origins.find(name);
  return found == origins.end() ? k_built_in : found->second;
}

std::span<const SettingDef> setting_defs() { return k_settings; }

const SettingDef* find_setting(std::string_view name) {
  for (const auto& def : k_settings) {
    if (def.name == name) {
      return &def;
    }
  }
  return nullptr;
}

std::string value_text(const Settings& settings, const SettingDef& def) {
  return std::visit(
      [&](auto member) -> std::string {
        using Member = decltype(member);
        if constexpr (std::is_same_v<Member, std::string Settings::*>) {
          return settings.*member;
        } else if constexpr (std::is_same_v<Member, int Settings::*>) {
          return std::to_string(settings.*member);
        } else {
          return settings.*member ? "true" : "false";
        }
      },
      def.field);
}

Settings load_settings(const Environment& env, const ConfigFileReader& files, std::span<const FlagValue> flags) {
  Settings settings;
  const auto user_home = env.get("HOME");
  const auto env_value = [&](const SettingDef& def) -> std::optional<std::string> {
    if (def.env_var.empty()) {
      return std::nullopt;
    }
    auto value = env.get(def.env_var);
    if (value && value->empty()) {
      return std::nullopt;  // VAR= means unset, as most tools treat it
    }
    return value;
  };
  const auto from_env = [&](const SettingDef& def) {
    if (const auto value = env_value(def)) {
      set_checked(settings, def, *value, Origin{Source::environment, std::string(def.env_var)}, user_home,
                  std::string(def.env_var), "set " + std::string(def.env_var) + " to a valid value or unset it");
    }
  };

  // Priority 4: built-in defaults.
  for (const auto& def : k_settings) {
    const bool needs_home = def.default_value.starts_with("~") && !user_home;
    if (needs_home && !env_value(def)) {
      throw Error(ExitCode::usage, "cannot find xlaunch's folder: HOME is not set; set HOME or " + std::string(def.env_var));
    }
    if (!needs_home) {
      assign(settings, def, *canonical(def, def.default_value, user_home), Origin{});
    }
  }

  // The config file lives in XLAUNCH_HOME, so that one variable is read before the file.
  from_env(*find_setting("home"));
  settings.config_file = settings.home + "/config.json";

  // Priority 3: the config file.
  if (const auto content = files.read(settings.config_file)) {
    settings.config_file_found = true;
    apply_config_file(settings, settings.config_file, *content, user_home);
  }

  // Priority 2: XLAUNCH_* environment variables.
  for (const auto& def : k_settings) {
    from_env(def);
  }

  // Priority 1: command-line flags.
  for (const auto& flag : flags) {
    const auto* def = find_setting(flag.name);
    if (def == nullptr) {
      throw Error(ExitCode::failure, "internal: flag " + flag.flag + " maps to unknown setting '" + flag.name + "'");
    }
    set_checked(settings, *def, flag.value, Origin{Source::flag, flag.flag}, user_home, flag.flag,
                "give " + flag.flag + " " + expected_text(*def));
  }
  return settings;
}

}  // namespace xl::config
