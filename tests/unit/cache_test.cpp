// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "core/cache/atomic_file.hpp"
#include "core/cache/cache_inventory.hpp"
#include "core/cache/completion_record.hpp"
#include "core/cache/disk_space.hpp"
#include "core/cache/file_lock.hpp"
#include "core/cache/hf_cache.hpp"
#include "core/cache/ms_cache.hpp"
#include "core/cache/shared_locks.hpp"
#include "fake_http.hpp"

using namespace xl;
using namespace xl::cache;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& path, const std::string& data) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << data;
}

// A complete record of `files` in the Hugging Face snapshot of id@commit in `cache`.
CompletionRecord complete_hf_record(const HfCache& cache, const std::string& id, const std::string& commit,
                                    const std::string& version, std::vector<RecordFile> files) {
  CompletionRecord record;
  record.model_version = version;
  record.hub = "huggingface";
  record.model_id = id;
  record.revision = "main";
  record.commit = commit;
  record.cache_root = cache.root();
  record.snapshot_dir = cache.snapshot_dir(id, commit);
  record.complete = true;
  record.files = std::move(files);
  return record;
}

}  // namespace

TEST_CASE("HF cache: repo folder, relative snapshot links at any depth, nested refs") {
  testing::TempDir dir;
  HfCache cache(dir.path());
  const std::string commit(40, 'c');
  CHECK(HfCache::repo_folder_name("unsloth/DeepSeek-R1-GGUF") == "models--unsloth--DeepSeek-R1-GGUF");
  CHECK(HfCache::repo_folder_name("gpt2") == "models--gpt2");
  write(cache.blob_path("acme/tiny", "blobA"), "hello");
  cache.link_snapshot_file("acme/tiny", commit, "config.json", "blobA");
  cache.link_snapshot_file("acme/tiny", commit, "Q/part/x.gguf", "blobA");
  const fs::path top = cache.snapshot_file("acme/tiny", commit, "config.json");
  const fs::path deep = cache.snapshot_file("acme/tiny", commit, "Q/part/x.gguf");
  REQUIRE(fs::is_symlink(top));
  CHECK(fs::read_symlink(top) == "../../blobs/blobA");
  CHECK(fs::read_symlink(deep) == "../../../../blobs/blobA");
  CHECK(read_file(deep) == "hello");

  cache.write_ref("acme/tiny", "refs/pr/1", commit);
  CHECK(read_file(cache.repo_dir("acme/tiny") / "refs" / "refs" / "pr" / "1") == commit);  // no newline
  CHECK(cache.read_ref("acme/tiny", "refs/pr/1") == commit);
  CHECK_FALSE(cache.read_ref("acme/tiny", "main").has_value());
  cache.write_ref("acme/tiny", commit, commit);
  CHECK_FALSE(fs::exists(cache.repo_dir("acme/tiny") / "refs" / commit));
  CHECK(cache.lock_path("acme/tiny", "blobA") == dir.path() / ".locks" / "models--acme--tiny" / "blobA.lock");
}

TEST_CASE("HF cache: a file where a snapshot folder belongs fails the link, naming the folder") {
  testing::TempDir dir;
  HfCache cache(dir.path());
  const std::string commit(40, 'c');
  write(cache.blob_path("acme/tiny", "blobA"), "hello");
  write(cache.snapshot_dir("acme/tiny", commit) / "Q", "in the way");
  const std::string folder = (cache.snapshot_dir("acme/tiny", commit) / "Q").string();
  CHECK_THROWS_WITH_AS(cache.link_snapshot_file("acme/tiny", commit, "Q/x.gguf", "blobA"),
                       doctest::Contains(("cannot create " + folder).c_str()), Error);
  cache.link_snapshot_file("acme/tiny", commit, "R/deeper/x.gguf", "blobA");  // missing folders are made
  CHECK(read_file(cache.snapshot_file("acme/tiny", commit, "R/deeper/x.gguf")) == "hello");
}

