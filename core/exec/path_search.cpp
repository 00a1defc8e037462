// SPDX-License-Identifier: Apache-2.0
#include "core/exec/path_search.hpp"

#include <sys/stat.h>
#include <unistd.h>

namespace xl::exec {

bool is_executable_file(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
         access(path.c_str(), X_OK) == 0;
}

std::optional<std::string> find_in_path(const std::string& name, const std::string& path_env) {
  if (name.empty()) {
    return std::nullopt;
  }
  if (name.find('/') != std::string::npos) {
    return is_executable_file(name) ? std::optional<std::string>(name) : std::nullopt;
  }
  std::size_t start = 0;
  while (start <= path_env.size()) {
    auto end = path_env.find(':', start);
    if (end == std::string::npos) {
      end = path_env.size();
    }
    std::string dir = path_env.substr(start, end - start);
    const std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (is_executable_file(candidate)) {
      return candidate;
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::string sibling_program(const std::string& program, const std::string& name) {
  const auto slash = program.rfind('/');
  if (slash == std::string::npos) {
    return name;
  }
  return program.substr(0, slash + 1) + name;
}

}  // namespace xl::exec
