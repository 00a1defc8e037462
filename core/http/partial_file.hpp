// SPDX-License-Identifier: Apache-2.0
#pragma once

// The on-disk state of one download: `<destination>.incomplete` holds the bytes received so
// far at their final offsets (positional writes, holes allowed) and
// `<destination>.incomplete.json` records which byte ranges of it are valid:
//   {"version": 1, "size": 123 | null, "sha256": "<hex>" | null, "have": [[begin, end], ...]}
// The sidecar is replaced atomically (write temp + rename) and only ever under-reports, so a
// crash at any point leaves a resumable state. An `.incomplete` without a sidecar is what
// huggingface_hub <= 1.17 leaves (appended sequentially): when a sha256 is expected (so a wrong
// guess is caught), its length is taken as a valid prefix; otherwise it is discarded.
// The destination itself only appears through commit(): fsync (or a sync of the filesystem shared
// with other files, shared_sync.hpp), rename, then the folder's fsync (at once, or batched by a
// FolderSync).

#include "core/http/folder_sync.hpp"
#include "core/http/http_types.hpp"
#include "core/http/range_plan.hpp"
#include "core/http/writeback.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/types.h>

namespace xl::http {

// A local file operation failed; `status` is no_space for ENOSPC/EDQUOT, io_error otherwise.
class FileIoError : public std::runtime_error {
 public:
  FileIoError(FileStatus status, const std::string& message) : std::runtime_error(message), m_status(status) {}
  FileStatus status() const { return m_status; }

 private:
  FileStatus m_status;
};

// pread until `size` bytes are read or the file ends; returns the number read, or -1 with errno
// set on a read error. EINTR is retried.
ssize_t read_fully(int fd, std::uint64_t offset, char* data, std::size_t size);

// Disk space the partial of `destination` left by an earlier run occupies: the blocks it was
// given (set_size reserves them all up front) or wrote. The next run needs that much less.
std::uint64_t partial_disk_usage(const std::filesystem::path& destination);

class PartialFile {
 public:
  explicit PartialFile(const std::filesystem::path& destination);
  ~PartialFile();
  PartialFile(const PartialFile&) = delete;
  PartialFile& operator=(const PartialFile&) = delete;

  // Opens (creating the folder and file as needed) and returns the number of valid bytes kept
  // from an earlier run. A partial that disagrees with `size`/`sha256` (when given) or whose
  // sidecar is unreadable is discarded. Throws FileIoError.
  std::uint64_t open(std::optional<std::uint64_t> size, const std::optional<std::string>& sha256);
  bool is_open() const { return m_fd >= 0; }
  int fd() const { return m_fd; }  // for a reader of its own (BackgroundHasher)
  // Before open(): the file will only ever be written front to back (one range), so its length
  // on disk is exactly what it holds and no sidecar is written for it. For a small file the
  // sidecar's create, rename and unlink cost more than the data.
  void set_sequential() { m_sequential = true; }
  // Before open(): no earlier attempt at this file can have left anything, as no download took
  // its lock before (FileLock::created_file). A partial created now has no sidecar to look for:
  // for hundreds of files, looking cost a lookup each in a folder as large as the download.
  void set_first_attempt() { m_first_attempt = true; }

  // The total size once known; reserves the disk blocks (so a full disk fails now, not at 97%).
  void set_size(std::uint64_t size);
  void write(std::uint64_t offset, const char* data, std::size_t size);  // throws FileIoError
  std::size_t read(std::uint64_t offset, char* data, std::size_t size) const;  // throws FileIoError
  const IntervalSet& have() const { return m_have; }
  std::optional<std::uint64_t> known_size() const { return m_size; }
  std::uint64_t size_on_disk() const;

  // Forgets every byte (truncates to zero) and records that in the sidecar.
  void reset();
  // Rewrites the sidecar from have().
  void save_state();
  // fsync + close + rename onto the destination; removes the sidecar. The folder is fsynced
  // now, or noted in `folders` to be synced with other renames. `filesystem_synced`: a sync of
  // the whole filesystem (sync_filesystems) ran since the last write, so no fsync is needed.
  void commit(FolderSync* folders = nullptr, bool filesystem_synced = false);
  // Closes and deletes the partial and its sidecar (bad bytes are not kept for a resume).
  void discard();
  // Saves the sidecar and closes, keeping the partial for the next run. Never throws.
  void close_keeping() noexcept;

 private:
  // open() when a partial is already there: keeps what its sidecar (or its digest) vouches for.
  void resume_existing(std::optional<std::uint64_t> size, const std::optional<std::string>& sha256);
  void close_fd() noexcept;
  void remove_sidecar();
  [[noreturn]] void fail(const std::string& what, int error) const;

  // Plain strings: a std::filesystem::path splits itself into components when made or copied,
  // and hundreds of these are made before the first byte arrives.
  std::string m_destination;
  std::string m_incomplete;
  std::string m_sidecar;
  int m_fd = -1;
  std::optional<std::uint64_t> m_size;
  std::optional<std::string> m_sha256;
  IntervalSet m_have;
  WritebackPacer m_writeback;
  bool m_sequential = false;
  bool m_first_attempt = false;
  bool m_sidecar_may_exist = false;  // found at open() or written since: removing it costs an unlink
  std::optional<std::uint64_t> m_reserved;  // the size set_size() gave blocks to
};

}  // namespace xl::http
