// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "core/download/progress.hpp"

using namespace xl::download;

TEST_CASE("progress: bytes, rate, ETA and files from a plan and events") {
  FilePlan plan;
  plan.files = {PlannedFile{"a", 1024, {}, true, 0, {}}, PlannedFile{"b", 3 * 1024 * 1024, {}, false, 3 * 1024 * 1024, {}},
                PlannedFile{"c", 1024 * 1024, {}, false, 1024 * 1024, {}}};
  plan.bytes_to_fetch = 4 * 1024 * 1024;
  ProgressTracker tracker;
  const auto start = ProgressTracker::Clock::time_point{} + std::chrono::hours(1);
  tracker.start(plan, start);
  auto before = tracker.snapshot(start);
  CHECK(before.files_total == 2);
  CHECK_FALSE(before.eta_seconds.has_value());
  tracker.file_started(1024 * 1024);  // reused from an earlier run: counts as done, not as rate
  tracker.bytes(1024 * 1024);
  auto snap = tracker.snapshot(start + std::chrono::seconds(2));
  CHECK(snap.bytes_done == 2 * 1024 * 1024);
  CHECK(snap.bytes_per_second == doctest::Approx(512 * 1024));
  REQUIRE(snap.eta_seconds.has_value());
  CHECK(*snap.eta_seconds == doctest::Approx(4.0));
  tracker.file_finished();
  CHECK(format_progress(tracker.snapshot(start + std::chrono::seconds(2))) ==
        "2.00 MiB / 4.00 MiB  50%  512 KiB/s  ETA 0:04  files 1/2");
  CHECK(format_duration(3725) == "1:02:05");
  CHECK(format_duration(59.6) == "1:00");
}
