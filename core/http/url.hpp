// SPDX-License-Identifier: Apache-2.0
#pragma once

// URL helpers of the transfer engine: safe display, origins and the cross-host credential rule
// for redirects, and Location resolution. Parsing is libcurl's (CURLU), so it matches what is
// fetched.

#include <optional>
#include <string>
#include <string_view>

#include "core/http/http_types.hpp"

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

// Credentials belong to the origin they were given for (a CDN URL is signed instead): drops
// Authorization and Cookie from `headers` unless `to_url` has the origin of `from_url`, the URL
// they were given for. An unparsable origin counts as another one.
void drop_credentials_leaving(Headers& headers, std::string_view from_url, std::string_view to_url);

// `location` (absolute, scheme-relative, or relative) resolved against `base`; nullopt when it
// cannot be resolved or the result is not http(s). A plain absolute http(s) URL (printable
// ASCII, a host) comes back as it is, unparsed: libcurl parses it when it is requested.
std::optional<std::string> resolve_location(std::string_view base, std::string_view location);

}  // namespace xl::http
