// SPDX-License-Identifier: Apache-2.0
// The curl transport against tests/support/range_server.py on loopback.
#include "core/http/curl_engine.hpp"
#include "core/http/prefix_hasher.hpp"
#include "core/http/shared_sync.hpp"
#include "tests/unit/support/range_server.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

using namespace xl::http;
using xl::test::random_bytes;
using xl::test::RangeServer;
using xl::test::RecordingObserver;
namespace fs = std::filesystem;

namespace {

TransferSettings test_settings() {
  TransferSettings settings;
  settings.max_connections = 8;
  settings.backoff_base = std::chrono::milliseconds(10);
  settings.backoff_max = std::chrono::milliseconds(100);
  settings.stall_timeout = std::chrono::milliseconds(1000);
  settings.connect_timeout = std::chrono::milliseconds(2000);
  return settings;
}

std::string read_file(const fs::path& path) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (error) {
    return "<missing>";
  }
  std::string bytes(size, '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(bytes.data(), static_cast<std::streamsize>(size));
  return bytes;
}

void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

FileJob job_for(const RangeServer& server, const std::string& name, const std::string& bytes,
                const std::string& url_path = "") {
  FileJob job;
  job.display_name = name;
  job.request.url = server.url(url_path.empty() ? "/files/" + name : url_path);
  job.destination = server.scratch() / "blobs" / name;
  job.expected_size = bytes.size();
  job.expected_sha256 = sha256_hex(bytes);
  return job;
}

// `count` served files {prefix}{i}.bin of `first + i * step` random bytes (seeded `seed + i`), and
// a job for each; the job numbered `corrupt` asks the server to corrupt the bytes it sends.
struct ServedFiles {
  std::vector<FileJob> jobs;
  std::vector<std::string> contents;
};

ServedFiles serve_files(RangeServer& server, const std::string& prefix, int count, std::size_t first, std::size_t step,
                        std::uint32_t seed, int corrupt = -1) {
  ServedFiles served;
  for (int i = 0; i < count; ++i) {
    const auto index = static_cast<std::size_t>(i);
    served.contents.push_back(random_bytes(first + index * step, seed + static_cast<std::uint32_t>(i)));
    const auto name = prefix + std::to_string(i) + ".bin";
    server.add_file(name, served.contents.back());
    served.jobs.push_back(
        job_for(server, name, served.contents.back(), i == corrupt ? "/files/" + name + "?fault=corrupt" : ""));
  }
  return served;
}

std::vector<FileResult> fetch(std::vector<FileJob> jobs, const TransferSettings& settings = test_settings(),
                              RecordingObserver* observer = nullptr) {
  RecordingObserver local;
  auto transport = make_curl_transport(settings);
  return transport->fetch(jobs, observer != nullptr ? *observer : local);
}

std::size_t count_requests(const RangeServer& server, const std::string& path_prefix) {
  std::size_t count = 0;
  for (const auto& entry : server.requests()) {
    count += entry["path"].get<std::string>().starts_with(path_prefix) ? 1 : 0;
  }
  return count;
}

// Every job ended ok, with the served bytes at its destination.
void check_all_landed(const std::vector<FileJob>& jobs, const std::vector<FileResult>& results,
                      const std::vector<std::string>& contents) {
  REQUIRE(results.size() == jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    INFO(jobs[i].display_name << ": " << results[i].error);
    CHECK(results[i].status == FileStatus::ok);
    CHECK(read_file(jobs[i].destination) == contents[i]);
  }
}

}  // namespace

