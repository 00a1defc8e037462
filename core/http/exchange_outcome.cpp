// SPDX-License-Identifier: Apache-2.0
#include "core/http/exchange_outcome.hpp"

#include "core/http/curl_errors.hpp"
#include "core/http/retry_policy.hpp"
#include "core/http/url.hpp"

namespace xl::http {

namespace {

FileStatus status_for(long http_status) {
  switch (http_status) {
    case 404:
    case 410:
      return FileStatus::not_found;
    case 401:
    case 403:
      return FileStatus::unauthorized;
    default:
      return FileStatus::http_error;
  }
}

Outcome make(Outcome::Kind kind, FileStatus status, std::string error, long http_status) {
  Outcome outcome;
  outcome.kind = kind;
  outcome.status = status;
  outcome.error = std::move(error);
  outcome.http_status = http_status;
  return outcome;
}

Outcome follow(const Exchange& exchange, int max_redirects) {
  const auto& job = exchange.file->job();
  const long status = exchange.head.status;
  // Built only for an error: redacting parses the URL, and this runs for every hub file.
  const auto where = [&] { return job.display_name + ": GET " + redact_url(exchange.url); };
  auto next = resolve_location(exchange.url, exchange.head.headers.get("Location").value_or(""));
  if (!next) {
    return make(Outcome::Kind::fail, FileStatus::http_error, where() + ": unusable redirect target", status);
  }
  if (exchange.visited.contains(*next)) {
    return make(Outcome::Kind::fail, FileStatus::http_error, where() + ": redirect loop at " + redact_url(*next), status);
  }
  if (exchange.hops + 1 > max_redirects) {
    return make(Outcome::Kind::fail, FileStatus::http_error, where() + ": too many redirects", status);
  }
  Outcome outcome;
  outcome.kind = Outcome::Kind::follow;
  outcome.next_url = *next;
  outcome.next_headers = exchange.headers;
  drop_credentials_leaving(outcome.next_headers, job.request.url, *next);
  return outcome;
}

}  // namespace

Outcome judge_exchange(Exchange& exchange, CURLcode code, int max_redirects) {
  FileDownload& file = *exchange.file;
  RangeTask& task = *exchange.task;
  const long status = exchange.head.status;
  if (exchange.file_failure) {
    return make(Outcome::Kind::fail, exchange.file_failure->first, exchange.file_failure->second, status);
  }
  // Built only for an error: redacting parses the URL, and every request ends here.
  const auto where = [&] { return file.job().display_name + ": GET " + redact_url(exchange.url); };
  if (code == CURLE_ABORTED_BY_CALLBACK && exchange.stall.stalled()) {
    // The bytes that did arrive are on disk; the retry asks for the rest of the range.
    return make(Outcome::Kind::retry, FileStatus::network_error, where() + ": " + exchange.stall.describe(), 0);
  }
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && exchange.range_satisfied)) {
    const auto kind = is_retryable_curl_error(code) ? Outcome::Kind::retry : Outcome::Kind::fail;
    return make(kind, FileStatus::network_error,
                where() + ": " + describe_curl_error(code, exchange.error_buffer, exchange.url), 0);
  }
  switch (exchange.plan.kind) {
    case BodyPlan::Kind::follow_redirect:
      return follow(exchange, max_redirects);
    case BodyPlan::Kind::write:
      if (exchange.range_satisfied || task.finished() || task.range.end == k_open_end) {
        file.on_answer_complete(task);
      }
      if (!task.finished()) {
        // A short answer: ask again for the rest (a failure only if nothing came).
        return make(Outcome::Kind::retry, FileStatus::network_error, where() + ": answer ended early", status);
      }
      return make(Outcome::Kind::range_landed, FileStatus::ok, {}, status);
    case BodyPlan::Kind::keep_as_error:
    case BodyPlan::Kind::fail_file:
      break;
  }
  std::string cause = where() + " -> " + std::to_string(status);
  if (auto message = exchange.head.headers.get("X-Error-Message")) {
    cause += " (" + *message + ")";
  }
  if (is_retryable_status(status)) {
    auto outcome = make(Outcome::Kind::retry, FileStatus::http_error, cause, status);
    outcome.hint = server_retry_hint(status, exchange.head.headers, std::chrono::system_clock::now());
    return outcome;
  }
  if ((status == 401 || status == 403 || status == 410) && file.forget_redirect()) {
    return make(Outcome::Kind::retry, status_for(status), cause, status);
  }
  return make(Outcome::Kind::fail, status_for(status), cause, status);
}

}  // namespace xl::http
