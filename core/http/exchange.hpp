// SPDX-License-Identifier: Apache-2.0
#pragma once

// One HTTP request of the transport in flight: a pooled easy handle, the range it fetches, and
// the libcurl callbacks that feed the answer to its FileDownload. Callbacks never throw and
// never touch the multi handle; they record what happened for the loop to act on.

#include "core/http/curl_handles.hpp"
#include "core/http/file_download.hpp"

#include <atomic>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace xl::http {

struct Exchange {
  std::unique_ptr<CurlEasy> easy;
  std::size_t file_index = 0;
  FileDownload* file = nullptr;
  RangeTask* task = nullptr;
  std::string url;
  Headers headers;  // without Range
  CurlHeaderList header_list;
  std::set<std::string> visited;  // URLs of this request's redirect chain
  int hops = 0;
  const std::atomic<bool>* cancel = nullptr;

  ResponseHead head;
  bool planned = false;
  BodyPlan plan;
  std::uint64_t offset = 0;        // file offset of the next body byte (written or held back)
  bool range_satisfied = false;    // stopped on purpose after the last byte we wanted
  std::string error_body;          // start of an error answer, for the message
  std::optional<std::pair<FileStatus, std::string>> file_failure;  // decided inside a callback
  StallWatch stall;                // aborts the request when nothing arrives for too long
  char error_buffer[CURL_ERROR_SIZE] = {};

  // Sets every option of the request (URL, headers plus Range, callbacks) on `easy`.
  void prepare(const TransferSettings& settings);
  // After each turn of the loop: writes the body bytes received so far, up to the last block
  // boundary. False when a write failed; `file_failure` then says why, and the rest held back
  // is dropped.
  bool write_received() noexcept;
  // Once the request has ended, for any reason: writes the body bytes still held back, unless
  // its range was abandoned or its file has settled. A write error becomes `file_failure`.
  // `hand_over`: the written bytes go to FileDownload::keep_written_tail, not away; and bytes
  // that end a small file go to FileDownload::take_tail unwritten, for the finisher to write.
  void finish_body(bool hand_over) noexcept;

 private:
  static size_t on_header(char* data, size_t size, size_t count, void* user) noexcept;
  static size_t on_body(char* data, size_t size, size_t count, void* user) noexcept;
  static int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept;
  size_t take_body(const char* data, size_t size);
  // Body bytes are written once per turn of the loop, not as they come: libcurl hands the
  // write callback at most 16 KiB at a time (CURL_MAX_WRITE_SIZE), and its pieces start
  // wherever a socket read ended. Each write of a partly covered block made the filesystem zero
  // the block's rest first, and each write call costs its own pass through the page cache. A
  // turn reads each socket once, so only that read's bytes, and less than a block after the
  // turn, wait in memory: all that a kill -9 can lose on top of the unrecorded progress. When a
  // small file's answer ends, the bytes of its last turn wait until its finisher writes them
  // (finish_body): no more than a turn's bytes either.
  void hold_back(const char* data, std::size_t size);
  // Writes what is held back: all of it, or (`whole` false) up to the last block boundary, so
  // the next write starts on one. Throws what the write throws.
  void write_held_back(bool whole);
  bool body_wanted() const;        // false once the range is abandoned or the file has settled
  void record_failure() noexcept;  // the exception being handled becomes `file_failure`

  std::vector<char> m_held_back;  // body bytes received and not yet written; they end at `offset`
};

}  // namespace xl::http
