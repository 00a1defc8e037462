// SPDX-License-Identifier: Apache-2.0
#include "core/cache/shared_locks.hpp"

namespace xl::cache {

std::shared_ptr<const FileLock> SharedLocks::hold(const std::filesystem::path& path, std::chrono::milliseconds timeout,
                                                  const std::atomic<bool>* cancel) {
  auto& entry = m_held[path.native()];
  if (auto held = entry.lock()) {
    return held;
  }
  // Right after the last handle is dropped its descriptor may still be open for a moment, and
  // flock treats our own second descriptor as anyone else's: the wait then polls once (10 ms).
  auto lock = std::make_shared<const FileLock>(FileLock::acquire(path, timeout, cancel));
  entry = lock;
  return lock;
}

}  // namespace xl::cache
