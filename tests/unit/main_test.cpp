// SPDX-License-Identifier: Apache-2.0
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "core/exec/command_runner.hpp"

int main(int argc, char** argv) {
  // The tests start children as the real binary does, so they start from the same state:
  // cli/main.cpp restores an inherited, ignored SIGCHLD before anything else.
  xl::exec::restore_default_child_signal();
  doctest::Context context(argc, argv);
  return context.run();
}