TEST_CASE("HF cache: a wrong snapshot entry is replaced by the link, a right one is kept") {
  testing::TempDir dir;
  HfCache cache(dir.path());
  const std::string commit(40, 'c');
  write(cache.blob_path("acme/tiny", "blobA"), "hello");
  write(cache.blob_path("acme/tiny", "blobB"), "other");
  const fs::path pointer = cache.snapshot_file("acme/tiny", commit, "Q/x.gguf");
  fs::create_directories(pointer.parent_path());
  fs::create_symlink("../../../blobs/blobB", pointer);  // an older revision's content
  cache.link_snapshot_file("acme/tiny", commit, "Q/x.gguf", "blobA");
  CHECK(fs::read_symlink(pointer) == "../../../blobs/blobA");
  CHECK(read_file(pointer) == "hello");
  cache.link_snapshot_file("acme/tiny", commit, "Q/x.gguf", "blobA");  // already right: kept
  CHECK(fs::read_symlink(pointer) == "../../../blobs/blobA");
  const fs::path plain = cache.snapshot_file("acme/tiny", commit, "plain.json");
  write(plain, "a copy left by a tool without symlinks");
  cache.link_snapshot_file("acme/tiny", commit, "plain.json", "blobB");
  REQUIRE(fs::is_symlink(plain));
  CHECK(read_file(plain) == "other");
}

TEST_CASE("HF cache: a snapshot file or blob is there only as a regular file of the listed size") {
  testing::TempDir dir;
  HfCache cache(dir.path());
  const std::string commit(40, 'c');
  CHECK_FALSE(cache.has_blob("acme/tiny", "blobA", 5));
  CHECK_FALSE(cache.has_snapshot_file("acme/tiny", commit, "Q/x.gguf", 5));
  write(cache.blob_path("acme/tiny", "blobA"), "hello");
  cache.link_snapshot_file("acme/tiny", commit, "Q/x.gguf", "blobA");
  CHECK(cache.has_blob("acme/tiny", "blobA", 5));
  CHECK(cache.has_snapshot_file("acme/tiny", commit, "Q/x.gguf", 5));  // through the link
  CHECK_FALSE(cache.has_blob("acme/tiny", "blobA", 6));
  CHECK_FALSE(cache.has_snapshot_file("acme/tiny", commit, "Q/x.gguf", 4));
  const fs::path folder = cache.snapshot_file("acme/tiny", commit, "folder");
  fs::create_directories(folder);
  struct stat folder_info {};
  REQUIRE(::stat(folder.c_str(), &folder_info) == 0);
  // Even at its own size, a folder is not the file.
  CHECK_FALSE(cache.has_snapshot_file("acme/tiny", commit, "folder", static_cast<std::uint64_t>(folder_info.st_size)));
  fs::remove(cache.blob_path("acme/tiny", "blobA"));
  CHECK_FALSE(cache.has_snapshot_file("acme/tiny", commit, "Q/x.gguf", 5));  // a dangling link
}

TEST_CASE("HF cache: paths are what operator/ makes, whatever the root looks like") {
  const std::string commit(40, 'c');
  for (const char* spelled : {"", "/", "cache", "cache/", "/a/b"}) {
    const fs::path root(spelled);
    CAPTURE(root);
    const HfCache cache(root);
    const fs::path repo = root / "models--acme--tiny";
    CHECK(cache.repo_dir("acme/tiny") == repo);
    CHECK(cache.blob_path("acme/tiny", "blobA") == repo / "blobs" / "blobA");
    CHECK(cache.snapshot_dir("acme/tiny", commit) == repo / "snapshots" / commit);
    CHECK(cache.snapshot_file("acme/tiny", commit, "Q/x.gguf") == repo / "snapshots" / commit / "Q" / "x.gguf");
    CHECK(cache.lock_path("acme/tiny", "blobA") == root / ".locks" / "models--acme--tiny" / "blobA.lock");
  }
}

