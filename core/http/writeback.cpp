// SPDX-License-Identifier: Apache-2.0
#include "core/http/writeback.hpp"

#include <fcntl.h>

namespace xl::http {

void WritebackPacer::on_written(int fd, std::size_t bytes) {
  m_pending += bytes;
  if (m_pending < m_interval || fd < 0) {
    return;
  }
  m_pending = 0;
  ++m_kicks;
#ifdef __linux__
  // Offset 0, length 0: every dirty page of the file that is not already being written back,
  // which also covers ranges that arrived out of order.
  ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
#endif
}

}  // namespace xl::http
