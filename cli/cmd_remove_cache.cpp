// SPDX-License-Identifier: Apache-2.0
// `xlaunch remove-cache`: delete one model version's files, keeping what others still use.
#include <unistd.h>

#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/flags.hpp"
#include "core/cache/cache_inventory.hpp"
#include "core/cache/disk_space.hpp"
#include "core/paths/xlaunch_home.hpp"
#include "core/util/error.hpp"

namespace xl::cli {

int run_remove_cache(const CommandArgs& args) {
  CommonOptions common;
  RemoveCacheOptions options;
  CLI::App app("Delete a cached model version: its snapshot entries and the blobs no other version uses.",
               "xlaunch remove-cache");
  add_remove_cache_flags(app, options);
  add_common_flags(app, common);
  if (auto code = parse(app, args)) {
    return *code;
  }
  if (options.argument.empty() && options.flag.empty()) {
    throw Error(ExitCode::usage,
                "remove-cache needs the model version to delete: xlaunch remove-cache MODEL_VERSION ('xlaunch cached' "
                "lists them)");
  }
  if (!options.argument.empty() && !options.flag.empty() && options.argument != options.flag) {
    throw Error(ExitCode::usage, "remove-cache got two model versions, '" + options.argument + "' and --model-version '" +
                                     options.flag + "'; give one");
  }
  const std::string model_version = options.argument.empty() ? options.flag : options.argument;
  const bool yes = options.yes;
  const cache::RecordStore records(xlaunch_home() / "downloads");
  const cache::RemovalPlan plan = cache::plan_removal(records, model_version);
  if (!yes && ::isatty(STDIN_FILENO) == 0) {
    throw Error(ExitCode::usage, "remove-cache asks before deleting and there is no terminal to ask on; pass --yes");
  }
  for (const auto& path : plan.outside) {
    std::cerr << "xlaunch: warning: leaving " << path.string() << ": it resolves outside the cache folder "
              << "its record names; delete it by hand if it is yours to delete\n";
  }
  std::ostream& listing = common.json ? std::cerr : std::cout;
  if (!common.quiet || !yes) {
    listing << "These paths will be deleted (" << cache::human_bytes(plan.bytes) << "):\n";
    for (const auto& path : plan.paths) {
      listing << "  " << path.string() << "\n";
    }
  }
  if (!yes) {
    std::cerr << "Do you want to proceed with the deletion? [y/N] " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes") {
      std::cerr << "Nothing was deleted.\n";
      return 0;
    }
  }
  cache::execute_removal(records, plan);
  if (common.json) {
    nlohmann::ordered_json paths = nlohmann::ordered_json::array();
    for (const auto& path : plan.paths) {
      paths.push_back(path.string());
    }
    std::cout << nlohmann::ordered_json{{"model_version", model_version}, {"deleted", paths}, {"bytes", plan.bytes}}.dump(2)
              << "\n";
  } else if (!common.quiet) {
    std::cout << "Cache directory " << model_version << " has been deleted.\n";
  }
  return 0;
}

}  // namespace xl::cli
