// SPDX-License-Identifier: Apache-2.0
#pragma once

// Settings (core/config) as the defaults of the launch flags: a flag the user typed wins,
// otherwise XLAUNCH_* variables, then $XLAUNCH_HOME/config.json, then the built-in default.

#include <CLI/CLI.hpp>

#include "core/config/settings.hpp"
#include "core/launch_options.hpp"

namespace xl::cli {

// Call after parse(): resolves the settings with the flags `app` saw and writes the effective
// host, port, hub, cache folder, offline and yes values into `options`. Throws Error(usage)
// for an invalid setting.
config::Settings apply_settings(const CLI::App& app, LaunchOptions& options);

}  // namespace xl::cli
