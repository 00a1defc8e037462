// SPDX-License-Identifier: Apache-2.0
#pragma once

// What an ended request means for its file: the libcurl result, status and headers of an
// Exchange turned into one decision for the transport loop (retry, fail, follow a redirect,
// or a range that landed). Updates the FileDownload where the answer itself says so (an
// open-ended range ended, a signed redirect target expired).

#include "core/http/exchange.hpp"

#include <chrono>
#include <optional>
#include <string>

namespace xl::http {

struct Outcome {
  enum class Kind { range_landed, retry, fail, follow } kind = Kind::range_landed;
  FileStatus status = FileStatus::ok;  // retry (used when attempts run out) and fail
  std::string error;                   // retry and fail: one line, no secrets
  long http_status = 0;
  std::optional<std::chrono::milliseconds> hint;  // retry: what the server asked for
  std::string next_url;                           // follow
  Headers next_headers;                           // follow: credentials dropped off-origin
};

Outcome judge_exchange(Exchange& exchange, CURLcode code, int max_redirects);

}  // namespace xl::http
