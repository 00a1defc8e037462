// SPDX-License-Identifier: Apache-2.0
#include "core/http/exchange.hpp"

#include "core/http/url.hpp"

#include <algorithm>

namespace xl::http {

namespace {

constexpr std::size_t k_error_body_limit = 1024;
// Fewer, larger socket reads; 16 connections x 256 KiB stays far below the memory budget.
constexpr long k_receive_buffer = 256 * 1024;
// libcurl's smallest receive buffer by default, and room for an answer's head on top of a
// small range's bytes.
constexpr std::uint64_t k_min_receive_buffer = 16 * 1024;
constexpr std::uint64_t k_head_room = 4096;
// Room for the body bytes a request holds back: one socket read's worth, what a turn of the
// loop can bring (16 connections x 256 KiB, again). Pieces of 64 KiB and of 1 MiB both cost
// more CPU for scenario b of bench/run.sh (4.42 s and 4.98 s, against 3.6 s).
constexpr std::size_t k_write_batch = k_receive_buffer;
// Held-back bytes are written up to a multiple of this (the filesystem block size almost
// everywhere), so no write leaves a block half covered for the next one to complete.
constexpr std::uint64_t k_write_alignment = 4096;

}  // namespace

void Exchange::prepare(const TransferSettings& settings) {
  Headers request_headers = headers;
  if (auto range = file->range_header(*task); !range.empty()) {
    request_headers.set("Range", range);
  }
  CURL* handle = easy->get();
  easy->reset();
  stall = StallWatch(settings.stall_timeout);
  apply_request_options(handle, settings, url, Method::get, request_headers, header_list);
  // Separate TCP connections, not HTTP/2 streams on one: the point of ranges is bandwidth.
  curl_easy_setopt(handle, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  // libcurl allocates the receive buffer anew for every request, and each of its pages costs a
  // fault the first time a read fills it. A small range needs no more than its bytes and the
  // head: for 500 files of 64 KiB (scenario c of bench/run.sh), 256 KiB buffers made 2,533 page
  // faults per download and buffers sized to the range 2,304 (medians of 15 runs).
  const std::uint64_t wanted = task->range.end == k_open_end ? k_receive_buffer : task->range.end - task->next();
  const auto buffer = std::clamp<std::uint64_t>(wanted + k_head_room, k_min_receive_buffer, k_receive_buffer);
  curl_easy_setopt(handle, CURLOPT_BUFFERSIZE, static_cast<long>(buffer));
  curl_easy_setopt(handle, CURLOPT_PRIVATE, this);
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, &Exchange::on_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, &Exchange::on_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(handle, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, &Exchange::on_progress);
  curl_easy_setopt(handle, CURLOPT_XFERINFODATA, this);
}

size_t Exchange::on_header(char* data, size_t size, size_t count, void* user) noexcept {
  auto* self = static_cast<Exchange*>(user);
  const size_t length = size * count;
  self->stall.on_data();
  try {
    self->head.on_header_line(std::string_view(data, length));
    if (self->head.complete && !self->planned) {
      self->planned = true;
      self->plan = self->file->on_head(*self->task, self->head.status, self->head.headers, self->url, self->headers,
                                       self->file->job().request.redirects);
      if (self->plan.kind == BodyPlan::Kind::fail_file) {
        self->file_failure.emplace(self->plan.status, self->plan.error);
        return 0;
      }
      self->offset = self->plan.offset;
    }
  } catch (...) {
    self->record_failure();
    return 0;
  }
  return length;
}

size_t Exchange::on_body(char* data, size_t size, size_t count, void* user) noexcept {
  auto* self = static_cast<Exchange*>(user);
  self->stall.on_data();
  try {
    return self->take_body(data, size * count);
  } catch (...) {
    self->record_failure();
  }
  return 0;
}

size_t Exchange::take_body(const char* data, size_t size) {
  if (!planned || task->abandoned || file->done()) {
    return 0;
  }
  switch (plan.kind) {
    case BodyPlan::Kind::follow_redirect:
      return size;
    case BodyPlan::Kind::keep_as_error:
      error_body.append(data, std::min(size, k_error_body_limit - std::min(error_body.size(), k_error_body_limit)));
      return size;
    case BodyPlan::Kind::fail_file:
      return 0;
    case BodyPlan::Kind::write:
      break;
  }
  const std::uint64_t room = plan.limit == k_open_end ? size : plan.limit - offset;
  const auto take = static_cast<size_t>(std::min<std::uint64_t>(size, room));
  if (take > 0) {
    hold_back(data, take);
    offset += take;
  }
  if (take < size) {
    if (file->single_stream()) {
      file_failure.emplace(FileStatus::integrity_error,
                           file->job().display_name + ": GET " + redact_url(url) + " sends more bytes than expected");
    } else {
      range_satisfied = true;  // the server sent past our range; we have what we asked for
    }
    return 0;
  }
  return size;
}

void Exchange::hold_back(const char* data, std::size_t size) {
  if (m_held_back.capacity() == 0) {
    // A small range (a whole small file) needs no more than its own length.
    const std::uint64_t expected = plan.limit == k_open_end ? k_write_batch : plan.limit - plan.offset;
    m_held_back.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(expected, k_write_batch)));
  }
  if (m_held_back.size() + size > m_held_back.capacity()) {
    write_held_back(false);
  }
  if (m_held_back.size() + size > m_held_back.capacity()) {
    // Still no room (the range was longer than announced): no holding back for this piece.
    write_held_back(true);
    file->on_body(*task, offset, data, size);
    return;
  }
  m_held_back.insert(m_held_back.end(), data, data + size);
}

