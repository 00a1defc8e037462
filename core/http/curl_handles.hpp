// SPDX-License-Identifier: Apache-2.0
#pragma once

// RAII owners of libcurl handles and the options every request of this engine shares.
// Only core/http/*.cpp include this header (and with it <curl/curl.h>).

#include "core/http/http_types.hpp"
#include "core/http/transfer_settings.hpp"

#include <curl/curl.h>

#include <chrono>
#include <string>

namespace xl::http {

// curl_global_init, once per process, thread-safe. Every handle calls it when first used.
void ensure_curl_initialized();

// The handles are made on first use, not with their owner: a command that never sends a
// request (an --offline launch) then never loads libcurl (curl_library.hpp).
class CurlEasy {
 public:
  CurlEasy() = default;
  ~CurlEasy();
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;
  CURL* get();
  // Forgets all options; keeps the handle's connection and DNS caches.
  void reset();

 private:
  CURL* m_handle = nullptr;
};

class CurlMulti {
 public:
  CurlMulti() = default;
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;
  CURLM* get();

 private:
  CURLM* m_handle = nullptr;
};

class CurlHeaderList {
 public:
  CurlHeaderList() = default;
  ~CurlHeaderList() { clear(); }
  CurlHeaderList(const CurlHeaderList&) = delete;
  CurlHeaderList& operator=(const CurlHeaderList&) = delete;
  void append(const std::string& line);
  void clear();
  curl_slist* get() const { return m_list; }

 private:
  curl_slist* m_list = nullptr;
};

// Options of every request: URL, method, request headers, no automatic redirects (the engine
// follows them itself to control credentials), user agent, connect timeout, explicit proxy and
// CA settings (libcurl must not consult the environment), no signals. The stall watchdog is
// StallWatch, driven by the caller's progress callback.
// `headers` must outlive the transfer.
void apply_request_options(CURL* easy, const TransferSettings& settings, const std::string& url, Method method,
                           const Headers& request_headers, CurlHeaderList& headers);

// The status code and headers of the last response, assembled from CURLOPT_HEADERFUNCTION
// lines; a new status line (1xx, proxy CONNECT, redirect hop) starts over.
struct ResponseHead {
  long status = 0;
  Headers headers;
  bool complete = false;  // the blank line ending a non-1xx header block was seen

  void on_header_line(std::string_view line);
};

// The stall watchdog: a request that has received nothing for `limit` is aborted (and retried
// by the caller). libcurl's CURLOPT_LOW_SPEED_* is not used because it judges an average over
// the last five seconds: a transfer that received bytes and then went silent was aborted up to
// five seconds late. The clock starts once the request is sent (connecting and the TLS
// handshake have their own timeout) and restarts with every header or body byte.
class StallWatch {
 public:
  explicit StallWatch(std::chrono::milliseconds limit = std::chrono::milliseconds(20'000)) : m_limit(limit) {}
  void on_data() {
    m_started = true;
    m_last = std::chrono::steady_clock::now();
  }
  // From the request's progress callback: true (and from then on) once it waited too long.
  bool check(CURL* easy);
  bool stalled() const { return m_stalled; }
  std::chrono::milliseconds limit() const { return m_limit; }
  // "no data received for 20 s"
  std::string describe() const;

 private:
  std::chrono::milliseconds m_limit;
  std::chrono::steady_clock::time_point m_last{};
  bool m_started = false;
  bool m_stalled = false;
};

// One line for a libcurl failure, never containing secrets of `url`.
std::string describe_curl_error(CURLcode code, const char* error_buffer, const std::string& url);

}  // namespace xl::http
