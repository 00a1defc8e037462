// SPDX-License-Identifier: Apache-2.0
// Fuzz target: header values and redirect targets as a hostile server sends them: Content-Range,
// Retry-After / RateLimit, Location resolution, URL redaction and origins.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/http/range_plan.hpp"
#include "core/http/retry_policy.hpp"
#include "core/http/url.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto split = text.find('\n');
  const std::string_view first = text.substr(0, split);
  const std::string_view second = split == std::string_view::npos ? std::string_view{} : text.substr(split + 1);

  if (const auto range = xl::http::parse_content_range(first)) {
    (void)range;
  }
  xl::http::Headers headers;
  headers.set("Retry-After", std::string(first));
  headers.set("RateLimit", std::string(second));
  const auto now = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 50);
  for (const long status : {429L, 503L}) {
    if (const auto hint = xl::http::server_retry_hint(status, headers, now)) {
      if (hint->count() < 0) {
        __builtin_trap();  // a negative wait must never come out
      }
    }
  }
  (void)xl::http::redact_url(first);
  (void)xl::http::url_origin(first);
  (void)xl::http::resolve_location(first, second);
  (void)xl::http::redact_in(std::string(second), first);
  return 0;
}
