// SPDX-License-Identifier: Apache-2.0
#include "core/http/fetch_run.hpp"

#include "core/http/exchange_outcome.hpp"
#include "core/http/shared_sync.hpp"

#include <algorithm>

namespace xl::http {

namespace {

using std::chrono::milliseconds;

constexpr int k_max_redirects = 10;
constexpr milliseconds k_poll_interval{100};      // bounds the reaction time to a cancel
constexpr milliseconds k_progress_interval{100};  // observer on_bytes throttle
// How much a kill -9 may cost to refetch: the bytes that arrived since the sidecar was last
// written. A file that gained bytes is recorded with every progress flush; that is one small
// write + rename per active file ten times a second, cheap next to the data it protects, and a
// crash loses at most a tenth of a second of transfer (2 s lost everything of a short run).
constexpr milliseconds k_sidecar_interval = k_progress_interval;
// Finishing is disk-bound (fsync), not CPU-bound: a few at once let the filesystem commit
// their journal entries together.
constexpr std::size_t k_finisher_threads = 4;
// Finishing may lag behind the loop (files wait on disk, not in memory), but the loop is every
// transfer's critical path. With few cores, four busy finishers at the loop's priority took a
// third of its time away. Scenario c of bench/run.sh, A/B in one run: 0.262 s at nice 0 and
// 0.246 s at +10; in another, 0.249 s and 0.244 s.
constexpr int k_finisher_nice = 10;
// Opening is one create (and a block reservation) after another in the same folders, which the
// filesystem serializes anyway: one thread keeps well ahead of the loop, and opens in job order.
constexpr std::size_t k_opener_threads = 1;
// Files the idle connections may have with the opener at once. A few hide the wake-up latency
// between the opener and the loop; more would only create partials early. (Small files are
// also opened ahead of any idle connection: open_small_files_ahead.)
constexpr std::size_t k_max_opening = 4;
// Files waiting for a finisher that may hold their last bytes in memory for it to write and
// hash (FileDownload::take_tail, keep_written_tail), each at most one write batch (256 KiB):
// 8 MiB at most.
constexpr std::size_t k_max_handed_over_tails = 32;
// Verified small files wait for one sync of their filesystem (shared_sync.hpp) until nothing
// else is left to transfer, or one of these is reached. Each holds two descriptors (its partial
// and its lock) meanwhile, hence the count; the bytes bound the sync's work; the delay bounds
// how long a file finished early in a long download waits to be reported.
constexpr std::size_t k_max_awaiting_sync = 200;
constexpr std::uint64_t k_max_awaiting_sync_bytes = 256ULL << 20;
constexpr std::chrono::seconds k_max_sync_delay{1};
// Towards the end, a batch also goes once it holds as many files as are still to come (but at
// least this many): each file's rename and link follow its sync, so the batches shrink as the
// download ends and little is left to commit after the last answer.
constexpr std::size_t k_min_closing_batch = 8;

}  // namespace

FetchRun::FetchRun(const TransferSettings& settings, const std::atomic<bool>* cancel, CURLM* multi,
                   std::vector<std::unique_ptr<CurlEasy>>& pool, std::span<const FileJob> jobs, TransferObserver& observer)
    : m_settings(settings), m_cancel(cancel), m_multi(multi), m_pool(pool), m_observer(observer),
      m_random(std::random_device{}()),
      m_jobs(jobs) {
  m_files.resize(jobs.size());
  m_reported.assign(jobs.size(), 0);
  m_state.assign(jobs.size(), FileState::waiting);
  m_opened.resize(jobs.size());
  m_verified_awaiting_sync.assign(jobs.size(), 0);
  m_committing.assign(jobs.size(), 0);
  m_awaiting_connection.assign(jobs.size(), 0);
  // curl_multi_wakeup may be called from any thread: it ends the loop's poll early. One
  // wake-up per turn is enough, as the loop takes back every finished job when it wakes: for
  // 500 small files, a wake-up per job was a thousand writes to curl's wake-up socket, most of
  // them landing while the loop was already awake, each read back and each ending a poll.
  const auto wake_if_wanted = [this] {
    if (m_wake_for_workers.load() && !m_wake_sent.exchange(true)) {
      curl_multi_wakeup(m_multi);
    }
  };
  m_opener = std::make_unique<WorkerPool>(k_opener_threads, wake_if_wanted, 0, "xlaunch-open");
  m_finisher = std::make_unique<WorkerPool>(k_finisher_threads, wake_if_wanted, k_finisher_nice, "xlaunch-finish");
  m_syncer = std::make_unique<WorkerPool>(1, wake_if_wanted, k_finisher_nice, "xlaunch-sync");
}

FetchRun::~FetchRun() {
  for (auto& [handle, exchange] : m_active) {
    curl_multi_remove_handle(m_multi, handle);
    m_pool.push_back(std::move(exchange->easy));
  }
}

std::vector<FileResult> FetchRun::run() {
  auto last_flush = Clock::now();
  while (!cancelled()) {
    // Before taking back the workers' jobs: one finished after this point wakes the loop again.
    m_wake_sent.store(false);
    auto now = Clock::now();
    auto wake = now + k_poll_interval;
    collect_opened();
    dispatch(now, &wake);
    int running = 0;
    curl_multi_perform(m_multi, &running);
    collect_finished();
    write_received();
    collect_verified();
    reap_abandoned();
    now = Clock::now();
    if (shared_sync_due(now)) {
      start_shared_sync();
    }
    if (now - last_flush >= k_progress_interval) {
      last_flush = now;
      flush_progress(now);
    }
    // The one exit check, after the results are collected: when the last file was just
    // verified no wake-up is coming, and checking before the poll avoids sleeping it out.
    if (m_active.empty() && all_finished()) {
      break;
    }
    auto timeout = std::clamp(std::chrono::duration_cast<milliseconds>(wake - now), milliseconds(0), k_poll_interval);
    // The workers wake the loop only while it has a connection to spare (or nothing left in
    // flight): otherwise it is busy anyway and takes their files back on its next turn, and
    // each wake-up costs a turn. For 500 small files, waking on every file doubled the turns.
    // Set before the check below: a job done after the check sees the flag and wakes us.
    const bool spare = static_cast<int>(m_active.size()) < std::max(m_settings.max_connections, 1);
    m_wake_for_workers.store(spare);
    if (spare && (m_opener->has_finished() || m_finisher->has_finished() || m_syncer->has_finished())) {
      timeout = milliseconds(0);
    }
    curl_multi_poll(m_multi, nullptr, 0, static_cast<int>(timeout.count()), nullptr);
  }
  if (cancelled()) {
    stop_everything();
  }
  m_folders.flush();  // every file reported finished is now durable under its final name
  flush_progress(Clock::now());
  std::vector<FileResult> results;
  for (std::size_t index = 0; index < m_files.size(); ++index) {
    results.push_back(file_at(index).result());
  }
  return results;
}

FileDownload& FetchRun::file_at(std::size_t index) {
  auto& file = m_files[index];
  if (!file) {
    file = std::make_unique<FileDownload>(m_jobs[index], m_settings);
  }
  return *file;
}

bool FetchRun::in_loop_hands(std::size_t index) const {
  return m_state[index] == FileState::transferring;
}

bool FetchRun::all_finished() const {
  return std::all_of(m_state.begin(), m_state.end(), [](FileState state) { return state == FileState::finished; });
}

void FetchRun::dispatch(Clock::time_point now, Clock::time_point* wake) {
  const auto connections = static_cast<std::size_t>(std::max(m_settings.max_connections, 1));
  while (m_active.size() < connections) {
    RangeTask* task = nullptr;
    std::size_t index = 0;
    for (index = m_first_open; index < m_next_start && task == nullptr; ++index) {
      if (in_loop_hands(index)) {
        task = file_at(index).next_ready(now, wake);
      }
    }
    if (task != nullptr) {
      --index;
      const FileDownload& file = file_at(index);
      launch(index, *task, file.url(), file.headers(), 0, {file.url()});
      continue;
    }
    if (m_next_start >= m_files.size() || open_files() >= 4 * connections) {
      break;
    }
    // Each idle connection asks for one more file. A large file alone may fill every connection
    // with its ranges, so it is opened only when the opener has nothing else in hand.
    const std::size_t idle = connections - m_active.size();
    if (m_opening_count >= std::min(idle, k_max_opening) ||
        (m_opening_count > 0 && !file_at(m_next_start).single_range())) {
      break;
    }
    start_file(m_next_start++);
  }
  open_small_files_ahead(connections);
}

void FetchRun::open_small_files_ahead(std::size_t connections) {
  // Up to one small file per connection is opened before any connection is free for it: a
  // turn of the loop may free many connections at once, and each would otherwise wait for
  // the opener (a wake-up, a lock, a create, a wake-up back) before its next request. Large
  // files are left to the idle connections above, as each of them brings ranges for several.
  while (m_next_start < m_files.size() && m_opening_count + m_awaiting_connection_count < connections &&
         open_files() < 4 * connections && file_at(m_next_start).single_range()) {
    start_file(m_next_start++);
  }
}

std::size_t FetchRun::open_files() {
  while (m_first_open < m_next_start && m_state[m_first_open] == FileState::finished) {
    ++m_first_open;
  }
  // Files parked for a shared sync have their own bound (k_max_awaiting_sync): counting them
  // here would stop new files from starting until the batch that waits for them is synced.
  return static_cast<std::size_t>(std::count_if(m_state.begin() + static_cast<std::ptrdiff_t>(m_first_open),
                                                m_state.begin() + static_cast<std::ptrdiff_t>(m_next_start),
                                                [](FileState state) { return state != FileState::finished; })) -
         m_parked;
}

void FetchRun::start_file(std::size_t index) {
  m_state[index] = FileState::opening;
  ++m_opening_count;
  FileDownload* file = &file_at(index);
  Opened* opened = &m_opened[index];
  m_opener->submit(index, [file, opened, cancel = m_cancel] {
    if (const auto& claim = file->job().claim) {
      try {
        opened->claim = claim(cancel);
      } catch (const std::exception& error) {
        // A claim ends its wait by throwing when cancelled: that is a cancel, not a failure.
        const bool cancelled = cancel != nullptr && cancel->load();
        opened->error = FileIoError(cancelled ? FileStatus::cancelled : FileStatus::lock_failed, error.what());
        return;
      }
      if (!opened->claim.transfer_needed) {
        return;
      }
    }
    try {
      opened->kept = file->start(opened->claim.first_attempt);
    } catch (const FileIoError& error) {
      opened->error = error;
    } catch (const std::exception& error) {
      opened->error = FileIoError(FileStatus::io_error, error.what());
    }
  });
}

std::vector<std::size_t> FetchRun::take_opened() {
  auto opened = m_opener->take_finished();
  for (const std::size_t index : opened) {
    m_state[index] = FileState::transferring;
    --m_opening_count;
  }
  return opened;
}

void FetchRun::collect_opened() {
  for (const std::size_t index : take_opened()) {
    file_started(index);
  }
}

void FetchRun::file_started(std::size_t index) {
  auto& file = file_at(index);
  if (const auto& error = m_opened[index].error) {
    m_observer.on_file_started(file.job(), 0);
    fail(index, error->status(), file.job().display_name + ": " + error->what(), 0);
    return;
  }
  if (!m_opened[index].claim.transfer_needed) {
    m_observer.on_file_started(file.job(), file.job().expected_size.value_or(0));
    file.finish_found_in_place();
    report_finished(index);
    return;
  }
  m_observer.on_file_started(file.job(), m_opened[index].kept);
  if (file.complete()) {
    finish(index);
    return;
  }
  m_awaiting_connection[index] = 1;
  ++m_awaiting_connection_count;
}

void FetchRun::launch(std::size_t index, RangeTask& task, std::string url, Headers headers, int hops,
                      std::set<std::string> visited) {
  auto exchange = std::make_unique<Exchange>();
  if (m_pool.empty()) {
    exchange->easy = std::make_unique<CurlEasy>();
  } else {
    exchange->easy = std::move(m_pool.back());
    m_pool.pop_back();
  }
  exchange->file_index = index;
  exchange->file = &file_at(index);
  exchange->task = &task;
  exchange->url = std::move(url);
  exchange->headers = std::move(headers);
  exchange->hops = hops;
  exchange->visited = std::move(visited);
  exchange->cancel = m_cancel;
  exchange->prepare(m_settings);
  CURL* handle = exchange->easy->get();
  curl_multi_add_handle(m_multi, handle);
  exchange->file->mark_in_flight(task);
  m_active.emplace(handle, std::move(exchange));
  stop_awaiting_connection(index);
}

std::unique_ptr<Exchange> FetchRun::release(CURL* handle) {
  auto node = m_active.extract(handle);
  curl_multi_remove_handle(m_multi, handle);
  auto exchange = std::move(node.mapped());
  // Before anything looks at the file: the task's progress includes these bytes. The finishers
  // free the bytes handed over as they write and verify them: a bound on the files waiting for
  // them bounds the memory, should the finishers fall behind the loop.
  exchange->finish_body(m_verifying < k_max_handed_over_tails);
  exchange->file->mark_landed(*exchange->task);
  m_pool.push_back(std::move(exchange->easy));
  return exchange;
}

void FetchRun::collect_finished() {
  int queued = 0;
  while (CURLMsg* message = curl_multi_info_read(m_multi, &queued)) {
    if (message->msg == CURLMSG_DONE) {
      CURL* handle = message->easy_handle;
      const CURLcode code = message->data.result;
      on_done(release(handle), code);
    }
  }
}

void FetchRun::write_received() {
  std::vector<Exchange*> failed;
  for (auto& [handle, exchange] : m_active) {
    if (!exchange->write_received()) {
      failed.push_back(exchange.get());
    }
  }
  // The requests themselves end in reap_abandoned, once their file is finished.
  for (Exchange* exchange : failed) {
    if (m_state[exchange->file_index] != FileState::finished) {
      fail(exchange->file_index, exchange->file_failure->first, exchange->file_failure->second, exchange->head.status);
    }
  }
}

// Requests whose range was superseded (server ignored Range) or whose file failed.
void FetchRun::reap_abandoned() {
  std::vector<CURL*> doomed;
  for (auto& [handle, exchange] : m_active) {
    if (exchange->task->abandoned || m_state[exchange->file_index] == FileState::finished) {
      doomed.push_back(handle);
    }
  }
  for (CURL* handle : doomed) {
    release(handle);
  }
}

void FetchRun::on_done(std::unique_ptr<Exchange> exchange, CURLcode code) {
  const std::size_t index = exchange->file_index;
  RangeTask& task = *exchange->task;
  if (m_state[index] == FileState::finished || task.abandoned || cancelled()) {
    return;
  }
  auto outcome = judge_exchange(*exchange, code, k_max_redirects);
  switch (outcome.kind) {
    case Outcome::Kind::range_landed:
      if (file_at(index).complete()) {
        finish(index);
      }
      return;
    case Outcome::Kind::retry:
      retry(index, task, outcome.hint, outcome.status, outcome.error, outcome.http_status);
      return;
    case Outcome::Kind::fail:
      fail(index, outcome.status, outcome.error, outcome.http_status);
      return;
    case Outcome::Kind::follow:
      exchange->visited.insert(outcome.next_url);
      launch(index, task, outcome.next_url, std::move(outcome.next_headers), exchange->hops + 1,
             std::move(exchange->visited));
      return;
  }
}

void FetchRun::retry(std::size_t index, RangeTask& task, std::optional<milliseconds> hint, FileStatus status,
                     const std::string& cause, long http_status) {
  const double jitter = std::uniform_real_distribution<double>(0.0, 1.0)(m_random);
  try {
    if (file_at(index).schedule_retry(task, Clock::now(), jitter, hint)) {
      return;
    }
  } catch (const FileIoError& error) {
    fail(index, error.status(), file_at(index).job().display_name + ": " + error.what(), http_status);
    return;
  }
  fail(index, status, cause + " (gave up after " + std::to_string(m_settings.max_attempts) + " attempts)", http_status);
}

void FetchRun::fail(std::size_t index, FileStatus status, const std::string& error, long http_status) {
  FileDownload& file = file_at(index);
  file.finish_failed(status, error);
  file.result().http_status = http_status;
  report_finished(index);
}

void FetchRun::finish(std::size_t index) {
  m_state[index] = FileState::finishing;
  ++m_verifying;
  FileDownload* file = &file_at(index);
  // A small file's own fsync costs more than its bytes: it waits for a shared sync instead.
  // A large one's writes only its bytes, and the WritebackPacer has written most of them.
  const bool may_share_sync = file->single_range();
  // A file that waits for a shared sync is only hashed here, a fraction of a millisecond of CPU:
  // it waits for a busy finisher rather than wake another one. One that fsyncs waits on the
  // disk, and such files should overlap. Scenario c of bench/run.sh: futex calls per run 1,874
  // -> 573 (strace -f -c), context switches 1,427 -> 1,258 (15 runs); time within the noise.
  const auto start = may_share_sync && !m_small_files_fsynced.load(std::memory_order_relaxed)
                         ? WorkerPool::Start::after_busy
                         : WorkerPool::Start::alongside;
  m_finisher->submit(
      index,
      [this, file, index, may_share_sync] {
        try {
          if (!file->verify_complete()) {
            return;
          }
          const auto& covers = m_settings.shared_sync.covers;
          if (may_share_sync) {
            if (covers ? covers(file->partial_fd()) : shared_sync_covers(file->partial_fd())) {
              m_verified_awaiting_sync[index] = 1;
              return;
            }
            m_small_files_fsynced.store(true, std::memory_order_relaxed);
          }
          file->commit_verified(m_folders, false);
        } catch (const std::exception& error) {
          file->finish_failed(FileStatus::io_error, file->job().display_name + ": " + error.what());
        }
      },
      start);
}

bool FetchRun::collect_verified() {
  bool any = false;
  for (const std::size_t index : m_finisher->take_finished()) {
    any = true;
    if (m_committing[index] != 0) {
      m_committing[index] = 0;
      report_finished(index);
      continue;
    }
    --m_verifying;
    if (m_verified_awaiting_sync[index] == 0) {
      report_finished(index);
      continue;
    }
    m_verified_awaiting_sync[index] = 0;
    if (m_awaiting_sync.empty()) {
      m_awaiting_sync_since = Clock::now();
    }
    m_awaiting_sync.push_back(index);
    m_awaiting_sync_bytes += file_at(index).job().expected_size.value_or(0);
    ++m_parked;
  }
  for (const std::size_t batch : m_syncer->take_finished()) {
    any = true;
    for (const std::size_t index : m_sync_batches[batch].files) {
      --m_parked;
      report_finished(index);
    }
    m_sync_batches[batch].files.clear();
  }
  return any;
}

bool FetchRun::shared_sync_due(Clock::time_point now) const {
  if (m_awaiting_sync.empty()) {
    return false;
  }
  if (m_awaiting_sync.size() >= k_max_awaiting_sync || m_awaiting_sync_bytes >= k_max_awaiting_sync_bytes ||
      now - m_awaiting_sync_since >= k_max_sync_delay) {
    return true;
  }
  const std::size_t unfinished = m_files.size() - m_finished_count;
  const std::size_t still_to_come = unfinished > m_parked ? unfinished - m_parked : 0;
  if (m_awaiting_sync.size() >= std::max(k_min_closing_batch, still_to_come)) {
    return true;
  }
  // Otherwise only once no other file could join the batch: syncing while files still arrive
  // would write them in many small pieces, which is what the shared sync is for avoiding.
  if (m_next_start < m_files.size() || !m_active.empty() || m_opening_count > 0 || m_verifying > 0) {
    return false;
  }
  return std::none_of(m_state.begin() + static_cast<std::ptrdiff_t>(m_first_open), m_state.end(),
                      [](FileState state) { return state == FileState::transferring; });
}

void FetchRun::start_shared_sync() {
  const std::size_t number = m_sync_batches.size();
  SyncBatch& batch = m_sync_batches.emplace_back();
  batch.files.swap(m_awaiting_sync);
  m_awaiting_sync_bytes = 0;
  std::vector<int> fds;
  std::vector<FileDownload*> files;
  for (const std::size_t index : batch.files) {
    fds.push_back(file_at(index).partial_fd());  // parked: no worker touches the file
    files.push_back(&file_at(index));
  }
  // The syncer also renames and links the batch's files, one after the other: they go into the
  // same two folders, whose locks the filesystem takes for each anyway, and one job for the
  // batch spares a finisher job, and a wake-up of the loop, per file. Scenario c of
  // bench/run.sh, A/B: 0.248 s against 0.252 s (15 runs), and 0.250 s against 0.269 s (21 runs),
  // with 7% fewer context switches.
  m_syncer->submit(number, [this, &batch, &sync_all = m_settings.shared_sync.sync_all, fds = std::move(fds),
                            files = std::move(files)] {
    batch.synced = sync_all ? sync_all(fds) : sync_filesystems(fds);
    for (FileDownload* file : files) {
      commit(*file, batch.synced);
    }
  });
}

void FetchRun::commit(FileDownload& file, bool synced) {
  try {
    file.commit_verified(m_folders, synced);
  } catch (const std::exception& error) {
    file.finish_failed(FileStatus::io_error, file.job().display_name + ": " + error.what());
  }
}

void FetchRun::commit_unsynced(std::size_t index) {
  --m_parked;
  m_committing[index] = 1;
  FileDownload* file = &file_at(index);
  // On the finishers, several at once, each with its own fsync.
  m_finisher->submit(index, [this, file] { commit(*file, false); });
}

void FetchRun::settle_finishing() {
  while (true) {
    m_finisher->wait_idle();
    m_syncer->wait_idle();
    const bool any = collect_verified();
    if (!m_awaiting_sync.empty()) {
      // Stopping: each file's own fsync writes only its bytes, where a sync of the filesystem
      // would also wait for whatever else it has to write, and a stop must be prompt.
      for (const std::size_t index : m_awaiting_sync) {
        commit_unsynced(index);
      }
      m_awaiting_sync.clear();
      m_awaiting_sync_bytes = 0;
      continue;
    }
    if (!any) {
      return;
    }
  }
}

void FetchRun::stop_awaiting_connection(std::size_t index) {
  if (m_awaiting_connection[index] != 0) {
    m_awaiting_connection[index] = 0;
    --m_awaiting_connection_count;
  }
}

void FetchRun::report_finished(std::size_t index) {
  m_finished_count += m_state[index] == FileState::finished ? 0 : 1;
  m_state[index] = FileState::finished;
  stop_awaiting_connection(index);
  // The file has settled (in place, failed or cancelled): what its claim took, e.g. its lock,
  // is let go now, not at the end of the run, so a process waiting for it never waits on us
  // for anything else.
  m_opened[index].claim.held.reset();
  flush_progress(index);
  FileDownload& file = file_at(index);
  m_observer.on_file_finished(file.job(), file.result());
}

void FetchRun::flush_progress(std::size_t index) {
  FileDownload& file = file_at(index);
  const auto transferred = file.result().bytes_transferred;
  if (transferred > m_reported[index]) {
    m_observer.on_bytes(file.job(), transferred - m_reported[index]);
    m_reported[index] = transferred;
  }
}

void FetchRun::flush_progress(Clock::time_point now) {
  for (std::size_t index = m_first_open; index < m_next_start; ++index) {
    if (in_loop_hands(index)) {
      flush_progress(index);
      file_at(index).save_progress(now, k_sidecar_interval);
    }
  }
}

void FetchRun::stop_everything() {
  std::vector<CURL*> handles;
  for (auto& [handle, exchange] : m_active) {
    handles.push_back(handle);
  }
  for (CURL* handle : handles) {
    release(handle);
  }
  // Files being opened are not started yet: let the opener finish with them, then cancel them.
  m_opener->wait_idle();
  for (const std::size_t index : take_opened()) {
    m_observer.on_file_started(file_at(index).job(), m_opened[index].kept);
  }
  // Files already being finished are complete: let them land rather than cancel them midway.
  settle_finishing();
  for (std::size_t index = 0; index < m_files.size(); ++index) {
    if (m_state[index] != FileState::finished) {
      file_at(index).finish_cancelled();
      if (index < m_next_start) {
        report_finished(index);
      }
      m_state[index] = FileState::finished;
    }
  }
}

}  // namespace xl::http