TEST_CASE("HF cache: trees/{commit}.json round-trips in huggingface_hub's format") {
  testing::TempDir dir;
  HfCache cache(dir.path());
  hubs::RemoteFile regular{"config.json", 5, std::nullopt, std::string("4f3a"), false};
  hubs::RemoteFile lfs{"m.safetensors", 9, std::string(64, 'e'), std::string("1a2b"), true};
  cache.write_tree("acme/tiny", "abc", {regular, lfs});
  auto parsed = nlohmann::json::parse(read_file(cache.repo_dir("acme/tiny") / "trees" / "abc.json"));
  CHECK(parsed["format_version"] == 1);
  CHECK(parsed["files"]["m.safetensors"]["lfs_sha256"] == std::string(64, 'e'));
  CHECK(parsed["files"]["config.json"]["blob_id"] == "4f3a");
  auto back = cache.read_tree("acme/tiny", "abc");
  REQUIRE(back.has_value());
  REQUIRE(back->size() == 2);
  CHECK(hf_blob_name((*back)[0]) == "4f3a");
  CHECK(hf_blob_name((*back)[1]) == std::string(64, 'e'));
}

TEST_CASE("ModelScope cache paths and legacy reuse by size and sha256") {
  testing::TempDir dir;
  MsCache cache(dir.path());
  CHECK(cache.snapshot_dir("acme/Tiny-0.5B", "master") == dir.path() / "models" / "acme--Tiny-0.5B" / "snapshots" / "master");
  CHECK(ms_legacy_name("Qwen2.5-0.5B") == "Qwen2___5-0___5B");
  hubs::RemoteFile file{"configuration.json", 5, testing::sha256_hex("hello"), std::nullopt, false};
  CHECK_FALSE(cache.find_legacy_copy("acme/Tiny-0.5B", file).has_value());
  write(dir.path() / "hub" / "models" / "acme" / "Tiny-0___5B" / "configuration.json", "hello");
  auto found = cache.find_legacy_copy("acme/Tiny-0.5B", file);
  REQUIRE(found.has_value());
  file.sha256 = testing::sha256_hex("other");
  CHECK_FALSE(cache.find_legacy_copy("acme/Tiny-0.5B", file).has_value());
  place_file(*found, cache.snapshot_dir("acme/Tiny-0.5B", "master") / "configuration.json");
  CHECK(read_file(cache.snapshot_dir("acme/Tiny-0.5B", "master") / "configuration.json") == "hello");
}

namespace {

// A partial record of one GGUF file of DeepSeek-R1 on Hugging Face, its snapshot in root/snap.
CompletionRecord r1_record(const fs::path& root) {
  CompletionRecord record;
  record.model_version = "deepseek-r1--671B--ggufv2--UD-IQ1_S";
  record.hub = "huggingface";
  record.model_id = "unsloth/DeepSeek-R1-GGUF";
  record.revision = "main";
  record.commit = std::string(40, 'a');
  record.cache_root = root;
  record.snapshot_dir = root / "snap";
  record.files = {{"a/b.gguf", 3, std::string(64, 'f'), std::string(64, 'f')}};
  return record;
}

}  // namespace

TEST_CASE("completion record: round trip, presence check, damaged file means absent") {
  testing::TempDir dir;
  RecordStore store(dir.path() / "records");
  const CompletionRecord record = r1_record(dir.path());
  store.save(record);
  auto loaded = store.load("huggingface", record.model_version, record.cache_root);
  REQUIRE(loaded.has_value());
  CHECK_FALSE(loaded->complete);
  CHECK(loaded->files[0].path == "a/b.gguf");
  CHECK_FALSE(loaded->files_present());
  write(dir.path() / "snap" / "a" / "b.gguf", "abc");
  CHECK(loaded->files_present());
  write(dir.path() / "snap" / "a" / "b.gguf", "abcd");
  CHECK_FALSE(loaded->files_present());
  CHECK_FALSE(store.load("modelscope", record.model_version, record.cache_root).has_value());
  write(store.path_for("huggingface", record.model_version, record.cache_root), "{not json");
  CHECK_FALSE(store.load("huggingface", record.model_version, record.cache_root).has_value());
  std::vector<fs::path> unreadable;
  CHECK(store.list(&unreadable).empty());
  CHECK(unreadable == std::vector<fs::path>{store.path_for("huggingface", record.model_version, record.cache_root)});
}

