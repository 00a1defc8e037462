// SPDX-License-Identifier: Apache-2.0
#include "core/util/strings.hpp"

#include <doctest/doctest.h>

TEST_CASE("folder_part: what comes before the last slash") {
  CHECK(xl::folder_part("/cache/blobs/abc") == "/cache/blobs");
  CHECK(xl::folder_part("Q/part/x.gguf") == "Q/part");
  CHECK(xl::folder_part("config.json").empty());
  CHECK(xl::folder_part("/top") == "/");
  CHECK(xl::folder_part("").empty());
}
