// SPDX-License-Identifier: Apache-2.0
#include "core/download/progress.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "core/cache/disk_space.hpp"

namespace xl::download {

namespace {

// How far back the rate looks: long enough to smooth a display refresh's jitter, short enough
// to follow the link.
constexpr std::chrono::seconds k_rate_window{10};
// Before this much time has passed, bytes say too little about the link (the first ones come
// after connecting and a redirect), so no rate or ETA is shown yet, unless everything is done.
constexpr std::chrono::seconds k_min_rate_span{1};
// Samples closer together than this are not kept, so a caller that asks on every event keeps
// at most a hundred of them.
constexpr std::chrono::milliseconds k_sample_spacing{100};

}  // namespace

void ProgressTracker::start(const FilePlan& plan, Clock::time_point now) {
  m_start = now;
  m_total = plan.bytes_to_fetch;
  m_files_total = static_cast<std::size_t>(
      std::count_if(plan.files.begin(), plan.files.end(), [](const PlannedFile& f) { return !f.cached; }));
  m_network = 0;
  m_reused = 0;
  m_files_done = 0;
  m_samples.assign(1, Sample{now, 0});
}

void ProgressTracker::file_started(std::uint64_t already_have) { m_reused += already_have; }

void ProgressTracker::bytes(std::uint64_t delta) { m_network += delta; }

void ProgressTracker::file_finished() { ++m_files_done; }

ProgressSnapshot ProgressTracker::snapshot(Clock::time_point now) {
  ProgressSnapshot snapshot;
  snapshot.bytes_total = m_total;
  snapshot.bytes_done = std::min(m_total, m_network + m_reused);
  snapshot.files_done = m_files_done;
  snapshot.files_total = m_files_total;
  if (now - m_samples.back().at >= k_sample_spacing) {
    m_samples.push_back(Sample{now, m_network});
  }
  // Keep the newest sample that is at least a window old: the rate then spans a whole window.
  while (m_samples.size() > 2 && now - m_samples[1].at >= k_rate_window) {
    m_samples.pop_front();
  }
  // Once everything is here the line sums the download up: its rate is the whole run's.
  const bool done = snapshot.bytes_done >= m_total;
  const Sample base = done ? Sample{m_start, 0} : m_samples.front();
  const double span = std::chrono::duration<double>(now - base.at).count();
  if (span > 0 && m_network > base.network && (now - m_start >= k_min_rate_span || done)) {
    snapshot.bytes_per_second = static_cast<double>(m_network - base.network) / span;
    snapshot.eta_seconds = static_cast<double>(m_total - snapshot.bytes_done) / snapshot.bytes_per_second;
  }
  return snapshot;
}

std::string format_duration(double seconds) {
  const auto total = static_cast<long long>(seconds + 0.5);
  std::array<char, 32> text{};
  if (total >= 3600) {
    std::snprintf(text.data(), text.size(), "%lld:%02lld:%02lld", total / 3600, (total / 60) % 60, total % 60);
  } else {
    std::snprintf(text.data(), text.size(), "%lld:%02lld", total / 60, total % 60);
  }
  return text.data();
}

std::string format_progress(const ProgressSnapshot& snapshot) {
  std::string line = cache::human_bytes(snapshot.bytes_done) + " / " + cache::human_bytes(snapshot.bytes_total);
  const auto percent = snapshot.bytes_total == 0 ? 100 : snapshot.bytes_done * 100 / snapshot.bytes_total;
  line += "  " + std::to_string(percent) + "%";
  if (snapshot.bytes_per_second > 0) {
    line += "  " + cache::human_bytes(static_cast<std::uint64_t>(snapshot.bytes_per_second)) + "/s";
  }
  if (snapshot.eta_seconds) {
    line += "  ETA " + format_duration(*snapshot.eta_seconds);
  }
  line += "  files " + std::to_string(snapshot.files_done) + "/" + std::to_string(snapshot.files_total);
  return line;
}

}  // namespace xl::download
