// SPDX-License-Identifier: Apache-2.0
#pragma once

// The flags commands share, declared once so `launch`, `download` and `engines` spell them
// the same way and `--help` lists them the same way.

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/command.hpp"
#include "core/launch_options.hpp"

namespace xl::cli {

struct CommonOptions {
  std::vector<std::string> catalogs;  // --catalog FILE, repeatable
  bool json = false;
  bool quiet = false;
};

void add_common_flags(CLI::App& app, CommonOptions& common);

// -n -en -f -s -q --download-hub --revision: what picks a spec.
void add_spec_flags(CLI::App& app, LaunchOptions& options, bool model_name_required);

// What tunes a download (--max-connections), for `launch` and `download`. The value is read
// by apply_settings (cli/launch_settings.hpp) into LaunchOptions::max_connections.
void add_transfer_flags(CLI::App& app);

// What `download` takes after the spec flags: --cache-dir, --offline, --force and the transfer
// flags.
void add_download_flags(CLI::App& app, LaunchOptions& options);

// `cached`: -n to show one model's versions.
void add_cached_flags(CLI::App& app, std::optional<std::string>& model_name);

// `remove-cache`: the model version, as an argument or as xinference's --model-version, and
// --yes.
struct RemoveCacheOptions {
  std::string argument;  // remove-cache MODEL_VERSION
  std::string flag;      // remove-cache --model-version MODEL_VERSION
  bool yes = false;
};
void add_remove_cache_flags(CLI::App& app, RemoveCacheOptions& options);

// Everything else `launch` takes (xinference launch flags and xlaunch additions).
void add_launch_flags(CLI::App& app, LaunchOptions& options);

// Parses `args` into `app`. Returns nullopt to go on, or the exit code to return now: 0 after
// --help, 2 after a parse error (the message is printed by CLI11).
std::optional<int> parse(CLI::App& app, const CommandArgs& args);

// Values CLI11 cannot check alone, after the settings are applied: -ev names must be usable
// environment variable names (an '=' in one would silently set a different variable), and the
// cache folder must be a folder or creatable as one. Throws Error(usage).
void check_launch_options(const LaunchOptions& options);

}  // namespace xl::cli
