// SPDX-License-Identifier: Apache-2.0
#include "core/http/retry_policy.hpp"

#include <doctest/doctest.h>

using namespace xl::http;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("retryable statuses") {
  for (long status : {408L, 429L, 500L, 502L, 503L, 504L}) {
    CHECK(is_retryable_status(status));
  }
  for (long status : {200L, 301L, 400L, 401L, 403L, 404L, 416L, 501L}) {
    CHECK_FALSE(is_retryable_status(status));
  }
}

TEST_CASE("backoff doubles, is capped, and jitter scales it between half and full") {
  TransferSettings settings;
  settings.backoff_base = milliseconds(500);
  settings.backoff_max = milliseconds(4000);
  CHECK(retry_delay(1, settings, 1.0, std::nullopt) == milliseconds(500));
  CHECK(retry_delay(2, settings, 1.0, std::nullopt) == milliseconds(1000));
  CHECK(retry_delay(3, settings, 1.0, std::nullopt) == milliseconds(2000));
  CHECK(retry_delay(4, settings, 1.0, std::nullopt) == milliseconds(4000));
  CHECK(retry_delay(40, settings, 1.0, std::nullopt) == milliseconds(4000));
  CHECK(retry_delay(1, settings, 0.0, std::nullopt) == milliseconds(250));
  CHECK(retry_delay(3, settings, 0.5, std::nullopt) == milliseconds(1500));
}

TEST_CASE("a server hint replaces the backoff and is capped") {
  TransferSettings settings;
  settings.max_retry_after = milliseconds(60'000);
  CHECK(retry_delay(1, settings, 0.0, milliseconds(7000)) == milliseconds(7000));
  CHECK(retry_delay(1, settings, 1.0, milliseconds(7000)) == milliseconds(7250));
  CHECK(retry_delay(5, settings, 0.0, milliseconds(3'600'000)) == milliseconds(60'000));
}

TEST_CASE("attempt budget") {
  TransferSettings settings;
  settings.max_attempts = 3;
  CHECK(may_retry(1, settings));
  CHECK(may_retry(2, settings));
  CHECK_FALSE(may_retry(3, settings));
}

TEST_CASE("server retry hints: Retry-After seconds, HTTP date, RateLimit") {
  const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);  // 2023-11-14T22:13:20Z
  Headers headers;
  CHECK_FALSE(server_retry_hint(503, headers, now));
  headers.set("Retry-After", "12");
  CHECK(server_retry_hint(503, headers, now) == milliseconds(12'000));
  headers.set("retry-after", "Tue, 14 Nov 2023 22:13:50 GMT");
  CHECK(server_retry_hint(429, headers, now) == milliseconds(30'000));
  headers.set("Retry-After", "Tue, 14 Nov 2023 22:00:00 GMT");
  CHECK(server_retry_hint(429, headers, now) == milliseconds(0));
  headers.set("Retry-After", "soon");
  CHECK_FALSE(server_retry_hint(429, headers, now));
  headers.set("RateLimit", "\"api\";r=0;t=55");
  CHECK(server_retry_hint(429, headers, now) == milliseconds(55'000));
  headers.set("RateLimit", "\"api\";r=3;t=55");
  CHECK_FALSE(server_retry_hint(429, headers, now));
}
