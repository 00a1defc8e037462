# SPDX-License-Identifier: Apache-2.0
# XLAUNCH_SANITIZE="address;undefined" or "thread": applied to every target of the build.
if(XLAUNCH_SANITIZE)
  list(JOIN XLAUNCH_SANITIZE "," xlaunch_sanitizers)
  add_compile_options(-fsanitize=${xlaunch_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${xlaunch_sanitizers})
endif()
