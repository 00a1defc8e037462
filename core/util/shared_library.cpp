// SPDX-License-Identifier: Apache-2.0
#include "core/util/shared_library.hpp"

#include <dlfcn.h>

namespace xl {

void* try_open_shared_library(const char* soname) { return ::dlopen(soname, RTLD_NOW | RTLD_LOCAL); }

void* find_symbol_or_null(void* library, const char* symbol) { return ::dlsym(library, symbol); }

void* open_shared_library(const LibraryNeed& need) {
  void* library = try_open_shared_library(need.soname);
  if (library == nullptr) {
    const char* why = ::dlerror();
    throw Error(need.code, std::string("cannot load ") + need.soname + ", needed " + need.needed_for + " (" +
                               (why != nullptr ? why : "unknown error") + "); " + need.install_hint);
  }
  return library;
}

void* find_symbol(void* library, const LibraryNeed& need, const char* symbol) {
  void* address = find_symbol_or_null(library, symbol);
  if (address == nullptr) {
    throw Error(need.code, std::string(need.soname) + " has no " + symbol + ": it is not the " + need.name +
                               " xlaunch was built for; " + need.install_hint);
  }
  return address;
}

void close_shared_library(void* library) { ::dlclose(library); }

}  // namespace xl
