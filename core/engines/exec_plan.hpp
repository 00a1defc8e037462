// SPDX-License-Identifier: Apache-2.0
#pragma once

// The engine launch as a value: built and tested in core, shown by --dry-run, exec'd by
// core/exec. Nothing here has side effects.

#include <string>
#include <utility>
#include <vector>

namespace xl::engines {

struct ExecPlan {
  std::string program;            // what execve() runs: an absolute path, or a bare name for
                                  // plans of other nodes that were never resolved here
  std::vector<std::string> argv;  // argv[0] included (the program as invoked)
  std::vector<std::pair<std::string, std::string>> env_set;  // added to the caller's environment
  std::vector<std::string> notes;  // one-line remarks for the plan display (prerequisites, ...)
};

// Secret values (--api-key's value, environment values whose name contains KEY, TOKEN, SECRET or
// PASSWORD) are shown as this.
inline constexpr const char* k_redacted = "***";

// POSIX shell quoting: words made only of safe characters stay bare, others are single-quoted.
std::string shell_quote(const std::string& word);

// The plan as one pasteable shell line: `ENV=v ... argv...`, every word shell-quoted, every
// secret replaced by *** (so the output is safe to log, and pasteable after filling it in).
// `secrets` lists extra values to hide (e.g. the API key as typed).
std::string render_command(const ExecPlan& plan, const std::vector<std::string>& secrets = {});

// The same redaction as data, for --json output: a copy of the plan with secrets replaced.
ExecPlan redacted(const ExecPlan& plan, const std::vector<std::string>& secrets = {});

}  // namespace xl::engines
