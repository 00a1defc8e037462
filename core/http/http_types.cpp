// SPDX-License-Identifier: Apache-2.0
#include "core/http/http_types.hpp"

#include <algorithm>
#include <cctype>

namespace xl::http {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& [key, value] : items) {
    if (equals_ignoring_case(key, name)) {
      return value;
    }
  }
  return std::nullopt;
}

void Headers::set(std::string name, std::string value) {
  remove(name);
  items.emplace_back(std::move(name), std::move(value));
}

void Headers::remove(std::string_view name) {
  std::erase_if(items, [&](const auto& item) { return equals_ignoring_case(item.first, name); });
}

}  // namespace xl::http
