// SPDX-License-Identifier: Apache-2.0
#pragma once

// The file locks one download holds, shared by the files that need the same one: ModelScope
// has one lock per repository, Hugging Face one per blob. The first file to need a lock takes
// it; it is released when the last file holding it lets go of its handle.

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "core/cache/file_lock.hpp"

namespace xl::cache {

class SharedLocks {
 public:
  // The lock on `path`, taken now (waiting and throwing like FileLock::acquire) unless a
  // handle from an earlier call is still alive. Called from one thread (the transfer engine
  // runs claims one at a time); handles may be dropped on any thread.
  std::shared_ptr<const FileLock> hold(const std::filesystem::path& path, std::chrono::milliseconds timeout,
                                       const std::atomic<bool>* cancel);

 private:
  // Keyed by the path's string: comparing path objects compares them component by component,
  // and a download holds hundreds of locks.
  std::map<std::string, std::weak_ptr<const FileLock>> m_held;
};

}  // namespace xl::cache
