// SPDX-License-Identifier: Apache-2.0
#include "core/cache/file_lock.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "core/util/error.hpp"
#include "core/util/open_file.hpp"

namespace xl::cache {
namespace {

namespace fs = std::filesystem;

fs::path pid_path(const fs::path& path) { return path.string() + ".pid"; }

void write_pid(int fd) {
  const std::string text = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    // Best effort: the pid is only used for messages and stale detection.
    [[maybe_unused]] const ssize_t n = ::pwrite(fd, text.data(), text.size(), 0);
  }
}

bool flock_unsupported(int err) { return err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS || err == EINVAL; }

enum class Attempt { acquired, busy, unsupported };

// The O_EXCL fallback; takes over a lock whose holder is dead.
std::optional<int> try_pid_lock(const fs::path& path) {
  const fs::path marker = pid_path(path);
  for (int round = 0; round < 2; ++round) {
    const int fd = ::open(marker.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0664);
    if (fd >= 0) {
      write_pid(fd);
      return fd;
    }
    if (errno != EEXIST) {
      throw Error(ExitCode::download, "cannot create lock " + marker.string() + ": " + std::strerror(errno));
    }
    auto holder = lock_holder_pid(marker);
    if (!holder || process_alive(*holder)) {
      return std::nullopt;
    }
    ::unlink(marker.c_str());  // the holder died without cleaning up
  }
  return std::nullopt;
}

}  // namespace

bool process_alive(long pid) {
  if (pid <= 0) {
    return false;
  }
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::optional<long> flock_holder_pid(const fs::path& path, const fs::path& proc_locks) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    return std::nullopt;
  }
  // Lines read "1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF": pid, then the file's
  // device (major:minor, hex) and inode. A waiter's line has "->" after its number; skip it.
  std::ifstream in(proc_locks);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string number, kind, mode, access, device;
    long pid = 0;
    if (!(fields >> number >> kind) || kind != "FLOCK" || !(fields >> mode >> access >> pid >> device)) {
      continue;
    }
    unsigned major_id = 0, minor_id = 0;
    unsigned long long inode = 0;
    if (std::sscanf(device.c_str(), "%x:%x:%llu", &major_id, &minor_id, &inode) == 3 &&
        inode == static_cast<unsigned long long>(info.st_ino) && major_id == major(info.st_dev) &&
        minor_id == minor(info.st_dev) && pid > 0) {
      return pid;
    }
  }
  return std::nullopt;
}

std::optional<long> lock_holder_pid(const fs::path& path) {
  if (auto pid = flock_holder_pid(path)) {
    return pid;
  }
  // The fallback lock, and lock files of xlaunch versions that wrote their pid into them.
  for (const fs::path& candidate : {path, pid_path(path)}) {
    std::ifstream in(candidate);
    long pid = 0;
    if (in >> pid && pid > 0) {
      return pid;
    }
  }
  return std::nullopt;
}

std::optional<FileLock> FileLock::try_acquire(const fs::path& path) {
  // An exclusive create first, to learn whether anyone took this lock before (created_file()).
  // When the file is there, that costs one failed open more.
  bool created = true;
  int fd = open_making_folders(path.native(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0664);
  if (fd < 0 && errno == EEXIST) {
    created = false;
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0664);
  }
  if (fd < 0) {
    throw Error(ExitCode::download, "cannot open lock " + path.string() + ": " + std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
    // Nothing is written into the file: the kernel names the holder (/proc/locks), and a
    // download takes one lock per blob, hundreds for a sharded model.
    return FileLock(path, fd, false, created);
  }
  const int err = errno;
  ::close(fd);
  if (err == EWOULDBLOCK || err == EINTR) {
    return std::nullopt;
  }
  if (!flock_unsupported(err)) {
    throw Error(ExitCode::download, "cannot lock " + path.string() + ": " + std::strerror(err));
  }
  if (auto pid_fd = try_pid_lock(path)) {
    return FileLock(path, *pid_fd, true, false);
  }
  return std::nullopt;
}

FileLock FileLock::acquire(const fs::path& path, std::chrono::milliseconds timeout,
                           const std::atomic<bool>* cancel) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(10);
  while (true) {
    if (auto lock = try_acquire(path)) {
      return std::move(*lock);
    }
    if (cancel != nullptr && cancel->load()) {
      throw Error(ExitCode::interrupted, "interrupted while waiting for the lock " + path.string());
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      break;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(250));
  }
  const auto holder = lock_holder_pid(path);
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
  std::string who = holder ? "process " + std::to_string(*holder) + (process_alive(*holder) ? "" : " (no longer running)")
                           : std::string("another process");
  throw Error(ExitCode::download, "timed out after " + std::to_string(seconds) + " s waiting for the lock " +
                                      path.string() + " held by " + who +
                                      "; wait for that download to finish or stop it");
}

FileLock::FileLock(FileLock&& other) noexcept
    : m_path(std::move(other.m_path)), m_fd(other.m_fd), m_pid_file(other.m_pid_file),
      m_created_file(other.m_created_file) {
  other.m_fd = -1;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    m_path = std::move(other.m_path);
    m_fd = other.m_fd;
    m_pid_file = other.m_pid_file;
    m_created_file = other.m_created_file;
    other.m_fd = -1;
  }
  return *this;
}

FileLock::~FileLock() { release(); }

void FileLock::release() noexcept {
  if (m_fd < 0) {
    return;
  }
  if (m_pid_file) {
    ::unlink(pid_path(m_path).c_str());
  }
  // Closing the only descriptor releases the flock; the file stays, as huggingface_hub's do.
  ::close(m_fd);
  m_fd = -1;
}

}  // namespace xl::cache
