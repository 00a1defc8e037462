# SPDX-License-Identifier: Apache-2.0
add_library(xlaunch_warnings INTERFACE)
target_compile_options(xlaunch_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Woverloaded-virtual
  -Wnull-dereference -Wimplicit-fallthrough)
if(XLAUNCH_WERROR)
  target_compile_options(xlaunch_warnings INTERFACE -Werror)
endif()
