// SPDX-License-Identifier: Apache-2.0
#include "core/util/heap_tuning.hpp"

#include <doctest/doctest.h>

#include <cstdlib>
#include <vector>

#if defined(__GLIBC__)
#include <malloc.h>
#include <unistd.h>
#endif

// The sanitizers bring their own allocator, which ignores mallopt.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define XL_OWN_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define XL_OWN_ALLOCATOR 1
#endif
#endif

#if defined(__GLIBC__) && !defined(XL_OWN_ALLOCATOR)
TEST_CASE("freed receive buffers stay in the heap, neither mapped one by one nor trimmed away") {
  xl::keep_freed_heap_memory();
  // 32 blocks the size of libcurl's receive buffer (+1, as libcurl allocates it): 8 MiB, well
  // past glibc's default thresholds (128 KiB to map a block, and a moving trim threshold of at
  // most 64 MiB that starts at 128 KiB).
  constexpr std::size_t k_block = (256 << 10) + 1;
  const std::size_t mapped_before = mallinfo2().hblks;
  std::vector<void*> blocks;
  for (int i = 0; i < 32; ++i) {
    blocks.push_back(std::malloc(k_block));
    REQUIRE(blocks.back() != nullptr);
    static_cast<char*>(blocks.back())[0] = 1;
  }
  CHECK(mallinfo2().hblks == mapped_before);  // none has a mapping of its own
  void* const top = sbrk(0);
  for (auto it = blocks.rbegin(); it != blocks.rend(); ++it) {
    std::free(*it);
  }
  CHECK(sbrk(0) == top);  // freeing them did not shrink the heap
}
#endif
