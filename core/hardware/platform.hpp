// SPDX-License-Identifier: Apache-2.0
#pragma once

// The operating system and CPU architecture xlaunch runs on. Engines are gated on it (MLX only
// on macOS arm64, vLLM and SGLang only on Linux). A plain value so tests can name any platform.

#include <string>

namespace xl::hardware {

struct Platform {
  std::string os;    // "linux", "darwin", ... (uname sysname, lower-cased)
  std::string arch;  // "x86_64", "arm64" (aarch64 is reported as "arm64")

  bool is_linux() const { return os == "linux"; }
  bool is_macos() const { return os == "darwin"; }
  bool is_macos_arm64() const { return is_macos() && arch == "arm64"; }
  // "linux x86_64", for messages.
  std::string display() const { return os + " " + arch; }
};

// The platform of this process, from uname(2).
Platform host_platform();

}  // namespace xl::hardware
