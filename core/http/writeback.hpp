// SPDX-License-Identifier: Apache-2.0
#pragma once

// Early writeback for a file being downloaded. Every finished file is fsynced before it is
// renamed into place (crash safety), and on a machine with a lot of RAM nothing reaches the disk
// before that fsync: the whole file is written back while the download loop waits. Asking the
// kernel to start writeback every few MiB as bytes arrive makes the disk work while the network
// does, so the fsync at the end finds little left to write.

#include <cstddef>
#include <cstdint>

namespace xl::http {

class WritebackPacer {
 public:
  static constexpr std::uint64_t k_default_interval = 8ULL << 20;

  explicit WritebackPacer(std::uint64_t interval = k_default_interval) : m_interval(interval) {}

  // `bytes` more were written to `fd`; starts writeback of the file's dirty pages once
  // `interval` bytes have accumulated. Never blocks for the writeback itself and never fails:
  // it is an optimisation, and the final fsync still guarantees durability.
  void on_written(int fd, std::size_t bytes);
  std::uint64_t kicks() const { return m_kicks; }

 private:
  std::uint64_t m_interval;
  std::uint64_t m_pending = 0;
  std::uint64_t m_kicks = 0;
};

}  // namespace xl::http
