// SPDX-License-Identifier: Apache-2.0
#pragma once

// A JSON text from outside (a hub's answer, a user's catalog) may nest deeply enough to exhaust
// the stack of whatever walks it. This refuses it before it is parsed.

#include <string_view>

namespace xl {

// Whether `json` opens more than `limit` arrays or objects at once. One pass that skips strings
// (escapes included); a parser callback counting the same made nlohmann's parse a third slower.
// Malformed text is left for the parser to refuse.
bool json_nests_deeper_than(std::string_view json, int limit);

}  // namespace xl
