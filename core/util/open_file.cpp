// SPDX-License-Identifier: Apache-2.0
#include "core/util/open_file.hpp"

#include "core/util/strings.hpp"

#include <cerrno>
#include <fcntl.h>
#include <filesystem>
#include <system_error>

namespace xl {

int open_making_folders(const std::string& path, int flags, mode_t mode) {
  int fd = ::open(path.c_str(), flags, mode);
  if (fd < 0 && errno == ENOENT && (flags & O_CREAT) != 0) {
    const auto folder = folder_part(path);
    if (!folder.empty()) {
      std::error_code ignored;  // a folder that cannot be made shows in the second open's errno
      std::filesystem::create_directories(std::filesystem::path(folder), ignored);
      fd = ::open(path.c_str(), flags, mode);
    }
  }
  return fd;
}

}  // namespace xl
