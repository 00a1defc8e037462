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

TEST_CASE("progress: the rate is what came lately, and is not guessed from the first bytes") {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  constexpr std::uint64_t mib = 1024 * 1024;
  FilePlan plan;
  plan.files = {PlannedFile{"big", 1000 * mib, {}, false, 1000 * mib, {}}};
  plan.bytes_to_fetch = 1000 * mib;
  const auto start = ProgressTracker::Clock::time_point{} + std::chrono::hours(1);

  SUBCASE("a first line after a few bytes shows neither rate nor ETA") {
    ProgressTracker tracker;
    tracker.start(plan, start);
    tracker.bytes(102);
    const auto early = tracker.snapshot(start + milliseconds(20));
    CHECK(early.bytes_per_second == 0);
    CHECK_FALSE(early.eta_seconds.has_value());
    CHECK(format_progress(early) == "102 B / 1000 MiB  0%  files 0/1");
  }

  SUBCASE("a download done within its first second still gets its rate") {
    FilePlan small = plan;
    small.bytes_to_fetch = 32 * mib;
    ProgressTracker tracker;
    tracker.start(small, start);
    tracker.bytes(32 * mib);
    const auto done = tracker.snapshot(start + milliseconds(250));
    CHECK(done.bytes_per_second == doctest::Approx(128.0 * mib));
    REQUIRE(done.eta_seconds.has_value());
    CHECK(*done.eta_seconds == doctest::Approx(0.0));
  }

  SUBCASE("after the link slows down, rate and ETA follow it within the window") {
    ProgressTracker tracker;
    tracker.start(plan, start);
    auto now = start;
    for (int second = 1; second <= 60; ++second) {  // a minute at 10 MiB/s, sampled every second
      tracker.bytes(10 * mib);
      now = start + seconds(second);
      tracker.snapshot(now);
    }
    for (int second = 61; second <= 80; ++second) {  // then 20 s at 1 MiB/s
      tracker.bytes(mib);
      now = start + seconds(second);
      tracker.snapshot(now);
    }
    const auto late = tracker.snapshot(now);
    CHECK(late.bytes_done == 620 * mib);
    CHECK(late.bytes_per_second == doctest::Approx(1.0 * mib));  // since the start: 7.75 MiB/s
    REQUIRE(late.eta_seconds.has_value());
    CHECK(*late.eta_seconds == doctest::Approx(380.0));
    tracker.bytes(380 * mib);  // the rest in one go: the last line gives the whole run's rate
    const auto done = tracker.snapshot(now + seconds(20));
    CHECK(done.bytes_per_second == doctest::Approx(10.0 * mib));
    CHECK(format_progress(done) == "1000 MiB / 1000 MiB  100%  10.0 MiB/s  ETA 0:00  files 0/1");
  }

  SUBCASE("a rate seen a few times a second still spans the whole window") {
    ProgressTracker tracker;
    tracker.start(plan, start);
    for (int tick = 1; tick <= 100; ++tick) {  // 20 s at 5 MiB/s, sampled every 200 ms
      tracker.bytes(mib);
      tracker.snapshot(start + milliseconds(200 * tick));
    }
    tracker.bytes(50 * mib);  // a burst just now: one sample in a window of 10 s
    const auto snap = tracker.snapshot(start + milliseconds(20'100));
    CHECK(snap.bytes_per_second == doctest::Approx(100.0 * mib / 10.1));
  }
}
