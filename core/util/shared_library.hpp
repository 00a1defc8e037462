// SPDX-License-Identifier: Apache-2.0
#pragma once

// Opening a C library with dlopen at its first use rather than having the dynamic loader map it
// at every start (core/http/curl_library.hpp, core/util/crypto_library.hpp and
// core/hardware/nvml.hpp say why for each).

#include "core/util/error.hpp"

#include <string>

namespace xl {

// dlsym: the address of `symbol` in `library`, or nullptr.
void* find_symbol_or_null(void* library, const char* symbol);

// What a library is for, so that a failure to load it says what needs it and how to get it.
struct LibraryNeed {
  const char* soname;        // e.g. "libcurl.so.4"
  const char* name;          // what it is, for "it is not the <name> xlaunch was built for"
  const char* needed_for;    // e.g. "to reach the hub"
  const char* install_hint;  // e.g. "install libcurl 4 (Debian and Ubuntu: apt-get install libcurl4)"
  ExitCode code;             // the exit code of a failure to load it
};

// dlopen(RTLD_NOW | RTLD_LOCAL): the library and its dependencies stay out of the global symbol
// scope; only the lookups below need them. nullptr when it cannot be opened: for a library whose
// absence is no error (NVML, core/hardware/nvml.hpp).
void* try_open_shared_library(const char* soname);

// The typed address of `symbol` in `library`; false when the library lacks it.
template <typename Function>
bool try_find_function(void* library, const char* symbol, Function& function) {
  function = reinterpret_cast<Function>(find_symbol_or_null(library, symbol));
  return function != nullptr;
}

// try_open_shared_library, for a library xlaunch needs: throws Error(need.code) naming the
// library, why it could not be opened and the hint.
void* open_shared_library(const LibraryNeed& need);

// The address of `symbol` in `library`, or Error(need.code) saying the library lacks it.
void* find_symbol(void* library, const LibraryNeed& need, const char* symbol);

// find_symbol, typed: `function` is a pointer to a function with the library's own signature.
template <typename Function>
void find_function(void* library, const LibraryNeed& need, const char* symbol, Function& function) {
  function = reinterpret_cast<Function>(find_symbol(library, need, symbol));
}

// Closes a library opened by open_shared_library.
void close_shared_library(void* library);

// Opens the library `need` describes, from the file `soname` instead, and runs
// `check(library, need)` on it (its lookups throw the errors above); closes it again when the
// check throws. The tests' way to open a wrong or missing file as the library.
template <typename Check>
void* open_checked_library(LibraryNeed need, const char* soname, Check check) {
  need.soname = soname;
  void* library = open_shared_library(need);
  try {
    check(library, need);
  } catch (...) {
    close_shared_library(library);
    throw;
  }
  return library;
}

}  // namespace xl
