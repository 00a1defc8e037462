// SPDX-License-Identifier: Apache-2.0
#pragma once

// OpenSSL's libcrypto is opened with dlopen the first time a digest is computed (a download's
// verification, a cache check that hashes a file), not by the dynamic loader when xlaunch
// starts. Mapping and relocating its 4.7 MB took about 4 ms of every start on the development
// machine, half of `xlaunch --version`, and `list`, `engines`, every shell completion (one run
// per Tab) and a cached --offline launch hash nothing.
//
// crypto_library.cpp defines the libcrypto functions xlaunch calls, with OpenSSL's own names and
// signatures (<openssl/evp.h> still provides the declarations and types); each forwards to the
// real one, looked up once. The build does not link libcrypto (CMakeLists.txt). A download loads
// it anyway with libcurl (OpenSSL is libcurl's TLS), and the lookup then finds it mapped.

namespace xl {

// The file name libcrypto's functions are loaded from: OpenSSL 3's soname.
inline constexpr const char* k_libcrypto_soname = "libcrypto.so.3";

// Opens `soname` and checks that it has every function xlaunch calls. Throws xl::Error
// (ExitCode::download) naming the library and how to install it when it cannot be opened or
// lacks one, as the first digest does for k_libcrypto_soname. Exposed for tests.
void* open_crypto_library(const char* soname);

}  // namespace xl
