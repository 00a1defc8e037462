// SPDX-License-Identifier: Apache-2.0
#include "core/http/folder_sync.hpp"

#include <doctest/doctest.h>

#include <map>
#include <thread>
#include <vector>

#include "temp_dir.hpp"

using xl::http::FolderSync;
namespace fs = std::filesystem;

namespace {

struct FakeClock {
  FolderSync::Clock::time_point now{};
  void advance(std::chrono::milliseconds by) { now += by; }
};

}  // namespace

TEST_CASE("folder sync: one fsync per folder per interval, the rest on flush") {
  FakeClock clock;
  std::vector<fs::path> synced;
  FolderSync folders(std::chrono::milliseconds(1000), [&](const fs::path& folder) { synced.push_back(folder); },
                     [&] { return clock.now; });
  for (int i = 0; i < 100; ++i) {
    folders.renamed_into("/cache/blobs");
  }
  folders.renamed_into("/cache/other");
  CHECK(synced.empty());  // within the interval: nothing synced yet

  clock.advance(std::chrono::milliseconds(1000));
  folders.renamed_into("/cache/blobs");
  CHECK(synced == std::vector<fs::path>{"/cache/blobs", "/cache/other"});  // each folder once

  synced.clear();
  clock.advance(std::chrono::milliseconds(10));
  folders.renamed_into("/cache/blobs");
  CHECK(synced.empty());
  folders.flush();
  CHECK(synced == std::vector<fs::path>{"/cache/blobs"});
  synced.clear();
  folders.flush();
  CHECK(synced.empty());  // nothing renamed since
}

TEST_CASE("folder sync: renames from many threads are all synced by the final flush") {
  std::mutex mutex;
  std::map<fs::path, int> synced;
  FolderSync folders(std::chrono::hours(1), [&](const fs::path& folder) {
    std::lock_guard lock(mutex);
    ++synced[folder];
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&folders, t] {
      for (int i = 0; i < 200; ++i) {
        folders.renamed_into("/f" + std::to_string((t + i) % 3));
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  folders.flush();
  CHECK(synced == std::map<fs::path, int>{{"/f0", 1}, {"/f1", 1}, {"/f2", 1}});
}

TEST_CASE("fsync_folder: syncs an existing folder, reports a missing one") {
  xl::test::TempDir dir;
  CHECK(xl::http::fsync_folder(dir.path()));
  CHECK_FALSE(xl::http::fsync_folder(dir.path() / "missing"));
}
