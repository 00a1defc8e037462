// SPDX-License-Identifier: Apache-2.0
#pragma once

// A few threads for the transfer loop's jobs that wait on the disk. Opening a file (create the
// partial, reserve its blocks) and finishing one (hash what was not hashed on the way, fsync,
// rename, fsync of the folder) each cost tens of microseconds of filesystem work, or a journal
// commit. Done on the loop's thread they stall every other transfer (for 500 small files,
// opening alone was a sixth of its time), and on a filesystem with slow metadata (NFS, Lustre)
// each create would stop every download for milliseconds. Done one file after another,
// finishing pays one journal commit per file; on several workers concurrent fsyncs share them.
// The loop hands a file over with submit() and takes it back from take_finished(); in between
// it must not touch it.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/util/wake_semaphore.hpp"

namespace xl::http {

class WorkerPool {
 public:
  // `on_finished` is called on the worker thread after each job (after its index is ready for
  // take_finished()), to wake the loop when it needs to be. `nice` is
  // added to the workers' nice value (Linux, best effort): work that may lag behind the loop
  // should not take the CPU from it.
  // Up to `workers` threads start as jobs arrive, each when no started one is free to take
  // the job: none before the first submit(). Starting a thread takes 0.15 to 0.3 ms on the
  // development VM; the six a download used to start before its first request now start while
  // it waits for the first answers, and a pool whose jobs come one at a time keeps one.
  // `name` names the threads (at most 15 characters, Linux), as `top -H` and debuggers show them.
  WorkerPool(std::size_t workers, std::function<void()> on_finished, int nice = 0, std::string name = {});
  ~WorkerPool();  // waits for the jobs already submitted, then joins the workers
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // What a job does while another worker is busy: start alongside it, on a free worker woken
  // (or started) for it, or wait for the busy one to finish its job and take it next (unless
  // four such jobs per busy worker are waiting already: then another is brought in). A job
  // that waits on the disk (an fsync) should overlap; short CPU work is cheaper behind a busy
  // worker than on a second thread woken for it, which costs a futex wake-up and, on a
  // virtual machine, an interrupt to another core.
  enum class Start { alongside, after_busy };
  // Runs `job` on a worker; `index` comes back from take_finished() once it has run. A job must
  // not throw. Throws std::system_error when no worker can be started to run it.
  void submit(std::size_t index, std::function<void()> job, Start start = Start::alongside);
  // How many worker threads have been started so far.
  std::size_t started_workers();
  // The indices whose jobs have run since the last call, in completion order.
  std::vector<std::size_t> take_finished();
  // Whether take_finished() would return anything now.
  bool has_finished();
  // Blocks until every submitted job has run (their indices stay for take_finished()).
  void wait_idle();

 private:
  void work();

  std::function<void()> m_on_finished;
  const std::size_t m_max_workers;
  const int m_nice;
  const std::string m_name;
  std::size_t m_waiting = 0;  // started workers waiting for a job
  std::mutex m_mutex;
  // Wakes the workers: one token per job that asked for a worker, and one per worker to stop.
  // A token whose job a busy worker took first only makes a waiting worker look at an empty
  // queue once. (Why not a condition variable: wake_semaphore.hpp.)
  WakeSemaphore m_wake_workers;
  std::condition_variable m_idle;  // signalled by the workers, waited on by wait_idle()
  std::deque<std::pair<std::size_t, std::function<void()>>> m_queue;
  std::vector<std::size_t> m_finished;
  std::size_t m_running = 0;
  bool m_stopping = false;
  // Only the owner's thread touches it: submit() adds to it under m_mutex, the destructor joins.
  std::vector<std::thread> m_workers;
};

}  // namespace xl::http
