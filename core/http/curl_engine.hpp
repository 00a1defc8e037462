// SPDX-License-Identifier: Apache-2.0
#pragma once

// The libcurl implementations of http::Client and http::Transport (contract: http_types.hpp).
// This header does not include libcurl.

#include "core/http/http_types.hpp"
#include "core/http/transfer_settings.hpp"

#include <atomic>
#include <memory>

namespace xl::http {

// Small requests. Follows up to 10 redirects itself when asked (Authorization and Cookie are
// dropped once a hop leaves the origin of the request; a loop is an error), asks for gzip
// unless the request sets Accept-Encoding, retries connection failures and 408/429/5xx with
// backoff (Retry-After honoured) up to settings.max_attempts, returns any other status. Safe
// to call from several threads (calls are serialized). When `*cancel` becomes true, a call in
// progress ends within ~0.1 s with Response::error == "cancelled". `cancel` may be null and
// must otherwise outlive the client.
std::unique_ptr<Client> make_curl_client(const TransferSettings& settings, const std::atomic<bool>* cancel = nullptr);

// Bulk downloads on one libcurl multi handle driven by the thread calling fetch(): up to
// settings.max_connections requests in flight over reused HTTP/1.1 connections, large files
// split into byte ranges, per-range retries, stall watchdog, resume of `<destination>.incomplete`
// (with its `<destination>.incomplete.json` sidecar) across runs, sha256 computed while
// streaming. When `*cancel` becomes true, fetch() returns within ~0.1 s: unfinished files are
// FileStatus::cancelled and keep their partial data. `cancel` may be null and must otherwise
// outlive the transport.
std::unique_ptr<Transport> make_curl_transport(const TransferSettings& settings,
                                               const std::atomic<bool>* cancel = nullptr);

}  // namespace xl::http
