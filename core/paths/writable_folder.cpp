// SPDX-License-Identifier: Apache-2.0
#include "core/paths/writable_folder.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace xl {

std::optional<std::string> folder_problem(const std::filesystem::path& folder) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (auto path = fs::absolute(folder, ec); !path.empty(); path = path.parent_path()) {
    const auto status = fs::status(path, ec);
    if (fs::exists(status)) {
      if (!fs::is_directory(status)) {
        return path.string() + " is a file, not a folder";
      }
      // The nearest folder that exists is where the first file or folder gets made.
      if (::access(path.c_str(), W_OK | X_OK) != 0) {
        return path.string() + " is not writable (" + std::strerror(errno) + ")";
      }
      return std::nullopt;
    }
    if (path == path.parent_path()) {
      break;
    }
  }
  return std::nullopt;
}

}  // namespace xl
