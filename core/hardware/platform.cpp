// SPDX-License-Identifier: Apache-2.0
#include "core/hardware/platform.hpp"

#include <sys/utsname.h>

#include <algorithm>
#include <cctype>

namespace xl::hardware {

Platform host_platform() {
  utsname name{};
  if (uname(&name) != 0) {
    return Platform{"unknown", "unknown"};
  }
  Platform platform{name.sysname, name.machine};
  std::transform(platform.os.begin(), platform.os.end(), platform.os.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  // Linux says aarch64 where macOS says arm64: one spelling so rules compare one string.
  if (platform.arch == "aarch64") {
    platform.arch = "arm64";
  }
  return platform;
}

}  // namespace xl::hardware
