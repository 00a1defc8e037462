// SPDX-License-Identifier: Apache-2.0
#pragma once

// Python str.format() semantics for the two placeholders the catalog uses. Xinference expands
// `{quantization}` in every spec string at load time and ignores strings whose format() would
// fail (e.g. a split template that also has `{part}`); xlaunch reproduces that exactly so a
// catalog means the same thing to both tools.

#include <map>
#include <optional>
#include <string>

namespace xl::catalog {

// Formats `text` with the given named fields. nullopt where Python would raise: a field that is
// not given, a positional or malformed field, a lone brace. `{{` and `}}` are literal braces.
std::optional<std::string> python_format(const std::string& text, const std::map<std::string, std::string>& fields);

// `text.format(quantization=q)` when that succeeds, else `text` unchanged (errors ignored).
std::string expand_quantization(const std::string& text, const std::string& quantization);

// The split template with both `{quantization}` and `{part}` filled; unknown fields stay as typed.
std::string expand_part(const std::string& split_template, const std::string& quantization, const std::string& part);

}  // namespace xl::catalog
