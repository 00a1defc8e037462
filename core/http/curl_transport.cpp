// SPDX-License-Identifier: Apache-2.0
#include "core/http/curl_engine.hpp"
#include "core/http/curl_errors.hpp"
#include "core/http/curl_handles.hpp"
#include "core/http/exchange.hpp"
#include "core/http/file_download.hpp"
#include "core/http/retry_policy.hpp"
#include "core/http/url.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <vector>

namespace xl::http {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int k_max_redirects = 10;
constexpr milliseconds k_poll_interval{100};      // bounds the reaction time to a cancel
constexpr milliseconds k_progress_interval{100};  // observer on_bytes throttle
constexpr milliseconds k_sidecar_interval{2000};  // how much a crash may cost to refetch

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

// One call of fetch(): the files, the requests in flight and the observer.
class FetchRun {
 public:
  FetchRun(const TransferSettings& settings, const std::atomic<bool>* cancel, CURLM* multi,
           std::vector<std::unique_ptr<CurlEasy>>& pool, std::span<const FileJob> jobs, TransferObserver& observer)
      : m_settings(settings), m_cancel(cancel), m_multi(multi), m_pool(pool), m_jobs(jobs), m_observer(observer),
        m_random(std::random_device{}()) {
    for (const auto& job : jobs) {
      m_files.push_back(std::make_unique<FileDownload>(job, settings));
    }
    m_reported.assign(jobs.size(), 0);
    m_finished.assign(jobs.size(), false);
  }

  ~FetchRun() {
    for (auto& [handle, exchange] : m_active) {
      curl_multi_remove_handle(m_multi, handle);
      m_pool.push_back(std::move(exchange->easy));
    }
  }

  std::vector<FileResult> run() {
    auto last_flush = Clock::now();
    while (!cancelled()) {
      auto now = Clock::now();
      auto wake = now + k_poll_interval;
      dispatch(now, &wake);
      if (m_active.empty() && all_finished()) {
        break;
      }
      int running = 0;
      curl_multi_perform(m_multi, &running);
      collect_finished();
      reap_abandoned();
      now = Clock::now();
      if (now - last_flush >= k_progress_interval) {
        last_flush = now;
        flush_progress();
      }
      const auto timeout = std::clamp(std::chrono::duration_cast<milliseconds>(wake - now), milliseconds(0), k_poll_interval);
      curl_multi_poll(m_multi, nullptr, 0, static_cast<int>(timeout.count()), nullptr);
    }
    if (cancelled()) {
      stop_everything();
    }
    flush_progress();
    std::vector<FileResult> results;
    for (auto& file : m_files) {
      results.push_back(file->result());
    }
    return results;
  }

 private:
  bool cancelled() const { return m_cancel != nullptr && m_cancel->load(); }

  bool all_finished() const {
    return std::all_of(m_finished.begin(), m_finished.end(), [](bool finished) { return finished; });
  }

  void dispatch(Clock::time_point now, Clock::time_point* wake) {
    while (static_cast<int>(m_active.size()) < std::max(m_settings.max_connections, 1)) {
      RangeTask* task = nullptr;
      std::size_t index = 0;
      for (index = m_first_open; index < m_next_start && task == nullptr; ++index) {
        if (!m_finished[index]) {
          task = m_files[index]->next_ready(now, wake);
        }
      }
      if (task != nullptr) {
        --index;
        launch(index, *task, m_files[index]->url(), m_files[index]->headers(), 0, {m_files[index]->url()});
        continue;
      }
      if (m_next_start >= m_files.size() || open_files() >= 4 * static_cast<std::size_t>(m_settings.max_connections)) {
        return;
      }
      start_file(m_next_start++);
    }
  }

  std::size_t open_files() {
    while (m_first_open < m_next_start && m_finished[m_first_open]) {
      ++m_first_open;
    }
    return static_cast<std::size_t>(std::count(m_finished.begin() + static_cast<std::ptrdiff_t>(m_first_open),
                                               m_finished.begin() + static_cast<std::ptrdiff_t>(m_next_start), false));
  }

  void start_file(std::size_t index) {
    auto& file = *m_files[index];
    std::uint64_t kept = 0;
    try {
      kept = file.start();
    } catch (const FileIoError& error) {
      m_observer.on_file_started(file.job(), 0);
      fail(index, error.status(), file.job().display_name + ": " + error.what(), 0);
      return;
    }
    m_observer.on_file_started(file.job(), kept);
    if (file.complete()) {
      finish(index);
    }
  }

