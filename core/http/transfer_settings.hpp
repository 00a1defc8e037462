// SPDX-License-Identifier: Apache-2.0
#pragma once

// Knobs of the transfer engine (core/http/curl_*.cpp). Defaults are what `xlaunch` uses; the
// environment part (proxies, CA bundle) is read once by transfer_settings_from_environment so
// that libcurl never consults the environment on its own (it reads only some spellings).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xl::http {

inline constexpr std::uint64_t k_mebibyte = 1024 * 1024;

struct ProxySettings {
  std::string http_proxy;   // used for http:// URLs; empty: none
  std::string https_proxy;  // used for https:// URLs; empty: none
  std::string no_proxy;     // libcurl CURLOPT_NOPROXY syntax: "host1,.domain,*"
};

// How small files are made durable together (shared_sync.hpp): the real filesystem by default;
// tests count the syncs or make them fail.
struct SharedSyncOps {
  std::function<bool(int fd)> covers;                        // shared_sync_covers
  std::function<bool(const std::vector<int>& fds)> sync_all;  // sync_filesystems
};

struct TransferSettings {
  // Connections (transfers in flight) of one Transport::fetch. 16 measured best on loopback
  // and matches hf_xet's per-file default; more mostly adds server load.
  int max_connections = 16;
  // Upper bound of one byte range (hf_transfer's DOWNLOAD_CHUNK_SIZE). Smaller files are split
  // so that one file alone still uses every connection, down to k_min_range_size.
  std::uint64_t range_size = 10 * k_mebibyte;
  std::chrono::milliseconds connect_timeout{10'000};
  // No byte received for this long aborts the request (connect excluded) and retries it.
  std::chrono::milliseconds stall_timeout{20'000};
  // Attempts of one request (or one byte range) in a row without receiving any byte.
  int max_attempts = 5;
  // Backoff before retry n (1-based): min(base * 2^(n-1), backoff_max), scaled by jitter in
  // [0.5, 1]. A Retry-After answer (429/503) replaces it, up to max_retry_after.
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_max{10'000};
  std::chrono::milliseconds max_retry_after{300'000};
  ProxySettings proxy;
  std::string ca_bundle;  // PEM file; empty: libcurl's default store
  std::string ca_path;    // directory of hashed certificates; empty: default
  std::string user_agent = std::string("xlaunch/") + XLAUNCH_VERSION;
  SharedSyncOps shared_sync;  // empty members: the real ones
};

// Returns the value of an environment variable, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// The process environment (std::getenv); the one place this engine reads it.
std::optional<std::string> process_environment(std::string_view name);

// Defaults plus, from `env` (first non-empty spelling wins):
//   proxy.https_proxy  https_proxy, HTTPS_PROXY, all_proxy, ALL_PROXY
//   proxy.http_proxy   http_proxy, HTTP_PROXY, all_proxy, ALL_PROXY
//   proxy.no_proxy     no_proxy, NO_PROXY
//   ca_bundle          REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, SSL_CERT_FILE
//   ca_path            SSL_CERT_DIR
TransferSettings transfer_settings_from_environment(const EnvLookup& env);

}  // namespace xl::http
