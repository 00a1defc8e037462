// SPDX-License-Identifier: Apache-2.0
#pragma once

// When to retry a request and how long to wait first. Pure functions: the clock and the
// randomness are parameters, so tests drive them with fixed values.

#include "core/http/http_types.hpp"
#include "core/http/transfer_settings.hpp"

#include <chrono>
#include <optional>

namespace xl::http {

// Statuses worth another attempt: 408, 429, 500, 502, 503, 504. Other 4xx go to the caller.
bool is_retryable_status(long status);

// How long the server asked us to wait, from (in order) `RateLimit: ...;r=0;t=N` on a 429,
// `Retry-After: N` (seconds) or `Retry-After: <HTTP-date>` (relative to `now`). Negative
// waits become zero; nullopt when the answer carries no usable hint.
std::optional<std::chrono::milliseconds> server_retry_hint(long status, const Headers& headers,
                                                           std::chrono::system_clock::time_point now);

// The wait before retry number `failures` (1 = after the first failure). Exponential from
// settings.backoff_base, capped by settings.backoff_max, scaled by (0.5 + jitter / 2) with
// `jitter` in [0, 1]. A server hint replaces it (plus up to a quarter second of jitter so that
// many ranges told the same thing do not return at the same instant), capped by
// settings.max_retry_after.
std::chrono::milliseconds retry_delay(int failures, const TransferSettings& settings, double jitter,
                                      std::optional<std::chrono::milliseconds> server_hint);

// Whether another attempt is allowed after `failures` consecutive failures.
inline bool may_retry(int failures, const TransferSettings& settings) { return failures < settings.max_attempts; }

}  // namespace xl::http
