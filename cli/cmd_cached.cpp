// SPDX-License-Identifier: Apache-2.0
// `xlaunch cached`: the model versions xlaunch downloaded, complete or partial.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/flags.hpp"
#include "core/cache/cache_inventory.hpp"
#include "core/cache/disk_space.hpp"
#include "core/paths/xlaunch_home.hpp"
#include "core/util/strings.hpp"

namespace xl::cli {

int run_cached(const CommandArgs& args) {
  CommonOptions common;
  std::optional<std::string> model_name;
  CLI::App app("List the cached model versions (as Xinference names them) with hub, repository, size and state.",
               "xlaunch cached");
  add_cached_flags(app, model_name);
  add_common_flags(app, common);
  if (auto code = parse(app, args)) {
    return *code;
  }
  std::vector<std::filesystem::path> unreadable;
  const auto entries = cache::list_cached(cache::RecordStore(xlaunch_home() / "downloads"), model_name, &unreadable);
  for (const auto& path : unreadable) {
    std::cerr << "xlaunch: warning: skipped the damaged download record " << path.string()
              << "; delete it, and download that model again to list it\n";
  }
  if (common.json) {
    nlohmann::ordered_json json = nlohmann::ordered_json::array();
    for (const auto& entry : entries) {
      json.push_back({{"model_version", entry.model_version},
                      {"hub", entry.hub},
                      {"repo_id", entry.model_id},
                      {"revision", entry.revision},
                      {"commit", entry.commit},
                      {"bytes", entry.bytes},
                      {"path", entry.path.string()},
                      {"state", entry.complete ? "complete" : "partial"}});
    }
    std::cout << json.dump(2) << "\n";
    return 0;
  }
  if (entries.empty()) {
    std::cout << (model_name ? "There are no cache files of " + *model_name + ".\n" : "There are no cache files.\n");
    return 0;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& entry : entries) {
    rows.push_back({entry.model_version, entry.hub, entry.model_id, entry.revision, cache::human_bytes(entry.bytes),
                    entry.complete ? "complete" : "partial", entry.path.string()});
  }
  std::cout << render_table({"MODEL VERSION", "HUB", "REPOSITORY", "REVISION", "SIZE", "STATE", "PATH"}, rows);
  return 0;
}

}  // namespace xl::cli
