// SPDX-License-Identifier: Apache-2.0
#include "hubs/url.hpp"

#include <cctype>

namespace xl::hubs {
namespace {

bool always_safe(unsigned char c) {
  return std::isalnum(c) != 0 || c == '_' || c == '.' || c == '-' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string quote(std::string_view text, std::string_view safe) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (always_safe(c) || safe.find(ch) != std::string_view::npos) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(k_hex[c >> 4U]);
      out.push_back(k_hex[c & 0x0FU]);
    }
  }
  return out;
}

std::string quote_plus(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto space = text.find(' ', start);
    out += quote(text.substr(start, space == std::string_view::npos ? std::string_view::npos : space - start), "");
    if (space == std::string_view::npos) {
      break;
    }
    out.push_back('+');
    start = space + 1;
  }
  return out;
}

std::string unquote(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && text[i] == '+' ? ' ' : text[i]);
  }
  return out;
}

std::optional<std::string> header_value(const http::Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers.items) {
    if (iequals(key, name)) {
      return value;
    }
  }
  return std::nullopt;
}

std::string url_origin(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    return {};
  }
  auto path_start = url.find_first_of("/?#", scheme_end + 3);
  return url.substr(0, path_start);
}

std::optional<std::string> link_next(const std::string& link_header, const std::string& origin) {
  // Entries: <url>; rel="next", <url2>; rel="prev". URLs never contain '>' unencoded.
  std::size_t pos = 0;
  while (true) {
    auto open = link_header.find('<', pos);
    if (open == std::string::npos) {
      return std::nullopt;
    }
    auto close = link_header.find('>', open);
    if (close == std::string::npos) {
      return std::nullopt;
    }
    auto next_entry = link_header.find('<', close);
    std::string params = link_header.substr(close + 1, next_entry == std::string::npos ? std::string::npos
                                                                                        : next_entry - close - 1);
    std::string lowered;
    for (char c : params) {
      if (c != ' ' && c != '"') {
        lowered.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      }
    }
    if (lowered.find("rel=next") != std::string::npos) {
      std::string url = link_header.substr(open + 1, close - open - 1);
      if (!url.empty() && url.front() == '/') {
        url = origin + url;
      }
      return url;
    }
    pos = close + 1;
  }
}

}  // namespace xl::hubs