TEST_CASE("completion record: one per cache root, so a download elsewhere leaves a complete copy known") {
  testing::TempDir dir;
  RecordStore store(dir.path() / "records");
  CompletionRecord here = r1_record(dir.path() / "here");
  here.complete = true;
  store.save(here);
  CompletionRecord there = r1_record(dir.path() / "there");  // e.g. a failed --cache-dir run
  store.save(there);
  CHECK(store.path_for("huggingface", here.model_version, here.cache_root) !=
        store.path_for("huggingface", there.model_version, there.cache_root));
  const auto loaded_here = store.load("huggingface", here.model_version, here.cache_root);
  REQUIRE(loaded_here.has_value());
  CHECK(loaded_here->complete);
  const auto loaded_there = store.load("huggingface", there.model_version, there.cache_root);
  REQUIRE(loaded_there.has_value());
  CHECK_FALSE(loaded_there->complete);
  const auto all = store.list();
  REQUIRE(all.size() == 2);
  store.remove(all[0]);
  REQUIRE(store.list().size() == 1);
  CHECK(store.list()[0].cache_root == all[1].cache_root);
}

TEST_CASE("completion record: a record of the old name is read for its own cache root, then replaced") {
  testing::TempDir dir;
  RecordStore store(dir.path() / "records");
  CompletionRecord record = r1_record(dir.path());
  record.complete = true;
  store.save(record);
  const fs::path current = store.path_for("huggingface", record.model_version, record.cache_root);
  const fs::path old_name = dir.path() / "records" / ("huggingface--" + record.model_version + ".json");
  fs::rename(current, old_name);
  CHECK(store.load("huggingface", record.model_version, record.cache_root).has_value());
  CHECK_FALSE(store.load("huggingface", record.model_version, dir.path() / "elsewhere").has_value());
  REQUIRE(store.list().size() == 1);
  CHECK(store.list()[0].source == old_name);
  record.complete = false;
  store.save(record);
  CHECK_FALSE(fs::exists(old_name));
  REQUIRE(store.list().size() == 1);
  CHECK_FALSE(store.list()[0].complete);
}

TEST_CASE("completion record: one that names a path outside its snapshot or cache is not trusted") {
  testing::TempDir dir;
  RecordStore store(dir.path() / "records");
  for (const std::string bad : {"../../../victim.txt", "/etc/passwd", "a/../../b", ""}) {
    CompletionRecord record = r1_record(dir.path());
    record.files[0].path = bad;
    store.save(record);
    CAPTURE(bad);
    CHECK_FALSE(store.load("huggingface", record.model_version, record.cache_root).has_value());
    std::vector<fs::path> unreadable;
    CHECK(store.list(&unreadable).empty());
    CHECK(unreadable.size() == 1);
  }
  CompletionRecord outside = r1_record(dir.path() / "cache");
  outside.snapshot_dir = dir.path() / "elsewhere" / "snap";
  store.save(outside);
  CHECK_FALSE(store.load("huggingface", outside.model_version, outside.cache_root).has_value());
}

TEST_CASE("completion record: a record rendered ahead is saved as it was when rendered") {
  testing::TempDir dir;
  RecordStore store(dir.path() / "records");
  CompletionRecord record = r1_record(dir.path());
  record.complete = true;
  const RenderedRecord rendered(record);
  record.complete = false;  // what changes after rendering is not in the file
  record.files.clear();
  store.save(record);
  CHECK_FALSE(store.load("huggingface", record.model_version, record.cache_root)->complete);
  store.save(rendered);  // replaces the partial record, under the same name
  const auto loaded = store.load("huggingface", record.model_version, record.cache_root);
  REQUIRE(loaded.has_value());
  CHECK(loaded->complete);
  REQUIRE(loaded->files.size() == 1);
  CHECK(loaded->files[0].path == "a/b.gguf");
  CHECK(loaded->files[0].size == 3);
  CHECK(store.list().size() == 1);
}

