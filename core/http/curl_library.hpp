// SPDX-License-Identifier: Apache-2.0
#pragma once

// libcurl is opened with dlopen the first time a curl function is called, not by the dynamic
// loader when xlaunch starts. libcurl pulls in about thirty libraries (OpenSSL, GnuTLS, Kerberos,
// LDAP, SSH, IDN, ...): mapping and relocating them was two thirds of the start of every
// command, so `list`, `engines`, `--version`, every shell completion (one run per Tab) and an
// --offline launch from the cache paid for a network stack they never use.
//
// curl_library.cpp defines the libcurl functions xlaunch calls, with libcurl's own names and
// signatures (<curl/curl.h> still provides the declarations and types); each forwards to the
// real one, looked up once. The build does not link libcurl (CMakeLists.txt).

#include <string>

namespace xl::http {

// The file name libcurl's functions are loaded from: its soname, "libcurl.so.4" since 2006.
inline constexpr const char* k_libcurl_soname = "libcurl.so.4";

// Opens `soname` and checks that it has every function xlaunch calls. Throws xl::Error
// (ExitCode::download) naming the library and how to install it when it cannot be opened or
// lacks one, as the first curl call does for k_libcurl_soname (once, with the same checks and
// messages). Exposed for tests.
void* open_curl_library(const char* soname);

}  // namespace xl::http
