// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "core/cache/atomic_file.hpp"
#include "core/cache/file_lock.hpp"
#include "core/cache/hf_cache.hpp"
#include "core/download/downloader.hpp"
#include "core/http/partial_file.hpp"
#include "fake_repo.hpp"

using namespace xl;
using namespace xl::download;
namespace fs = std::filesystem;

namespace {

const std::string k_hf = "http://hf.test";
const std::string k_ms = "http://ms.test";
// The two parts of the GGUF spec the tests download (the repo's other files are not in it).
const std::string k_part1 = "DeepSeek-R1-UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00001-of-00002.gguf";
const std::string k_part2 = "DeepSeek-R1-UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00002-of-00002.gguf";

class FixedDisk final : public cache::DiskSpace {
 public:
  std::optional<std::uint64_t> bytes = std::uint64_t{1} << 40;
  std::optional<std::uint64_t> available(const fs::path&) const override { return bytes; }
};

class RecordingObserver final : public DownloadObserver {
 public:
  std::vector<FilePlan> plans;
  std::vector<std::string> finished;
  void on_plan(const FilePlan& plan) override { plans.push_back(plan); }
  void on_file_started(const http::FileJob&, std::uint64_t) override {}
  void on_bytes(const http::FileJob&, std::uint64_t) override {}
  void on_file_finished(const http::FileJob& job, const http::FileResult&) override { finished.push_back(job.display_name); }
};

struct World {
  testing::TempDir dir;
  testing::FakeClient client;
  testing::FakeTransport transport;
  FixedDisk disk;
  HubSettings settings;
  testing::FakeRepo repo;

