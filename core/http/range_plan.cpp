// SPDX-License-Identifier: Apache-2.0
#include "core/http/range_plan.hpp"

#include <algorithm>
#include <charconv>
#include <string>

namespace xl::http {

void IntervalSet::add(std::uint64_t begin, std::uint64_t end) {
  if (begin >= end) {
    return;
  }
  // Merge with every interval that overlaps or touches [begin, end).
  auto it = m_intervals.upper_bound(begin);
  if (it != m_intervals.begin()) {
    auto previous = std::prev(it);
    if (previous->second >= begin) {
      it = previous;
    }
  }
  while (it != m_intervals.end() && it->first <= end) {
    begin = std::min(begin, it->first);
    end = std::max(end, it->second);
    it = m_intervals.erase(it);
  }
  m_intervals.emplace(begin, end);
}

std::uint64_t IntervalSet::contiguous_end(std::uint64_t offset) const {
  auto it = m_intervals.upper_bound(offset);
  if (it == m_intervals.begin()) {
    return offset;
  }
  --it;
  return it->second > offset ? it->second : offset;
}

std::uint64_t IntervalSet::total() const {
  std::uint64_t sum = 0;
  for (const auto& [begin, end] : m_intervals) {
    sum += end - begin;
  }
  return sum;
}

std::uint64_t IntervalSet::max_end() const { return m_intervals.empty() ? 0 : m_intervals.rbegin()->second; }

std::vector<ByteRange> IntervalSet::ranges() const {
  std::vector<ByteRange> result;
  for (const auto& [begin, end] : m_intervals) {
    result.push_back({begin, end});
  }
  return result;
}

std::vector<ByteRange> IntervalSet::missing(std::uint64_t size) const {
  std::vector<ByteRange> gaps;
  std::uint64_t cursor = 0;
  for (const auto& [begin, end] : m_intervals) {
    if (begin >= size) {
      break;
    }
    if (begin > cursor) {
      gaps.push_back({cursor, begin});
    }
    cursor = std::max(cursor, end);
  }
  if (cursor < size) {
    gaps.push_back({cursor, size});
  }
  return gaps;
}

std::uint64_t choose_range_size(std::uint64_t file_size, const TransferSettings& settings) {
  const auto connections = static_cast<std::uint64_t>(std::max(settings.max_connections, 1));
  const auto upper = std::max(settings.range_size, k_min_range_size);
  if (file_size < 2 * k_min_range_size) {
    return std::max<std::uint64_t>(file_size, 1);
  }
  const auto even_share = (file_size + connections - 1) / connections;
  return std::clamp(even_share, k_min_range_size, upper);
}

std::vector<ByteRange> plan_ranges(const IntervalSet& have, std::uint64_t size, std::uint64_t range_size) {
  range_size = std::max<std::uint64_t>(range_size, 1);
  std::vector<ByteRange> plan;
  for (const auto& gap : have.missing(size)) {
    for (auto begin = gap.begin; begin < gap.end; begin += range_size) {
      plan.push_back({begin, std::min(gap.end, begin + range_size)});
    }
  }
  return plan;
}

namespace {

std::optional<std::uint64_t> parse_number(std::string_view text) {
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::optional<ContentRange> parse_content_range(std::string_view value) {
  while (!value.empty() && value.front() == ' ') {
    value.remove_prefix(1);
  }
  while (!value.empty() && (value.back() == ' ' || value.back() == '\r' || value.back() == '\n')) {
    value.remove_suffix(1);
  }
  if (!value.starts_with("bytes ")) {
    return std::nullopt;
  }
  value.remove_prefix(6);
  const auto slash = value.find('/');
  if (slash == std::string_view::npos) {
    return std::nullopt;
  }
  ContentRange result;
  const auto span = value.substr(0, slash);
  const auto total = value.substr(slash + 1);
  if (total != "*") {
    result.total = parse_number(total);
    if (!result.total) {
      return std::nullopt;
    }
  }
  if (span != "*") {
    const auto dash = span.find('-');
    if (dash == std::string_view::npos) {
      return std::nullopt;
    }
    auto first = parse_number(span.substr(0, dash));
    auto last = parse_number(span.substr(dash + 1));
    if (!first || !last || *last < *first || (result.total && *last >= *result.total)) {
      return std::nullopt;
    }
    result.range = ByteRange{*first, *last + 1};
  } else if (!result.total) {
    return std::nullopt;
  }
  return result;
}

std::string range_header_value(std::uint64_t begin, std::optional<std::uint64_t> end) {
  std::string value = "bytes=" + std::to_string(begin) + "-";
  if (end && *end > begin) {
    value += std::to_string(*end - 1);
  }
  return value;
}

}  // namespace xl::http
