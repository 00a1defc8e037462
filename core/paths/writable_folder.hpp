// SPDX-License-Identifier: Apache-2.0
#pragma once

// Whether a folder xlaunch will write into can be used, asked before any network request: a
// cache root that turns out to be a file is otherwise found after the last byte of a download,
// as "cannot create .../x.tmp: Not a directory".

#include <filesystem>
#include <optional>
#include <string>

namespace xl {

// What stops `folder` from being made or written: "<path> is a file, not a folder" for the
// nearest existing path on the way, or "<path> is not writable (<reason>)" for the nearest
// existing folder. nullopt when `folder` is, or can be made, a folder xlaunch can write in.
std::optional<std::string> folder_problem(const std::filesystem::path& folder);

}  // namespace xl
