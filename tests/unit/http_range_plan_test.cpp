// SPDX-License-Identifier: Apache-2.0
#include "core/http/range_plan.hpp"

#include <doctest/doctest.h>

using namespace xl::http;

TEST_CASE("IntervalSet merges touching and overlapping intervals") {
  IntervalSet set;
  set.add(10, 20);
  set.add(30, 40);
  CHECK(set.ranges() == std::vector<ByteRange>{{10, 20}, {30, 40}});
  set.add(20, 30);
  CHECK(set.ranges() == std::vector<ByteRange>{{10, 40}});
  set.add(0, 5);
  set.add(3, 12);
  CHECK(set.ranges() == std::vector<ByteRange>{{0, 40}});
  set.add(50, 50);
  CHECK(set.total() == 40);
  CHECK(set.max_end() == 40);
}

TEST_CASE("IntervalSet reports the contiguous run and the gaps") {
  IntervalSet set;
  set.add(0, 100);
  set.add(200, 300);
  CHECK(set.contiguous_end(0) == 100);
  CHECK(set.contiguous_end(50) == 100);
  CHECK(set.contiguous_end(100) == 100);
  CHECK(set.contiguous_end(250) == 300);
  CHECK(set.missing(400) == std::vector<ByteRange>{{100, 200}, {300, 400}});
  CHECK(set.missing(150) == std::vector<ByteRange>{{100, 150}});
  CHECK(IntervalSet().missing(10) == std::vector<ByteRange>{{0, 10}});
}

TEST_CASE("range size keeps every connection busy within bounds") {
  TransferSettings settings;
  settings.max_connections = 16;
  settings.range_size = 10 * k_mebibyte;
  // A small file is one range.
  CHECK(choose_range_size(1000, settings) == 1000);
  CHECK(choose_range_size(k_mebibyte, settings) == k_mebibyte);
  // A 64 MiB file alone is split 16 ways.
  CHECK(choose_range_size(64 * k_mebibyte, settings) == 4 * k_mebibyte);
  // A huge file uses the anchor size; a medium one never goes below the minimum.
  CHECK(choose_range_size(8ULL * 1024 * k_mebibyte, settings) == 10 * k_mebibyte);
  CHECK(choose_range_size(3 * k_mebibyte, settings) == k_min_range_size);
  settings.max_connections = 1;
  CHECK(choose_range_size(64 * k_mebibyte, settings) == 10 * k_mebibyte);
}

TEST_CASE("plan covers exactly the missing bytes, in order") {
  IntervalSet have;
  have.add(0, 25);
  have.add(60, 70);
  const auto plan = plan_ranges(have, 100, 20);
  CHECK(plan == std::vector<ByteRange>{{25, 45}, {45, 60}, {70, 90}, {90, 100}});
  CHECK(plan_ranges(IntervalSet(), 0, 20).empty());
  IntervalSet full;
  full.add(0, 100);
  CHECK(plan_ranges(full, 100, 20).empty());
}

TEST_CASE("Content-Range parsing") {
  auto value = parse_content_range("bytes 0-99/1000");
  REQUIRE(value);
  CHECK(value->range == ByteRange{0, 100});
  CHECK(value->total == 1000U);
  value = parse_content_range("bytes */1000");
  REQUIRE(value);
  CHECK_FALSE(value->range);
  CHECK(value->total == 1000U);
  value = parse_content_range("bytes 5-9/*");
  REQUIRE(value);
  CHECK_FALSE(value->total);
  CHECK_FALSE(parse_content_range("bytes 9-5/100"));
  CHECK_FALSE(parse_content_range("bytes 0-100/100"));
  CHECK_FALSE(parse_content_range("items 0-1/2"));
  CHECK_FALSE(parse_content_range("bytes */*"));
  CHECK_FALSE(parse_content_range("bytes x-1/2"));
}

TEST_CASE("Range header values") {
  CHECK(range_header_value(0, 100) == "bytes=0-99");
  CHECK(range_header_value(42, std::nullopt) == "bytes=42-");
}
