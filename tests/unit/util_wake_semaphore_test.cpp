// SPDX-License-Identifier: Apache-2.0
#include "core/util/wake_semaphore.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <thread>

using xl::WakeSemaphore;

namespace {

// Waits up to 2 s for `done`: a missing token fails a check instead of hanging the test.
template <typename Done>
void wait_up_to_2s(Done done) {
  for (int i = 0; i < 400 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace

TEST_CASE("wake semaphore: tokens released before anyone waits are kept, one per acquire") {
  WakeSemaphore semaphore;
  semaphore.release(2);
  std::atomic<int> taken{0};
  std::thread taker([&] {
    semaphore.acquire();
    ++taken;
    semaphore.acquire();
    ++taken;
    semaphore.acquire();  // the third waits for the token released below
    ++taken;
  });
  wait_up_to_2s([&] { return taken >= 2; });
  CHECK(taken == 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(taken == 2);  // no token, no return
  semaphore.release();
  wait_up_to_2s([&] { return taken >= 3; });
  CHECK(taken == 3);
  if (taken < 3) {
    semaphore.release(3);  // a failure is reported, not a test that hangs on join
  }
  taker.join();
}

TEST_CASE("wake semaphore: release(n) wakes n sleeping threads") {
  WakeSemaphore semaphore;
  std::atomic<int> woken{0};
  std::thread first([&] {
    semaphore.acquire();
    ++woken;
  });
  std::thread second([&] {
    semaphore.acquire();
    ++woken;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(woken == 0);
  semaphore.release(2);
  wait_up_to_2s([&] { return woken >= 2; });
  CHECK(woken == 2);
  if (woken < 2) {
    semaphore.release(2);  // a failure is reported, not a test that hangs on join
  }
  first.join();
  second.join();
}
