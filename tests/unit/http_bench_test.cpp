// SPDX-License-Identifier: Apache-2.0
// Throughput measurement of the curl transport, skipped by default. Driven by
// tests/support/bench_transfer.sh, which serves files with nginx on loopback and runs
//   xlaunch_tests --no-skip -tc='bench: *'
// with XLAUNCH_BENCH_URL (base URL), XLAUNCH_BENCH_FILES ("name:size:sha256,..."),
// XLAUNCH_BENCH_DEST (download folder) and optionally XLAUNCH_BENCH_CONNECTIONS.
#include "core/http/curl_engine.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>

using namespace xl::http;

namespace {

class CountingObserver : public TransferObserver {
 public:
  void on_file_started(const FileJob&, std::uint64_t) override {}
  void on_bytes(const FileJob&, std::uint64_t delta) override { bytes += delta; }
  void on_file_finished(const FileJob&, const FileResult&) override { ++finished; }
  std::uint64_t bytes = 0;
  int finished = 0;
};

std::string env_or_empty(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

TEST_CASE("bench: transport throughput" * doctest::skip()) {
  const auto base = env_or_empty("XLAUNCH_BENCH_URL");
  const auto files = env_or_empty("XLAUNCH_BENCH_FILES");
  const auto destination = env_or_empty("XLAUNCH_BENCH_DEST");
  REQUIRE_MESSAGE(!base.empty(), "set XLAUNCH_BENCH_URL, XLAUNCH_BENCH_FILES and XLAUNCH_BENCH_DEST");
  REQUIRE(!files.empty());
  REQUIRE(!destination.empty());
  TransferSettings settings;
  if (auto connections = env_or_empty("XLAUNCH_BENCH_CONNECTIONS"); !connections.empty()) {
    settings.max_connections = std::stoi(connections);
  }
  std::vector<FileJob> jobs;
  std::uint64_t total = 0;
  std::stringstream list(files);
  for (std::string item; std::getline(list, item, ',');) {
    const auto first = item.find(':');
    const auto second = item.find(':', first + 1);
    FileJob job;
    job.display_name = item.substr(0, first);
    job.request.url = base + "/" + job.display_name;
    job.destination = std::filesystem::path(destination) / job.display_name;
    job.expected_size = std::stoull(item.substr(first + 1, second - first - 1));
    job.expected_sha256 = item.substr(second + 1);
    total += *job.expected_size;
    jobs.push_back(std::move(job));
  }
  CountingObserver observer;
  auto transport = make_curl_transport(settings);
  const auto started = std::chrono::steady_clock::now();
  const auto results = transport->fetch(jobs, observer);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  for (const auto& result : results) {
    CHECK_MESSAGE(result.status == FileStatus::ok, result.error);
  }
  CHECK(observer.bytes == total);
  MESSAGE("xlaunch: " << jobs.size() << " files, " << total / (1024 * 1024) << " MiB in " << elapsed.count()
                      << " s = " << static_cast<double>(total) / 1e6 / elapsed.count() << " MB/s with "
                      << settings.max_connections << " connections");
}
