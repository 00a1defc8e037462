// SPDX-License-Identifier: Apache-2.0
#pragma once

// System RAM: /proc/meminfo on Linux (capped by a cgroup v2 limit in containers), sysctl
// hw.memsize on macOS. Parsing is pure; reading goes through the given callbacks/runner.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xl::exec {
class CommandRunner;
}

namespace xl::hardware {

struct MemoryInfo {
  std::uint64_t total_bytes = 0;
  std::uint64_t available_bytes = 0;  // what a new process can use without swapping
};

// MemTotal and MemAvailable (else MemFree + Buffers + Cached, as on old kernels), in bytes.
// Nullopt when MemTotal is missing.
std::optional<MemoryInfo> parse_meminfo(std::string_view text);

// Applies a cgroup v2 `memory.max` ("max" or bytes) and `memory.current` (bytes): a container
// cannot use more than max - current, whatever the host has.
MemoryInfo apply_cgroup_limit(MemoryInfo info, std::string_view memory_max,
                              std::string_view memory_current);

// This machine's memory: Linux from /proc/meminfo (+ /sys/fs/cgroup/memory.{max,current}),
// macOS from `sysctl -n hw.memsize` (available = total: unified memory, nothing better to ask
// without Metal). Nullopt when neither works.
std::optional<MemoryInfo> read_host_memory(exec::CommandRunner& runner);

}  // namespace xl::hardware
