// SPDX-License-Identifier: Apache-2.0
#pragma once

// One call of Transport::fetch on the curl transport: the loop that keeps up to
// max_connections requests in flight on a multi handle, starts files lazily (at most
// 4 x max_connections open at once), routes ended requests through judge_exchange, and reports
// progress (throttled) and results to the observer, all on the calling thread. Opening a file
// (its job's claim, then its partial) runs on one WorkerPool thread, in job order, ahead of the
// loop; finishing a complete file (verify, fsync, rename) on four more. Small files are not
// fsynced one by one: once verified they wait, and one sync of their filesystem makes a whole
// batch durable before they are renamed (shared_sync.hpp), on one more thread.

#include "core/http/curl_handles.hpp"
#include "core/http/exchange.hpp"
#include "core/http/file_download.hpp"
#include "core/http/worker_pool.hpp"

#include <atomic>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace xl::http {

class FetchRun {
 public:
  // `pool` holds idle easy handles shared across runs; `multi` keeps the connection cache.
  FetchRun(const TransferSettings& settings, const std::atomic<bool>* cancel, CURLM* multi,
           std::vector<std::unique_ptr<CurlEasy>>& pool, std::span<const FileJob> jobs, TransferObserver& observer);
  ~FetchRun();
  FetchRun(const FetchRun&) = delete;
  FetchRun& operator=(const FetchRun&) = delete;

  // Runs until every file is finished or the cancel flag is set; results in job order.
  std::vector<FileResult> run();

 private:
  using Clock = std::chrono::steady_clock;

  bool cancelled() const { return m_cancel != nullptr && m_cancel->load(); }
  // The file's download, made the first time it is needed (in job order, as files start): for
  // 500 files, making them all up front delayed the first request by 2.4 ms.
  FileDownload& file_at(std::size_t index);
  bool all_finished() const;
  // Transferring: started, not finished, with no worker. Only then may the loop touch the file.
  bool in_loop_hands(std::size_t index) const;
  void dispatch(Clock::time_point now, Clock::time_point* wake);
  std::size_t open_files();
  // Starts small files, in job order, until as many are opening or opened and waiting for a
  // connection as there are connections.
  void open_small_files_ahead(std::size_t connections);
  // The file no longer waits for its first request: it was sent, or the file settled. (Only
  // bookkeeping: unlike settle_finishing, it never waits.)
  void stop_awaiting_connection(std::size_t index);
  void start_file(std::size_t index);
  // The files the opener is done with, now transferring (file_started may still fail them).
  std::vector<std::size_t> take_opened();
  void collect_opened();
  void file_started(std::size_t index);
  void launch(std::size_t index, RangeTask& task, std::string url, Headers headers, int hops,
              std::set<std::string> visited);
  std::unique_ptr<Exchange> release(CURL* handle);
  void collect_finished();
  // Writes what each request in flight received in this turn (Exchange::write_received); a
  // failed write fails its file.
  void write_received();
  void reap_abandoned();
  void on_done(std::unique_ptr<Exchange> exchange, CURLcode code);
  void retry(std::size_t index, RangeTask& task, std::optional<std::chrono::milliseconds> hint, FileStatus status,
             const std::string& cause, long http_status);
  void fail(std::size_t index, FileStatus status, const std::string& error, long http_status);
  void finish(std::size_t index);
  // Takes back what the finishers and the syncer are done with; true when there was anything.
  bool collect_verified();
  // Whether the verified files waiting for a shared sync should get it now.
  bool shared_sync_due(Clock::time_point now) const;
  void start_shared_sync();
  // Renames a verified file into place and links it (on a worker); `synced`: a shared sync made
  // it durable, else it is fsynced first.
  void commit(FileDownload& file, bool synced);
  // Hands a parked file to a finisher to be fsynced and committed on its own.
  void commit_unsynced(std::size_t index);
  // Waits until no file is with a finisher or the syncer; those waiting for a shared sync are
  // fsynced and committed one by one.
  void settle_finishing();
  void report_finished(std::size_t index);
  void flush_progress(std::size_t index);
  void flush_progress(Clock::time_point now);
  void stop_everything();

  const TransferSettings& m_settings;
  const std::atomic<bool>* m_cancel;
  CURLM* m_multi;
  std::vector<std::unique_ptr<CurlEasy>>& m_pool;
  TransferObserver& m_observer;
  std::minstd_rand m_random;
  std::span<const FileJob> m_jobs;
  std::vector<std::unique_ptr<FileDownload>> m_files;  // null until file_at() makes them
  std::vector<std::uint64_t> m_reported;  // bytes already passed to on_bytes, per file
  // Where each file is. Only a transferring file is the loop's to touch: an opening one belongs
  // to m_opener's job and a finishing one to m_finisher's until the loop takes it back.
  enum class FileState : unsigned char { waiting, opening, transferring, finishing, finished };
  std::vector<FileState> m_state;
  std::size_t m_next_start = 0;  // files [0, m_next_start) have been started
  std::size_t m_first_open = 0;  // files before it are finished
  std::size_t m_finished_count = 0;  // files reported finished
  std::map<CURL*, std::unique_ptr<Exchange>> m_active;
  std::size_t m_opening_count = 0;  // files in state opening
  // Per file: opened and transferring, its first request not sent yet (a connection will take
  // it); and how many files are so.
  std::vector<unsigned char> m_awaiting_connection;
  std::size_t m_awaiting_connection_count = 0;
  struct Opened {
    Claim claim;                         // held until the file is reported finished
    std::uint64_t kept = 0;              // bytes reused from an earlier run
    std::optional<FileIoError> error;    // why the claim failed or the partial could not be opened
  };
  std::vector<Opened> m_opened;  // written by m_opener's job, read once it is taken back
  std::atomic<bool> m_wake_for_workers{true};  // whether a worker's finished job should wake the loop
  // A worker woke the loop since the loop's turn began: the loop is awake or about to be, and
  // will see every job finished before it takes them back.
  std::atomic<bool> m_wake_sent{false};
  // Small files made durable by one sync of their filesystem (shared_sync.hpp). Per file, set
  // by its finisher job: verified, not committed, waiting for a shared sync.
  std::vector<unsigned char> m_verified_awaiting_sync;
  std::vector<std::size_t> m_awaiting_sync;  // the loop's list of those files, in the next batch
  std::vector<unsigned char> m_committing;  // per file: its finisher job commits it (commit_unsynced)
  // A small file was fsynced on its own (its filesystem is not one a shared sync covers): the
  // small files after it are started alongside busy finishers, as their fsyncs should overlap.
  std::atomic<bool> m_small_files_fsynced{false};
  std::size_t m_verifying = 0;  // files with a finisher job that verifies them
  std::size_t m_parked = 0;     // verified files waiting for, or in, a shared sync
  std::uint64_t m_awaiting_sync_bytes = 0;
  Clock::time_point m_awaiting_sync_since{};
  struct SyncBatch {
    std::vector<std::size_t> files;
    bool synced = false;  // written by the syncer's job
  };
  std::deque<SyncBatch> m_sync_batches;  // a deque: the syncer keeps a reference while the loop adds
  FolderSync m_folders;  // renames made durable in batches; flushed before run() returns
  // Declared last, so they are destroyed first: their workers finish their files while m_files lives.
  std::unique_ptr<WorkerPool> m_opener;
  std::unique_ptr<WorkerPool> m_finisher;
  std::unique_ptr<WorkerPool> m_syncer;  // its indices are batch numbers (m_sync_batches)
};

}  // namespace xl::http
