// SPDX-License-Identifier: Apache-2.0
#include "core/http/file_download.hpp"

#include "core/http/retry_policy.hpp"
#include "core/http/url.hpp"

#include <algorithm>

namespace xl::http {

namespace {

// Files at least this large are hashed on a thread of their own (BackgroundHasher); below it the
// thread costs more than hashing the bytes straight from the network buffer.
constexpr std::uint64_t k_background_hash_min = 32 * k_mebibyte;

}  // namespace

FileDownload::FileDownload(const FileJob& job, const TransferSettings& settings)
    : m_job(job), m_settings(settings), m_partial(job.destination) {}

std::string FileDownload::what(const std::string& cause) const { return m_job.display_name + ": " + cause; }

std::uint64_t FileDownload::start(bool first_attempt) {
  const bool small = single_range();
  if (small) {
    m_partial.set_sequential();  // one range (choose_range_size), written front to back
  }
  if (first_attempt) {
    m_partial.set_first_attempt();
  }
  m_result.bytes_reused = m_partial.open(m_job.expected_size, m_job.expected_sha256);
  m_hashing = m_job.expected_sha256.has_value();
  // A small file is hashed by the finisher thread, read back from the page cache right after
  // its last byte: for hundreds of small files, hashing filled a quarter of the loop's thread.
  m_hash_when_complete = m_hashing && small;
  m_url = m_job.request.url;
  m_headers = m_job.request.headers;
  m_headers.remove("Range");
  if (m_hashing && m_job.expected_size.value_or(0) >= k_background_hash_min) {
    // Kept bytes from an earlier run are hashed by the worker too, while the rest downloads.
    m_background = std::make_unique<BackgroundHasher>(m_partial.fd());
    m_background->advance(m_partial.have().contiguous_end(0));
  } else if (m_hashing && !m_hash_when_complete) {
    // Bytes kept from an earlier run are hashed once now (they are not in any network buffer).
    m_hasher.catch_up(m_partial.have(), [this](std::uint64_t offset, char* data, std::size_t size) {
      return m_partial.read(offset, data, size);
    });
  }
  if (auto size = m_partial.known_size()) {
    plan(*size, nullptr);
  } else {
    auto task = std::make_unique<RangeTask>();
    task->range = {m_partial.have().contiguous_end(0), k_open_end};
    m_ranges.push_back(std::move(task));
  }
  return m_result.bytes_reused;
}

void FileDownload::plan(std::uint64_t size, const RangeTask* in_progress) {
  m_size = size;
  m_partial.set_size(size);
  IntervalSet covered = m_partial.have();
  if (in_progress != nullptr) {
    covered.add(in_progress->range.begin, in_progress->range.end);
  }
  for (const auto& range : plan_ranges(covered, size, choose_range_size(size, m_settings))) {
    auto task = std::make_unique<RangeTask>();
    task->range = range;
    m_ranges.push_back(std::move(task));
  }
}

RangeTask* FileDownload::next_ready(SteadyTime now, SteadyTime* wake) {
  if (m_done || ((!m_resolved || m_single_stream) && m_in_flight > 0)) {
    return nullptr;
  }
  for (auto& task : m_ranges) {
    if (task->in_flight || task->abandoned || task->finished()) {
      continue;
    }
    if (task->not_before <= now) {
      return task.get();
    }
    *wake = std::min(*wake, task->not_before);
  }
  return nullptr;
}

std::string FileDownload::range_header(const RangeTask& task) const {
  if (m_single_stream) {
    return {};
  }
  // While the size is unknown, ask for one range; the answer's Content-Range tells the size.
  const auto end = task.range.end == k_open_end ? task.next() + m_settings.range_size : task.range.end;
  return range_header_value(task.next(), end);
}

void FileDownload::mark_in_flight(RangeTask& task) {
  task.in_flight = true;
  ++m_in_flight;
}

void FileDownload::mark_landed(RangeTask& task) {
  task.in_flight = false;
  --m_in_flight;
}

BodyPlan FileDownload::on_head(RangeTask& task, long status, const Headers& headers, const std::string& request_url,
                               const Headers& request_headers, Redirects redirects) {
  BodyPlan body;
  const auto fail = [&](FileStatus file_status, const std::string& cause) {
    body.kind = BodyPlan::Kind::fail_file;
    body.status = file_status;
    body.error = what(cause);
    return body;
  };
  if (status >= 300 && status < 400 && headers.get("Location")) {
    if (redirects == Redirects::follow) {
      body.kind = BodyPlan::Kind::follow_redirect;
      return body;
    }
    return fail(FileStatus::http_error, "GET " + redact_url(request_url) + " -> " + std::to_string(status) +
                                            " redirect (not followed)");
  }
  if (status == 206 && !m_single_stream) {
    const auto content_range = parse_content_range(headers.get("Content-Range").value_or(""));
    if (!content_range || !content_range->range || content_range->range->begin != task.next()) {
      return fail(FileStatus::http_error, "GET " + redact_url(request_url) + " -> 206 with an unexpected Content-Range");
    }
    const auto total = content_range->total;
    if (!total && !m_size) {
      return fail(FileStatus::http_error, "GET " + redact_url(request_url) + " does not report the file size");
    }
    if (total && m_size && *total != *m_size) {
      return fail(FileStatus::integrity_error, "server has " + std::to_string(*total) + " bytes, expected " +
                                                   std::to_string(*m_size));
    }
    if (!m_size) {
      task.range.end = std::min(task.next() + m_settings.range_size, *total);
      plan(*total, &task);
    }
    m_resolved = true;
    m_url = request_url;
    m_headers = request_headers;
    body.kind = BodyPlan::Kind::write;
    body.offset = task.next();
    body.limit = std::min(content_range->range->end, task.range.end);
    return body;
  }
  if (status == 200) {
    // A compressed body's Content-Length is not the file size.
    const auto parsed = parse_content_length(headers.get("Content-Length").value_or(""));
    const bool has_length = parsed.has_value() && !headers.get("Content-Encoding");
    const std::uint64_t length = parsed.value_or(0);
    if (has_length && m_size && length != *m_size) {
      // D3: a small error page served with 200 must not become the weights.
      return fail(FileStatus::integrity_error, "GET " + redact_url(request_url) + " sends " + std::to_string(length) +
                                                   " bytes, expected " + std::to_string(*m_size));
    }
    const bool others = m_in_flight > 1;
    restart_as_single_stream(task);
    if (!m_size && has_length) {
      m_size = length;
      m_partial.set_size(length);
      task.range.end = length;
    }
    m_resolved = true;
    m_url = request_url;
    m_headers = request_headers;
    body.kind = BodyPlan::Kind::write;
    body.offset = 0;
    body.limit = task.range.end;
    body.stop_other_ranges = others;
    return body;
  }
  return body;  // keep_as_error: the loop classifies the status when the answer ends
}

void FileDownload::restart_as_single_stream(RangeTask& task) {
  // Whatever was written came from ranges of a server that now ignores Range: start over.
  if (!m_single_stream || task.next() != 0 || !m_partial.have().ranges().empty()) {
    reset_hashing();
    m_partial.reset();
    m_result.bytes_reused = 0;
  }
  m_single_stream = true;
  for (auto& other : m_ranges) {
    if (other.get() != &task) {
      other->abandoned = true;
    }
  }
  task.range = {0, m_size.value_or(k_open_end)};
  task.done = 0;
}

void FileDownload::on_body(RangeTask& task, std::uint64_t offset, const char* data, std::size_t size) {
  m_partial.write(offset, data, size);
  count_landed(task, offset, size);
  if (m_background) {
    m_background->advance(m_partial.have().contiguous_end(0));
  } else if (m_hashing && !m_hash_when_complete) {
    m_hasher.on_written(offset, data, size, m_partial.have(), [this](std::uint64_t at, char* out, std::size_t n) {
      return m_partial.read(at, out, n);
    });
  }
}

void FileDownload::count_landed(RangeTask& task, std::uint64_t offset, std::size_t size) {
  task.done = offset + size - task.range.begin;
  m_result.bytes_transferred += size;
  if (!m_single_stream) {
    task.failures = 0;  // progress: a flaky range keeps its bytes and gets fresh attempts
  }
}

bool FileDownload::ends_file_hashed_when_complete(std::uint64_t offset, std::size_t size) const {
  return m_hash_when_complete && m_size && offset + size == *m_size;
}

void FileDownload::keep_written_tail(std::uint64_t offset, std::vector<char>&& bytes) noexcept {
  if (!ends_file_hashed_when_complete(offset, bytes.size())) {
    return;
  }
  m_written_tail = std::move(bytes);
  m_written_tail_offset = offset;
}

bool FileDownload::take_tail(RangeTask& task, std::uint64_t offset, std::vector<char>& bytes) {
  if (bytes.empty() || !ends_file_hashed_when_complete(offset, bytes.size()) || offset != task.next() ||
      !m_written_tail.empty()) {
    return false;
  }
  count_landed(task, offset, bytes.size());
  m_written_tail = std::move(bytes);
  m_written_tail_offset = offset;
  m_tail_unwritten = true;
  return true;
}

void FileDownload::write_taken_tail() {
  if (m_tail_unwritten) {
    m_tail_unwritten = false;
    m_partial.write(m_written_tail_offset, m_written_tail.data(), m_written_tail.size());
  }
}

void FileDownload::on_answer_complete(RangeTask& task) {
  if (task.range.end == k_open_end) {
    task.range.end = task.next();
    m_size = task.next();
  }
}

bool FileDownload::schedule_retry(RangeTask& task, SteadyTime now, double jitter,
                                  std::optional<std::chrono::milliseconds> server_hint) {
  ++task.failures;
  if (!may_retry(task.failures, m_settings)) {
    return false;
  }
  task.not_before = now + retry_delay(task.failures, m_settings, jitter, server_hint);
  if (m_single_stream) {
    reset_hashing();
    m_partial.reset();
    task.done = 0;
  }
  return true;
}

bool FileDownload::forget_redirect() {
  if (!m_resolved || m_url == m_job.request.url || m_redirect_resets >= 2) {
    return false;
  }
  ++m_redirect_resets;
  m_resolved = false;
  m_url = m_job.request.url;
  m_headers = m_job.request.headers;
  m_headers.remove("Range");
  return true;
}

bool FileDownload::complete() const {
  if (m_done || m_in_flight > 0 || !m_size) {
    return false;
  }
  return std::all_of(m_ranges.begin(), m_ranges.end(),
                     [](const auto& task) { return task->abandoned || task->finished(); });
}

void FileDownload::finish_verified(FolderSync& folders) {
  if (verify_complete()) {
    commit_verified(folders, false);
  }
}

bool FileDownload::verify_complete() {
  try {
    write_taken_tail();
    const auto size = *m_size;
    const auto present = m_partial.have().contiguous_end(0);
    if (present != size || m_partial.have().max_end() != size || m_partial.size_on_disk() != size ||
        (m_job.expected_size && *m_job.expected_size != size)) {
      finish_failed(FileStatus::integrity_error,
                    what("GET " + redact_url(m_url) + ": received " + std::to_string(m_partial.size_on_disk()) +
                         " bytes, expected " + std::to_string(m_job.expected_size.value_or(size))));
      return false;
    }
    if (m_hashing) {
      const auto [hashed, actual] = final_digest(size);
      if (hashed != size || !same_digest(actual, *m_job.expected_sha256)) {
        finish_failed(FileStatus::integrity_error, what("GET " + redact_url(m_url) + ": sha256 mismatch (expected " +
                                                        *m_job.expected_sha256 + ", got " + actual + ")"));
        return false;
      }
    }
    return true;
  } catch (const FileIoError& error) {
    finish_failed(error.status(), what(error.what()));
  } catch (const std::exception& error) {
    finish_failed(FileStatus::io_error, what(error.what()));
  }
  return false;
}

void FileDownload::commit_verified(FolderSync& folders, bool filesystem_synced) {
  try {
    m_partial.commit(&folders, filesystem_synced);
    m_done = true;
    m_result.status = FileStatus::ok;
    if (m_job.after_commit) {
      m_job.after_commit();
    }
  } catch (const FileIoError& error) {
    finish_failed(error.status(), what(error.what()));
  } catch (const std::exception& error) {
    finish_failed(FileStatus::io_error, what(error.what()));
  }
}

void FileDownload::reset_hashing() {
  // Before the truncation: the background worker must not be reading what is cut away.
  if (m_background) {
    m_background->reset();
  }
  m_hasher.reset();
  std::vector<char>().swap(m_written_tail);
  m_tail_unwritten = false;
}

std::pair<std::uint64_t, std::string> FileDownload::final_digest(std::uint64_t size) {
  if (m_background) {
    auto digest = m_background->finish(size);
    if (!digest.error.empty()) {
      throw FileIoError(FileStatus::io_error, digest.error);
    }
    m_result.bytes_read_back = digest.hashed;  // the worker reads the file back from the page cache
    return {digest.hashed, std::move(digest.hex)};
  }
  const auto read = [this](std::uint64_t offset, char* data, std::size_t n) { return m_partial.read(offset, data, n); };
  if (!m_written_tail.empty()) {
    // What came before the tail is read back; the tail itself is hashed from memory. For 500
    // files of 64 KiB, reading each back took 500 reads and a copy of every byte.
    IntervalSet before_tail;
    before_tail.add(0, m_written_tail_offset);
    m_hasher.catch_up(before_tail, read);
    m_hasher.on_written(m_written_tail_offset, m_written_tail.data(), m_written_tail.size(), m_partial.have(), read);
    std::vector<char>().swap(m_written_tail);
  }
  m_hasher.catch_up(m_partial.have(), read);
  m_result.bytes_read_back = m_hasher.read_back();
  return {m_hasher.hashed(), m_hasher.hex_digest()};
}

void FileDownload::finish_failed(FileStatus status, const std::string& error) {
  m_done = true;
  if (status != FileStatus::integrity_error && m_partial.is_open()) {
    // Bytes that arrived are kept for a resume, as if the loop had written them (a stop or a
    // failure right after take_tail, before the finisher's check).
    try {
      write_taken_tail();
    } catch (const FileIoError&) {
      // Not kept: the next run fetches them again.
    }
  }
  m_tail_unwritten = false;
  std::vector<char>().swap(m_written_tail);
  m_result.status = status;
  m_result.error = error;
  for (auto& task : m_ranges) {
    task->abandoned = true;
  }
  if (!m_partial.is_open()) {
    return;  // never started: whatever an earlier run left is not ours to judge
  }
  if (status == FileStatus::integrity_error || m_partial.have().total() == 0) {
    m_partial.discard();  // bad bytes are not kept, and an empty partial is not worth keeping
  } else {
    m_partial.close_keeping();
  }
}

void FileDownload::finish_found_in_place() {
  m_done = true;
  m_result.status = FileStatus::ok;
  m_result.found_in_place = true;
}

void FileDownload::finish_cancelled() {
  if (m_done) {
    return;
  }
  finish_failed(FileStatus::cancelled, what("cancelled"));
}

void FileDownload::save_progress(SteadyTime now, std::chrono::milliseconds interval) {
  if (m_done || !m_partial.is_open() || now - m_last_save < interval ||
      m_result.bytes_transferred == m_saved_transferred) {
    return;  // nothing new to record
  }
  m_last_save = now;
  m_saved_transferred = m_result.bytes_transferred;
  try {
    m_partial.save_state();
  } catch (const FileIoError&) {
    // Best effort: an older sidecar under-reports, which only costs refetching.
  }
}

}  // namespace xl::http
