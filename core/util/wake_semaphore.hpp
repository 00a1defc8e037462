// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>

#include <semaphore.h>

namespace xl {

// A counting semaphore for waking threads that sleep until there is work, on POSIX sem_t.
//
// Not a condition variable: glibc's pthread_cond_signal can block the signalling thread until
// the waiters an earlier signal woke have run (__condvar_quiesce_and_switch_g1), so a thread
// that signals low-priority workers waits for the scheduler to get round to them. Scenario c of
// bench/run.sh: the transfer loop spent 10.7 ms of a 0.2 s run blocked in notify_one.
// Not std::counting_semaphore either: libstdc++ 12's acquire() spins and then calls
// sched_yield a dozen times before it sleeps, which on two busy cores hands the CPU back and
// forth (context switches per run of c: 1,313 with condition variables, 1,901 with it and
// 1,198 with this; medians of 15 alternated runs).
// glibc's sem_post never waits and makes no system call when no thread sleeps; sem_wait sleeps
// at once.
class WakeSemaphore {
 public:
  WakeSemaphore();
  ~WakeSemaphore();
  WakeSemaphore(const WakeSemaphore&) = delete;
  WakeSemaphore& operator=(const WakeSemaphore&) = delete;

  // Adds `count` tokens, waking up to that many sleeping threads.
  void release(std::size_t count = 1) noexcept;
  // Takes a token, sleeping until there is one.
  void acquire() noexcept;

 private:
  sem_t m_semaphore;
};

}  // namespace xl
