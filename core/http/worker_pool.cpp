// SPDX-License-Identifier: Apache-2.0
#include "core/http/worker_pool.hpp"

#include "core/util/thread_name.hpp"

#include <algorithm>
#include <system_error>

#include <sys/resource.h>
#include <unistd.h>

namespace xl::http {

namespace {

// Jobs started after_busy that may queue per busy worker before another worker is brought in.
constexpr std::size_t k_backlog_per_busy_worker = 4;

}  // namespace

WorkerPool::WorkerPool(std::size_t workers, std::function<void()> on_finished, int nice, std::string name)
    : m_on_finished(std::move(on_finished)), m_max_workers(std::max<std::size_t>(workers, 1)), m_nice(nice),
      m_name(std::move(name)) {}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
  }
  // A token per worker: each one asleep wakes, sees m_stopping, and returns once the queue is
  // empty. Tokens left over are harmless once the workers are gone.
  m_wake_workers.release(m_workers.size());
  for (auto& worker : m_workers) {
    worker.join();
  }
}

void WorkerPool::submit(std::size_t index, std::function<void()> job, Start start) {
  bool wake = true;
  {
    std::lock_guard lock(m_mutex);
    // A busy worker takes the queue's next job when it is done, under this mutex: nothing is
    // lost by not waking another. Only a backlog (jobs coming faster than one worker finishes
    // them) brings in another worker.
    wake = start == Start::alongside || m_queue.size() >= k_backlog_per_busy_worker * m_running;
    // Every waiting worker is spoken for by a job already queued: this one needs a new worker.
    if (wake && m_waiting <= m_queue.size() && m_workers.size() < m_max_workers) {
      try {
        m_workers.emplace_back([this] { work(); });
      } catch (const std::system_error&) {
        if (m_workers.empty()) {
          throw;  // nothing could ever run the job
        }
        // The workers already started take it when they are free.
      }
    }
    m_queue.emplace_back(index, std::move(job));
  }
  if (wake) {
    m_wake_workers.release();
  }
}

std::size_t WorkerPool::started_workers() {
  std::lock_guard lock(m_mutex);
  return m_workers.size();
}

std::vector<std::size_t> WorkerPool::take_finished() {
  std::lock_guard lock(m_mutex);
  return std::exchange(m_finished, {});
}

bool WorkerPool::has_finished() {
  std::lock_guard lock(m_mutex);
  return !m_finished.empty();
}

void WorkerPool::wait_idle() {
  std::unique_lock lock(m_mutex);
  m_idle.wait(lock, [this] { return m_queue.empty() && m_running == 0; });
}

void WorkerPool::work() {
  if (!m_name.empty()) {
    name_this_thread(m_name);
  }
#ifdef __linux__
  if (m_nice != 0) {
    // On Linux each thread has its own nice value; PRIO_PROCESS with a thread id sets just it.
    // Raising it needs no privilege, and a failure only costs the priority hint.
    (void)::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), ::getpriority(PRIO_PROCESS, 0) + m_nice);
  }
#endif
  std::unique_lock lock(m_mutex);
  while (true) {
    // The queue drains before the workers stop, so no submitted file is left half-finished.
    while (!m_stopping && m_queue.empty()) {
      ++m_waiting;
      lock.unlock();
      m_wake_workers.acquire();
      lock.lock();
      --m_waiting;
    }
    if (m_queue.empty()) {
      return;
    }
    auto [index, job] = std::move(m_queue.front());
    m_queue.pop_front();
    ++m_running;
    lock.unlock();
    job();
    lock.lock();
    --m_running;
    m_finished.push_back(index);
    if (m_queue.empty() && m_running == 0) {
      m_idle.notify_all();
    }
    if (m_on_finished) {
      lock.unlock();
      m_on_finished();
      lock.lock();
    }
  }
}

}  // namespace xl::http