  World() {
    settings.hf.endpoint = k_hf;
    settings.hf.cache = dir.path() / "hf";
    settings.ms.endpoint = k_ms;
    settings.ms.cache = dir.path() / "ms";
    repo.id = "unsloth/DeepSeek-R1-GGUF";
    repo.files = {{"README.md", "readme"},
                  {"config.json", "{}"},
                  {k_part1, "GGUF-part-1"},
                  {k_part2, "GGUF-part-2"},
                  {"DeepSeek-R1-Q2_K/DeepSeek-R1-Q2_K.gguf", "other quantization"}};
    for (const auto& [path, data] : repo.files) {
      if (path.ends_with(".gguf")) {
        repo.lfs.insert(path);
      }
    }
  }
  Downloader downloader() {
    return Downloader(settings, client, transport, disk, cache::RecordStore(dir.path() / "records"));
  }
  DownloadTarget gguf_target(const std::string& hub) const {
    return {hub, repo.id, std::nullopt,
            {k_part1, k_part2},
            "deepseek-r1--671B--ggufv2--UD-IQ1_S"};
  }
};

std::string error_of(const std::function<void()>& action, ExitCode* code = nullptr) {
  try {
    action();
  } catch (const Error& error) {
    if (code != nullptr) {
      *code = error.code();
    }
    return error.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("HF GGUF: only the chosen parts, HF cache layout, then one request on relaunch") {
  World w;
  testing::serve_hf(w.client, w.transport, k_hf, w.repo);
  auto downloader = w.downloader();
  auto plan = downloader.plan(w.gguf_target("huggingface"), {});
  CHECK(plan.commit == w.repo.commit);
  REQUIRE(plan.files.size() == 2);
  CHECK(plan.bytes_to_fetch == 22);
  CHECK(w.transport.jobs.empty());  // planning writes nothing

  RecordingObserver observer;
  auto result = downloader.ensure(w.gguf_target("huggingface"), {}, observer);
  REQUIRE(w.transport.jobs.size() == 2);
  for (const auto& job : w.transport.jobs) {
    CHECK(job.display_name.find("UD-IQ1_S") != std::string::npos);
    CHECK(job.expected_sha256.has_value());
    CHECK(job.destination.parent_path().filename() == "blobs");
  }
  cache::HfCache cache(w.settings.hf.cache);
  CHECK(result.snapshot_dir == cache.snapshot_dir(w.repo.id, w.repo.commit));
  REQUIRE(result.files.size() == 2);
  CHECK(result.files[0].filename() == "DeepSeek-R1-UD-IQ1_S-00001-of-00002.gguf");
  CHECK(fs::read_symlink(result.files[0]).string().rfind("../../../blobs/", 0) == 0);
  CHECK(cache::read_file(result.files[1]) == "GGUF-part-2");
  CHECK(cache.read_ref(w.repo.id, "main") == w.repo.commit);
  CHECK(cache.read_tree(w.repo.id, w.repo.commit)->size() == 5);

  w.client.requests.clear();
  w.transport.jobs.clear();
  auto again = downloader.ensure(w.gguf_target("huggingface"), {}, observer);
  CHECK(w.transport.jobs.empty());
  REQUIRE(w.client.requests.size() == 1);  // the revision check only
  CHECK(w.client.requests[0].url.find("/revision/main") != std::string::npos);
  CHECK(again.files == result.files);
  CHECK(observer.plans.back().from_record);

  w.client.requests.clear();
  DownloadOptions offline;
  offline.offline = true;
  auto offline_plan = downloader.plan(w.gguf_target("huggingface"), offline);
  CHECK(w.client.requests.empty());
  CHECK(offline_plan.bytes_to_fetch == 0);
}

TEST_CASE("HF whole repository: paginated listing, pinned commit needs no revision request") {
  World w;
  w.repo.page_size = 2;
  testing::serve_hf(w.client, w.transport, k_hf, w.repo);
  auto downloader = w.downloader();
  DownloadTarget target{"huggingface", w.repo.id, w.repo.commit, {}, "deepseek-r1--671B--pytorch--none"};
  RecordingObserver observer;
  auto result = downloader.ensure(target, {}, observer);
  CHECK(result.files.size() == 5);
  CHECK(w.transport.jobs.size() == 5);
  std::size_t pages = 0;
  for (const auto& request : w.client.requests) {
    CHECK(request.url.find("/revision/") == std::string::npos);
    pages += request.url.find("/tree/") != std::string::npos ? 1 : 0;
  }
  CHECK(pages == 3);  // 6 entries (5 files + 1 directory), 2 per page

  // Another cache user deleted the records: the cache alone satisfies the offline relaunch.
  fs::remove_all(w.dir.path() / "records");
  w.client.requests.clear();
  DownloadOptions offline;
  offline.offline = true;
  CHECK(downloader.plan(target, offline).bytes_to_fetch == 0);
  CHECK(w.client.requests.empty());
}

TEST_CASE("HF: a blob already in the cache is linked, not fetched, a broken regular file is refused") {
  World w;
  // Either the transport links each file as it lands (after_commit) or the downloader does it
  // afterwards; the outcome and the errors are the same.
  SUBCASE("linked by the transport's after_commit") { w.transport.run_after_commit = true; }
  SUBCASE("linked by the downloader afterwards") { w.transport.run_after_commit = false; }
  testing::serve_hf(w.client, w.transport, k_hf, w.repo);
  auto downloader = w.downloader();
  RecordingObserver observer;
  DownloadTarget gguf = w.gguf_target("huggingface");
  downloader.ensure(gguf, {}, observer);
  DownloadTarget whole{"huggingface", w.repo.id, std::nullopt, {}, "deepseek-r1--671B--pytorch--none"};
  w.transport.jobs.clear();
  auto plan = downloader.plan(whole, {});
  CHECK(plan.bytes_to_fetch == std::string("readme").size() + 2 + std::string("other quantization").size());
  // Serve a corrupted config.json: its git blob id no longer matches the listing.
  for (auto& [url, data] : w.transport.contents) {
    if (url.ends_with("/config.json")) {
      data = "[]";
    }
  }
  ExitCode code{};
  const auto message = error_of([&] { downloader.ensure(whole, {}, observer); }, &code);
  CHECK(code == ExitCode::download);
  CHECK(message.find("integrity check failed for " + w.repo.id + "/config.json") != std::string::npos);
  CHECK(w.transport.jobs.size() == 3);  // the two GGUF parts were not fetched again
}

TEST_CASE("offline without a cache says what to do, low disk space refuses before any transfer") {
  World w;
  testing::serve_hf(w.client, w.transport, k_hf, w.repo);
  auto downloader = w.downloader();
  DownloadOptions offline;
  offline.offline = true;
  const auto message = error_of([&] { downloader.plan(w.gguf_target("huggingface"), offline); });
  CHECK(message.find("not in the Hugging Face cache") != std::string::npos);
  CHECK(w.client.requests.empty());

  w.disk.bytes = 10;
  RecordingObserver observer;
  ExitCode code{};
  const auto refusal = error_of([&] { downloader.ensure(w.gguf_target("huggingface"), {}, observer); }, &code);
  CHECK(code == ExitCode::resources);
  CHECK(refusal.find("need 22 B (22 bytes), available 10 B (10 bytes)") != std::string::npos);
  CHECK(w.transport.jobs.empty());
  DownloadOptions force;
  force.force = true;
  CHECK_NOTHROW(downloader.ensure(w.gguf_target("huggingface"), force, observer));
}

TEST_CASE("the free-space check counts the blocks partials of an interrupted run already hold") {
  World w;
  testing::serve_hf(w.client, w.transport, k_hf, w.repo);
  auto downloader = w.downloader();
  const cache::HfCache hf(w.settings.hf.cache);
  const auto leave_partial = [&](const std::string& path) {
    const auto blob = hf.blob_path(w.repo.id, testing::sha256_hex(w.repo.files.at(path)));
    cache::write_file_atomic(blob.string() + ".incomplete", w.repo.files.at(path).substr(0, 4));
    return http::partial_disk_usage(blob);
  };
  w.disk.bytes = 10;  // the two parts need 22 bytes
  if (leave_partial(k_part1) < 11) {
    MESSAGE("skipped: this filesystem stores tiny files without blocks of their own");
    return;
  }
  RecordingObserver observer;
  ExitCode code{};
  const auto refusal = error_of([&] { downloader.ensure(w.gguf_target("huggingface"), {}, observer); }, &code);
  CHECK(code == ExitCode::resources);
  CHECK(refusal.find("need 11 B (11 bytes), available 10 B (10 bytes)") != std::string::npos);

  // With both parts' blocks already on disk, a disk with room for the model once finishes it.
  leave_partial(k_part2);
  CHECK(downloader.plan(w.gguf_target("huggingface"), {}).enough_space());
  CHECK_NOTHROW(downloader.ensure(w.gguf_target("huggingface"), {}, observer));
}

TEST_CASE("transfer failures map to hub messages, a retry resumes from what arrived") {
  World w;
  testing::serve_hf(w.client, w.transport, k_hf, w.repo);
  auto downloader = w.downloader();
  const std::string part2 = k_hf + "/" + w.repo.id + "/resolve/" + w.repo.commit + "/" + k_part2;
  http::FileResult reset;
  reset.status = http::FileStatus::network_error;
  reset.error = "connection reset after 5 bytes";
  w.transport.failures[part2] = reset;
  RecordingObserver observer;
  const auto message = error_of([&] { downloader.ensure(w.gguf_target("huggingface"), {}, observer); });
  CHECK(message.find("connection reset after 5 bytes; run the same command again to resume") != std::string::npos);
  auto records = cache::RecordStore(w.dir.path() / "records").list();
  REQUIRE(records.size() == 1);
  CHECK_FALSE(records[0].complete);

  w.transport.failures.clear();
  w.transport.jobs.clear();
  downloader.ensure(w.gguf_target("huggingface"), {}, observer);
  REQUIRE(w.transport.jobs.size() == 1);
  CHECK(w.transport.jobs[0].request.url == part2);
  CHECK(cache::RecordStore(w.dir.path() / "records").list()[0].complete);
}

TEST_CASE("a failed file names the request and its cause once: a file gone after the listing, a redirect loop") {
  World w;
  testing::serve_hf(w.client, w.transport, k_hf, w.repo);
  auto downloader = w.downloader();
  const std::string& path = k_part2;
  const std::string url = k_hf + "/" + w.repo.id + "/resolve/" + w.repo.commit + "/" + path;
  http::FileResult gone;
  gone.status = http::FileStatus::not_found;
  gone.http_status = 404;
  gone.error = path + ": GET " + url + " -> 404 (Entry not found)";
  w.transport.failures[url] = gone;
  RecordingObserver observer;
  ExitCode code{};
  auto message = error_of([&] { downloader.ensure(w.gguf_target("huggingface"), {}, observer); }, &code);
  CHECK(code == ExitCode::download);
  CHECK(message == "Hugging Face no longer has " + w.repo.id + "/" + path + ", which its file listing names (GET " +
                       url + " -> 404 (Entry not found)); the repository changed during the download, run the same "
                       "command again");

  http::FileResult loop;
  loop.status = http::FileStatus::http_error;
  loop.http_status = 302;
  loop.error = path + ": GET " + url + ": redirect loop at " + url;
  w.transport.failures[url] = loop;
  message = error_of([&] { downloader.ensure(w.gguf_target("huggingface"), {}, observer); });
  CHECK(message == "download of " + w.repo.id + "/" + path + " from Hugging Face failed: GET " + url +
                       ": redirect loop at " + url + "; run the same command again to resume");
}

TEST_CASE("ModelScope: new layout keyed by revision, sha256 on every file, relaunch checks revisions only") {
  World w;
  w.repo.revision_name = "master";
  testing::serve_ms(w.client, w.transport, k_ms, w.repo);
  auto downloader = w.downloader();
  RecordingObserver observer;
  DownloadTarget whole{"modelscope", w.repo.id, std::string("master"), {}, "deepseek-r1--671B--pytorch--none"};
  auto result = downloader.ensure(whole, {}, observer);
  CHECK(result.snapshot_dir == w.settings.ms.cache / "models" / "unsloth--DeepSeek-R1-GGUF" / "snapshots" / "master");
  CHECK(w.transport.jobs.size() == 5);  // .gitattributes dropped
  for (const auto& job : w.transport.jobs) {
    CHECK(job.expected_sha256.has_value());
  }
  CHECK(cache::read_file(result.snapshot_dir / "config.json") == "{}");
  w.client.requests.clear();
  downloader.ensure(whole, {}, observer);
  REQUIRE(w.client.requests.size() == 1);
  CHECK(w.client.requests[0].url == k_ms + "/api/v1/models/" + w.repo.id + "/revisions");
}

TEST_CASE("ModelScope: unknown revision and missing GGUF file are errors, legacy files are reused") {
  World w;
  w.repo.revision_name = "master";
  testing::serve_ms(w.client, w.transport, k_ms, w.repo);
  auto downloader = w.downloader();
  RecordingObserver observer;
  DownloadOptions other_revision;
  other_revision.revision = "v9";
  CHECK(error_of([&] { downloader.plan(w.gguf_target("modelscope"), other_revision); }).find("revision 'v9' not found") !=
        std::string::npos);
  DownloadTarget wrong = w.gguf_target("modelscope");
  wrong.files = {"DeepSeek-R1-UD-IQ1_S/missing.gguf"};
  CHECK(error_of([&] { downloader.plan(wrong, {}); }).find("file 'DeepSeek-R1-UD-IQ1_S/missing.gguf' not found") !=
        std::string::npos);

  const fs::path legacy = w.settings.ms.cache / "hub" / "models" / "unsloth" / "DeepSeek-R1-GGUF";
  cache::write_file_atomic(legacy / "DeepSeek-R1-UD-IQ1_S" / "DeepSeek-R1-UD-IQ1_S-00001-of-00002.gguf", "GGUF-part-1");
  cache::write_file_atomic(legacy / "DeepSeek-R1-UD-IQ1_S" / "DeepSeek-R1-UD-IQ1_S-00002-of-00002.gguf", "corrupted");
  auto plan = downloader.plan(w.gguf_target("modelscope"), {});
  CHECK(plan.files[0].cached);
  CHECK_FALSE(plan.files[1].cached);
  auto result = downloader.ensure(w.gguf_target("modelscope"), {}, observer);
  REQUIRE(w.transport.fetched.size() == 1);
  CHECK(w.transport.fetched[0].find("00002-of-00002") != std::string::npos);
  CHECK(cache::read_file(result.files[0]) == "GGUF-part-1");
  CHECK(cache::read_file(result.files[1]) == "GGUF-part-2");
}

TEST_CASE("a first download re-checks under the locks: a file another process finished meanwhile is not fetched") {
  // huggingface_hub links the snapshot entry after the blob; a process may stop in between.
  bool other_links_the_snapshot = false;
  SUBCASE("the blob alone") {}
  SUBCASE("the blob and its snapshot link") { other_links_the_snapshot = true; }
  World w;
  testing::serve_hf(w.client, w.transport, k_hf, w.repo);
  auto downloader = w.downloader();
  const cache::HfCache hf(w.settings.hf.cache);
  const std::string& part = k_part2;
  const std::string blob = testing::sha256_hex(w.repo.files.at(part));

  // Another process holds the part's lock and is about to finish it.
  std::optional<cache::FileLock> other =
      cache::FileLock::acquire(hf.lock_path(w.repo.id, blob), std::chrono::milliseconds(1000));
  class PlanSignal final : public DownloadObserver {
   public:
    std::atomic<bool> planned_empty{false};
    void on_plan(const FilePlan& plan) override { planned_empty = plan.bytes_to_fetch == 22; }
    void on_file_started(const http::FileJob&, std::uint64_t) override {}
    void on_bytes(const http::FileJob&, std::uint64_t) override {}
    void on_file_finished(const http::FileJob&, const http::FileResult&) override {}
  } observer;
  DownloadOptions options;
  options.lock_timeout = std::chrono::milliseconds(20000);
  std::exception_ptr failure;
  DownloadResult result;
  std::thread ours([&] {
    try {
      result = downloader.ensure(w.gguf_target("huggingface"), options, observer);
    } catch (...) {
      failure = std::current_exception();
    }
  });
  // Planned against an empty cache (both parts to fetch), now waiting for the lock: the other
  // process places the blob and lets go.
  for (int i = 0; i < 2000 && !observer.planned_empty; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  CHECK(observer.planned_empty);
  cache::write_file_atomic(hf.blob_path(w.repo.id, blob), w.repo.files.at(part));
  if (other_links_the_snapshot) {
    hf.link_snapshot_file(w.repo.id, w.repo.commit, part, blob);
  }
  other.reset();
  ours.join();
  CHECK_FALSE(failure);
  // Only the first part moved: the second's claim waited for the lock, then found its blob.
  CHECK(w.transport.fetched == std::vector<std::string>{k_part1});
  CHECK(result.files_fetched == 1);
  CHECK(fs::is_symlink(result.snapshot_dir / part));
  CHECK(cache::read_file(result.snapshot_dir / part) == w.repo.files.at(part));
}

TEST_CASE("a claim says whether anyone claimed the file before: only then may a partial of it be left") {
  // Lock files stay after each release, and every download takes a file's lock before it
  // writes the file: a claim that had to create the lock is the file's first attempt, and its
  // partial looks for no record of an earlier one (PartialFile::set_first_attempt).
  World w;
  testing::serve_hf(w.client, w.transport, k_hf, w.repo);
  auto downloader = w.downloader();
  const cache::HfCache hf(w.settings.hf.cache);
  std::vector<bool> expected{true, true};
  SUBCASE("no download took either lock before") {}
  SUBCASE("an earlier download left the second part's lock file, and the repo's folder") {
    cache::FileLock::acquire(hf.lock_path(w.repo.id, testing::sha256_hex(w.repo.files.at(k_part2))),
                             std::chrono::seconds(1));
    fs::create_directories(hf.repo_dir(w.repo.id) / "blobs");
    expected = {true, false};
  }
  SUBCASE("the lock file is there, but the repo's folder is not: nothing can be left") {
    cache::FileLock::acquire(hf.lock_path(w.repo.id, testing::sha256_hex(w.repo.files.at(k_part1))),
                             std::chrono::seconds(1));
  }
  RecordingObserver observer;
  downloader.ensure(w.gguf_target("huggingface"), {}, observer);
  CHECK(w.transport.fetched == std::vector<std::string>{k_part1, k_part2});
  CHECK(w.transport.first_attempts == expected);
}

TEST_CASE("a lock held elsewhere fails its file alone, naming the lock, the others download and their locks are freed") {
  World w;
  testing::serve_hf(w.client, w.transport, k_hf, w.repo);
  auto downloader = w.downloader();
  const cache::HfCache hf(w.settings.hf.cache);
  const fs::path held_lock = hf.lock_path(w.repo.id, testing::sha256_hex(w.repo.files.at(k_part1)));
  std::optional<cache::FileLock> other = cache::FileLock::acquire(held_lock, std::chrono::milliseconds(1000));
  DownloadOptions options;
  options.lock_timeout = std::chrono::milliseconds(50);
  RecordingObserver observer;
  ExitCode code{};
  const auto message = error_of([&] { downloader.ensure(w.gguf_target("huggingface"), options, observer); }, &code);
  CHECK(code == ExitCode::download);
  CHECK(message.find("timed out after 0 s waiting for the lock " + held_lock.string() + " held by process ") == 0);
  CHECK(w.transport.fetched == std::vector<std::string>{k_part2});
  const fs::path snapshot = hf.snapshot_dir(w.repo.id, w.repo.commit);
  CHECK(cache::read_file(snapshot / k_part2) == "GGUF-part-2");
  CHECK_FALSE(fs::exists(snapshot / k_part1));
  // The part that did download let go of its lock.
  CHECK(cache::FileLock::try_acquire(hf.lock_path(w.repo.id, testing::sha256_hex(w.repo.files.at(k_part2)))));

  // Once the holder is gone, the next run fetches only what is missing.
  other.reset();
  w.transport.fetched.clear();
  downloader.ensure(w.gguf_target("huggingface"), options, observer);
  CHECK(w.transport.fetched == std::vector<std::string>{k_part1});
  CHECK(cache::read_file(snapshot / k_part1) == "GGUF-part-1");
}

TEST_CASE("identical files under two paths share one blob: fetched once, both in the snapshot") {
  World w;
  w.repo.files = {{"tokenizer.json", "{\"vocab\": 1}"}, {"original/tokenizer.json", "{\"vocab\": 1}"},
                  {"config.json", "{}"}};
  w.repo.lfs.clear();
  testing::serve_hf(w.client, w.transport, k_hf, w.repo);
  auto downloader = w.downloader();
  RecordingObserver observer;
  DownloadTarget whole{"huggingface", w.repo.id, std::nullopt, {}, "tiny--1B--pytorch--none"};
  const auto result = downloader.ensure(whole, {}, observer);
  CHECK(w.transport.fetched.size() == 2);
  CHECK(result.files_fetched == 2);
  for (const auto& path : {"tokenizer.json", "original/tokenizer.json"}) {
    INFO(path);
    CHECK(cache::read_file(result.snapshot_dir / path) == "{\"vocab\": 1}");
    CHECK(fs::is_symlink(result.snapshot_dir / path));
  }
}
