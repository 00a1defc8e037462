// SPDX-License-Identifier: Apache-2.0
#include "core/util/shared_library.hpp"

#include <dlfcn.h>

namespace xl {

void* open_shared_library(const LibraryNeed& need) {
  void* library = ::dlopen(need.soname, RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* why = ::dlerror();
    throw Error(need.code, std::string("cannot load ") + need.soname + ", needed " + need.needed_for + " (" +
                               (why != nullptr ? why : "unknown error") + "); " + need.install_hint);
  }
  return library;
}

void* find_symbol(void* library, const LibraryNeed& need, const char* symbol) {
  void* address = ::dlsym(library, symbol);
  if (address == nullptr) {
    throw Error(need.code, std::string(need.soname) + " has no " + symbol + ": it is not the " + need.name +
                               " xlaunch was built for; " + need.install_hint);
  }
  return address;
}

void close_shared_library(void* library) { ::dlclose(library); }

}  // namespace xl