TEST_CASE("file lock: exclusive, times out naming the holder, freed when the holder dies") {
  testing::TempDir dir;
  const fs::path path = dir.path() / ".locks" / "x.lock";
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    auto lock = FileLock::try_acquire(path);
    const char byte = lock ? '1' : '0';
    [[maybe_unused]] auto n = ::write(ready[1], &byte, 1);
    ::pause();
    ::_exit(0);
  }
  char byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  REQUIRE(byte == '1');
  CHECK_FALSE(FileLock::try_acquire(path).has_value());
  CHECK(lock_holder_pid(path) == child);
  try {
    FileLock::acquire(path, std::chrono::milliseconds(30));
    FAIL("acquired a held lock");
  } catch (const Error& error) {
    CHECK(std::string(error.what()).find("held by process " + std::to_string(child)) != std::string::npos);
    CHECK(error.code() == ExitCode::download);
  }
  // A cancel ends the wait long before the timeout (the transfer engine's claims rely on it).
  std::atomic<bool> cancel{true};
  const auto started = std::chrono::steady_clock::now();
  try {
    FileLock::acquire(path, std::chrono::seconds(30), &cancel);
    FAIL("acquired a held lock");
  } catch (const Error& error) {
    CHECK(error.code() == ExitCode::interrupted);
    CHECK(std::string(error.what()) == "interrupted while waiting for the lock " + path.string());
  }
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  ::close(ready[0]);
  ::close(ready[1]);
  CHECK_FALSE(process_alive(child));
  auto lock = FileLock::acquire(path, std::chrono::seconds(5));  // the dead holder's lock is gone
  CHECK(lock.path() == path);
  auto moved = std::move(lock);
  CHECK_FALSE(FileLock::try_acquire(path).has_value());  // the moved-to lock still holds it
}

TEST_CASE("file lock: missing folders are made, and a file in their way is named") {
  testing::TempDir dir;
  const fs::path path = dir.path() / ".locks" / "models--a--b" / "blob.lock";
  CHECK(FileLock::try_acquire(path).has_value());  // both folders were missing
  CHECK(fs::is_regular_file(path));
  write(dir.path() / "in-the-way", "x");
  const fs::path blocked = dir.path() / "in-the-way" / "blob.lock";
  try {
    FileLock::try_acquire(blocked);
    FAIL("locked under a regular file");
  } catch (const Error& error) {
    CHECK(std::string(error.what()) == "cannot open lock " + blocked.string() + ": Not a directory");
    CHECK(error.code() == ExitCode::download);
  }
}

TEST_CASE("file lock: says whether taking it created its file, which stays for the next holder") {
  testing::TempDir dir;
  const fs::path path = dir.path() / ".locks" / "models--a--b" / "blob.lock";
  {
    auto first = FileLock::acquire(path, std::chrono::seconds(1));
    CHECK(first.created_file());
    auto moved = std::move(first);
    CHECK(moved.created_file());
  }
  CHECK(fs::is_regular_file(path));  // released, not removed, as huggingface_hub leaves its own
  auto again = FileLock::try_acquire(path);
  REQUIRE(again.has_value());
  CHECK_FALSE(again->created_file());
}

TEST_CASE("shared locks: one lock per path while any handle lives, released with the last") {
  testing::TempDir dir;
  const fs::path repo_lock = dir.path() / ".lock" / "repo.lock";
  const fs::path other = dir.path() / ".lock" / "other.lock";
  SharedLocks locks;
  auto first = locks.hold(repo_lock, std::chrono::seconds(1), nullptr);
  auto second = locks.hold(repo_lock, std::chrono::seconds(1), nullptr);  // would time out if taken twice
  CHECK(first == second);
  auto third = locks.hold(other, std::chrono::seconds(1), nullptr);
  CHECK(third != first);
  CHECK_FALSE(FileLock::try_acquire(repo_lock).has_value());
  first.reset();
  CHECK_FALSE(FileLock::try_acquire(repo_lock).has_value());  // `second` still holds it
  second.reset();
  CHECK(FileLock::try_acquire(repo_lock).has_value());
  CHECK_FALSE(FileLock::try_acquire(other).has_value());
  // Taken again after the last handle went.
  auto again = locks.hold(repo_lock, std::chrono::seconds(1), nullptr);
  CHECK_FALSE(FileLock::try_acquire(repo_lock).has_value());
}

