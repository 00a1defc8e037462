// SPDX-License-Identifier: Apache-2.0
#pragma once

// The state of one FileJob inside Transport::fetch: its byte ranges, partial file, running
// sha256 and where its requests go. No libcurl here: the transport loop feeds it response
// heads and body bytes and asks it what to request next.

#include "core/http/http_types.hpp"
#include "core/http/background_hasher.hpp"
#include "core/http/partial_file.hpp"
#include "core/http/prefix_hasher.hpp"
#include "core/http/range_plan.hpp"
#include "core/http/transfer_settings.hpp"

#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <utility>
#include <optional>
#include <string>
#include <vector>

namespace xl::http {

using SteadyTime = std::chrono::steady_clock::time_point;

// The end of a range while the file size is unknown.
inline constexpr std::uint64_t k_open_end = std::numeric_limits<std::uint64_t>::max();

struct RangeTask {
  ByteRange range;
  std::uint64_t done = 0;  // bytes of the range on disk, from range.begin
  int failures = 0;        // consecutive attempts that brought nothing
  SteadyTime not_before{};
  bool in_flight = false;
  bool abandoned = false;  // superseded (the server ignored Range, or the file failed)
  std::uint64_t next() const { return range.begin + done; }
  bool finished() const { return range.end != k_open_end && next() >= range.end; }
};

// What to do with the body of an answer, decided when its headers are complete.
struct BodyPlan {
  enum class Kind { write, follow_redirect, keep_as_error, fail_file } kind = Kind::keep_as_error;
  std::uint64_t offset = 0;                // write: file offset of the first body byte
  std::uint64_t limit = k_open_end;        // write: bytes past this offset end the range
  bool stop_other_ranges = false;          // write: the server ignored Range; this is the only stream
  FileStatus status = FileStatus::ok;      // fail_file
  std::string error;                       // fail_file
};

class FileDownload {
 public:
  FileDownload(const FileJob& job, const TransferSettings& settings);

  const FileJob& job() const { return m_job; }
  FileResult& result() { return m_result; }
  bool done() const { return m_done; }
  int in_flight() const { return m_in_flight; }
  const std::string& url() const { return m_url; }
  const Headers& headers() const { return m_headers; }
  bool single_stream() const { return m_single_stream; }
  // A file known to be under two minimum ranges: fetched as one range, front to back.
  bool single_range() const { return m_job.expected_size && *m_job.expected_size < 2 * k_min_range_size; }

  // Opens the partial file and plans the ranges; returns bytes kept from an earlier run.
  // `first_attempt`: as Claim::first_attempt. Throws FileIoError.
  std::uint64_t start(bool first_attempt);
  // The first range that may be requested at `now`; nullptr if none (until the first answer
  // resolves redirects and size, only one request per file is in flight). Lowers `*wake` to
  // the time a waiting range becomes ready.
  RangeTask* next_ready(SteadyTime now, SteadyTime* wake);
  // Value of the Range header for a request of `task` (empty: send none).
  std::string range_header(const RangeTask& task) const;
  void mark_in_flight(RangeTask& task);
  void mark_landed(RangeTask& task);

