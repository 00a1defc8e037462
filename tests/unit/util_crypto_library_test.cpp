// SPDX-License-Identifier: Apache-2.0
#include "core/util/crypto_library.hpp"
#include "core/util/error.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>

#include <memory>
#include <string>

using namespace xl;

namespace {

// The message of the xl::Error that opening `soname` throws, with its exit code checked.
std::string open_error(const char* soname) {
  try {
    open_crypto_library(soname);
  } catch (const Error& error) {
    CHECK(error.code() == ExitCode::download);
    return error.what();
  }
  FAIL("opening ", soname, " did not fail");
  return {};
}

struct ContextDeleter {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};

// The digest of `text` in hex, through the forwarding functions, as the verification uses them.
std::string hex_digest(const EVP_MD* md, const std::string& text) {
  std::unique_ptr<EVP_MD_CTX, ContextDeleter> context(EVP_MD_CTX_new());
  REQUIRE(context != nullptr);
  REQUIRE(EVP_DigestInit_ex(context.get(), md, nullptr) == 1);
  REQUIRE(EVP_DigestUpdate(context.get(), text.data(), 1) == 1);
  // A copy carries the state on: the prefix hasher reads digests of the prefix this way.
  std::unique_ptr<EVP_MD_CTX, ContextDeleter> copy(EVP_MD_CTX_new());
  REQUIRE(EVP_MD_CTX_copy_ex(copy.get(), context.get()) == 1);
  REQUIRE(EVP_DigestUpdate(copy.get(), text.data() + 1, text.size() - 1) == 1);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  REQUIRE(EVP_DigestFinal_ex(copy.get(), digest, &length) == 1);
  static const char* const k_hex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += k_hex[digest[i] >> 4];
    hex += k_hex[digest[i] & 15];
  }
  return hex;
}

}  // namespace

TEST_CASE("crypto library: the installed libcrypto opens and digests through every function xlaunch calls") {
  CHECK(open_crypto_library(k_libcrypto_soname) != nullptr);
  // FIPS 180-2's test vector "abc", with each way of naming the algorithm.
  CHECK(hex_digest(EVP_sha256(), "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  REQUIRE(fetched != nullptr);
  CHECK(hex_digest(fetched, "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EVP_MD_free(fetched);  // the real libcrypto's (the tests link it): xlaunch keeps its one fetch
  CHECK(hex_digest(EVP_sha1(), "abc") == "a9993e364706816aba3e25717850c26c9cd0d89d");
}

TEST_CASE("crypto library: a missing or wrong library says which and how to install it") {
  const std::string missing = open_error("libcrypto.so.999");
  CHECK(missing.find("cannot load libcrypto.so.999, needed to verify downloaded files") != std::string::npos);
  CHECK(missing.find("apt-get install libssl3") != std::string::npos);
  // A library that opens but is not libcrypto names the first function it lacks.
  const std::string wrong = open_error("libm.so.6");
  CHECK(wrong.find("libm.so.6 has no EVP_sha1: it is not the OpenSSL 3 libcrypto xlaunch was built for") !=
        std::string::npos);
  CHECK(wrong.find("apt-get install libssl3") != std::string::npos);
}
