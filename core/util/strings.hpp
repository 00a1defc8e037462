// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xl {

std::string to_lower(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
bool starts_with(std::string_view text, std::string_view prefix);
std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::vector<std::string> split(std::string_view text, char separator);
// The folder part of a "/"-separated path: what comes before its last "/" ("" when there is
// none, "/" for a name in the root). Without making a std::filesystem::path, which splits the
// whole path into components.
std::string_view folder_part(std::string_view path);

// Levenshtein distance, case-insensitive: for "did you mean" suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The closest candidate when it is close enough to be a plausible typo, else nullopt.
std::optional<std::string> closest_match(std::string_view typed, const std::vector<std::string>& candidates);

// Renders rows as an aligned plain-text table with a header line.
std::string render_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);

}  // namespace xl
