// SPDX-License-Identifier: Apache-2.0
#include "core/http/partial_file.hpp"
#include "core/http/prefix_hasher.hpp"
#include "tests/unit/support/range_server.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <filesystem>
#include <fstream>

using namespace xl::http;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "xlaunch-partial-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

}  // namespace

TEST_CASE("sha256_hex of known inputs") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("prefix hasher: out-of-order writes hash like the whole file, reading back only what came early") {
  const auto data = xl::test::random_bytes(10'000, 3);
  IntervalSet have;
  std::string file(data.size(), '\0');
  PrefixHasher hasher;
  std::uint64_t reads = 0;
  auto reader = [&](std::uint64_t offset, char* out, std::size_t size) {
    const auto n = std::min<std::size_t>(size, file.size() - offset);
    std::memcpy(out, file.data() + offset, n);
    reads += n;
    return n;
  };
  auto write = [&](std::size_t begin, std::size_t end) {
    file.replace(begin, end - begin, data.substr(begin, end - begin));
    have.add(begin, end);
    hasher.on_written(begin, data.data() + begin, end - begin, have, reader);
  };
  write(0, 1000);      // prefix, from memory
  write(5000, 7000);   // early
  write(1000, 3000);   // prefix again
  write(7000, 10000);  // early
  CHECK(hasher.hashed() == 3000);
  CHECK(reads == 0);
  write(3000, 5000);   // closes the gap: 5000..10000 is read back
  CHECK(hasher.hashed() == 10'000);
  CHECK(reads == 5000);
  CHECK(hasher.read_back() == 5000);
  CHECK(hasher.hex_digest() == sha256_hex(data));
}

TEST_CASE("partial file: sidecar round trip, mismatch discards, commit moves into place") {
  TempDir dir;
  const auto destination = dir.path / "blobs" / "abc";
  {
    PartialFile partial(destination);
    CHECK(partial.open(100, std::string("aa")) == 0);
    partial.write(10, "0123456789", 10);
    partial.write(50, "xyz", 3);
    partial.close_keeping();
  }
  {
    PartialFile partial(destination);
    CHECK(partial.open(100, std::string("aa")) == 13);
    CHECK(partial.have().ranges() == std::vector<ByteRange>{{10, 20}, {50, 53}});
    char buffer[10];
    CHECK(partial.read(10, buffer, 10) == 10);
    CHECK(std::string(buffer, 10) == "0123456789");
    partial.close_keeping();
  }
  {
    PartialFile partial(destination);
    CHECK(partial.open(100, std::string("bb")) == 0);  // another file now: start over
    CHECK(partial.size_on_disk() == 0);
    partial.write(0, "hello", 5);
    partial.commit();
  }
  CHECK(fs::file_size(destination) == 5);
  CHECK_FALSE(fs::exists(destination.string() + ".incomplete"));
  CHECK_FALSE(fs::exists(destination.string() + ".incomplete.json"));
}

TEST_CASE("partial file: a sidecar claiming bytes past the end is not trusted") {
  TempDir dir;
  const auto destination = dir.path / "f";
  {
    std::ofstream(destination.string() + ".incomplete") << "abc";
    std::ofstream(destination.string() + ".incomplete.json")
        << nlohmann::json{{"version", 1}, {"size", 100}, {"sha256", nullptr}, {"have", {{0, 50}}}}.dump();
  }
  PartialFile partial(destination);
  CHECK(partial.open(100, std::nullopt) == 0);
  partial.discard();
  CHECK_FALSE(fs::exists(destination.string() + ".incomplete"));
}

TEST_CASE("partial file: without a sidecar, a prefix is trusted only when a sha256 will verify it") {
  TempDir dir;
  const auto destination = dir.path / "g";
  std::ofstream(destination.string() + ".incomplete") << "0123456789";
  {
    PartialFile partial(destination);
    CHECK(partial.open(100, std::string("cc")) == 10);
    CHECK(partial.have().ranges() == std::vector<ByteRange>{{0, 10}});
    partial.discard();
  }
  std::ofstream(destination.string() + ".incomplete") << "0123456789";
  PartialFile partial(destination);
  CHECK(partial.open(100, std::nullopt) == 0);
  CHECK(partial.size_on_disk() == 0);
}

TEST_CASE("partial file: a sidecar left without its partial is ignored, then removed by the commit") {
  TempDir dir;
  const auto destination = dir.path / "h";
  std::ofstream(destination.string() + ".incomplete.json")
      << nlohmann::json{{"version", 1}, {"size", 10}, {"sha256", nullptr}, {"have", {{0, 10}}}}.dump();
  PartialFile partial(destination);
  partial.set_sequential();  // writes no sidecar of its own
  CHECK(partial.open(10, std::nullopt) == 0);
  CHECK(partial.have().total() == 0);
  partial.write(0, "0123456789", 10);
  partial.commit();
  CHECK(fs::file_size(destination) == 10);
  CHECK_FALSE(fs::exists(destination.string() + ".incomplete.json"));
}

TEST_CASE("partial file: a first attempt does not look for a sidecar next to a partial it creates") {
  // Only a download that took the file's lock writes a sidecar; a first attempt took a lock
  // no one had taken (FileLock::created_file), so it looks for none. One found anyway is left
  // alone: neither read nor removed.
  TempDir dir;
  const auto destination = dir.path / "i";
  const std::string sidecar = destination.string() + ".incomplete.json";
  std::ofstream(sidecar) << nlohmann::json{{"version", 1}, {"size", 10}, {"sha256", nullptr}, {"have", {{0, 10}}}}.dump();
  {
    PartialFile partial(destination);
    partial.set_sequential();
    partial.set_first_attempt();
    CHECK(partial.open(10, std::nullopt) == 0);
    partial.write(0, "0123456789", 10);
    partial.commit();
  }
  CHECK(fs::file_size(destination) == 10);
  CHECK(fs::exists(sidecar));
  // Next to a partial that was already there, a first attempt reads the sidecar as any other.
  fs::remove(destination);
  std::ofstream(destination.string() + ".incomplete") << "0123";
  std::ofstream(sidecar) << nlohmann::json{{"version", 1}, {"size", 10}, {"sha256", nullptr}, {"have", {{0, 4}}}}.dump();
  PartialFile partial(destination);
  partial.set_sequential();
  partial.set_first_attempt();
  CHECK(partial.open(10, std::nullopt) == 4);
  partial.write(4, "456789", 6);
  partial.commit();
  CHECK(fs::file_size(destination) == 10);
  CHECK_FALSE(fs::exists(sidecar));
}

TEST_CASE("prefix hasher: the digest of nothing, before and after a reset") {
  PrefixHasher hasher;
  CHECK(hasher.hex_digest() == sha256_hex(""));
  hasher.reset();
  CHECK(hasher.hex_digest() == sha256_hex(""));
  const auto reader = [](std::uint64_t, char*, std::size_t) -> std::size_t { return 0; };
  IntervalSet have;
  have.add(0, 3);
  hasher.on_written(0, "abc", 3, have, reader);
  CHECK(hasher.hex_digest() == sha256_hex("abc"));
  hasher.reset();
  CHECK(hasher.hashed() == 0);
  CHECK(hasher.hex_digest() == sha256_hex(""));
}

TEST_CASE("partial file: its folder is made when missing, and a folder that cannot be made is named") {
  TempDir dir;
  {
    PartialFile partial(dir.path / "a" / "b" / "blob");
    CHECK(partial.open(3, std::nullopt) == 0);
    partial.write(0, "abc", 3);
    partial.commit();
  }
  CHECK(fs::file_size(dir.path / "a" / "b" / "blob") == 3);
  std::ofstream(dir.path / "plain") << "x";  // a file where the folder should be
  PartialFile partial(dir.path / "plain" / "blob");
  const std::string named = (dir.path / "plain" / "blob.incomplete").string();
  CHECK_THROWS_WITH_AS(partial.open(3, std::nullopt), doctest::Contains(named.c_str()), FileIoError);
}
