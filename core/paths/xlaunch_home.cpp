// SPDX-License-Identifier: Apache-2.0
#include "core/paths/xlaunch_home.hpp"

#include <cstdlib>

#include "core/util/error.hpp"

namespace xl {

std::filesystem::path xlaunch_home() {
  if (const char* home = std::getenv("XLAUNCH_HOME"); home && *home) {
    return home;
  }
  if (const char* user_home = std::getenv("HOME"); user_home && *user_home) {
    return std::filesystem::path(user_home) / ".xlaunch";
  }
  throw Error(ExitCode::usage, "neither XLAUNCH_HOME nor HOME is set; set XLAUNCH_HOME to a folder xlaunch may write to");
}

}  // namespace xl
