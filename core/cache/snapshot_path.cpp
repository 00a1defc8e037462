// SPDX-License-Identifier: Apache-2.0
#include "core/cache/snapshot_path.hpp"

#include "core/util/error.hpp"
#include "core/util/repo_path.hpp"

namespace xl::cache {

namespace fs = std::filesystem;

namespace {

bool passes_through_folders(const std::string& relative) { return relative.find('/') != std::string::npos; }

}  // namespace

void check_snapshot_path(const std::function<fs::path()>& snapshot, const std::string& relative) {
  if (passes_through_folders(relative)) {
    check_snapshot_path(snapshot(), relative);
  }
}

void check_snapshot_path(const fs::path& snapshot, const std::string& relative) {
  if (!passes_through_folders(relative)) {
    return;  // nothing to look at, and no path objects to build
  }
  const fs::path parents = fs::path(relative).parent_path();
  fs::path folder = snapshot;
  for (const auto& name : parents) {
    folder /= name;
    std::error_code ec;
    const auto status = fs::symlink_status(folder, ec);
    if (ec || !fs::exists(status)) {
      return;  // created by xlaunch, as a real folder, when the file is placed
    }
    if (fs::is_symlink(status)) {
      const auto target = fs::read_symlink(folder, ec);
      throw Error(ExitCode::download, "cannot place " + printable(relative) + ": " + printable(folder.string(), 200) +
                                          " is a symbolic link (to " + printable(target.string(), 200) +
                                          ") inside the snapshot folder, and writing through it could land outside "
                                          "the cache; remove the link and run again");
    }
    if (!fs::is_directory(status)) {
      throw Error(ExitCode::download, "cannot place " + printable(relative) + ": " + printable(folder.string(), 200) +
                                          " is a file where a folder is needed; remove it and run again");
    }
  }
}

}  // namespace xl::cache
