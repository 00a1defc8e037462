// SPDX-License-Identifier: Apache-2.0
#include "core/http/writeback.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <unistd.h>

using xl::http::WritebackPacer;

TEST_CASE("writeback pacer: starts writeback once per interval of written bytes") {
  std::FILE* file = std::tmpfile();
  REQUIRE(file != nullptr);
  const int fd = fileno(file);
  const char block[4096] = {};
  WritebackPacer pacer(3 * sizeof block);
  for (int i = 0; i < 7; ++i) {
    REQUIRE(::write(fd, block, sizeof block) == static_cast<ssize_t>(sizeof block));
    pacer.on_written(fd, sizeof block);
  }
  CHECK(pacer.kicks() == 2);  // after blocks 3 and 6; block 7 waits for two more
  pacer.on_written(-1, 10 * sizeof block);
  CHECK(pacer.kicks() == 2);  // a closed file is never kicked
  std::fclose(file);
}
