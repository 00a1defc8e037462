// SPDX-License-Identifier: Apache-2.0
#pragma once

// Makes many small files durable with one sync of their filesystem (syncfs) instead of one
// fsync each. On this project's 2-core virtual machine, an fsync after each of 500 files of
// 64 KiB cost a third of the whole download (bench/duty_costs.sh: 0.41 s with it, 0.27 s
// without): each one writes its file and its inode's table block as separate requests, waits
// for them and flushes the device, all while the download still needs both cores. Syncing
// them together at the end writes them in a few large requests, once. Batching the fsyncs
// during the transfer in rounds of a few files (tried) won back a tenth at most.
//
// Only where syncfs is known to write and flush everything, as fsync would: ext2/3/4, XFS,
// Btrfs, F2FS, ZFS and tmpfs. On FUSE, for one, syncfs does nothing unless the server
// implements it; there, and wherever the sync fails, each file keeps its own fsync.
//
// A sync of the filesystem also writes whatever else it holds unwritten, this download's large
// files and other programs' data. That is why FetchRun runs it on a thread of its own, once the
// transfers are done (or a batch is full, or a file has waited a second), and why a stop
// fsyncs the waiting files one by one instead.

#include <vector>

namespace xl::http {

// Whether a sync of the whole filesystem holding `fd` makes the file durable.
bool shared_sync_covers(int fd);

// Syncs every filesystem that holds one of `fds`, once each; false when one could not be
// synced (the files must then be fsynced one by one). Since Linux 5.8 syncfs also fails for a
// write error met since its descriptor was opened; PartialFile checks each file's own errors.
bool sync_filesystems(const std::vector<int>& fds);

}  // namespace xl::http
