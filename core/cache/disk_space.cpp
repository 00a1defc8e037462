// SPDX-License-Identifier: Apache-2.0
#include "core/cache/disk_space.hpp"

#include <sys/statvfs.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/util/error.hpp"

namespace xl::cache {

std::optional<std::uint64_t> SystemDiskSpace::available(const std::filesystem::path& path) const {
  std::filesystem::path probe = path.empty() ? std::filesystem::path(".") : path;
  std::error_code ec;
  while (!std::filesystem::exists(probe, ec)) {
    if (!probe.has_parent_path() || probe.parent_path() == probe) {
      return std::nullopt;
    }
    probe = probe.parent_path();
  }
  struct statvfs info {};
  if (::statvfs(probe.c_str(), &info) != 0) {
    return std::nullopt;
  }
  return static_cast<std::uint64_t>(info.f_bavail) * static_cast<std::uint64_t>(info.f_frsize);
}

std::string human_bytes(std::uint64_t bytes) {
  static constexpr std::array<const char*, 6> k_units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) {
    return std::to_string(bytes) + " B";
  }
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024.0 && unit + 1 < k_units.size()) {
    value /= 1024.0;
    ++unit;
  }
  std::array<char, 32> text{};
  std::snprintf(text.data(), text.size(), value < 10 ? "%.2f %s" : (value < 100 ? "%.1f %s" : "%.0f %s"), value,
                k_units[unit]);
  return text.data();
}

void check_free_space(std::uint64_t needed, std::optional<std::uint64_t> available, const std::filesystem::path& path,
                      bool force) {
  if (force || !available || *available >= needed) {
    return;
  }
  throw Error(ExitCode::resources, "not enough disk space in " + path.string() + ": need " + human_bytes(needed) +
                                       " (" + std::to_string(needed) + " bytes), available " +
                                       human_bytes(*available) + " (" + std::to_string(*available) +
                                       " bytes); free space, choose another folder with --cache-dir, or pass --force");
}

void throw_write_error(const std::string& what, const std::filesystem::path& path, int err) {
  if (err == ENOSPC || err == EDQUOT) {
    const auto available = SystemDiskSpace().available(path.parent_path());
    throw Error(ExitCode::resources, "no space left on device to " + what + " " + path.string() + ": available " +
                                         (available ? std::to_string(*available) : std::string("unknown")) +
                                         " bytes; free space (or choose another folder with --cache-dir) and "
                                         "run again");
  }
  throw Error(ExitCode::download, "cannot " + what + " " + path.string() + ": " + std::strerror(err));
}

}  // namespace xl::cache
