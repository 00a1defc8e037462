// SPDX-License-Identifier: Apache-2.0
#include "core/http/worker_pool.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

using xl::http::WorkerPool;

TEST_CASE("worker pool: every job runs once, its index comes back, each completion wakes the caller") {
  std::atomic<int> wakeups{0};
  std::vector<int> ran(50, 0);
  std::mutex ran_mutex;
  {
    WorkerPool pool(4, [&] { ++wakeups; });
    for (std::size_t i = 0; i < ran.size(); ++i) {
      pool.submit(i, [&, i] {
        std::lock_guard lock(ran_mutex);
        ++ran[i];
      });
    }
    pool.wait_idle();
    auto finished = pool.take_finished();
    std::sort(finished.begin(), finished.end());
    std::vector<std::size_t> expected(ran.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      expected[i] = i;
    }
    CHECK(finished == expected);
    CHECK(std::all_of(ran.begin(), ran.end(), [](int n) { return n == 1; }));
    CHECK(pool.take_finished().empty());  // each index is handed back once
  }
  // The wake-up follows each job's completion (a worker may still be in it when wait_idle
  // returns); once the workers are joined, every one has happened.
  CHECK(wakeups == static_cast<int>(ran.size()));
}

TEST_CASE("worker pool: has_finished says whether take_finished has anything, and is true when on_finished runs") {
  {
    WorkerPool pool(1, nullptr);
    CHECK_FALSE(pool.has_finished());
    pool.submit(7, [] {});
    pool.wait_idle();
    CHECK(pool.has_finished());
    CHECK(pool.take_finished() == std::vector<std::size_t>{7});
    CHECK_FALSE(pool.has_finished());
  }
  // The loop relies on this order: an index is ready before the wake-up that announces it.
  std::atomic<int> calls{0};
  std::atomic<bool> ready_when_called{false};
  WorkerPool* self = nullptr;
  WorkerPool pool(1, [&] {
    ready_when_called = self->has_finished();
    ++calls;
  });
  self = &pool;
  pool.submit(8, [] {});
  for (int i = 0; i < 400 && calls == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(calls == 1);
  CHECK(ready_when_called);
}

TEST_CASE("worker pool: one worker runs the jobs in submission order") {
  std::vector<std::size_t> order;
  WorkerPool pool(1, nullptr);
  for (std::size_t i = 0; i < 20; ++i) {
    pool.submit(i, [&order, i] { order.push_back(i); });  // one worker: no other writer
  }
  pool.wait_idle();
  CHECK(pool.take_finished() == order);
  for (std::size_t i = 0; i < order.size(); ++i) {
    CHECK(order[i] == i);
  }
}

TEST_CASE("worker pool: destruction waits for the jobs already submitted") {
  std::atomic<int> done{0};
  {
    WorkerPool pool(2, nullptr);
    for (std::size_t i = 0; i < 8; ++i) {
      pool.submit(i, [&done] {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ++done;
      });
    }
  }
  CHECK(done == 8);
}

TEST_CASE("worker pool: threads start as jobs need them, never more than asked for") {
  WorkerPool pool(4, nullptr);
  CHECK(pool.started_workers() == 0);  // nothing submitted, nothing started
  for (std::size_t i = 0; i < 10; ++i) {
    pool.submit(i, [] {});
    pool.wait_idle();  // the worker is free again before the next job comes
  }
  CHECK(pool.started_workers() == 1);
  // Jobs that hold their worker: each new one finds none free, until the limit.
  std::atomic<bool> release{false};
  std::atomic<int> ran{0};
  for (std::size_t i = 10; i < 17; ++i) {
    pool.submit(i, [&] {
      while (!release) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      ++ran;
    });
  }
  CHECK(pool.started_workers() == 4);
  release = true;
  pool.wait_idle();
  CHECK(ran == 7);
  CHECK(pool.take_finished().size() == 17);
}

TEST_CASE("worker pool: a job started after_busy waits for the busy worker instead of waking another") {
  WorkerPool pool(4, nullptr);
  std::atomic<bool> release{false};
  std::mutex ids_mutex;
  std::vector<std::thread::id> ids;
  const auto record_thread = [&] {
    std::lock_guard lock(ids_mutex);
    ids.push_back(std::this_thread::get_id());
  };
  pool.submit(0, [&] {
    record_thread();
    while (!release) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  while (true) {  // until the first job holds its worker
    std::lock_guard lock(ids_mutex);
    if (!ids.empty()) {
      break;
    }
  }
  for (std::size_t i = 1; i <= 3; ++i) {
    pool.submit(i, record_thread, WorkerPool::Start::after_busy);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  {
    std::lock_guard lock(ids_mutex);
    CHECK(ids.size() == 1);  // nothing ran beside the busy job
  }
  CHECK(pool.started_workers() == 1);
  release = true;
  pool.wait_idle();
  CHECK(pool.take_finished() == std::vector<std::size_t>{0, 1, 2, 3});
  REQUIRE(ids.size() == 4);
  CHECK(std::all_of(ids.begin(), ids.end(), [&](std::thread::id id) { return id == ids[0]; }));
  // With no worker busy, an after_busy job starts at once; an alongside one starts beside a busy one.
  pool.submit(4, [] {}, WorkerPool::Start::after_busy);
  pool.wait_idle();
  release = false;
  pool.submit(5, [&] {
    while (!release) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  std::atomic<bool> ran_alongside{false};
  pool.submit(6, [&] { ran_alongside = true; });
  for (int i = 0; i < 400 && !ran_alongside; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(ran_alongside);
  release = true;
  pool.wait_idle();
  CHECK(pool.take_finished().size() == 3);
}

TEST_CASE("worker pool: a backlog of after_busy jobs brings in another worker") {
  WorkerPool pool(4, nullptr);
  std::atomic<bool> release{false};
  std::atomic<bool> busy{false};
  pool.submit(0, [&] {
    busy = true;
    while (!release) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  while (!busy) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  std::atomic<int> ran{0};
  for (std::size_t i = 1; i <= 4; ++i) {
    pool.submit(i, [&] { ++ran; }, WorkerPool::Start::after_busy);
  }
  CHECK(pool.started_workers() == 1);  // four may wait for the busy worker
  pool.submit(5, [&] { ++ran; }, WorkerPool::Start::after_busy);
  CHECK(pool.started_workers() == 2);  // the fifth brings in another, which drains the queue
  for (int i = 0; i < 400 && ran < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(ran == 5);
  release = true;
  pool.wait_idle();
  CHECK(pool.take_finished().size() == 6);
}

#ifdef __linux__
#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

TEST_CASE("worker pool: workers run at the caller's nice value plus the increment, the caller keeps its own") {
  const int caller = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  std::atomic<int> seen{-100};
  {
    WorkerPool pool(1, nullptr, 3);
    pool.submit(0, [&seen] { seen = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())); });
  }
  CHECK(seen == std::min(caller + 3, 19));
  CHECK(::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid())) == caller);
}
#endif

#ifdef __linux__
TEST_CASE("worker pool: workers carry the pool's name, cut to the 15 characters Linux keeps") {
  const auto name_seen_by_job = [](std::string name) {
    std::string seen;
    {
      WorkerPool pool(1, nullptr, 0, std::move(name));
      pool.submit(0, [&seen] {
        char buffer[32] = {};
        if (::pthread_getname_np(::pthread_self(), buffer, sizeof buffer) == 0) {
          seen = buffer;
        }
      });
    }
    return seen;
  };
  CHECK(name_seen_by_job("xlaunch-open") == "xlaunch-open");
  CHECK(name_seen_by_job("xlaunch-finish-and-more") == "xlaunch-finish-");
  // Unnamed, a worker keeps the name it inherited from the process.
  char own[32] = {};
  REQUIRE(::pthread_getname_np(::pthread_self(), own, sizeof own) == 0);
  CHECK(name_seen_by_job("") == std::string(own));
}
#endif
