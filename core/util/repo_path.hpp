// SPDX-License-Identifier: Apache-2.0
#pragma once

// Repo-relative file paths come from untrusted places (a hub's listing, a user's catalog) and
// become files under a snapshot folder. One rule for all of them, and one way to show a
// hostile string in a one-line error without letting it drive the terminal.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace xl {

// Longest repo path accepted (Linux's PATH_MAX is 4096 for the whole path, cache root included);
// real hub paths are a few dozen bytes.
inline constexpr std::size_t k_max_repo_path_bytes = 1024;
// Longest single name (NAME_MAX on every common filesystem).
inline constexpr std::size_t k_max_repo_name_bytes = 255;

// Why `path` cannot name a file inside a snapshot folder ("has a '..' segment", "is absolute",
// ...), or nullopt when it can: "/"-separated, relative, no empty, "." or ".." segments, no
// backslash, no control characters (NUL included), names <= 255 bytes, <= 1024 bytes in all.
std::optional<std::string> repo_path_problem(std::string_view path);

// `text` quoted for an error message: control characters as \n, \t, \xNN, a quote or backslash
// escaped, shortened to about `max_bytes` with "..." so a 5000-byte name stays one line.
std::string printable(std::string_view text, std::size_t max_bytes = 80);

// `text` with only its control characters escaped (\n, \xNN): for values echoed inside a
// message that already has its own quoting.
std::string escape_controls(std::string_view text);

}  // namespace xl