  void launch(std::size_t index, RangeTask& task, std::string url, Headers headers, int hops,
              std::set<std::string> visited) {
    auto exchange = std::make_unique<Exchange>();
    if (m_pool.empty()) {
      exchange->easy = std::make_unique<CurlEasy>();
    } else {
      exchange->easy = std::move(m_pool.back());
      m_pool.pop_back();
    }
    exchange->file_index = index;
    exchange->file = m_files[index].get();
    exchange->task = &task;
    exchange->url = std::move(url);
    exchange->headers = std::move(headers);
    exchange->hops = hops;
    exchange->visited = std::move(visited);
    exchange->cancel = m_cancel;
    exchange->prepare(m_settings);
    CURL* handle = exchange->easy->get();
    curl_multi_add_handle(m_multi, handle);
    exchange->file->mark_in_flight(task);
    m_active.emplace(handle, std::move(exchange));
  }

  std::unique_ptr<Exchange> release(CURL* handle) {
    auto node = m_active.extract(handle);
    curl_multi_remove_handle(m_multi, handle);
    auto exchange = std::move(node.mapped());
    exchange->file->mark_landed(*exchange->task);
    m_pool.push_back(std::move(exchange->easy));
    return exchange;
  }

  void collect_finished() {
    int queued = 0;
    while (CURLMsg* message = curl_multi_info_read(m_multi, &queued)) {
      if (message->msg == CURLMSG_DONE) {
        CURL* handle = message->easy_handle;
        const CURLcode code = message->data.result;
        on_done(release(handle), code);
      }
    }
  }

  // Requests whose range was superseded (server ignored Range) or whose file failed.
  void reap_abandoned() {
    std::vector<CURL*> doomed;
    for (auto& [handle, exchange] : m_active) {
      if (exchange->task->abandoned || m_finished[exchange->file_index]) {
        doomed.push_back(handle);
      }
    }
    for (CURL* handle : doomed) {
      release(handle);
    }
  }

