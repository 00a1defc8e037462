// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <curl/curl.h>

namespace xl::http {

// Failures a new attempt may cure: connection refused/reset, timeouts and stalls, truncated
// bodies, DNS hiccups, TLS handshake resets. Not: bad URLs, certificate rejections, proxy
// misconfiguration, aborts by our own callbacks.
bool is_retryable_curl_error(CURLcode code);

}  // namespace xl::http