void Exchange::write_held_back(bool whole) {
  // `offset` is the next byte to come, so the held-back bytes end there.
  const std::uint64_t at = offset - m_held_back.size();
  std::size_t length = m_held_back.size();
  if (!whole) {
    const std::uint64_t aligned_end = offset / k_write_alignment * k_write_alignment;
    length = aligned_end > at ? static_cast<std::size_t>(aligned_end - at) : 0;
  }
  if (length == 0) {
    return;
  }
  file->on_body(*task, at, m_held_back.data(), length);
  m_held_back.erase(m_held_back.begin(), m_held_back.begin() + static_cast<std::ptrdiff_t>(length));
}

void Exchange::record_failure() noexcept {
  try {
    throw;
  } catch (const FileIoError& error) {
    file_failure.emplace(error.status(), file->job().display_name + ": " + error.what());
  } catch (const std::exception& error) {
    file_failure.emplace(FileStatus::io_error, file->job().display_name + ": " + error.what());
  } catch (...) {
    file_failure.emplace(FileStatus::io_error, file->job().display_name + ": unknown error");
  }
}

bool Exchange::body_wanted() const {
  // A superseded range's bytes, or a settled file's, are not ours to write any more.
  return !task->abandoned && !file->done();
}

bool Exchange::write_received() noexcept {
  if (m_held_back.size() < k_write_alignment || !body_wanted()) {
    return true;
  }
  try {
    write_held_back(false);
    return true;
  } catch (...) {
    record_failure();
  }
  m_held_back.clear();
  return false;
}

void Exchange::finish_body(bool hand_over) noexcept {
  try {
    if (!m_held_back.empty() && body_wanted()) {
      const std::uint64_t at = offset - m_held_back.size();
      // take_tail takes the bytes only when they end a small file: the finisher writes them.
      if (!(hand_over && file->take_tail(*task, at, m_held_back))) {
        file->on_body(*task, at, m_held_back.data(), m_held_back.size());
        if (hand_over) {
          file->keep_written_tail(at, std::move(m_held_back));
        }
      }
    }
  } catch (...) {
    record_failure();
  }
  m_held_back.clear();
}

int Exchange::on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) noexcept {
  auto* self = static_cast<Exchange*>(user);
  if ((self->cancel != nullptr && self->cancel->load(std::memory_order_relaxed)) || self->task->abandoned) {
    return 1;
  }
  return self->stall.check(self->easy->get()) ? 1 : 0;
}

}  // namespace xl::http
