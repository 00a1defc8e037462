// SPDX-License-Identifier: Apache-2.0
#include "core/http/background_hasher.hpp"

#include "core/http/partial_file.hpp"
#include "core/http/transfer_settings.hpp"
#include "core/util/thread_name.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>

namespace xl::http {

namespace {

// Per turn of the worker: large enough to amortise the lock, small enough that reset() and
// finish() never wait long for the chunk in progress.
constexpr std::uint64_t k_chunk = 8 * k_mebibyte;
// Bytes waiting before an idle worker is woken: a few reads' worth, so that it does not sleep
// and wake again for every socket read.
constexpr std::uint64_t k_wake_after = k_mebibyte;

}  // namespace

BackgroundHasher::BackgroundHasher(int fd) : m_fd(::fcntl(fd, F_DUPFD_CLOEXEC, 0)) {
  if (m_fd < 0) {
    throw std::system_error(errno, std::generic_category(), "duplicate the partial file's descriptor");
  }
  m_worker = std::thread([this] {
    name_this_thread("xlaunch-hash");
    work();
  });
}

BackgroundHasher::~BackgroundHasher() {
  {
    std::lock_guard lock(m_mutex);
    m_stop = true;
  }
  m_wake.notify_all();
  m_worker.join();
  ::close(m_fd);
}

void BackgroundHasher::advance(std::uint64_t prefix_end) {
  {
    std::lock_guard lock(m_mutex);
    if (prefix_end <= m_target) {
      return;
    }
    m_target = prefix_end;
    // The loop reports every socket read, tens of KiB, and the worker hashes faster than they
    // come: woken for each, it slept and woke again for every one. A busy worker takes the new
    // target when its chunk is done; an idle one is woken once a full read is waiting
    // (finish() wakes it for the rest).
    if (m_busy || m_target - m_hashed < k_wake_after) {
      return;
    }
  }
  m_wake.notify_one();
}

void BackgroundHasher::reset() {
  std::unique_lock lock(m_mutex);
  m_resetting = true;  // the worker takes no new chunk, so the wait below is one chunk at most
  m_progress.wait(lock, [this] { return !m_busy; });
  m_hasher.reset();
  m_target = 0;
  m_hashed = 0;
  m_error.clear();
  m_resetting = false;
}

BackgroundHasher::Digest BackgroundHasher::finish(std::uint64_t size) {
  std::unique_lock lock(m_mutex);
  m_target = std::max(m_target, size);
  m_wake.notify_one();
  m_progress.wait(lock, [&] { return !m_busy && (m_hashed >= size || !m_error.empty()); });
  if (!m_error.empty()) {
    return {m_hashed, {}, m_error};
  }
  return {m_hashed, m_hasher.hex_digest(), {}};
}

void BackgroundHasher::work() {
  const PrefixHasher::Reader read = [this](std::uint64_t offset, char* data, std::size_t size) {
    const ssize_t n = read_fully(m_fd, offset, data, size);
    if (n < 0) {
      throw FileIoError(FileStatus::io_error, std::string("cannot read back for hashing: ") + std::strerror(errno));
    }
    return static_cast<std::size_t>(n);
  };
  std::unique_lock lock(m_mutex);
  while (true) {
    m_wake.wait(lock, [this] { return m_stop || (!m_resetting && m_error.empty() && m_target > m_hashed); });
    if (m_stop) {
      return;
    }
    IntervalSet present;
    present.add(0, std::min(m_target, m_hashed + k_chunk));
    m_busy = true;
    lock.unlock();
    std::string error;
    try {
      m_hasher.catch_up(present, read);
    } catch (const std::exception& failure) {
      error = failure.what();
    }
    lock.lock();
    m_busy = false;
    m_hashed = m_hasher.hashed();
    m_error = std::move(error);
    m_progress.notify_all();
  }
}

}  // namespace xl::http
