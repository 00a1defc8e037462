// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>
#include <functional>
#include <string>

namespace xl::cache {

// Before a file is written at `snapshot / relative`: every folder on the way that already
// exists must be a real folder. A symbolic link there (planted, or left by another tool) would
// carry the write anywhere on the disk, so it is refused with Error(download) naming the link,
// where it points and the fix. Folders that do not exist yet are fine: xlaunch creates them.
void check_snapshot_path(const std::filesystem::path& snapshot, const std::string& relative);
// The same, asking for the snapshot folder only when `relative` passes through a folder. Most
// of a repo's files sit at its top, and making the folder's path for each of them was most of
// the check's cost.
void check_snapshot_path(const std::function<std::filesystem::path()>& snapshot, const std::string& relative);

}  // namespace xl::cache
