// SPDX-License-Identifier: Apache-2.0
#include "cli/progress_display.hpp"

#include <unistd.h>

#include <ostream>

#include <nlohmann/json.hpp>

#include "core/cache/disk_space.hpp"

namespace xl::cli {
namespace {

using Clock = std::chrono::steady_clock;

const char* status_name(http::FileStatus status) {
  switch (status) {
    case http::FileStatus::ok: return "ok";
    case http::FileStatus::not_found: return "not_found";
    case http::FileStatus::unauthorized: return "unauthorized";
    case http::FileStatus::http_error: return "http_error";
    case http::FileStatus::network_error: return "network_error";
    case http::FileStatus::integrity_error: return "integrity_error";
    case http::FileStatus::no_space: return "no_space";
    case http::FileStatus::cancelled: return "cancelled";
    case http::FileStatus::io_error: return "io_error";
    case http::FileStatus::lock_failed: return "lock_failed";
  }
  return "unknown";
}

}  // namespace

ProgressMode progress_mode(bool json, bool quiet) {
  if (quiet) {
    return ProgressMode::quiet;
  }
  if (json) {
    return ProgressMode::json;
  }
  return ::isatty(STDERR_FILENO) != 0 ? ProgressMode::terminal : ProgressMode::plain;
}

void ProgressDisplay::on_plan(const download::FilePlan& plan) {
  m_tracker.start(plan, Clock::now());
  m_active = plan.bytes_to_fetch > 0;
  if (m_mode == ProgressMode::json) {
    m_out << nlohmann::json{{"event", "plan"},
                            {"hub", plan.hub},
                            {"repo_id", plan.model_id},
                            {"commit", plan.commit},
                            {"files", plan.files.size()},
                            {"bytes_total", plan.total_bytes},
                            {"bytes_to_fetch", plan.bytes_to_fetch}}
                 .dump()
          << "\n"
          << std::flush;
  } else if (m_mode != ProgressMode::quiet && m_active) {
    std::size_t to_fetch = 0;
    for (const auto& file : plan.files) {
      to_fetch += file.cached ? 0 : 1;
    }
    m_out << "downloading " << to_fetch << " of " << plan.files.size() << " files ("
          << cache::human_bytes(plan.bytes_to_fetch) << ") of " << plan.model_id << " from " << plan.hub << "\n"
          << std::flush;
  }
}

void ProgressDisplay::on_file_started(const http::FileJob& job, std::uint64_t already_have) {
  m_tracker.file_started(already_have);
  if (m_mode == ProgressMode::json) {
    m_out << nlohmann::json{{"event", "file_started"}, {"path", job.display_name}, {"resumed_bytes", already_have}}.dump()
          << "\n"
          << std::flush;
  }
}

void ProgressDisplay::on_bytes(const http::FileJob&, std::uint64_t delta) {
  m_tracker.bytes(delta);
  draw(false);
}

void ProgressDisplay::on_file_finished(const http::FileJob& job, const http::FileResult& result) {
  m_tracker.file_finished();
  if (m_mode == ProgressMode::json) {
    nlohmann::json event = {{"event", "file_finished"},
                            {"path", job.display_name},
                            {"status", status_name(result.status)},
                            {"bytes_transferred", result.bytes_transferred},
                            {"bytes_reused", result.bytes_reused}};
    if (!result.error.empty()) {
      event["error"] = result.error;
    }
    m_out << event.dump() << "\n" << std::flush;
  }
  draw(false);
}

void ProgressDisplay::draw(bool force) {
  if (!m_active || m_mode == ProgressMode::quiet) {
    return;
  }
  const auto now = Clock::now();
  const auto interval = m_mode == ProgressMode::terminal ? std::chrono::milliseconds(200)
                                                          : std::chrono::milliseconds(m_mode == ProgressMode::json ? 2000 : 5000);
  if (!force && now - m_last_draw < interval) {
    return;
  }
  m_last_draw = now;
  const auto snapshot = m_tracker.snapshot(now);
  if (m_mode == ProgressMode::json) {
    nlohmann::json event = {{"event", "progress"},
                            {"bytes_done", snapshot.bytes_done},
                            {"bytes_total", snapshot.bytes_total},
                            {"files_done", snapshot.files_done},
                            {"files_total", snapshot.files_total},
                            {"bytes_per_second", static_cast<std::uint64_t>(snapshot.bytes_per_second)}};
    m_out << event.dump() << "\n" << std::flush;
  } else if (m_mode == ProgressMode::terminal) {
    m_out << "\r\033[K" << download::format_progress(snapshot) << std::flush;
  } else {
    m_out << download::format_progress(snapshot) << "\n" << std::flush;
  }
}

void ProgressDisplay::finish() {
  if (!m_active) {
    return;
  }
  draw(true);
  if (m_mode == ProgressMode::terminal) {
    m_out << "\n" << std::flush;
  }
  m_active = false;
}

}  // namespace xl::cli
