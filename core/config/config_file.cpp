// SPDX-License-Identifier: Apache-2.0
#include "core/config/config_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "core/util/error.hpp"

namespace xl::config {

std::optional<std::string> DiskConfigFileReader::read(const std::filesystem::path& path) const {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return std::nullopt;
  }
  if (std::filesystem::is_directory(path, error)) {
    throw Error(ExitCode::usage, "config file " + path.string() + " is a directory; remove it or set XLAUNCH_HOME elsewhere");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Error(ExitCode::usage, "cannot read config file " + path.string() + ": " + std::strerror(errno) +
                                     "; fix its permissions or set XLAUNCH_HOME elsewhere");
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

std::optional<std::string> MapConfigFileReader::read(const std::filesystem::path& path) const {
  const auto found = m_files.find(path.string());
  if (found == m_files.end()) {
    return std::nullopt;
  }
  return found->second;
}

}  // namespace xl::config