  void on_done(std::unique_ptr<Exchange> exchange, CURLcode code) {
    const std::size_t index = exchange->file_index;
    FileDownload& file = *exchange->file;
    RangeTask& task = *exchange->task;
    if (m_finished[index] || task.abandoned || cancelled()) {
      return;
    }
    if (exchange->file_failure) {
      fail(index, exchange->file_failure->first, exchange->file_failure->second, exchange->head.status);
      return;
    }
    const std::string where = "GET " + redact_url(exchange->url);
    if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && exchange->range_satisfied)) {
      const auto cause = file.job().display_name + ": " + where + ": " +
                         describe_curl_error(code, exchange->error_buffer, exchange->url);
      if (is_retryable_curl_error(code)) {
        retry(index, task, std::nullopt, FileStatus::network_error, cause, 0);
      } else {
        fail(index, FileStatus::network_error, cause, 0);
      }
      return;
    }
    const long status = exchange->head.status;
    switch (exchange->plan.kind) {
      case BodyPlan::Kind::follow_redirect:
        follow(std::move(exchange));
        return;
      case BodyPlan::Kind::write:
        if (exchange->range_satisfied || task.finished() || task.range.end == k_open_end) {
          file.on_answer_complete(task);
        }
        if (!task.finished()) {
          // A short answer: ask again for the rest (counts as a failure only without progress).
          retry(index, task, std::nullopt, FileStatus::network_error,
                file.job().display_name + ": " + where + ": answer ended early", status);
          return;
        }
        if (file.complete()) {
          finish(index);
        }
        return;
      case BodyPlan::Kind::keep_as_error:
      case BodyPlan::Kind::fail_file:
        break;
    }
    std::string cause = file.job().display_name + ": " + where + " -> " + std::to_string(status);
    if (auto message = exchange->head.headers.get("X-Error-Message")) {
      cause += " (" + *message + ")";
    }
    if (is_retryable_status(status)) {
      auto hint = server_retry_hint(status, exchange->head.headers, std::chrono::system_clock::now());
      retry(index, task, hint, FileStatus::http_error, cause, status);
    } else if ((status == 401 || status == 403 || status == 410) && file.forget_redirect()) {
      retry(index, task, std::nullopt, status_for(status), cause, status);
    } else {
      fail(index, status_for(status), cause, status);
    }
  }

  void follow(std::unique_ptr<Exchange> exchange) {
    const std::size_t index = exchange->file_index;
    const auto& job = exchange->file->job();
    const auto where = job.display_name + ": GET " + redact_url(exchange->url);
    auto next = resolve_location(exchange->url, exchange->head.headers.get("Location").value_or(""));
    if (!next) {
      fail(index, FileStatus::http_error, where + ": unusable redirect target", exchange->head.status);
    } else if (exchange->visited.contains(*next)) {
      fail(index, FileStatus::http_error, where + ": redirect loop at " + redact_url(*next), exchange->head.status);
    } else if (exchange->hops + 1 > k_max_redirects) {
      fail(index, FileStatus::http_error, where + ": too many redirects", exchange->head.status);
    } else {
      Headers headers = exchange->headers;
      // Credentials belong to the origin they were given for (a CDN URL is signed instead).
      if (url_origin(*next) != url_origin(job.request.url)) {
        headers.remove("Authorization");
        headers.remove("Cookie");
      }
      exchange->visited.insert(*next);
      launch(index, *exchange->task, *next, std::move(headers), exchange->hops + 1, std::move(exchange->visited));
    }
  }

  void retry(std::size_t index, RangeTask& task, std::optional<milliseconds> hint, FileStatus status,
             const std::string& cause, long http_status) {
    const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(m_random);
    try {
      if (m_files[index]->schedule_retry(task, Clock::now(), jitter, hint)) {
        return;
      }
    } catch (const FileIoError& error) {
      fail(index, error.status(), m_files[index]->job().display_name + ": " + error.what(), http_status);
      return;
    }
    fail(index, status, cause + " (gave up after " + std::to_string(m_settings.max_attempts) + " attempts)", http_status);
  }

  void fail(std::size_t index, FileStatus status, const std::string& error, long http_status) {
    m_files[index]->finish_failed(status, error);
    m_files[index]->result().http_status = http_status;
    report_finished(index);
  }

  void finish(std::size_t index) {
    m_files[index]->finish_verified();
    report_finished(index);
  }

  void report_finished(std::size_t index) {
    m_finished[index] = true;
    flush_progress(index);
    m_observer.on_file_finished(m_files[index]->job(), m_files[index]->result());
  }

  void flush_progress(std::size_t index) {
    const auto transferred = m_files[index]->result().bytes_transferred;
    if (transferred > m_reported[index]) {
      m_observer.on_bytes(m_files[index]->job(), transferred - m_reported[index]);
      m_reported[index] = transferred;
    }
  }

  void flush_progress() {
    const auto now = Clock::now();
    for (std::size_t index = m_first_open; index < m_next_start; ++index) {
      if (!m_finished[index]) {
        flush_progress(index);
        m_files[index]->save_progress(now, k_sidecar_interval);
      }
    }
  }

  void stop_everything() {
    std::vector<CURL*> handles;
    for (auto& [handle, exchange] : m_active) {
      handles.push_back(handle);
    }
    for (CURL* handle : handles) {
      release(handle);
    }
    for (std::size_t index = 0; index < m_files.size(); ++index) {
      if (!m_finished[index]) {
        m_files[index]->finish_cancelled();
        if (index < m_next_start) {
          report_finished(index);
        }
        m_finished[index] = true;
      }
    }
  }

  const TransferSettings& m_settings;
  const std::atomic<bool>* m_cancel;
  CURLM* m_multi;
  std::vector<std::unique_ptr<CurlEasy>>& m_pool;
  std::span<const FileJob> m_jobs;
  TransferObserver& m_observer;
  std::minstd_rand m_random;
  std::vector<std::unique_ptr<FileDownload>> m_files;
  std::vector<std::uint64_t> m_reported;
  std::vector<bool> m_finished;
  std::size_t m_next_start = 0;  // files [0, m_next_start) have been started
  std::size_t m_first_open = 0;  // files before it are finished
  std::map<CURL*, std::unique_ptr<Exchange>> m_active;
};

class CurlTransport final : public Transport {
 public:
  CurlTransport(const TransferSettings& settings, const std::atomic<bool>* cancel)
      : m_settings(settings), m_cancel(cancel) {
    const long connections = std::max(settings.max_connections, 1);
    curl_multi_setopt(m_multi.get(), CURLMOPT_MAX_TOTAL_CONNECTIONS, connections);
    curl_multi_setopt(m_multi.get(), CURLMOPT_MAXCONNECTS, connections);
  }

  std::vector<FileResult> fetch(std::span<const FileJob> jobs, TransferObserver& observer) override {
    FetchRun run(m_settings, m_cancel, m_multi.get(), m_pool, jobs, observer);
    return run.run();
  }

 private:
  TransferSettings m_settings;
  const std::atomic<bool>* m_cancel;
  CurlMulti m_multi;  // its connection cache is reused across fetch() calls
  std::vector<std::unique_ptr<CurlEasy>> m_pool;
};

}  // namespace

std::unique_ptr<Transport> make_curl_transport(const TransferSettings& settings, const std::atomic<bool>* cancel) {
  return std::make_unique<CurlTransport>(settings, cancel);
}

}  // namespace xl::http
