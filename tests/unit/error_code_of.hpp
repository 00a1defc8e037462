// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <functional>

#include "core/util/error.hpp"

namespace xl::test {

// The exit code of the xl::Error `action` throws; ExitCode::ok when it throws nothing.
inline ExitCode code_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    return e.code();
  }
  return ExitCode::ok;
}

}  // namespace xl::test