TEST_CASE("flock holder: found by device and inode in /proc/locks, waiters and other files skipped") {
  testing::TempDir dir;
  const fs::path lock = dir.path() / "x.lock";
  write(lock, "");
  struct stat info {};
  REQUIRE(::stat(lock.c_str(), &info) == 0);
  char device[64];
  std::snprintf(device, sizeof device, "%02x:%02x:%llu", major(info.st_dev), minor(info.st_dev),
                static_cast<unsigned long long>(info.st_ino));
  const std::string other = std::to_string(static_cast<unsigned long long>(info.st_ino) + 1);
  const fs::path table = dir.path() / "locks";
  write(table, "1: POSIX  ADVISORY  WRITE 11 " + std::string(device) + " 0 EOF\n" +
                   "2: FLOCK  ADVISORY  WRITE 22 00:00:" + other + " 0 EOF\n" +
                   "3: FLOCK  ADVISORY  WRITE 33 " + device + " 0 EOF\n" +
                   "3: -> FLOCK  ADVISORY  WRITE 44 " + device + " 0 EOF\n");
  CHECK(flock_holder_pid(lock, table) == 33);
  write(table, "2: FLOCK  ADVISORY  WRITE 22 00:00:" + other + " 0 EOF\n");
  CHECK_FALSE(flock_holder_pid(lock, table).has_value());
  CHECK_FALSE(flock_holder_pid(dir.path() / "missing.lock", table).has_value());
}

TEST_CASE("free-space check refuses with needed, available and the path unless forced") {
  CHECK_NOTHROW(check_free_space(10, 10, "/cache", false));
  CHECK_NOTHROW(check_free_space(10, std::nullopt, "/cache", false));
  CHECK_NOTHROW(check_free_space(10, 5, "/cache", true));
  try {
    check_free_space(3 * 1024 * 1024, 1024, "/cache", false);
    FAIL("no refusal");
  } catch (const Error& error) {
    const std::string message = error.what();
    CHECK(error.code() == ExitCode::resources);
    CHECK(message.find("/cache") != std::string::npos);
    CHECK(message.find("3.00 MiB (3145728 bytes)") != std::string::npos);
    CHECK(message.find("available 1.00 KiB (1024 bytes)") != std::string::npos);
  }
  CHECK(SystemDiskSpace().available(fs::temp_directory_path() / "does" / "not" / "exist").has_value());
}

