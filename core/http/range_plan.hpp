// SPDX-License-Identifier: Apache-2.0
#pragma once

// Which byte ranges of a file to request. Pure: the state of a partial file is an IntervalSet
// of the bytes already on disk, and the plan is a list of half-open ranges still to fetch.

#include "core/http/transfer_settings.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>
#include <vector>

namespace xl::http {

// A smaller range costs a request round trip for too few bytes.
inline constexpr std::uint64_t k_min_range_size = k_mebibyte;

struct ByteRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;  // one past the last byte
  std::uint64_t size() const { return end - begin; }
  friend bool operator==(const ByteRange&, const ByteRange&) = default;
};

// Disjoint, merged half-open intervals of bytes present in a file.
class IntervalSet {
 public:
  void add(std::uint64_t begin, std::uint64_t end);  // empty ranges are ignored
  void clear() { m_intervals.clear(); }
  // End of the contiguous run of present bytes that starts at or covers `offset`; `offset`
  // itself when that byte is absent.
  std::uint64_t contiguous_end(std::uint64_t offset) const;
  std::uint64_t total() const;
  std::uint64_t max_end() const;  // 0 when empty
  std::vector<ByteRange> ranges() const;
  std::vector<ByteRange> missing(std::uint64_t size) const;  // gaps of [0, size)

 private:
  std::map<std::uint64_t, std::uint64_t> m_intervals;  // begin -> end
};

// The range size for a file of `file_size` bytes: small enough that the file alone keeps
// every connection busy, within [k_min_range_size, settings.range_size]. Files below two
// minimum ranges are one range.
std::uint64_t choose_range_size(std::uint64_t file_size, const TransferSettings& settings);

// The missing bytes of [0, size), cut into ranges of at most `range_size`, in file order.
std::vector<ByteRange> plan_ranges(const IntervalSet& have, std::uint64_t size, std::uint64_t range_size);

// `Content-Range: bytes first-last/total` (total may be `*`) or `bytes */total` (416).
struct ContentRange {
  std::optional<ByteRange> range;       // half-open; absent for `*/total`
  std::optional<std::uint64_t> total;   // absent for `/*`
};
std::optional<ContentRange> parse_content_range(std::string_view value);

// The value of a Range header for [begin, end), or "bytes=begin-" when end is absent.
std::string range_header_value(std::uint64_t begin, std::optional<std::uint64_t> end);

}  // namespace xl::http
