// SPDX-License-Identifier: Apache-2.0
#pragma once

// sha256 of a large file on its own thread, following the download. Hashing on the transfer
// loop's thread serialises two CPU-bound jobs, receiving and hashing: a 2 GiB file then costs
// the sum of both. Here the loop only reports how far the file is contiguous on disk, and a
// worker reads those bytes back (from the page cache: they were written a moment ago) and hashes
// them on another core while the rest still streams in. It reads them with pread into a
// buffer of 256 KiB (PrefixHasher::catch_up). Hashing them where they lie, through read-only
// mappings of the page cache, saves that copy but took half again as much CPU on a virtual
// machine: every freshly mapped page is a TLB miss with a two-level page walk, and every
// unmapping interrupts the loop's core to flush its TLB.

#include "core/http/prefix_hasher.hpp"

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace xl::http {

class BackgroundHasher {
 public:
  struct Digest {
    std::uint64_t hashed = 0;
    std::string hex;    // empty when error is set
    std::string error;  // the bytes could not be read back
  };

  // `fd` is the open partial file; the hasher keeps its own duplicate of it.
  explicit BackgroundHasher(int fd);
  ~BackgroundHasher();
  BackgroundHasher(const BackgroundHasher&) = delete;
  BackgroundHasher& operator=(const BackgroundHasher&) = delete;

  // Bytes [0, prefix_end) of the file are written: they may be hashed.
  void advance(std::uint64_t prefix_end);
  // The file is about to be truncated and refilled: waits for the chunk in progress, starts over.
  void reset();
  // Waits until `size` bytes are hashed, or reading them failed.
  Digest finish(std::uint64_t size);

 private:
  void work();

  int m_fd = -1;
  std::mutex m_mutex;
  std::condition_variable m_wake;      // the worker: more to hash, or stop
  std::condition_variable m_progress;  // the waiters: a chunk is done
  std::uint64_t m_target = 0;
  std::uint64_t m_hashed = 0;
  bool m_busy = false;  // the worker is hashing outside the lock: m_hasher is its own
  bool m_stop = false;
  bool m_resetting = false;
  std::string m_error;
  PrefixHasher m_hasher;
  std::thread m_worker;  // last: started after the rest exists
};

}  // namespace xl::http
