// SPDX-License-Identifier: Apache-2.0
#include "core/engines/engine_version.hpp"

#include <cctype>

namespace xl::engines {
namespace {

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// Reads digits and dots from `pos`; returns the numbers and advances `pos`.
std::vector<int> read_numbers(std::string_view text, std::size_t& pos) {
  std::vector<int> numbers;
  while (pos < text.size() && is_digit(text[pos])) {
    int value = 0;
    while (pos < text.size() && is_digit(text[pos])) {
      value = value * 10 + (text[pos] - '0');
      if (value > 1000000) {
        value = 1000000;  // build numbers and dates stay comparable without overflowing
      }
      ++pos;
    }
    numbers.push_back(value);
    if (pos + 1 < text.size() && text[pos] == '.' && is_digit(text[pos + 1])) {
      ++pos;
    } else {
      break;
    }
  }
  return numbers;
}

}  // namespace

bool EngineVersion::at_least(std::initializer_list<int> wanted) const {
  return at_least(std::vector<int>(wanted));
}

bool EngineVersion::at_least(const std::vector<int>& wanted) const {
  if (!known()) {
    return true;
  }
  std::size_t i = 0;
  for (int w : wanted) {
    const int have = i < numbers.size() ? numbers[i] : 0;
    if (have != w) {
      return have > w;
    }
    ++i;
  }
  return true;
}

EngineVersion parse_engine_version(std::string_view output) {
  // llama.cpp: "version: 6123 (4b2cd80e)" -- a build number, not semver.
  if (auto at = output.find("version: "); at != std::string_view::npos) {
    std::size_t pos = at + 9;
    auto numbers = read_numbers(output, pos);
    if (!numbers.empty()) {
      return {std::string(output.substr(at + 9, pos - at - 9)), numbers};
    }
  }
  for (std::size_t i = 0; i < output.size(); ++i) {
    // A version starts a word ("0.11.2", "v0.11.2"), never in the middle of one ("cu128").
    const char prev = i > 0 ? output[i - 1] : ' ';
    const bool word_start = !(std::isalnum(static_cast<unsigned char>(prev)) || prev == '.') ||
                            ((prev == 'v' || prev == 'V') &&
                             (i < 2 || !std::isalnum(static_cast<unsigned char>(output[i - 2]))));
    if (!is_digit(output[i]) || !word_start) {
      continue;
    }
    std::size_t pos = i;
    auto numbers = read_numbers(output, pos);
    if (numbers.size() >= 2) {
      return {std::string(output.substr(i, pos - i)), numbers};
    }
    i = pos;
  }
  return {};
}

}  // namespace xl::engines