TEST_CASE("transport: many files concurrently, each verified") {
  RangeServer server;
  auto [jobs, contents] = serve_files(server, "f", 40, 1000, 70'000, 0);
  std::uint64_t total = 0;
  for (const auto& bytes : contents) {
    total += bytes.size();
  }
  jobs[3].expected_sha256.reset();  // size-only verification
  jobs[4].expected_size.reset();    // size learned from the server
  RecordingObserver observer;
  const auto results = fetch(jobs, test_settings(), &observer);
  REQUIRE(results.size() == jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    INFO(jobs[i].display_name << ": " << results[i].error);
    CHECK(results[i].status == FileStatus::ok);
    CHECK(read_file(jobs[i].destination) == contents[i]);
    CHECK_FALSE(fs::exists(jobs[i].destination.string() + ".incomplete"));
    CHECK_FALSE(fs::exists(jobs[i].destination.string() + ".incomplete.json"));
  }
  // Connections are reused: never more client ports than connections allowed.
  std::set<int> ports;
  for (const auto& entry : server.requests()) {
    ports.insert(entry["client_port"].get<int>());
  }
  CHECK(ports.size() <= static_cast<std::size_t>(test_settings().max_connections));
  CHECK(observer.started.size() == jobs.size());
  CHECK(observer.finished.size() == jobs.size());
  CHECK(observer.bytes == total);
}

TEST_CASE("transport: a small file's check hashes the bytes the loop wrote last from memory, not read back") {
  RangeServer server;
  // Under a block: the loop holds all of each body until its answer ends, and writes it at once.
  auto [tiny_jobs, tiny] = serve_files(server, "tiny", 12, 1000, 250, 40);
  // Over one write batch (256 KiB), not a multiple of a block: the loop writes the front while
  // the answer comes, and the last, partial block once it has ended.
  auto [mid_jobs, mid] = serve_files(server, "mid", 2, 300'000, 1, 60);
  auto jobs = tiny_jobs;
  jobs.insert(jobs.end(), mid_jobs.begin(), mid_jobs.end());
  const auto results = fetch(jobs);
  REQUIRE(results.size() == jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    INFO(jobs[i].display_name << ": " << results[i].error);
    REQUIRE(results[i].status == FileStatus::ok);
    CHECK(read_file(jobs[i].destination) == (i < 12 ? tiny[i] : mid[i - 12]));
    if (i < 12) {
      CHECK(results[i].bytes_read_back == 0);
    } else {
      // The loop writes held-back bytes up to a block boundary while the answer comes, so the
      // bytes past the last one (300,000 % 4096 = 992) are always among those handed over.
      const std::uint64_t size = *jobs[i].expected_size;
      CHECK(results[i].bytes_read_back > 0);
      CHECK(results[i].bytes_read_back <= size - size % 4096);
    }
  }
}

TEST_CASE("transport: a small file hashed from memory still fails its check when its bytes are wrong") {
  // The server flips a byte of what it sends for the second file.
  RangeServer server;
  auto [jobs, contents] = serve_files(server, "c", 3, 2000, 0, 80, 1);
  const auto results = fetch(jobs);
  CHECK(results[0].status == FileStatus::ok);
  CHECK(results[1].status == FileStatus::integrity_error);
  CHECK(results[2].status == FileStatus::ok);
  CHECK_FALSE(fs::exists(jobs[1].destination));
}

// Counts the shared syncs (shared_sync.hpp) and the files each covered; syncs for real unless
// told to fail.
struct SyncCounter {
  std::mutex mutex;
  std::vector<std::size_t> batches;  // files per sync
  bool fail = false;
  std::function<void()> on_covers;   // called from the finishers, per small verified file

  SharedSyncOps ops() {
    return {[this](int fd) {
              if (on_covers) {
                on_covers();
              }
              return fd >= 0;
            },
            [this](const std::vector<int>& fds) {
              std::lock_guard lock(mutex);
              batches.push_back(fds.size());
              return !fail && sync_filesystems(fds);
            }};
  }
  std::size_t files() {
    std::lock_guard lock(mutex);
    return std::accumulate(batches.begin(), batches.end(), std::size_t{0});
  }
};

TEST_CASE("transport: small files are made durable by a shared sync of their filesystem, large ones by their own") {
  RangeServer server;
  auto [jobs, contents] = serve_files(server, "s", 30, 1000, 20'000, 700);
  const auto big = random_bytes(3 * k_mebibyte, 799);  // two minimum ranges or more: its own fsync
  server.add_file("big.bin", big);
  jobs.push_back(job_for(server, "big.bin", big));
  contents.push_back(big);
  SyncCounter counter;
  auto settings = test_settings();
  settings.shared_sync = counter.ops();
  const auto results = fetch(jobs, settings);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    INFO(jobs[i].display_name << ": " << results[i].error);
    CHECK(results[i].status == FileStatus::ok);
    CHECK(read_file(jobs[i].destination) == contents[i]);
    CHECK_FALSE(fs::exists(jobs[i].destination.string() + ".incomplete"));
  }
  CHECK(counter.files() == 30);  // every small file, and only those
  // Batched: they wait for the transfers to end (or a second to pass, on a slow sanitizer run).
  CHECK(counter.batches.size() < 30);
}

TEST_CASE("transport: the shared syncs shrink towards the end, so little is left to commit after the last answer") {
  RangeServer server;
  auto [jobs, contents] = serve_files(server, "t", 80, 1000, 1'000, 950);
  SyncCounter counter;
  auto settings = test_settings();
  settings.shared_sync = counter.ops();
  check_all_landed(jobs, fetch(jobs, settings), contents);
  CHECK(counter.files() == 80);
  std::string sizes;
  for (const std::size_t files : counter.batches) {
    sizes += std::to_string(files) + " ";
  }
  INFO("files per sync: " << sizes);
  // A batch goes once it holds as many files as are still to come: never all of them at the
  // end, and the last one no bigger than what the connections (8) and the opener (4) had in
  // hand, plus the closing batch's minimum (8), and some slack for a slow (sanitizer) run.
  REQUIRE(counter.batches.size() >= 2);
  CHECK(counter.batches.front() < 80);
  CHECK(counter.batches.back() <= 24);
}

TEST_CASE("transport: when the shared sync fails, each small file is fsynced on its own and still lands") {
  RangeServer server;
  auto [jobs, contents] = serve_files(server, "e", 12, 1000, 9'000, 800);
  SyncCounter counter;
  counter.fail = true;
  auto settings = test_settings();
  settings.shared_sync = counter.ops();
  check_all_landed(jobs, fetch(jobs, settings), contents);
  CHECK(counter.files() == 12);
}

TEST_CASE("transport: on a filesystem the shared sync does not cover, every file keeps its own fsync") {
  RangeServer server;
  auto [jobs, contents] = serve_files(server, "n", 8, 1000, 9'000, 900);
  SyncCounter counter;
  auto settings = test_settings();
  settings.shared_sync = counter.ops();
  settings.shared_sync.covers = [](int) { return false; };
  check_all_landed(jobs, fetch(jobs, settings), contents);
  CHECK(counter.batches.empty());
}

TEST_CASE("transport: a cancel lands the verified files waiting for the shared sync, and only cancels the rest") {
  RangeServer server;
  auto [jobs, contents] = serve_files(server, "w", 10, 1000, 9'000, 1000);
  const auto slow = random_bytes(8 * k_mebibyte, 1099);
  server.add_file("slow.bin", slow);
  jobs.push_back(job_for(server, "slow.bin", slow, "/files/slow.bin?fault=slow"));
  std::atomic<bool> cancel{false};
  // While the slow file still transfers, the small ones wait. The cancel comes once all ten
  // are verified, so each either waits for the sync or is about to, and once the slow file has
  // started: it starts only when a connection is free, and when the small files held all eight
  // and ended in one turn, the finishers could verify them all before the loop's next turn
  // (seen once in CI, under a sanitizer). A file cancelled before it starts is never reported
  // started or finished, and there would be no cancel in flight to test. Whichever of the
  // eleven events comes last sends the cancel.
  std::atomic<int> events{0};
  const auto count_event = [&] {
    if (++events == 11) {
      cancel.store(true);
    }
  };
  SyncCounter counter;
  counter.on_covers = count_event;
  auto settings = test_settings();
  settings.shared_sync = counter.ops();
  struct SlowStartWatcher final : RecordingObserver {
    std::function<void()> on_slow_started;
    void on_file_started(const FileJob& job, std::uint64_t kept) override {
      RecordingObserver::on_file_started(job, kept);
      if (job.display_name == "slow.bin") {
        on_slow_started();
      }
    }
  } observer;
  observer.on_slow_started = count_event;
  auto transport = make_curl_transport(settings, &cancel);
  const auto results = transport->fetch(jobs, observer);
  for (std::size_t i = 0; i < 10; ++i) {
    INFO(jobs[i].display_name << ": " << results[i].error);
    CHECK(results[i].status == FileStatus::ok);
    CHECK(read_file(jobs[i].destination) == contents[i]);
  }
  CHECK(results[10].status == FileStatus::cancelled);
  CHECK_FALSE(fs::exists(jobs[10].destination));
  CHECK(observer.started.size() == jobs.size());
  CHECK(observer.finished.size() == jobs.size());
}

TEST_CASE("transport: a file whose partial cannot be created fails alone, before any request for it") {
  RangeServer server;
  auto [jobs, contents] = serve_files(server, "g", 6, 5000, 1, 0);
  // A regular file where the folder of job 2 should be: its partial cannot be created.
  write_file(server.scratch() / "taken", "not a folder");
  jobs[2].destination = server.scratch() / "taken" / "g2.bin";
  RecordingObserver observer;
  const auto results = fetch(jobs, test_settings(), &observer);
  REQUIRE(results.size() == jobs.size());
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    INFO(jobs[i].display_name << ": " << results[i].error);
    if (i == 2) {
      CHECK(results[i].status == FileStatus::io_error);
      CHECK(results[i].error.find("g2.bin: cannot create") == 0);
    } else {
      CHECK(results[i].status == FileStatus::ok);
      CHECK(read_file(jobs[i].destination) == contents[i]);
    }
  }
  CHECK(count_requests(server, "/files/g2.bin") == 0);
  CHECK(observer.started.size() == jobs.size());
  CHECK(observer.finished.size() == jobs.size());
}

TEST_CASE("transport: after_commit runs once per verified file, with the file already in place, never for a bad one") {
  RangeServer server;
  auto [jobs, contents] = serve_files(server, "c", 12, 5000, 300'000, 100, 5);
  std::mutex mutex;
  std::map<std::string, int> calls;
  std::map<std::string, bool> in_place;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    jobs[i].after_commit = [&, i] {
      const bool there = read_file(jobs[i].destination) == contents[i];
      std::lock_guard lock(mutex);
      ++calls[jobs[i].display_name];
      in_place[jobs[i].display_name] = there;
    };
  }
  const auto results = fetch(jobs);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& name = jobs[i].display_name;
    INFO(name << ": " << results[i].error);
    if (i == 5) {
      CHECK(results[i].status == FileStatus::integrity_error);
      CHECK(calls.count(name) == 0);
    } else {
      CHECK(results[i].status == FileStatus::ok);
      CHECK(calls[name] == 1);
      CHECK(in_place[name]);
    }
  }
}

TEST_CASE("transport: each file is claimed in job order before it is touched, and let go once it has settled") {
  RangeServer server;
  auto [jobs, contents] = serve_files(server, "k", 10, 3000, 200'000, 300, 6);
  // Job 3 is found in place (a stale copy sits at its destination: it must stay untouched),
  // job 4's claim fails, the others take a hold whose release records what it saw.
  write_file(jobs[3].destination, "left by another process");
  std::mutex mutex;
  std::vector<std::size_t> claim_order;
  std::map<std::size_t, std::string> at_release;  // job -> its destination's state when let go
  std::atomic<int> live_holds{0};
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    jobs[i].claim = [&, i](const std::atomic<bool>*) {
      {
        std::lock_guard lock(mutex);
        claim_order.push_back(i);
      }
      CHECK_FALSE(fs::exists(jobs[i].destination.string() + ".incomplete"));
      if (i == 4) {
        throw std::runtime_error("timed out waiting for the lock of k4");
      }
      Claim claim;
      claim.transfer_needed = i != 3;
      ++live_holds;
      claim.held = std::shared_ptr<const void>(nullptr, [&, i](const void*) {
        std::lock_guard lock(mutex);
        at_release[i] = read_file(jobs[i].destination) == contents[i] ? "in place" : "absent or wrong";
        --live_holds;
      });
      return claim;
    };
  }
  // A hold is let go when its file settles, not at the end of the run: by the time the file
  // is reported finished.
  struct ReleaseChecker : RecordingObserver {
    std::function<void(const std::string&)> check;
    void on_file_finished(const FileJob& job, const FileResult& result) override {
      RecordingObserver::on_file_finished(job, result);
      check(job.display_name);
    }
  } observer;
  std::set<std::string> held_at_finish;
  observer.check = [&](const std::string& name) {
    const std::size_t i = static_cast<std::size_t>(std::stoi(name.substr(1)));
    std::lock_guard lock(mutex);
    if (i != 4 && at_release.count(i) == 0) {
      held_at_finish.insert(name);
    }
  };
  const auto results = fetch(jobs, test_settings(), &observer);
  CHECK(held_at_finish.empty());
  std::vector<std::size_t> in_order(jobs.size());
  std::iota(in_order.begin(), in_order.end(), 0);
  CHECK(claim_order == in_order);
  CHECK(live_holds == 0);
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const auto& name = jobs[i].display_name;
    INFO(name << ": " << results[i].error);
    if (i == 3) {
      CHECK(results[i].status == FileStatus::ok);
      CHECK(results[i].found_in_place);
      CHECK(read_file(jobs[i].destination) == "left by another process");
      CHECK(count_requests(server, "/files/" + name) == 0);
    } else if (i == 4) {
      CHECK(results[i].status == FileStatus::lock_failed);
      CHECK(results[i].error == "k4.bin: timed out waiting for the lock of k4");
      CHECK(count_requests(server, "/files/" + name) == 0);
      CHECK(at_release.count(i) == 0);
    } else if (i == 6) {
      CHECK(results[i].status == FileStatus::integrity_error);
      CHECK(at_release[i] == "absent or wrong");
    } else {
      CHECK(results[i].status == FileStatus::ok);
      CHECK_FALSE(results[i].found_in_place);
      CHECK(at_release[i] == "in place");  // held until the file was verified and renamed
    }
  }
  // The file found in place counts as fully present for progress, with no bytes moved.
  CHECK(observer.started.size() == jobs.size());
  CHECK(observer.finished.size() == jobs.size());
  CHECK(observer.already_have == jobs[3].expected_size);
}

TEST_CASE("transport: a cancel ends a claim that is waiting, and the files after it never start") {
  RangeServer server;
  auto jobs = serve_files(server, "w", 3, 4000, 0, 400).jobs;
  std::atomic<bool> cancel{false};
  std::atomic<bool> waiting{false};
  // Job 1's lock is held elsewhere: its claim waits, as FileLock::acquire does, until cancelled.
  jobs[1].claim = [&](const std::atomic<bool>* flag) -> Claim {
    CHECK(flag == &cancel);  // not REQUIRE: this runs on the engine's opener thread
    waiting = true;
    while (!flag->load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    throw std::runtime_error("interrupted while waiting for the lock");
  };
  std::thread canceller([&] {
    while (!waiting) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cancel = true;
  });
  RecordingObserver observer;
  auto transport = make_curl_transport(test_settings(), &cancel);
  const auto results = transport->fetch(jobs, observer);
  canceller.join();
  REQUIRE(results.size() == 3);
  CHECK(results[0].status == FileStatus::ok);
  CHECK(results[1].status == FileStatus::cancelled);
  CHECK(results[2].status == FileStatus::cancelled);
  CHECK(count_requests(server, "/files/w1.bin") == 0);
  CHECK(count_requests(server, "/files/w2.bin") == 0);
  CHECK_FALSE(fs::exists(jobs[2].destination.string() + ".incomplete"));
}

TEST_CASE("transport: a 64 MiB file is fetched in ranges over several connections and verifies") {
  RangeServer server;
  const auto bytes = random_bytes(64 * k_mebibyte + 123, 7);
  server.add_file("big.bin", bytes);
  auto job = job_for(server, "big.bin", bytes);
  const auto results = fetch({job});
  REQUIRE(results[0].status == FileStatus::ok);
  CHECK(results[0].bytes_transferred == bytes.size());
  // Over 32 MiB: a worker hashes it while it downloads, reading it back from the page cache.
  CHECK(results[0].bytes_read_back == bytes.size());
  CHECK(read_file(job.destination) == bytes);
  std::size_t ranged = 0;
  for (const auto& entry : server.requests()) {
    ranged += entry["status"] == 206 ? 1 : 0;
  }
  CHECK(ranged >= 8);
}

TEST_CASE("transport: the size may be unknown, the first answer tells it") {
  RangeServer server;
  const auto big = random_bytes(30 * k_mebibyte + 5, 8);
  const auto small = random_bytes(777, 9);
  server.add_file("big.bin", big);
  server.add_file("small.bin", small);
  auto big_job = job_for(server, "big.bin", big);
  auto small_job = job_for(server, "small.bin", small);
  big_job.expected_size.reset();
  small_job.expected_size.reset();
  small_job.expected_sha256.reset();
  const auto results = fetch({big_job, small_job});
  CHECK(results[0].status == FileStatus::ok);
  CHECK(results[1].status == FileStatus::ok);
  CHECK(read_file(big_job.destination) == big);
  CHECK(read_file(small_job.destination) == small);
  CHECK(count_requests(server, "/files/big.bin") > 2);
}

TEST_CASE("transport: a partial left by an earlier run is resumed, refetching only what is missing") {
  RangeServer server;
  const auto bytes = random_bytes(12 * k_mebibyte, 11);
  server.add_file("model.bin", bytes);
  auto job = job_for(server, "model.bin", bytes);
  const fs::path incomplete = job.destination.string() + ".incomplete";

  SUBCASE("sequential prefix without a sidecar (huggingface_hub <= 1.17)") {
    write_file(incomplete, bytes.substr(0, 5 * k_mebibyte));
    const auto results = fetch({job});
    REQUIRE(results[0].status == FileStatus::ok);
    CHECK(results[0].bytes_reused == 5 * k_mebibyte);
    CHECK(results[0].bytes_transferred == bytes.size() - 5 * k_mebibyte);
  }
  SUBCASE("holes recorded in the sidecar") {
    std::string partial(4 * k_mebibyte, '\0');
    partial.replace(0, k_mebibyte, bytes.substr(0, k_mebibyte));
    partial.replace(3 * k_mebibyte, k_mebibyte, bytes.substr(3 * k_mebibyte, k_mebibyte));
    write_file(incomplete, partial);
    const nlohmann::json sidecar = {{"version", 1},
                                    {"size", bytes.size()},
                                    {"sha256", *job.expected_sha256},
                                    {"have", {{0, k_mebibyte}, {3 * k_mebibyte, 4 * k_mebibyte}}}};
    write_file(incomplete.string() + ".json", sidecar.dump());
    const auto results = fetch({job});
    REQUIRE(results[0].status == FileStatus::ok);
    CHECK(results[0].bytes_reused == 2 * k_mebibyte);
    CHECK(results[0].bytes_transferred == bytes.size() - 2 * k_mebibyte);
  }
  CHECK(read_file(job.destination) == bytes);
  CHECK_FALSE(fs::exists(incomplete));
  CHECK_FALSE(fs::exists(incomplete.string() + ".json"));
}

TEST_CASE("transport: a server that ignores Range restarts the file cleanly") {
  RangeServer server;
  const auto bytes = random_bytes(9 * k_mebibyte + 1, 12);
  server.add_file("norange.bin", bytes);
  auto job = job_for(server, "norange.bin", bytes, "/files/norange.bin?fault=norange");
  write_file(job.destination.string() + ".incomplete", bytes.substr(0, 3 * k_mebibyte));
  const auto results = fetch({job});
  REQUIRE(results[0].status == FileStatus::ok);
  CHECK(results[0].bytes_reused == 0);
  CHECK(read_file(job.destination) == bytes);
}

TEST_CASE("transport: wrong bytes never reach the destination and are not kept") {
  RangeServer server;
  const auto bytes = random_bytes(6 * k_mebibyte, 13);
  server.add_file("bad.bin", bytes);
  FileJob job;
  SUBCASE("corrupt byte, sha256 mismatch") { job = job_for(server, "bad.bin", bytes, "/files/bad.bin?fault=corrupt"); }
  SUBCASE("server has fewer bytes than expected") {
    job = job_for(server, "bad.bin", bytes, "/files/bad.bin?fault=truncated&cut=10");
  }
  SUBCASE("server ignores Range and sends fewer bytes than expected") {
    job = job_for(server, "bad.bin", bytes, "/files/bad.bin?fault=truncated,norange&cut=10");
  }
  const auto results = fetch({job});
  INFO(results[0].error);
  CHECK(results[0].status == FileStatus::integrity_error);
  CHECK(results[0].error.find("bad.bin") != std::string::npos);
  CHECK_FALSE(fs::exists(job.destination));
  CHECK_FALSE(fs::exists(job.destination.string() + ".incomplete"));
}

TEST_CASE("transport: an error page is reported, never written") {
  RangeServer server;
  FileJob job;
  job.display_name = "missing.safetensors";
  job.request.url = server.url("/files/missing.safetensors?X-Amz-Signature=SECRET");
  job.destination = server.scratch() / "missing.safetensors";
  job.expected_size = 1000;
  const auto results = fetch({job});
  CHECK(results[0].status == FileStatus::not_found);
  CHECK(results[0].http_status == 404);
  CHECK(results[0].error.find("SECRET") == std::string::npos);
  CHECK(results[0].error.find("404") != std::string::npos);
  CHECK_FALSE(fs::exists(job.destination));
  CHECK_FALSE(fs::exists(job.destination.string() + ".incomplete"));
}

TEST_CASE("transport: Authorization is dropped on a cross-host redirect and kept on a same-host one") {
  RangeServer server;
  const auto bytes = random_bytes(3 * k_mebibyte, 14);
  server.add_file("cross.bin", bytes);
  server.add_file("same.bin", bytes);
  auto cross = job_for(server, "cross.bin", bytes, "/redirect/cross/cross.bin");
  auto same = job_for(server, "same.bin", bytes, "/redirect/relative/same.bin");
  cross.request.headers.set("Authorization", "Bearer hf_secret");
  same.request.headers.set("Authorization", "Bearer hf_secret");
  const auto results = fetch({cross, same});
  CHECK(results[0].status == FileStatus::ok);
  CHECK(results[1].status == FileStatus::ok);
  int cross_files = 0;
  int same_files = 0;
  for (const auto& entry : server.requests()) {
    const auto path = entry["path"].get<std::string>();
    if (path.starts_with("/redirect/")) {
      CHECK(entry["authorization"] == "Bearer hf_secret");
    } else if (path == "/files/cross.bin") {
      ++cross_files;
      CHECK(entry["authorization"].is_null());
    } else if (path == "/files/same.bin") {
      ++same_files;
      CHECK(entry["authorization"] == "Bearer hf_secret");
    }
  }
  CHECK(cross_files >= 1);
  CHECK(same_files >= 1);
  // Only the first request of a file follows the redirect; ranges go to the final URL.
  CHECK(count_requests(server, "/redirect/cross/") == 1);
}

TEST_CASE("transport: transient failures are retried per range") {
  RangeServer server;
  const auto bytes = random_bytes(5 * k_mebibyte + 3, 15);
  server.add_file("flaky.bin", bytes);
  std::string fault;
  SUBCASE("connection reset mid-body") { fault = "fault=reset&times=3"; }
  SUBCASE("body shorter than promised") { fault = "fault=short&times=3"; }
  SUBCASE("stall") { fault = "fault=stall&seconds=5"; }
  SUBCASE("503 twice") { fault = "fault=status&code=503&times=2"; }
  SUBCASE("429 with Retry-After") { fault = "fault=status&code=429&after=1"; }
  auto job = job_for(server, "flaky.bin", bytes, "/files/flaky.bin?" + fault);
  const auto started = std::chrono::steady_clock::now();
  const auto results = fetch({job});
  INFO(fault << ": " << results[0].error);
  CHECK(results[0].status == FileStatus::ok);
  CHECK(read_file(job.destination) == bytes);
  CHECK(count_requests(server, "/files/flaky.bin") >= 2);
  if (fault.find("after=1") != std::string::npos) {
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::seconds(1));
  }
}

TEST_CASE("transport: a range that goes silent is aborted after the stall timeout and resumed") {
  RangeServer server;
  const auto bytes = random_bytes(200'000, 17);
  server.add_file("silent.bin", bytes);
  auto settings = test_settings();
  settings.max_connections = 1;
  settings.range_size = bytes.size();  // one range: the retry must start where the silence began
  auto job = job_for(server, "silent.bin", bytes, "/files/silent.bin?fault=stall&seconds=20");
  const auto started = std::chrono::steady_clock::now();
  const auto results = fetch({job}, settings);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  INFO(results[0].error);
  CHECK(results[0].status == FileStatus::ok);
  CHECK(read_file(job.destination) == bytes);
  // One second of silence, then the retry. libcurl's LOW_SPEED check averages over the last
  // five seconds, so a burst followed by silence used to be noticed about five seconds late.
  CHECK(elapsed < std::chrono::seconds(4));
  std::vector<std::string> ranges;
  for (const auto& entry : server.requests()) {
    ranges.push_back(entry["range"].is_string() ? entry["range"].get<std::string>() : "none");
  }
  REQUIRE(ranges.size() == 2);
  CHECK(ranges[0] == "bytes=0-199999");
  CHECK(ranges[1] == "bytes=100000-199999");
}

TEST_CASE("transport: persistent failures give up with the status") {
  RangeServer server;
  const auto bytes = random_bytes(1000, 16);
  server.add_file("down.bin", bytes);
  auto settings = test_settings();
  settings.max_attempts = 3;
  auto job = job_for(server, "down.bin", bytes, "/files/down.bin?fault=status&code=503&times=100");
  const auto results = fetch({job}, settings);
  CHECK(results[0].status == FileStatus::http_error);
  CHECK(results[0].http_status == 503);
  CHECK(count_requests(server, "/files/down.bin") == 3);
  CHECK_FALSE(fs::exists(job.destination));
}

TEST_CASE("transport: a redirect loop is an error") {
  RangeServer server;
  FileJob job;
  job.display_name = "loop";
  job.request.url = server.url("/loop/a");
  job.destination = server.scratch() / "loop";
  const auto results = fetch({job});
  CHECK(results[0].status == FileStatus::http_error);
  CHECK(results[0].error.find("redirect loop") != std::string::npos);
}

TEST_CASE("transport: cancel stops promptly and keeps the partial for the next run") {
  RangeServer server;
  const auto bytes = random_bytes(8 * k_mebibyte, 17);
  server.add_file("slow.bin", bytes);
  auto job = job_for(server, "slow.bin", bytes, "/files/slow.bin?fault=slow");

  std::atomic<bool> cancel{false};
  struct CancellingObserver : RecordingObserver {
    std::atomic<bool>* flag = nullptr;
    void on_bytes(const FileJob& job, std::uint64_t delta) override {
      RecordingObserver::on_bytes(job, delta);
      flag->store(true);
    }
  } observer;
  observer.flag = &cancel;
  auto transport = make_curl_transport(test_settings(), &cancel);
  auto results = transport->fetch({&job, 1}, observer);
  REQUIRE(results[0].status == FileStatus::cancelled);
  CHECK(observer.finished.size() == 1);
  CHECK_FALSE(fs::exists(job.destination));
  REQUIRE(fs::exists(job.destination.string() + ".incomplete"));
  const auto kept = results[0].bytes_transferred;
  CHECK(kept > 0);

  job.request.url = server.url("/files/slow.bin");
  results = fetch({job});
  REQUIRE(results[0].status == FileStatus::ok);
  CHECK(results[0].bytes_reused == kept);
  CHECK(read_file(job.destination) == bytes);
}

// Needs a small filesystem, e.g. `mount -t tmpfs -o size=4m tmpfs DIR`; run with
// XLAUNCH_TEST_SMALL_FS=DIR xlaunch_tests --no-skip -tc='transport: a full disk*'.
TEST_CASE("transport: a full disk is reported as no_space and keeps nothing half-written" * doctest::skip()) {
  const char* small_fs = std::getenv("XLAUNCH_TEST_SMALL_FS");
  REQUIRE_MESSAGE(small_fs != nullptr, "set XLAUNCH_TEST_SMALL_FS to a folder on a small filesystem");
  RangeServer server;
  const auto bytes = random_bytes(16 * k_mebibyte, 18);
  server.add_file("huge.bin", bytes);
  auto known = job_for(server, "huge.bin", bytes);
  known.destination = fs::path(small_fs) / "known" / "huge.bin";
  auto unknown = known;
  unknown.destination = fs::path(small_fs) / "unknown" / "huge.bin";
  unknown.expected_size.reset();
  const auto results = fetch({known, unknown});
  for (const auto& result : results) {
    INFO(result.error);
    CHECK(result.status == FileStatus::no_space);
    CHECK(result.error.find("disk space") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(known.destination));
  CHECK_FALSE(fs::exists(unknown.destination));
  fs::remove_all(fs::path(small_fs) / "known");
  fs::remove_all(fs::path(small_fs) / "unknown");
}

TEST_CASE("transport: cancelling before a file starts leaves its earlier partial alone") {
  RangeServer server;
  const auto bytes = random_bytes(3 * k_mebibyte, 19);
  server.add_file("later.bin", bytes);
  auto job = job_for(server, "later.bin", bytes);
  const fs::path incomplete = job.destination.string() + ".incomplete";
  write_file(incomplete, bytes.substr(0, k_mebibyte));
  std::atomic<bool> cancel{true};
  RecordingObserver observer;
  auto transport = make_curl_transport(test_settings(), &cancel);
  const auto results = transport->fetch({&job, 1}, observer);
  CHECK(results[0].status == FileStatus::cancelled);
  CHECK(observer.started.empty());
  CHECK(fs::file_size(incomplete) == k_mebibyte);
  CHECK(server.requests().empty());
}
