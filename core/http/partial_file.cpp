// SPDX-License-Identifier: Apache-2.0
#include "core/http/partial_file.hpp"

#include "core/util/open_file.hpp"
#include "core/util/strings.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace xl::http {

namespace fs = std::filesystem;

namespace {

std::string describe_errno(int error) {
  return std::strerror(error);
}

bool is_out_of_space(int error) { return error == ENOSPC || error == EDQUOT; }

}  // namespace

ssize_t read_fully(int fd, std::uint64_t offset, char* data, std::size_t size) {
  std::size_t done = 0;
  while (done < size) {
    const ssize_t n = ::pread(fd, data + done, size - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      return -1;
    }
    if (n == 0) {
      break;  // the end of the file
    }
    done += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(done);
}

std::uint64_t partial_disk_usage(const fs::path& destination) {
  struct stat info {};
  if (::stat((destination.string() + ".incomplete").c_str(), &info) != 0) {
    return 0;
  }
  return static_cast<std::uint64_t>(info.st_blocks) * 512;  // st_blocks counts 512-byte units
}

PartialFile::PartialFile(const fs::path& destination)
    : m_destination(destination.native()),
      m_incomplete(m_destination + ".incomplete"),
      m_sidecar(m_destination + ".incomplete.json") {}

PartialFile::~PartialFile() { close_fd(); }

void PartialFile::fail(const std::string& what, int error) const {
  if (is_out_of_space(error)) {
    // The numbers the user needs to act: what is still to come, what the disk has left.
    std::string needed = "more bytes";
    if (m_size) {
      needed = std::to_string(*m_size - std::min(*m_size, m_have.total())) + " more bytes";
    }
    struct statvfs info {};
    const fs::path folder = fs::path(m_incomplete).parent_path();
    std::string available = "unknown";
    if (::statvfs(folder.empty() ? "." : folder.c_str(), &info) == 0) {
      available = std::to_string(static_cast<std::uint64_t>(info.f_bavail) * static_cast<std::uint64_t>(info.f_frsize));
    }
    throw FileIoError(FileStatus::no_space, "no space left on device to " + what + " " + m_incomplete +
                                                ": need " + needed + ", available " + available + " bytes");
  }
  throw FileIoError(FileStatus::io_error, "cannot " + what + " " + m_incomplete + ": " + describe_errno(error));
}

std::uint64_t PartialFile::open(std::optional<std::uint64_t> size, const std::optional<std::string>& sha256) {
  m_size = size;
  m_sha256 = sha256;
  m_have.clear();
  m_reserved.reset();
  // Almost every partial is new: one exclusive create says so, where looking for an old one
  // first cost a stat, and measuring it an fstat, for each of hundreds of files.
  m_fd = open_making_folders(m_incomplete, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (m_fd < 0 && errno != EEXIST) {
    fail("create", errno);
  }
  // Also a sidecar without its partial (a crash right after a discard): commit() removes it.
  // A plain stat: a path object would be made (and split into components) for every file.
  // Not on a first attempt whose partial is new: only a download that took the file's lock
  // writes a sidecar. (Should one be there all the same, say after someone deleted the locks,
  // it stays: a resume reads it only with its partial, where a partial that keeps a record
  // replaces it when it opens and a sequential one keeps only what its length vouches for.)
  if (m_first_attempt && m_fd >= 0) {
    m_sidecar_may_exist = false;
  } else {
    struct stat sidecar {};
    m_sidecar_may_exist = ::stat(m_sidecar.c_str(), &sidecar) == 0;
  }
  if (m_fd < 0) {
    resume_existing(size, sha256);
  }
  save_state();
  if (m_size) {
    set_size(*m_size);
  }
  return m_have.total();
}

void PartialFile::resume_existing(std::optional<std::uint64_t> size, const std::optional<std::string>& sha256) {
  std::error_code ignored;
  // The sidecar comes first: a partial without one is taken as a sequential prefix.
  const bool had_partial = fs::exists(m_incomplete, ignored);
  bool keep = false;
  if (had_partial && m_sidecar_may_exist) {
    try {
      std::ifstream in(m_sidecar);
      const auto state = nlohmann::json::parse(in);
      const auto saved_size = state.at("size").is_null() ? std::nullopt : std::optional(state.at("size").get<std::uint64_t>());
      const auto saved_sha = state.at("sha256").is_null() ? std::nullopt : std::optional(state.at("sha256").get<std::string>());
      keep = state.at("version") == 1 && (!size || !saved_size || size == saved_size) &&
             (!sha256 || !saved_sha || sha256 == saved_sha);
      if (keep) {
        m_size = size ? size : saved_size;
        for (const auto& range : state.at("have")) {
          m_have.add(range.at(0).get<std::uint64_t>(), range.at(1).get<std::uint64_t>());
        }
      }
    } catch (const std::exception&) {
      keep = false;
      m_have.clear();
    }
  } else if (had_partial && sha256) {
    // Only with a digest to catch it: a partial of ours whose sidecar was deleted has holes.
    const auto length = fs::file_size(m_incomplete, ignored);
    keep = !ignored && (!size || length <= *size);
    if (keep) {
      m_have.add(0, length);
    }
  }
  if (!keep) {
    m_have.clear();
    if (had_partial) {
      fs::remove(m_incomplete, ignored);
    }
  }
  m_fd = open_making_folders(m_incomplete, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m_fd < 0) {
    fail("create", errno);
  }
  // Sidecar claims beyond the file's end mean it was truncated behind our back.
  if (m_have.max_end() > size_on_disk()) {
    m_have.clear();
    if (::ftruncate(m_fd, 0) != 0) {
      fail("truncate", errno);
    }
  }
}

void PartialFile::set_size(std::uint64_t size) {
  m_size = size;
  if (m_reserved == size) {
    return;
  }
#ifdef __linux__
  // Reserve the blocks without changing the visible length (which stays "bytes written").
  if (size > 0 && ::fallocate(m_fd, FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(size)) != 0 && is_out_of_space(errno)) {
    fail("reserve " + std::to_string(size) + " bytes for", errno);
  }
#endif
  m_reserved = size;
}

void PartialFile::write(std::uint64_t offset, const char* data, std::size_t size) {
  std::size_t written = 0;
  while (written < size) {
    const ssize_t n = ::pwrite(m_fd, data + written, size - written, static_cast<off_t>(offset + written));
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      m_have.add(offset, offset + written);
      fail("write", errno);
    }
    written += static_cast<std::size_t>(n);
  }
  m_have.add(offset, offset + size);
  m_writeback.on_written(m_fd, size);
}

std::size_t PartialFile::read(std::uint64_t offset, char* data, std::size_t size) const {
  const ssize_t n = read_fully(m_fd, offset, data, size);
  if (n < 0) {
    fail("read back", errno);
  }
  return static_cast<std::size_t>(n);
}

std::uint64_t PartialFile::size_on_disk() const {
  struct stat info {};
  if (m_fd < 0 || ::fstat(m_fd, &info) != 0) {
    return 0;
  }
  return static_cast<std::uint64_t>(info.st_size);
}

void PartialFile::reset() {
  m_have.clear();
  if (::ftruncate(m_fd, 0) != 0) {
    fail("truncate", errno);
  }
  m_reserved.reset();  // truncation gave the reserved blocks back
  save_state();
}

void PartialFile::save_state() {
  if (m_sequential) {
    return;  // the file's length is its record (see set_sequential)
  }
  nlohmann::json have = nlohmann::json::array();
  for (const auto& range : m_have.ranges()) {
    have.push_back({range.begin, range.end});
  }
  const nlohmann::json state = {{"version", 1},
                                {"size", m_size ? nlohmann::json(*m_size) : nlohmann::json(nullptr)},
                                {"sha256", m_sha256 ? nlohmann::json(*m_sha256) : nlohmann::json(nullptr)},
                                {"have", have}};
  const fs::path temp = m_sidecar + ".tmp";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << state.dump();
    out.flush();
    if (!out) {
      fail("record the progress of", errno != 0 ? errno : EIO);
    }
  }
  std::error_code error;
  fs::rename(temp, m_sidecar, error);
  if (error) {
    fail("record the progress of", error.value());
  }
  m_sidecar_may_exist = true;
}

