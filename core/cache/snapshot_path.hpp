// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <string>

namespace xl::cache {

// Before a file is written at `snapshot / relative`: every folder on the way that already
// exists must be a real folder. A symbolic link there (planted, or left by another tool) would
// carry the write anywhere on the disk, so it is refused with Error(download) naming the link,
// where it points and the fix. Folders that do not exist yet are fine: xlaunch creates them.
void check_snapshot_path(const std::filesystem::path& snapshot, const std::string& relative);

}  // namespace xl::cache
