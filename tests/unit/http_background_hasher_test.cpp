// SPDX-License-Identifier: Apache-2.0
#include "core/http/background_hasher.hpp"
#include "core/http/prefix_hasher.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <unistd.h>

using xl::http::BackgroundHasher;
using xl::http::sha256_hex;

namespace {

std::string pattern(std::size_t size, char seed) {
  std::string data(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    data[i] = static_cast<char>(seed + static_cast<char>(i * 31 % 251));
  }
  return data;
}

void write_at(int fd, const std::string& data, std::size_t offset, std::size_t size) {
  REQUIRE(::pwrite(fd, data.data() + offset, size, static_cast<off_t>(offset)) == static_cast<ssize_t>(size));
}

// Writes `data` to `fd` in pieces of `step` bytes, reporting each to a new hasher as the loop
// reports socket reads, and returns what the hasher ends with.
BackgroundHasher::Digest hash_in_reports(int fd, const std::string& data, std::size_t step) {
  BackgroundHasher hasher(fd);
  for (std::size_t offset = 0; offset < data.size(); offset += step) {
    const auto size = std::min(step, data.size() - offset);
    write_at(fd, data, offset, size);
    hasher.advance(offset + size);
  }
  return hasher.finish(data.size());
}

}  // namespace

TEST_CASE("background hasher: follows the contiguous prefix while it grows") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  const int fd = fileno(file);
  const auto data = pattern(20 << 20, 'a');  // more than two of the worker's chunks
  BackgroundHasher hasher(fd);
  for (std::size_t offset = 0; offset < data.size(); offset += 1 << 20) {
    write_at(fd, data, offset, 1 << 20);
    hasher.advance(offset + (1 << 20));
  }
  const auto digest = hasher.finish(data.size());
  CHECK(digest.error.empty());
  CHECK(digest.hashed == data.size());
  CHECK(digest.hex == sha256_hex(data));
  std::fclose(file);
}

TEST_CASE("background hasher: reports smaller than its wake-up step still all get hashed") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  const int fd = fileno(file);
  SUBCASE("a file under one step, then finish") {
    const auto data = pattern(700 << 10, 's');
    const auto digest = hash_in_reports(fd, data, 16 << 10);
    CHECK(digest.hashed == data.size());
    CHECK(digest.hex == sha256_hex(data));
  }
  SUBCASE("socket-sized reports over several steps and chunks") {
    const auto data = pattern((9 << 20) + 12345, 't');
    const auto digest = hash_in_reports(fd, data, 37 << 10);
    CHECK(digest.hashed == data.size());
    CHECK(digest.hex == sha256_hex(data));
  }
  std::fclose(file);
}

TEST_CASE("background hasher: reset starts over for new content") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  const int fd = fileno(file);
  const auto first = pattern(12 << 20, 'x');
  BackgroundHasher hasher(fd);
  write_at(fd, first, 0, first.size());
  hasher.advance(first.size());
  hasher.reset();
  REQUIRE(::ftruncate(fd, 0) == 0);
  const auto second = pattern(3 << 20, 'q');
  write_at(fd, second, 0, second.size());
  hasher.advance(second.size());
  const auto digest = hasher.finish(second.size());
  CHECK(digest.hex == sha256_hex(second));
  std::fclose(file);
}

TEST_CASE("background hasher: bytes that vanished are an error, not a digest") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  const int fd = fileno(file);
  const auto data = pattern(1 << 20, 'm');
  write_at(fd, data, 0, data.size());
  BackgroundHasher hasher(fd);
  const auto digest = hasher.finish(2 << 20);  // claims twice what the file holds
  CHECK_FALSE(digest.error.empty());
  CHECK(digest.hex.empty());
  std::fclose(file);
}
