// SPDX-License-Identifier: Apache-2.0
// `xlaunch download`: bring a spec's weights into the hub cache, verified, and stop there.
#include <iostream>

#include "cli/download_session.hpp"
#include "cli/flags.hpp"
#include "cli/launch_settings.hpp"
#include "cli/session.hpp"
#include "core/cache/disk_space.hpp"
#include "core/util/error.hpp"

namespace xl::cli {

int run_download(const CommandArgs& args) {
  LaunchOptions options;
  CommonOptions common;
  CLI::App app("Download a model's weights into the Hugging Face or ModelScope cache, verified and resumable.\n"
               "A second run transfers nothing.",
               "xlaunch download");
  add_spec_flags(app, options, true);
  add_download_flags(app, options);
  add_common_flags(app, common);
  if (auto code = parse(app, args)) {
    return *code;
  }
  apply_settings(app, options);  // XLAUNCH_HUB, XLAUNCH_CACHE_DIR, XLAUNCH_OFFLINE, ... as for launch
  check_launch_options(options);
  options.json = common.json;
  options.quiet = common.quiet;

  const catalog::Catalog catalog = load_catalog(common);
  const LaunchPlan plan = plan_launch(catalog, options);
  const download::DownloadResult result = ensure_weights(plan, options);
  if (common.json) {
    nlohmann::ordered_json json;
    json["model_version"] = plan.model_version;
    json["hub"] = plan.match.spec.hub;
    json["repo_id"] = plan.repo_id;
    json["revision"] = plan.revision;
    json["commit"] = result.commit;
    json["snapshot_dir"] = result.snapshot_dir.string();
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const auto& file : result.files) {
      files.push_back(file.string());
    }
    json["files"] = std::move(files);
    json["files_fetched"] = result.files_fetched;
    json["bytes_transferred"] = result.bytes_transferred;
    json["bytes_reused"] = result.bytes_reused;
    std::cout << json.dump(2) << "\n";
  } else if (!common.quiet) {
    if (result.files_fetched == 0) {
      std::cout << plan.model_version << " is already in the cache: " << result.snapshot_dir.string() << "\n";
    } else {
      std::cout << "downloaded " << result.files_fetched << " files (" << cache::human_bytes(result.bytes_transferred)
                << ") of " << plan.model_version << " into " << result.snapshot_dir.string() << "\n";
    }
  }
  return 0;
}

}  // namespace xl::cli
