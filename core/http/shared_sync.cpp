// SPDX-License-Identifier: Apache-2.0
#include "core/http/shared_sync.hpp"

#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/magic.h>
#include <sys/vfs.h>
#endif

#include <set>

namespace xl::http {

bool shared_sync_covers(int fd) {
#ifdef __linux__
  struct statfs info {};
  if (::fstatfs(fd, &info) != 0) {
    return false;
  }
  // ZFS's and F2FS's numbers are not in linux/magic.h.
  constexpr long k_zfs = 0x2fc12fc1;
  constexpr long k_f2fs = 0xf2f52010;
  switch (static_cast<long>(info.f_type)) {
    case EXT4_SUPER_MAGIC:  // also ext2 and ext3
    case XFS_SUPER_MAGIC:
    case BTRFS_SUPER_MAGIC:
    case TMPFS_MAGIC:
    case k_zfs:
    case k_f2fs:
      return true;
    default:
      return false;
  }
#else
  (void)fd;
  return false;
#endif
}

bool sync_filesystems(const std::vector<int>& fds) {
#ifdef __linux__
  std::set<dev_t> synced;
  for (const int fd : fds) {
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
      return false;
    }
    if (synced.insert(info.st_dev).second && ::syncfs(fd) != 0) {
      return false;
    }
  }
  return true;
#else
  return fds.empty();
#endif
}

}  // namespace xl::http
