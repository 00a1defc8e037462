// SPDX-License-Identifier: Apache-2.0
// FileDownload on its own, without libcurl: the loop's side (heads, bodies) and the finisher's
// side (verify, commit) of one file, driven by hand.
#include "core/http/file_download.hpp"
#include "core/http/folder_sync.hpp"
#include "core/http/prefix_hasher.hpp"
#include "tests/unit/support/range_server.hpp"
#include "tests/unit/temp_dir.hpp"

#include <doctest/doctest.h>

#include <filesystem>

using namespace xl::http;
namespace fs = std::filesystem;

namespace {

FileJob job_for(const fs::path& destination, const std::string& bytes) {
  FileJob job;
  job.display_name = destination.filename().string();
  job.request.url = "http://127.0.0.1:1/files/" + job.display_name;
  job.destination = destination;
  job.expected_size = bytes.size();
  job.expected_sha256 = sha256_hex(bytes);
  return job;
}

// Starts `file` and answers its first request with 200 and the whole length, as a CDN does;
// returns the request's task.
RangeTask& answer_whole(FileDownload& file, std::uint64_t length) {
  file.start(false);
  auto wake = SteadyTime::max();
  RangeTask* task = file.next_ready(SteadyTime::clock::now(), &wake);
  REQUIRE(task != nullptr);
  file.mark_in_flight(*task);
  Headers head;
  head.set("Content-Length", std::to_string(length));
  const auto plan = file.on_head(*task, 200, head, file.url(), file.headers(), Redirects::follow);
  REQUIRE(plan.kind == BodyPlan::Kind::write);
  file.mark_landed(*task);
  return *task;
}

// One small file of `size` random bytes, started and answered, its body received but not yet
// passed on: `received`.
struct AnsweredFile {
  AnsweredFile(const fs::path& destination, std::size_t size, std::uint32_t seed)
      : bytes(xl::test::random_bytes(size, seed)),
        job(job_for(destination, bytes)),
        file(job, settings),
        task(answer_whole(file, bytes.size())),
        received(bytes.begin(), bytes.end()) {}

  std::string bytes;
  FileJob job;
  TransferSettings settings;
  FileDownload file;
  RangeTask& task;
  std::vector<char> received;
};

}  // namespace

TEST_CASE("file download: a small file's last bytes are written by its check, not by the loop") {
  xl::test::TempDir dir;
  AnsweredFile small(dir.path() / "blobs" / "small.bin", 70'000, 7);
  auto& [bytes, job, settings, file, task, received] = small;
  REQUIRE(file.take_tail(task, 0, received));
  // Landed for the loop: the file is complete and its bytes are counted, but none is on disk.
  CHECK(file.complete());
  CHECK(file.result().bytes_transferred == bytes.size());
  const fs::path partial = job.destination.string() + ".incomplete";
  CHECK(fs::file_size(partial) == 0);

  REQUIRE(file.verify_complete());
  CHECK(xl::test::read_text(partial.string()) == bytes);
  CHECK(file.result().bytes_read_back == 0);  // hashed from the same memory it was written from
  FolderSync folders;
  file.commit_verified(folders, false);
  CHECK(file.result().status == FileStatus::ok);
  CHECK(xl::test::read_text(job.destination.string()) == bytes);
  CHECK_FALSE(fs::exists(partial));
}

TEST_CASE("file download: a small file's unwritten tail with wrong bytes fails its check and leaves nothing") {
  xl::test::TempDir dir;
  AnsweredFile bad(dir.path() / "blobs" / "bad.bin", 5'000, 8);
  auto& [bytes, job, settings, file, task, received] = bad;
  received[1234] ^= 0x20;
  REQUIRE(file.take_tail(task, 0, received));
  CHECK_FALSE(file.verify_complete());
  CHECK(file.result().status == FileStatus::integrity_error);
  CHECK_FALSE(fs::exists(job.destination));
  CHECK_FALSE(fs::exists(job.destination.string() + ".incomplete"));
}

TEST_CASE("file download: only bytes that end a small file are taken unwritten") {
  xl::test::TempDir dir;
  TransferSettings settings;

  SUBCASE("bytes short of the end stay with the caller, to be written as they come") {
    const auto bytes = xl::test::random_bytes(9'000, 9);
    const FileJob job = job_for(dir.path() / "short.bin", bytes);
    FileDownload file(job, settings);
    RangeTask& task = answer_whole(file, bytes.size());
    std::vector<char> front(bytes.begin(), bytes.begin() + 4096);
    CHECK_FALSE(file.take_tail(task, 0, front));
    CHECK(front.size() == 4096);
    CHECK_FALSE(file.complete());
  }
  SUBCASE("bytes that do not continue the task") {
    const auto bytes = xl::test::random_bytes(9'000, 10);
    const FileJob job = job_for(dir.path() / "gap.bin", bytes);
    FileDownload file(job, settings);
    RangeTask& task = answer_whole(file, bytes.size());
    std::vector<char> back(bytes.begin() + 4096, bytes.end());
    CHECK_FALSE(file.take_tail(task, 4096, back));
    CHECK(back.size() == bytes.size() - 4096);
  }
  SUBCASE("a file without a sha256 is only checked for its size, and the loop writes it") {
    const auto bytes = xl::test::random_bytes(3'000, 11);
    FileJob job = job_for(dir.path() / "unhashed.bin", bytes);
    job.expected_sha256.reset();
    FileDownload file(job, settings);
    RangeTask& task = answer_whole(file, bytes.size());
    std::vector<char> all(bytes.begin(), bytes.end());
    CHECK_FALSE(file.take_tail(task, 0, all));
  }
}

TEST_CASE("file download: a small file stopped before its check keeps the bytes it was handed for the next run") {
  xl::test::TempDir dir;
  AnsweredFile stopped(dir.path() / "stopped.bin", 6'000, 12);
  auto& [bytes, job, settings, file, task, received] = stopped;
  REQUIRE(file.take_tail(task, 0, received));
  file.finish_cancelled();  // Ctrl-C between the answer's end and the finisher
  CHECK(file.result().status == FileStatus::cancelled);
  CHECK(xl::test::read_text(job.destination.string() + ".incomplete") == bytes);
  CHECK_FALSE(fs::exists(job.destination));
}
