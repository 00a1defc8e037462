// SPDX-License-Identifier: Apache-2.0
#pragma once

// An exclusive inter-process lock on a file, with a timeout (hubs.md D1, D2).
//
// Primary mechanism: flock(2) on `path`, the lock huggingface_hub's filelock takes too, so
// xlaunch and Python clients exclude each other on the same blob. The kernel releases a flock
// when its holder dies, so a crashed holder never blocks anyone. A timeout message names the
// holder from /proc/locks; nothing is written into the lock file.
// Fallback when the filesystem has no flock (some NFS mounts): an existence lock
// `{path}.pid` created with O_EXCL; one whose recorded pid is no longer alive on this host
// is taken over.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <optional>

namespace xl::cache {

class FileLock {
 public:
  // Waits at most `timeout` (polling) for the lock. Creates parent folders and the file
  // (mode 0664). Throws Error(ExitCode::download) naming the file and the holder's pid on
  // timeout, and on any other failure; Error(ExitCode::interrupted) within a quarter of a
  // second once `*cancel` is set.
  static FileLock acquire(const std::filesystem::path& path, std::chrono::milliseconds timeout,
                          const std::atomic<bool>* cancel = nullptr);

  // One attempt, no waiting: nullopt when someone else holds it.
  static std::optional<FileLock> try_acquire(const std::filesystem::path& path);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  const std::filesystem::path& path() const { return m_path; }
  // Whether taking the lock created its file: no one had taken this lock before, here or in
  // huggingface_hub, since the file stays after each release. False for the fallback lock.
  bool created_file() const { return m_created_file; }

 private:
  FileLock(std::filesystem::path path, int fd, bool pid_file, bool created_file)
      : m_path(std::move(path)), m_fd(fd), m_pid_file(pid_file), m_created_file(created_file) {}
  void release() noexcept;

  std::filesystem::path m_path;
  int m_fd = -1;
  bool m_pid_file = false;  // fallback lock: remove `{path}.pid` on release
  bool m_created_file = false;
};

// The pid holding a lock: the flock holder named by the kernel, else the pid recorded in a
// fallback lock file, if any.
std::optional<long> lock_holder_pid(const std::filesystem::path& path);

// The pid holding a flock on `path`, as listed in `proc_locks` (Linux's /proc/locks format).
std::optional<long> flock_holder_pid(const std::filesystem::path& path,
                                     const std::filesystem::path& proc_locks = "/proc/locks");

// Whether a process with this pid exists on this host.
bool process_alive(long pid);

}  // namespace xl::cache
