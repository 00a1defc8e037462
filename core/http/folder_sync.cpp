// SPDX-License-Identifier: Apache-2.0
#include "core/http/folder_sync.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <utility>

namespace xl::http {

bool fsync_folder(const std::filesystem::path& folder) {
  const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return false;
  }
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

FolderSync::FolderSync(std::chrono::milliseconds interval, SyncFolder sync_folder,
                       std::function<Clock::time_point()> now)
    : m_interval(interval),
      m_sync_folder(sync_folder ? std::move(sync_folder) : [](const std::filesystem::path& folder) { fsync_folder(folder); }),
      m_now(std::move(now)),
      m_last_sync(m_now()) {}

void FolderSync::renamed_into(std::string folder) {
  std::set<std::string> due;
  {
    std::lock_guard lock(m_mutex);
    m_pending.insert(std::move(folder));
    const auto now = m_now();
    if (now - m_last_sync < m_interval) {
      return;
    }
    m_last_sync = now;
    due.swap(m_pending);
  }
  sync_all(std::move(due));
}

void FolderSync::flush() {
  std::set<std::string> due;
  {
    std::lock_guard lock(m_mutex);
    m_last_sync = m_now();
    due.swap(m_pending);
  }
  sync_all(std::move(due));
}

void FolderSync::sync_all(std::set<std::string> folders) const {
  for (const auto& folder : folders) {
    m_sync_folder(folder);
  }
}

}  // namespace xl::http
