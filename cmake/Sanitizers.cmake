# SPDX-License-Identifier: Apache-2.0
# XLAUNCH_SANITIZE="address;undefined" or "thread": applied to every target of the build.
if(XLAUNCH_SANITIZE)
  list(JOIN XLAUNCH_SANITIZE "," xlaunch_sanitizers)
  add_compile_options(-fsanitize=${xlaunch_sanitizers} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${xlaunch_sanitizers})
endif()

# XLAUNCH_FUZZ=ON (clang only): coverage instrumentation everywhere; tests/fuzz links libFuzzer.
option(XLAUNCH_FUZZ "Build libFuzzer targets (needs clang)" OFF)
if(XLAUNCH_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "XLAUNCH_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
