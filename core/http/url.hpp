// SPDX-License-Identifier: Apache-2.0
#pragma once

// URL helpers of the transfer engine: safe display, origins (for the cross-host redirect
// rule) and Location resolution. Parsing is libcurl's (CURLU), so it matches what is fetched.

#include <optional>
#include <string>
#include <string_view>

namespace xl::http {

// The URL without user:password@, query and fragment, for messages: signed CDN URLs carry
// their credentials in the query. Never throws; a malformed URL is cut the same way.
std::string redact_url(std::string_view url);

// `text` (e.g. a libcurl error message) with every occurrence of `url` and of its query string
// replaced by redact_url(url).
std::string redact_in(std::string text, std::string_view url);

// "scheme://host:port" in lowercase with the default port filled in; nullopt when unparsable.
// Two URLs are the same host for credential purposes iff their origins are equal.
std::optional<std::string> url_origin(std::string_view url);

// `location` (absolute, scheme-relative, or relative) resolved against `base`; nullopt when
// either does not parse or the result is not http(s).
std::optional<std::string> resolve_location(std::string_view base, std::string_view location);

}  // namespace xl::http