void PartialFile::commit(FolderSync* folders, bool filesystem_synced) {
  if (filesystem_synced) {
    // The bytes were written by a sync of the whole filesystem (shared_sync.hpp). Only this
    // descriptor sees a write error the kernel met for this file, as fsync would report it:
    // nothing is left to write, so this only collects such an error.
#ifdef __linux__
    if (::sync_file_range(m_fd, 0, 0, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER) !=
        0) {
      fail("sync", errno);
    }
#endif
  } else if (::fsync(m_fd) != 0) {
    fail("sync", errno);
  }
  close_fd();
  if (::rename(m_incomplete.c_str(), m_destination.c_str()) != 0) {
    fail("rename into place", errno);
  }
  if (folders != nullptr) {
    folders->renamed_into(std::string(folder_part(m_destination)));
  } else {
    fsync_folder(folder_part(m_destination));
  }
  remove_sidecar();
}

void PartialFile::discard() {
  close_fd();
  std::error_code ignored;
  fs::remove(m_incomplete, ignored);
  remove_sidecar();
  m_have.clear();
}

void PartialFile::remove_sidecar() {
  if (m_sidecar_may_exist) {
    std::error_code ignored;
    fs::remove(m_sidecar, ignored);
    m_sidecar_may_exist = false;
  }
}

void PartialFile::close_keeping() noexcept {
  if (m_fd < 0) {
    return;
  }
  try {
    save_state();
  } catch (const std::exception&) {
    // The previous sidecar under-reports; the next run refetches a little more.
  }
  close_fd();
}

void PartialFile::close_fd() noexcept {
  if (m_fd >= 0) {
    ::close(m_fd);
    m_fd = -1;
  }
}

}  // namespace xl::http
