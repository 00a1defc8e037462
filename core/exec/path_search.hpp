// SPDX-License-Identifier: Apache-2.0
#pragma once

// Finding programs the way execvp() would, but with the PATH given explicitly so tests control it.

#include <optional>
#include <string>

namespace xl::exec {

// The first `dir/name` on the colon-separated `path_env` that is a regular executable file.
// Empty entries mean the current directory, as in POSIX. A `name` containing '/' is checked
// as-is. Nullopt when nothing matches.
std::optional<std::string> find_in_path(const std::string& name, const std::string& path_env);

// True when `path` is a regular file this process may execute.
bool is_executable_file(const std::string& path);

// `dirname(program)/name`, for companion programs installed next to an engine (rpc-server next
// to llama-server, mlx.launch next to mlx_lm.server). Just `name` when `program` has no '/'.
std::string sibling_program(const std::string& program, const std::string& name);

}  // namespace xl::exec
