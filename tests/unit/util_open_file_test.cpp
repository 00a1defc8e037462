// SPDX-License-Identifier: Apache-2.0
#include "core/util/open_file.hpp"

#include "temp_dir.hpp"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

#include <doctest/doctest.h>

namespace fs = std::filesystem;

TEST_CASE("open_making_folders: makes missing folders only when asked by ENOENT, keeps errno") {
  xl::test::TempDir dir;
  const std::string nested = dir.str() + "/a/b/file";
  const int fd = xl::open_making_folders(nested, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  ::close(fd);
  CHECK(fs::is_regular_file(nested));

  // An existing file under O_EXCL: the first attempt's EEXIST, no folder work.
  CHECK(xl::open_making_folders(nested, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644) == -1);
  CHECK(errno == EEXIST);

  // A regular file where a folder belongs: the folder cannot be made, and the second attempt
  // says why.
  dir.write("in-the-way", "x");
  CHECK(xl::open_making_folders(dir.str() + "/in-the-way/file", O_RDWR | O_CREAT | O_CLOEXEC, 0644) == -1);
  CHECK(errno == ENOTDIR);

  // Without O_CREAT nothing is made: the missing file is reported as missing.
  CHECK(xl::open_making_folders(dir.str() + "/c/d/file", O_RDONLY | O_CLOEXEC, 0) == -1);
  CHECK(errno == ENOENT);
  CHECK_FALSE(fs::exists(dir.path() / "c"));
}
