// SPDX-License-Identifier: Apache-2.0
#include "core/util/crypto_library.hpp"

#include "core/util/shared_library.hpp"

#include <openssl/evp.h>

namespace xl {

namespace {

// The real functions, looked up in libcrypto.
struct CryptoFunctions {
  decltype(&::EVP_sha1) sha1 = nullptr;
  decltype(&::EVP_sha256) sha256 = nullptr;
  decltype(&::EVP_MD_fetch) md_fetch = nullptr;
  decltype(&::EVP_MD_CTX_new) ctx_new = nullptr;
  decltype(&::EVP_MD_CTX_free) ctx_free = nullptr;
  decltype(&::EVP_MD_CTX_copy_ex) ctx_copy_ex = nullptr;
  decltype(&::EVP_DigestInit_ex) digest_init_ex = nullptr;
  decltype(&::EVP_DigestUpdate) digest_update = nullptr;
  decltype(&::EVP_DigestFinal_ex) digest_final_ex = nullptr;
};

// Downloads are what verify files, so a missing libcrypto fails them (exit 3).
const LibraryNeed k_libcrypto{k_libcrypto_soname, "OpenSSL 3 libcrypto", "to verify downloaded files",
                              "install OpenSSL 3 (Debian and Ubuntu: apt-get install libssl3)", ExitCode::download};

CryptoFunctions load(void* library, const LibraryNeed& need) {
  CryptoFunctions f;
  find_function(library, need, "EVP_sha1", f.sha1);
  find_function(library, need, "EVP_sha256", f.sha256);
  find_function(library, need, "EVP_MD_fetch", f.md_fetch);
  find_function(library, need, "EVP_MD_CTX_new", f.ctx_new);
  find_function(library, need, "EVP_MD_CTX_free", f.ctx_free);
  find_function(library, need, "EVP_MD_CTX_copy_ex", f.ctx_copy_ex);
  find_function(library, need, "EVP_DigestInit_ex", f.digest_init_ex);
  find_function(library, need, "EVP_DigestUpdate", f.digest_update);
  find_function(library, need, "EVP_DigestFinal_ex", f.digest_final_ex);
  return f;
}

// Opened and looked up once, on the first call, from whichever thread makes it (a function-local
// static is initialised once, and a throw leaves it for the next call to try again). The library
// stays open until the process ends, as a linked one would.
const CryptoFunctions& crypto() {
  static const CryptoFunctions functions = load(open_shared_library(k_libcrypto), k_libcrypto);
  return functions;
}

}  // namespace

void* open_crypto_library(const char* soname) {
  // Every function is there, or the error names the first missing one.
  return open_checked_library(k_libcrypto, soname, load);
}

}  // namespace xl

// OpenSSL's API, with its exact signatures, forwarding to the loaded library.
extern "C" {

using xl::crypto;

const EVP_MD* EVP_sha1() { return crypto().sha1(); }
const EVP_MD* EVP_sha256() { return crypto().sha256(); }
EVP_MD* EVP_MD_fetch(OSSL_LIB_CTX* context, const char* algorithm, const char* properties) {
  return crypto().md_fetch(context, algorithm, properties);
}
EVP_MD_CTX* EVP_MD_CTX_new() { return crypto().ctx_new(); }
void EVP_MD_CTX_free(EVP_MD_CTX* context) { crypto().ctx_free(context); }
int EVP_MD_CTX_copy_ex(EVP_MD_CTX* out, const EVP_MD_CTX* in) { return crypto().ctx_copy_ex(out, in); }
int EVP_DigestInit_ex(EVP_MD_CTX* context, const EVP_MD* type, ENGINE* engine) {
  return crypto().digest_init_ex(context, type, engine);
}
int EVP_DigestUpdate(EVP_MD_CTX* context, const void* data, size_t size) {
  return crypto().digest_update(context, data, size);
}
int EVP_DigestFinal_ex(EVP_MD_CTX* context, unsigned char* digest, unsigned int* size) {
  return crypto().digest_final_ex(context, digest, size);
}

}  // extern "C"
