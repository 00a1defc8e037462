// SPDX-License-Identifier: Apache-2.0
#include "cli/launch_settings.hpp"

namespace xl::cli {

config::Settings apply_settings(const CLI::App& app, LaunchOptions& options) {
  std::vector<config::FlagValue> flags;
  const auto given = [&](const char* flag) {
    const auto* option = app.get_option_no_throw(flag);
    return option != nullptr && option->count() > 0;
  };
  // The flags' parsed values pass through the same validation as every other source.
  if (given("--host")) {
    flags.push_back({"host", "--host", options.host});
  }
  if (given("--port")) {
    flags.push_back({"port", "--port", std::to_string(options.port)});
  }
  if (given("--download-hub")) {
    flags.push_back({"hub", "--download-hub", options.download_hub});
  }
  if (given("--cache-dir") && options.cache_dir) {
    flags.push_back({"cache_dir", "--cache-dir", *options.cache_dir});
  }
  if (given("--max-connections")) {
    flags.push_back({"connections", "--max-connections", app.get_option("--max-connections")->results().back()});
  }
  if (given("--offline")) {
    flags.push_back({"offline", "--offline", options.offline ? "true" : "false"});
  }
  if (given("--yes")) {
    flags.push_back({"assume_yes", "--yes", options.yes ? "true" : "false"});
  }
  auto settings = config::load_settings(ProcessEnvironment{}, config::DiskConfigFileReader{}, flags);
  options.host = settings.host;
  options.port = settings.port;
  options.download_hub = settings.hub;
  if (!settings.cache_dir.empty()) {
    options.cache_dir = settings.cache_dir;
    const auto& origin = settings.origin("cache_dir");
    options.cache_dir_origin = origin.source == config::Source::config_file ? "cache_dir in " + origin.where
                                                                             : origin.where;
  }
  options.max_connections = settings.connections;
  options.offline = settings.offline;
  options.yes = settings.assume_yes;
  return settings;
}

}  // namespace xl::cli
