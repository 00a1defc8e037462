// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <stdexcept>
#include <string>

namespace xl {

// The process exit codes xlaunch promises to scripts. Documented in man/xlaunch.1 and the
// README; values never change once released. After exec the engine's own code applies.
enum class ExitCode : int {
  ok = 0,
  failure = 1,       // an unexpected internal failure
  usage = 2,         // bad flags, unknown model, no matching spec, malformed catalog
  download = 3,      // network, hub, download or integrity failure
  preflight = 4,     // engine missing or a preflight check failed
  resources = 5,     // not enough disk space or GPU memory
  interrupted = 130, // SIGINT/SIGTERM before the engine took over
};

// The one exception type that aborts a command. Core code throws it with a message that names
// the thing and the fix; only cli/main.cpp catches it, prints "xlaunch: error: <what>" and
// exits with code(). `hint`, when set, is printed on the following lines (tables, suggestions).
class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message, std::string hint = {})
      : std::runtime_error(message), m_code(code), m_hint(std::move(hint)) {}

  ExitCode code() const noexcept { return m_code; }
  const std::string& hint() const noexcept { return m_hint; }

 private:
  ExitCode m_code;
  std::string m_hint;
};

}  // namespace xl
