// SPDX-License-Identifier: Apache-2.0
#include "core/util/heap_tuning.hpp"

#include <cstddef>  // defines __GLIBC__ when the C library is glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace xl {

namespace {

// Blocks below this come from the heap, so they are reused after a free. 4 MiB is far above
// libcurl's receive buffers (up to 256 KiB, allocated again for each transfer); only rare, larger
// blocks still get mappings of their own. Setting it also turns off glibc's
// moving threshold, which made the first buffers mmaps and the later ones heap blocks.
constexpr int k_mmap_threshold = 4 << 20;
// Free memory at the top of the heap is returned to the kernel only past this. The download's
// whole heap stays far below it (peak RSS about 25 MiB for 500 files), so it is never shrunk
// and regrown mid-download; it is all returned at exit.
constexpr int k_trim_threshold = 128 << 20;

}  // namespace

void keep_freed_heap_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, k_mmap_threshold);
  mallopt(M_TRIM_THRESHOLD, k_trim_threshold);
#endif
}

}  // namespace xl
