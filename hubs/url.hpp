// SPDX-License-Identifier: Apache-2.0
#pragma once

// Percent-encoding as the official clients do it (hubs.md A10, B2), and small header helpers
// that only need the plain Headers value.

#include <optional>
#include <string>
#include <string_view>

#include "core/http/http_types.hpp"

namespace xl::hubs {

// Python's urllib.parse.quote(text, safe): letters, digits and "_.-~" are never encoded,
// characters in `safe` are kept, every other byte becomes %XX (uppercase hex).
std::string quote(std::string_view text, std::string_view safe = "/");

// Python's quote_plus(text): like quote(text, safe="") but a space becomes "+".
std::string quote_plus(std::string_view text);

// Decodes %XX sequences; with `plus_is_space`, "+" becomes " " (form encoding).
std::string unquote(std::string_view text, bool plus_is_space = false);

// Case-insensitive lookup of a header, first match. Independent of the transfer engine.
std::optional<std::string> header_value(const http::Headers& headers, std::string_view name);

// The URL of the `rel="next"` entry of a Link header; relative URLs are resolved against
// `origin` ("scheme://host[:port]"). nullopt when there is no next page.
std::optional<std::string> link_next(const std::string& link_header, const std::string& origin);

// "scheme://host[:port]" of an absolute URL.
std::string url_origin(const std::string& url);

}  // namespace xl::hubs