TEST_CASE("remove-cache deletes one version's entries and only blobs nothing else links to") {
  testing::TempDir dir;
  HfCache cache(dir.path() / "hub");
  RecordStore store(dir.path() / "records");
  const std::string commit(40, 'c');
  const std::string id = "unsloth/DeepSeek-R1-GGUF";
  write(cache.blob_path(id, "shared"), "config");
  write(cache.blob_path(id, "q1"), "1111");
  write(cache.blob_path(id, "q2"), "22");
  cache.link_snapshot_file(id, commit, "config.json", "shared");
  cache.link_snapshot_file(id, commit, "Q1/a.gguf", "q1");
  cache.link_snapshot_file(id, commit, "Q2/a.gguf", "q2");
  cache.link_snapshot_file(id, commit, "Q2/copy.gguf", "q1");  // another entry uses blob q1
  cache.write_ref(id, "main", commit);
  auto make = [&](const std::string& version, std::vector<RecordFile> files) {
    store.save(complete_hf_record(cache, id, commit, version, std::move(files)));
  };
  make("r1--671B--ggufv2--Q1", {{"config.json", 6, {}, "shared"}, {"Q1/a.gguf", 4, {}, "q1"}});
  make("r1--671B--ggufv2--Q2", {{"config.json", 6, {}, "shared"}, {"Q2/a.gguf", 2, {}, "q2"}, {"Q2/copy.gguf", 4, {}, "q1"}});

  CHECK(list_cached(store, std::string("R1")).size() == 2);
  CHECK(list_cached(store, std::string("r")).empty());  // a name, not a prefix of one
  CHECK(list_cached(store, std::nullopt)[0].complete);

  auto plan = plan_removal(store, "r1--671B--ggufv2--Q1");
  // config.json stays (Q2 lists it); blob q1 stays (Q2/copy.gguf links to it).
  REQUIRE(plan.paths.size() == 1);
  CHECK(plan.paths[0] == cache.snapshot_file(id, commit, "Q1/a.gguf"));
  execute_removal(store, plan);
  CHECK_FALSE(fs::exists(fs::symlink_status(cache.snapshot_file(id, commit, "Q1/a.gguf"))));
  CHECK_FALSE(fs::exists(cache.snapshot_dir(id, commit) / "Q1"));
  CHECK(fs::exists(cache.blob_path(id, "q1")));
  CHECK_FALSE(store.load("huggingface", "r1--671B--ggufv2--Q1", cache.root()).has_value());

  auto second = plan_removal(store, "r1--671B--ggufv2--Q2");
  CHECK(second.paths.size() == 6);  // 3 entries + 3 blobs
  CHECK(second.bytes == 12);
  execute_removal(store, second);
  CHECK_FALSE(fs::exists(cache.repo_dir(id) / "snapshots"));
  CHECK_FALSE(fs::exists(cache.repo_dir(id) / "blobs"));
  CHECK_FALSE(fs::exists(cache.repo_dir(id) / "refs" / "main"));
  CHECK_THROWS_AS(plan_removal(store, "r1--671B--ggufv2--Q2"), Error);
}

TEST_CASE("remove-cache never deletes what a snapshot entry resolves to outside the cache") {
  testing::TempDir dir;
  HfCache cache(dir.path() / "hub");
  RecordStore store(dir.path() / "records");
  const std::string commit(40, 'c');
  const std::string id = "acme/tiny";
  write(dir.path() / "victim" / "important.txt", "keep me");
  write(dir.path() / "victim" / "folder" / "b.bin", "keep me too");
  write(cache.blob_path(id, "own"), "mine");
  cache.link_snapshot_file(id, commit, "own.bin", "own");
  // A link someone retargeted at a file of theirs, and a folder that is a symlink out.
  fs::create_directories(cache.snapshot_dir(id, commit));
  fs::create_symlink(dir.path() / "victim" / "important.txt", cache.snapshot_file(id, commit, "retargeted.txt"));
  fs::create_directory_symlink(dir.path() / "victim" / "folder", cache.snapshot_dir(id, commit) / "folder");
  const auto record = complete_hf_record(cache, id, commit, "tiny--1B--pytorch--none",
                                         {{"own.bin", 4, {}, "own"}, {"retargeted.txt", 7, {}, {}}, {"folder/b.bin", 11, {}, {}}});
  store.save(record);

  const auto plan = plan_removal(store, record.model_version);
  for (const auto& path : plan.paths) {
    CAPTURE(path);
    CHECK(path.string().rfind(cache.root().string(), 0) == 0);
  }
  CHECK(plan.outside == std::vector<fs::path>{cache.snapshot_dir(id, commit) / "folder" / "b.bin",
                                              fs::canonical(dir.path() / "victim" / "important.txt")});
  execute_removal(store, plan);
  CHECK(fs::exists(dir.path() / "victim" / "important.txt"));
  CHECK(fs::exists(dir.path() / "victim" / "folder" / "b.bin"));
  CHECK_FALSE(fs::exists(cache.blob_path(id, "own")));
  CHECK_FALSE(fs::exists(fs::symlink_status(cache.snapshot_file(id, commit, "retargeted.txt"))));
}
