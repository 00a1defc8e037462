// SPDX-License-Identifier: Apache-2.0
#pragma once

namespace xl {

// Tells glibc's allocator to keep what the process frees for reuse instead of handing it back
// to the kernel at once. A download frees and allocates the same blocks (libcurl's receive
// buffers, one per transfer) thousands of times; by default each 256 KiB buffer first comes
// from mmap, and later frees shrink the heap with brk. Every shrink of a multi-threaded
// process's address space flushes the TLB of each core running one of its threads (an
// inter-processor interrupt, which costs a VM exit on virtual machines), and every regrowth
// page-faults the buffer in again. Call once, early in main(); without glibc it does nothing.
void keep_freed_heap_memory();

}  // namespace xl
