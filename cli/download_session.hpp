// SPDX-License-Identifier: Apache-2.0
#pragma once

// The download stage of `launch`, `download` and `--dry-run`, with the real transfer engine,
// the process environment and $XLAUNCH_HOME/downloads records.

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/download/download_types.hpp"
#include "core/launch_options.hpp"
#include "core/plan/launch_plan.hpp"

namespace xl::cli {

// What the matched spec needs from its hub.
download::DownloadTarget download_target(const LaunchPlan& plan);
download::DownloadOptions download_options(const LaunchOptions& options);

// The file plan (sizes, cached, to fetch, free space). --offline sends no request.
download::FilePlan plan_download(const LaunchPlan& plan, const LaunchOptions& options);

// Called with the file plan once it is known and before any byte is transferred; throwing
// from it stops the download (the launch's fit check runs here, so a model that cannot run
// is refused before hundreds of gigabytes arrive, with one hub listing, not two).
using BeforeTransfer = std::function<void(const download::FilePlan&)>;

// Downloads what is missing, with progress on stderr (per --json/--quiet). Ctrl-C stops the
// transfer and keeps partial data for the next run (Error interrupted).
download::DownloadResult ensure_weights(const LaunchPlan& plan, const LaunchOptions& options,
                                        const BeforeTransfer& before_transfer = {});

// --dry-run: adds the file plan to `plan` (sizes and cached flags of plan.files, a "download"
// section). A hub that cannot be asked becomes a note, not a failure.
std::optional<download::FilePlan> add_download_plan(LaunchPlan& plan, const LaunchOptions& options);

nlohmann::ordered_json file_plan_to_json(const download::FilePlan& plan);
std::string file_plan_to_text(const download::FilePlan& plan);

}  // namespace xl::cli
