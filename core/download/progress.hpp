// SPDX-License-Identifier: Apache-2.0
#pragma once

// Download progress as numbers and as one line of text; the CLI decides when and where to
// print it. Time is passed in, so the arithmetic (rate, ETA) is unit-tested.

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "core/download/download_types.hpp"

namespace xl::download {

struct ProgressSnapshot {
  std::uint64_t bytes_done = 0;      // includes partial data reused from an earlier run
  std::uint64_t bytes_total = 0;     // bytes the plan had to fetch
  std::size_t files_done = 0;
  std::size_t files_total = 0;
  double bytes_per_second = 0;       // lately, or the whole run once done; 0 until measured
  std::optional<double> eta_seconds; // nullopt until a rate is known
};

class ProgressTracker {
 public:
  using Clock = std::chrono::steady_clock;

  void start(const FilePlan& plan, Clock::time_point now);
  void file_started(std::uint64_t already_have);
  void bytes(std::uint64_t delta);
  void file_finished();
  // Each call is also a sample of the rate: call it at the display's pace, with `now`
  // never going back.
  ProgressSnapshot snapshot(Clock::time_point now);

 private:
  struct Sample {
    Clock::time_point at;
    std::uint64_t network = 0;
  };
  // The rate is measured over the last samples, not since the start: an average since the
  // start counts the wait for the first byte (a 20 ms wait made the first line of a 0.3 s
  // download say "1.00 KiB/s  ETA 8:52:22"), and hours into a 700 GB download it hides a
  // link that has slowed down or recovered.
  std::deque<Sample> m_samples{Sample{}};  // never empty; start() puts its first sample at the start
  Clock::time_point m_start{};
  std::uint64_t m_total = 0;
  std::uint64_t m_network = 0;
  std::uint64_t m_reused = 0;
  std::size_t m_files_total = 0;
  std::size_t m_files_done = 0;
};

// "1.20 GiB / 3.40 GiB  35%  120 MiB/s  ETA 0:18  files 3/9"
std::string format_progress(const ProgressSnapshot& snapshot);

// "1:02:03" / "2:05": hours only when needed.
std::string format_duration(double seconds);

}  // namespace xl::download
