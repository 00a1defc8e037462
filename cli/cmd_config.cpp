// SPDX-License-Identifier: Apache-2.0
// `xlaunch config`: every setting, its effective value and where it came from.
#include <iostream>

#include "cli/flags.hpp"
#include "core/config/settings.hpp"
#include "core/config/settings_report.hpp"

namespace xl::cli {

int run_config(const CommandArgs& args) {
  bool json = false;
  CLI::App app("Show every setting, its effective value and its source: flag > XLAUNCH_* variable >\n"
               "$XLAUNCH_HOME/config.json > built-in default.",
               "xlaunch config");
  app.add_flag("--json", json, "print the settings as JSON on stdout");
  if (auto code = parse(app, args)) {
    return *code;
  }
  const auto settings = config::load_settings(ProcessEnvironment{}, config::DiskConfigFileReader{});
  if (json) {
    std::cout << config::settings_to_json(settings).dump(2) << "\n";
  } else {
    std::cout << config::format_settings(settings);
  }
  return 0;
}

}  // namespace xl::cli
