// SPDX-License-Identifier: Apache-2.0
#pragma once

// A file's whole content, for tests that check what reached the disk.

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

namespace xl::test {

// The bytes of `path`, or "<missing>" when it does not exist.
inline std::string read_file(const std::filesystem::path& path) {
  std::error_code error;
  const auto size = std::filesystem::file_size(path, error);
  if (error) {
    return "<missing>";
  }
  std::string bytes(size, '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  return bytes;
}

}  // namespace xl::test
