// SPDX-License-Identifier: Apache-2.0
#include "core/http/curl_engine.hpp"
#include "core/http/curl_handles.hpp"
#include "core/http/fetch_run.hpp"

#include <algorithm>

namespace xl::http {

namespace {

class CurlTransport final : public Transport {
 public:
  CurlTransport(const TransferSettings& settings, const std::atomic<bool>* cancel)
      : m_settings(settings), m_cancel(cancel) {}

  std::vector<FileResult> fetch(std::span<const FileJob> jobs, TransferObserver& observer) override {
    FetchRun run(m_settings, m_cancel, multi(), m_pool, jobs, observer);
    return run.run();
  }

 private:
  // Made with the first fetch (a transport that never fetches never loads libcurl).
  CURLM* multi() {
    if (!m_configured) {
      // FetchRun keeps at most max_connections requests in flight. A hub file is two requests
      // to two hosts (the hub's 302, then the CDN), so the pool keeps that many connections per
      // host: with one shared limit, requests kept closing a connection to one host to open one
      // to the other.
      const long connections = std::max(m_settings.max_connections, 1);
      curl_multi_setopt(m_multi.get(), CURLMOPT_MAX_HOST_CONNECTIONS, connections);
      curl_multi_setopt(m_multi.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, 2 * connections);
      curl_multi_setopt(m_multi.get(), CURLMOPT_MAXCONNECTS, 2 * connections);
      m_configured = true;
    }
    return m_multi.get();
  }

  TransferSettings m_settings;
  const std::atomic<bool>* m_cancel;
  CurlMulti m_multi;  // its connection cache is reused across fetch() calls
  bool m_configured = false;
  std::vector<std::unique_ptr<CurlEasy>> m_pool;
};

}  // namespace

std::unique_ptr<Transport> make_curl_transport(const TransferSettings& settings, const std::atomic<bool>* cancel) {
  return std::make_unique<CurlTransport>(settings, cancel);
}

}  // namespace xl::http
