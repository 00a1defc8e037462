// SPDX-License-Identifier: Apache-2.0
#pragma once

// Download progress on stderr: a redrawn line on a terminal, a plain line every few seconds
// otherwise, JSON-lines events with --json, nothing with --quiet.

#include <chrono>
#include <iosfwd>

#include "core/download/download_types.hpp"
#include "core/download/progress.hpp"

namespace xl::cli {

enum class ProgressMode { terminal, plain, json, quiet };

// --quiet wins, then --json, then whether stderr is a terminal.
ProgressMode progress_mode(bool json, bool quiet);

class ProgressDisplay final : public download::DownloadObserver {
 public:
  ProgressDisplay(ProgressMode mode, std::ostream& out) : m_mode(mode), m_out(out) {}

  void on_plan(const download::FilePlan& plan) override;
  void on_file_started(const http::FileJob& job, std::uint64_t already_have) override;
  void on_bytes(const http::FileJob& job, std::uint64_t delta) override;
  void on_file_finished(const http::FileJob& job, const http::FileResult& result) override;
  // Ends the display (final line, newline on a terminal).
  void finish();

 private:
  void draw(bool force);

  ProgressMode m_mode;
  std::ostream& m_out;
  download::ProgressTracker m_tracker;
  std::chrono::steady_clock::time_point m_last_draw{};
  bool m_active = false;
};

}  // namespace xl::cli
