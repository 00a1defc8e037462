// SPDX-License-Identifier: Apache-2.0
#include "core/http/curl_errors.hpp"
#include "core/http/curl_handles.hpp"
#include "core/http/curl_engine.hpp"
#include "core/http/retry_policy.hpp"
#include "core/http/url.hpp"

#include <algorithm>
#include <mutex>
#include <random>
#include <set>
#include <thread>

namespace xl::http {

namespace {

constexpr int k_max_redirects = 10;
// API answers are small (a 1000-entry listing page is ~200 KiB; ModelScope's unpaged listing
// of a 5000-file repo ~2 MiB); a bigger body is a broken or hostile endpoint, and refusing it
// bounds the memory the JSON parser can be made to use.
constexpr std::size_t k_max_body = 16 * k_mebibyte;

bool is_redirect(long status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

class CurlClient final : public Client {
 public:
  CurlClient(const TransferSettings& settings, const std::atomic<bool>* cancel)
      : m_settings(settings), m_cancel(cancel), m_random(std::random_device{}()) {}

  Response send(const Request& request) override {
    std::lock_guard lock(m_mutex);
    Request current = request;
    std::set<std::string> visited{request.url};
    for (int hop = 0;; ++hop) {
      Response response = send_with_retries(current);
      response.effective_url = current.url;
      if (!response.error.empty() || request.redirects == Redirects::do_not_follow || !is_redirect(response.status)) {
        return response;
      }
      auto location = response.headers.get("Location");
      if (!location) {
        return response;
      }
      auto next = resolve_location(current.url, *location);
      if (!next) {
        response.error = method_name(current) + " " + redact_url(current.url) + ": unusable redirect target";
        return response;
      }
      if (!visited.insert(*next).second) {
        response.error = method_name(current) + " " + redact_url(request.url) + ": redirect loop at " + redact_url(*next);
        return response;
      }
      if (hop + 1 >= k_max_redirects) {
        response.error = method_name(current) + " " + redact_url(request.url) + ": more than " +
                         std::to_string(k_max_redirects) + " redirects";
        return response;
      }
      drop_credentials_leaving(current.headers, request.url, *next);
      current.url = *next;
    }
  }

 private:
  static std::string method_name(const Request& request) { return request.method == Method::head ? "HEAD" : "GET"; }

  bool cancelled() const { return m_cancel != nullptr && m_cancel->load(); }

  Response send_with_retries(const Request& request) {
    for (int failures = 0;;) {
      Response response = perform(request);
      const bool transient = response.error.empty() ? is_retryable_status(response.status) : m_last_retryable;
      if (!transient || cancelled()) {
        return response;
      }
      ++failures;
      if (!may_retry(failures, m_settings)) {
        return response;
      }
      auto hint = response.error.empty()
                      ? server_retry_hint(response.status, response.headers, std::chrono::system_clock::now())
                      : std::nullopt;
      const auto delay = retry_delay(failures, m_settings, std::uniform_real_distribution<double>(0, 1)(m_random), hint);
      if (!sleep_unless_cancelled(delay)) {
        response.error = "cancelled";
        return response;
      }
    }
  }

  bool sleep_unless_cancelled(std::chrono::milliseconds delay) const {
    const auto until = std::chrono::steady_clock::now() + delay;
    while (std::chrono::steady_clock::now() < until) {
      if (cancelled()) {
        return false;
      }
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
          std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
    }
    return !cancelled();
  }

  struct Sink {
    ResponseHead head;
    std::string body;
    bool too_large = false;
    const std::atomic<bool>* cancel = nullptr;
    CURL* easy = nullptr;
    StallWatch stall;
  };

  static size_t on_header(char* data, size_t size, size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    sink->stall.on_data();
    sink->head.on_header_line(std::string_view(data, size * count));
    return size * count;
  }

  static size_t on_body(char* data, size_t size, size_t count, void* user) {
    auto* sink = static_cast<Sink*>(user);
    sink->stall.on_data();
    if (sink->body.size() + size * count > k_max_body) {
      sink->too_large = true;
      return 0;
    }
    sink->body.append(data, size * count);
    return size * count;
  }

  static int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* sink = static_cast<Sink*>(user);
    if (sink->cancel != nullptr && sink->cancel->load()) {
      return 1;
    }
    return sink->stall.check(sink->easy) ? 1 : 0;
  }

  Response perform(const Request& request) {
    m_easy.reset();
    CurlHeaderList header_list;
    apply_request_options(m_easy.get(), m_settings, request.url, request.method, request.headers, header_list);
    if (!request.headers.get("Accept-Encoding")) {
      curl_easy_setopt(m_easy.get(), CURLOPT_ACCEPT_ENCODING, "");
    }
    Sink sink;
    sink.cancel = m_cancel;
    sink.easy = m_easy.get();
    sink.stall = StallWatch(m_settings.stall_timeout);
    char error_buffer[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(m_easy.get(), CURLOPT_ERRORBUFFER, error_buffer);
    curl_easy_setopt(m_easy.get(), CURLOPT_HEADERFUNCTION, &CurlClient::on_header);
    curl_easy_setopt(m_easy.get(), CURLOPT_HEADERDATA, &sink);
    curl_easy_setopt(m_easy.get(), CURLOPT_WRITEFUNCTION, &CurlClient::on_body);
    curl_easy_setopt(m_easy.get(), CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(m_easy.get(), CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(m_easy.get(), CURLOPT_XFERINFOFUNCTION, &CurlClient::on_progress);
    curl_easy_setopt(m_easy.get(), CURLOPT_XFERINFODATA, &sink);
    const CURLcode code = curl_easy_perform(m_easy.get());

    Response response;
    m_last_retryable = false;
    if (code != CURLE_OK) {
      if (cancelled()) {
        response.error = "cancelled";
      } else if (sink.stall.stalled()) {
        response.error = method_name(request) + " " + redact_url(request.url) + ": " + sink.stall.describe();
        m_last_retryable = true;
      } else if (sink.too_large) {
        response.error = method_name(request) + " " + redact_url(request.url) + ": response larger than " +
                         std::to_string(k_max_body / k_mebibyte) + " MiB";
      } else {
        response.error = method_name(request) + " " + redact_url(request.url) + ": " +
                         describe_curl_error(code, error_buffer, request.url);
        m_last_retryable = is_retryable_curl_error(code);
      }
      return response;
    }
    curl_easy_getinfo(m_easy.get(), CURLINFO_RESPONSE_CODE, &response.status);
    response.headers = std::move(sink.head.headers);
    response.body = std::move(sink.body);
    return response;
  }

  TransferSettings m_settings;
  const std::atomic<bool>* m_cancel;
  std::mutex m_mutex;
  CurlEasy m_easy;  // kept across calls: its connection cache makes API calls reuse connections
  std::minstd_rand m_random;
  bool m_last_retryable = false;
};

}  // namespace

std::unique_ptr<Client> make_curl_client(const TransferSettings& settings, const std::atomic<bool>* cancel) {
  return std::make_unique<CurlClient>(settings, cancel);
}

}  // namespace xl::http