  // Headers of an answer to `task` sent to `request_url` with `request_headers` are complete.
  BodyPlan on_head(RangeTask& task, long status, const Headers& headers, const std::string& request_url,
                   const Headers& request_headers, Redirects redirects);
  // Body bytes at `offset` (throws FileIoError).
  void on_body(RangeTask& task, std::uint64_t offset, const char* data, std::size_t size);
  // `bytes`, just passed to on_body at `offset`, are no longer needed by the loop. A small file,
  // hashed once complete, keeps them if they end it: its check hashes them from memory and
  // reads back only what came before (for a file that came in one piece, nothing).
  void keep_written_tail(std::uint64_t offset, std::vector<char>&& bytes) noexcept;
  // Instead of on_body + keep_written_tail, for bytes received by `task` at `offset` that end
  // a small file (hashed once complete): they are counted as landed but written by
  // verify_complete, on the finisher, just before they are hashed. The loop, every file's
  // critical path, is spared the write; for a 64 KiB file that arrived in one turn, the only
  // one. Takes `bytes` and returns true only when they end such a file and continue the task;
  // otherwise leaves them for the caller to write.
  bool take_tail(RangeTask& task, std::uint64_t offset, std::vector<char>& bytes);
  // The answer to `task` ended normally; an open-ended range (unknown size) ends the file.
  void on_answer_complete(RangeTask& task);
  // Schedule another attempt of `task`; false when its attempts are used up.
  bool schedule_retry(RangeTask& task, SteadyTime now, double jitter,
                      std::optional<std::chrono::milliseconds> server_hint);
  // A 401/403/410 from a redirect target: go back to the job URL (signed URLs expire).
  bool forget_redirect();
  // True when every byte is present and no request is in flight.
  bool complete() const;

  // Verifies size and sha256, then moves the file into place (result ok, the folder's fsync
  // batched in `folders`, then the job's after_commit) or discards it (integrity_error).
  // Errors are recorded in result(), never thrown.
  void finish_verified(FolderSync& folders);
  // finish_verified() in two steps, so that a sync of the filesystem can come between them.
  // False when the file failed (recorded in result()); never throws.
  bool verify_complete();
  // `filesystem_synced`: see PartialFile::commit.
  void commit_verified(FolderSync& folders, bool filesystem_synced);
  // The open partial, for a sync of its filesystem between the two steps.
  int partial_fd() const { return m_partial.fd(); }
  // Records a failure; integrity failures discard the partial, others keep it for a resume.
  void finish_failed(FileStatus status, const std::string& error);
  // Done without a transfer: the job's claim found the file in place (never started).
  void finish_found_in_place();
  // Stops where it is (cancel), keeping the partial.
  void finish_cancelled();
  // Rewrites the sidecar if bytes arrived since it was last written, at most once per `interval`.
  void save_progress(SteadyTime now, std::chrono::milliseconds interval);

 private:
  void plan(std::uint64_t size, const RangeTask* in_progress);
  // Bytes at `offset` of `task` are on disk, or taken to be written (take_tail).
  void count_landed(RangeTask& task, std::uint64_t offset, std::size_t size);
  // Whether `size` bytes at `offset` end a small file, hashed on the finisher once complete.
  bool ends_file_hashed_when_complete(std::uint64_t offset, std::size_t size) const;
  // Writes the bytes take_tail took, if they are not written yet (throws FileIoError).
  void write_taken_tail();
  std::string what(const std::string& cause) const;
  void restart_as_single_stream(RangeTask& task);
  void reset_hashing();
  // The sha256 of the whole file and how many bytes it covers; throws FileIoError.
  std::pair<std::uint64_t, std::string> final_digest(std::uint64_t size);

  const FileJob& m_job;
  const TransferSettings& m_settings;
  FileResult m_result;
  PartialFile m_partial;
  PrefixHasher m_hasher;
  std::unique_ptr<BackgroundHasher> m_background;  // instead of m_hasher for large files
  bool m_hashing = false;
  bool m_hash_when_complete = false;  // hashed by final_digest on the finisher, not while streaming
  std::vector<char> m_written_tail;   // keep_written_tail: the file's last bytes, as written
  std::uint64_t m_written_tail_offset = 0;
  bool m_tail_unwritten = false;      // take_tail: m_written_tail is still to be written
  std::optional<std::uint64_t> m_size;
  std::string m_url;
  Headers m_headers;
  bool m_resolved = false;
  bool m_single_stream = false;
  bool m_done = false;
  int m_redirect_resets = 0;
  int m_in_flight = 0;
  std::vector<std::unique_ptr<RangeTask>> m_ranges;
  SteadyTime m_last_save{};
  std::uint64_t m_saved_transferred = 0;  // bytes_transferred when the sidecar was last written
};

}  // namespace xl::http
