// SPDX-License-Identifier: Apache-2.0
#include "core/http/retry_policy.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <string>

namespace xl::http {

namespace {

std::optional<long long> parse_integer(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) {
    text.remove_suffix(1);
  }
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

// `"api";r=0;t=55` (IETF draft RateLimit fields as sent by the Hugging Face Hub): t when r=0.
std::optional<long long> rate_limit_reset(std::string_view value) {
  std::optional<long long> remaining;
  std::optional<long long> reset;
  while (!value.empty()) {
    auto end = std::min(value.find(';'), value.size());
    auto item = value.substr(0, end);
    value.remove_prefix(std::min(end + 1, value.size()));
    while (!item.empty() && item.front() == ' ') {
      item.remove_prefix(1);
    }
    if (item.starts_with("r=")) {
      remaining = parse_integer(item.substr(2));
    } else if (item.starts_with("t=")) {
      reset = parse_integer(item.substr(2));
    }
  }
  if (remaining == 0LL && reset) {
    return reset;
  }
  return std::nullopt;
}

}  // namespace

bool is_retryable_status(long status) {
  return status == 408 || status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

std::optional<std::chrono::milliseconds> server_retry_hint(long status, const Headers& headers,
                                                           std::chrono::system_clock::time_point now) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  if (status == 429) {
    if (auto rate_limit = headers.get("RateLimit")) {
      if (auto reset = rate_limit_reset(*rate_limit)) {
        return milliseconds(seconds(std::max(*reset, 0LL)));
      }
    }
  }
  auto retry_after = headers.get("Retry-After");
  if (!retry_after) {
    return std::nullopt;
  }
  if (auto delay = parse_integer(*retry_after)) {
    return milliseconds(seconds(std::max(*delay, 0LL)));
  }
  const time_t when = curl_getdate(retry_after->c_str(), nullptr);
  if (when == -1) {
    return std::nullopt;
  }
  auto wait = std::chrono::system_clock::from_time_t(when) - now;
  return std::max(std::chrono::duration_cast<milliseconds>(wait), milliseconds(0));
}

std::chrono::milliseconds retry_delay(int failures, const TransferSettings& settings, double jitter,
                                      std::optional<std::chrono::milliseconds> server_hint) {
  using std::chrono::milliseconds;
  jitter = std::clamp(jitter, 0.0, 1.0);
  if (server_hint) {
    auto spread = milliseconds(static_cast<long long>(250.0 * jitter));
    return std::min(*server_hint + spread, settings.max_retry_after);
  }
  const int doublings = std::clamp(failures - 1, 0, 30);
  const double exponential = static_cast<double>(settings.backoff_base.count()) * static_cast<double>(1LL << doublings);
  const double capped = std::min(exponential, static_cast<double>(settings.backoff_max.count()));
  return milliseconds(static_cast<long long>(capped * (0.5 + jitter / 2.0)));
}

}  // namespace xl::http
