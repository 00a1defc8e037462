// SPDX-License-Identifier: Apache-2.0
#pragma once

// Finishing a downloaded file (hashing whatever was not hashed on the way, fsync, rename, fsync
// of the folder) waits on the disk. Done on the transfer loop's thread it stalls every other
// transfer, and done one file after another it pays one journal commit per file: 500 small files
// cost 1000 serial fsyncs. FileFinisher runs these jobs on a few worker threads, so the loop keeps
// moving bytes and concurrent fsyncs share journal commits. The loop hands a file over with
// submit() and takes it back, finished, from take_finished(); in between it must not touch it.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace xl::http {

class FileFinisher {
 public:
  // `on_finished` is called on the worker thread after each job, to wake the loop.
  FileFinisher(std::size_t workers, std::function<void()> on_finished);
  ~FileFinisher();  // waits for the jobs already submitted, then joins the workers
  FileFinisher(const FileFinisher&) = delete;
  FileFinisher& operator=(const FileFinisher&) = delete;

  // Runs `job` on a worker; `index` comes back from take_finished() once it has run. A job must
  // not throw.
  void submit(std::size_t index, std::function<void()> job);
  // The indices whose jobs have run since the last call, in completion order.
  std::vector<std::size_t> take_finished();
  // Blocks until every submitted job has run (their indices stay for take_finished()).
  void wait_idle();

 private:
  void work();

  std::function<void()> m_on_finished;
  std::mutex m_mutex;
  std::condition_variable m_job_ready;
  std::condition_variable m_idle;
  std::deque<std::pair<std::size_t, std::function<void()>>> m_queue;
  std::vector<std::size_t> m_finished;
  std::size_t m_running = 0;
  bool m_stopping = false;
  std::vector<std::thread> m_workers;  // last: started after, and joined before, the rest
};

}  // namespace xl::http
