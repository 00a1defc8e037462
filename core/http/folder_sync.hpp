// SPDX-License-Identifier: Apache-2.0
#pragma once

// Makes renames durable in batches. A renamed file's name is durable only once its folder is
// fsynced, and an fsync of a folder is one journal commit: after each of 500 small files that
// is 500 commits, one per file on top of the file's own. A rename whose folder was not synced yet is
// harmless to lose in a crash: the file was fsynced under its `.incomplete` name, and the next
// run verifies it there and renames it again without fetching a byte. So renames are noted here,
// a folder is synced at most once per `interval` while files keep arriving, and flush() syncs
// the rest before the transfer reports success. A crash loses at most `interval` of renames.

#include <chrono>
#include <filesystem>
#include <functional>
#include <mutex>
#include <set>
#include <string>

namespace xl::http {

class FolderSync {
 public:
  using Clock = std::chrono::steady_clock;
  using SyncFolder = std::function<void(const std::filesystem::path&)>;

  // `sync_folder` defaults to open + fsync + close (errors ignored: the files themselves are
  // already durable, only their names could be lost).
  explicit FolderSync(std::chrono::milliseconds interval = std::chrono::seconds(1), SyncFolder sync_folder = {},
                      std::function<Clock::time_point()> now = Clock::now);

  // A file was just renamed into `folder`. Thread-safe. Syncs every noted folder when the last
  // sync is `interval` old, on the calling thread. A string, not a path: called once per file,
  // and a set of paths compares them component by component.
  void renamed_into(std::string folder);
  // Syncs every folder noted since the last sync. Thread-safe.
  void flush();

 private:
  void sync_all(std::set<std::string> folders) const;

  std::chrono::milliseconds m_interval;
  SyncFolder m_sync_folder;
  std::function<Clock::time_point()> m_now;
  std::mutex m_mutex;
  std::set<std::string> m_pending;
  Clock::time_point m_last_sync;
};

// open + fsync + close of a folder; false when it could not be opened or synced.
bool fsync_folder(const std::filesystem::path& folder);

}  // namespace xl::http
