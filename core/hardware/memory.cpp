// SPDX-License-Identifier: Apache-2.0
#include "core/hardware/memory.hpp"

#include <charconv>
#include <fstream>
#include <map>
#include <sstream>

#include "core/exec/command_runner.hpp"
#include "core/exec/path_search.hpp"

namespace xl::hardware {
namespace {

std::optional<std::uint64_t> to_u64(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty()) {
    return std::nullopt;
  }
  return value;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    return std::nullopt;
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

std::optional<MemoryInfo> parse_meminfo(std::string_view text) {
  std::map<std::string, std::uint64_t, std::less<>> kib;
  std::size_t start = 0;
  while (start < text.size()) {
    auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const auto line = text.substr(start, end - start);
    start = end + 1;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    auto value = line.substr(colon + 1);
    if (const auto unit = value.find("kB"); unit != std::string_view::npos) {
      value = value.substr(0, unit);
    }
    if (auto number = to_u64(value)) {
      kib.emplace(std::string(line.substr(0, colon)), *number);
    }
  }
  const auto total = kib.find("MemTotal");
  if (total == kib.end()) {
    return std::nullopt;
  }
  MemoryInfo info;
  info.total_bytes = total->second * 1024;
  if (const auto available = kib.find("MemAvailable"); available != kib.end()) {
    info.available_bytes = available->second * 1024;
  } else {
    std::uint64_t sum = 0;
    for (const char* name : {"MemFree", "Buffers", "Cached"}) {
      if (const auto it = kib.find(name); it != kib.end()) {
        sum += it->second;
      }
    }
    info.available_bytes = sum * 1024;
  }
  return info;
}

MemoryInfo apply_cgroup_limit(MemoryInfo info, std::string_view memory_max,
                              std::string_view memory_current) {
  const auto max = to_u64(memory_max);  // "max" = unlimited -> nullopt
  if (!max) {
    return info;
  }
  const auto current = to_u64(memory_current).value_or(0);
  const std::uint64_t room = *max > current ? *max - current : 0;
  if (*max < info.total_bytes) {
    info.total_bytes = *max;
  }
  if (room < info.available_bytes) {
    info.available_bytes = room;
  }
  return info;
}

std::optional<MemoryInfo> read_host_memory(exec::CommandRunner& runner) {
  if (const auto meminfo = read_file("/proc/meminfo")) {
    auto info = parse_meminfo(*meminfo);
    if (info) {
      const auto max = read_file("/sys/fs/cgroup/memory.max");
      const auto current = read_file("/sys/fs/cgroup/memory.current");
      if (max) {
        info = apply_cgroup_limit(*info, *max, current.value_or(""));
      }
    }
    return info;
  }
  for (const char* sysctl : {"/usr/sbin/sysctl", "/sbin/sysctl"}) {
    if (!exec::is_executable_file(sysctl)) {
      continue;
    }
    const auto result = runner.run({sysctl, "-n", "hw.memsize"}, std::chrono::seconds(5));
    if (result.exit_code == 0) {
      if (auto bytes = to_u64(result.output)) {
        return MemoryInfo{*bytes, *bytes};
      }
    }
  }
  return std::nullopt;
}

}  // namespace xl::hardware
