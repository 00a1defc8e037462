// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace xl::cache {

// Free space available to this user, behind an interface so the refusal is unit-tested.
class DiskSpace {
 public:
  virtual ~DiskSpace() = default;
  // Bytes available at `path` or, when it does not exist yet, at its nearest existing
  // ancestor. nullopt when it cannot be determined.
  virtual std::optional<std::uint64_t> available(const std::filesystem::path& path) const = 0;
};

class SystemDiskSpace final : public DiskSpace {
 public:
  std::optional<std::uint64_t> available(const std::filesystem::path& path) const override;
};

// Throws Error(ExitCode::resources) "not enough disk space in {path}: need X, available Y ..."
// unless `force`. Unknown availability passes.
void check_free_space(std::uint64_t needed, std::optional<std::uint64_t> available,
                      const std::filesystem::path& path, bool force);

// A write into the cache failed with `err` (errno). Throws Error(resources) "no space left on
// device to {what} {path}: available N bytes; ..." for ENOSPC/EDQUOT (exit code 5, like every
// full disk), else Error(download) "cannot {what} {path}: {reason}".
[[noreturn]] void throw_write_error(const std::string& what, const std::filesystem::path& path, int err);

// "1.5 GiB", "812 KiB", "17 B".
std::string human_bytes(std::uint64_t bytes);

}  // namespace xl::cache
