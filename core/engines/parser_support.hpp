// SPDX-License-Identifier: Apache-2.0
#pragma once

// Which vLLM and SGLang releases know which reasoning and tool-call parser names. A name the
// installed engine does not know stops it at start-up, and nobody asked xlaunch for these
// flags, so a parser is passed only when the probed version is known to have it. With an
// unknown version (the probe failed) every parser is passed, as for every other flag: the
// newest spellings are assumed.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/engines/command.hpp"

namespace xl::engines {

enum class ParserKind { reasoning, tool_call };

// The first release of `engine` sure to have parser `name` (engines.md's pin, or one estimated
// from the pull request that added it: the table in parser_support.cpp); nullopt for a name
// the table lacks.
std::optional<std::vector<int>> parser_first_release(Engine engine, ParserKind kind,
                                                     std::string_view name);

// Nullopt when `install` can be given the parser. Otherwise the one-line note that says why
// it was left out and which words the user can add after `--` if their engine has it.
std::optional<std::string> parser_left_out(const EngineInstall& install, ParserKind kind,
                                           const std::string& name);

}  // namespace xl::engines
