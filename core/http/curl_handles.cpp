// SPDX-License-Identifier: Apache-2.0
#include "core/http/curl_handles.hpp"

#include "core/http/url.hpp"

#include <mutex>
#include <new>
#include <stdexcept>

namespace xl::http {

void ensure_curl_initialized() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("libcurl failed to initialize");
    }
  });
}

CURL* CurlEasy::get() {
  if (m_handle == nullptr) {
    ensure_curl_initialized();
    m_handle = curl_easy_init();
    if (m_handle == nullptr) {
      throw std::bad_alloc();
    }
  }
  return m_handle;
}

void CurlEasy::reset() {
  if (m_handle != nullptr) {
    curl_easy_reset(m_handle);
  }
}

CurlEasy::~CurlEasy() {
  if (m_handle != nullptr) {
    curl_easy_cleanup(m_handle);
  }
}

CURLM* CurlMulti::get() {
  if (m_handle == nullptr) {
    ensure_curl_initialized();
    m_handle = curl_multi_init();
    if (m_handle == nullptr) {
      throw std::bad_alloc();
    }
  }
  return m_handle;
}

CurlMulti::~CurlMulti() {
  if (m_handle != nullptr) {
    curl_multi_cleanup(m_handle);
  }
}

void CurlHeaderList::append(const std::string& line) {
  curl_slist* next = curl_slist_append(m_list, line.c_str());
  if (next == nullptr) {
    throw std::bad_alloc();
  }
  m_list = next;
}

void CurlHeaderList::clear() {
  if (m_list != nullptr) {
    curl_slist_free_all(m_list);
    m_list = nullptr;
  }
}

namespace {

const std::string& proxy_for(const TransferSettings& settings, const std::string& url) {
  const bool https = url.size() >= 6 && (url.compare(0, 6, "https:") == 0 || url.compare(0, 6, "HTTPS:") == 0);
  return https ? settings.proxy.https_proxy : settings.proxy.http_proxy;
}

}  // namespace

void apply_request_options(CURL* easy, const TransferSettings& settings, const std::string& url, Method method,
                           const Headers& request_headers, CurlHeaderList& headers) {
  curl_easy_setopt(easy, CURLOPT_URL, url.c_str());
  curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(easy, CURLOPT_USERAGENT, settings.user_agent.c_str());
  curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings.connect_timeout.count()));
  curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
  // An empty string disables libcurl's own proxy environment lookup.
  curl_easy_setopt(easy, CURLOPT_PROXY, proxy_for(settings, url).c_str());
  if (!settings.proxy.no_proxy.empty()) {
    curl_easy_setopt(easy, CURLOPT_NOPROXY, settings.proxy.no_proxy.c_str());
  }
  curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
  if (!settings.ca_bundle.empty()) {
    curl_easy_setopt(easy, CURLOPT_CAINFO, settings.ca_bundle.c_str());
  }
  if (!settings.ca_path.empty()) {
    curl_easy_setopt(easy, CURLOPT_CAPATH, settings.ca_path.c_str());
  }
  if (method == Method::head) {
    curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
  } else {
    curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
  }
  headers.clear();
  for (const auto& [name, value] : request_headers.items) {
    headers.append(value.empty() ? name + ";" : name + ": " + value);
  }
  curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers.get());
}

void ResponseHead::on_header_line(std::string_view line) {
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) {
    line.remove_suffix(1);
  }
  if (line.starts_with("HTTP/")) {
    *this = ResponseHead{};
    const auto space = line.find(' ');
    if (space != std::string_view::npos) {
      status = std::strtol(std::string(line.substr(space + 1, 3)).c_str(), nullptr, 10);
    }
    return;
  }
  if (line.empty()) {
    complete = status >= 200;
    return;
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos || status == 0) {
    return;
  }
  auto value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
    value.remove_suffix(1);
  }
  headers.items.emplace_back(std::string(line.substr(0, colon)), std::string(value));
}

bool StallWatch::check(CURL* easy) {
  if (m_stalled) {
    return true;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!m_started) {
    curl_off_t sent_after = 0;  // microseconds from the start until the request could be sent
    if (curl_easy_getinfo(easy, CURLINFO_PRETRANSFER_TIME_T, &sent_after) == CURLE_OK && sent_after > 0) {
      m_started = true;
      m_last = now;
    }
    return false;
  }
  m_stalled = now - m_last >= m_limit;
  return m_stalled;
}

std::string StallWatch::describe() const {
  const auto tenths = (m_limit.count() + 50) / 100;
  const std::string seconds = tenths % 10 == 0 ? std::to_string(tenths / 10)
                                               : std::to_string(tenths / 10) + "." + std::to_string(tenths % 10);
  return "no data received for " + seconds + " s";
}

std::string describe_curl_error(CURLcode code, const char* error_buffer, const std::string& url) {
  std::string detail = (error_buffer != nullptr && error_buffer[0] != '\0') ? error_buffer : curl_easy_strerror(code);
  if (code == CURLE_PEER_FAILED_VERIFICATION) {
    // A legitimate server with a private CA (a company mirror) is the usual case: say the fix.
    detail += " (if you trust this server, give its CA certificate with REQUESTS_CA_BUNDLE, SSL_CERT_FILE or "
              "SSL_CERT_DIR)";
  }
  return redact_in(detail, url);
}

}  // namespace xl::http
