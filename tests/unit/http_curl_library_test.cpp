// SPDX-License-Identifier: Apache-2.0
#include "core/http/curl_library.hpp"
#include "core/util/error.hpp"

#include <curl/curl.h>
#include <doctest/doctest.h>

#include <string>

using namespace xl::http;

namespace {

// The message of the xl::Error that opening `soname` throws, with its exit code checked.
std::string open_error(const char* soname) {
  try {
    open_curl_library(soname);
  } catch (const xl::Error& error) {
    CHECK(error.code() == xl::ExitCode::download);
    return error.what();
  }
  FAIL("opening ", soname, " did not fail");
  return {};
}

}  // namespace

TEST_CASE("curl library: the installed libcurl opens and has every function xlaunch calls") {
  CHECK(open_curl_library(k_libcurl_soname) != nullptr);
  // Through the forwarding functions: a setopt of each kind of value, and getinfo.
  CURL* easy = curl_easy_init();
  REQUIRE(easy != nullptr);
  CHECK(curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 1500L) == CURLE_OK);                         // long
  CHECK(curl_easy_setopt(easy, CURLOPT_URL, "http://127.0.0.1:9/x") == CURLE_OK);                 // pointer
  CHECK(curl_easy_setopt(easy, CURLOPT_MAX_RECV_SPEED_LARGE, curl_off_t{1} << 40) == CURLE_OK);  // off_t
  // libcurl's own range checks see the values as they were given.
  CHECK(curl_easy_setopt(easy, CURLOPT_PORT, 70000L) == CURLE_BAD_FUNCTION_ARGUMENT);
  CHECK(curl_easy_setopt(easy, CURLOPT_MAX_RECV_SPEED_LARGE, curl_off_t{-1}) == CURLE_BAD_FUNCTION_ARGUMENT);
  char* url = nullptr;
  CHECK(curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &url) == CURLE_OK);
  REQUIRE(url != nullptr);
  CHECK(std::string(url) == "http://127.0.0.1:9/x");
  curl_easy_cleanup(easy);
  CHECK(std::string(curl_easy_strerror(CURLE_COULDNT_CONNECT)) == "Couldn't connect to server");
}

TEST_CASE("curl library: a missing or wrong library says which and how to install it") {
  const std::string missing = open_error("libcurl.so.999");
  CHECK(missing.find("cannot load libcurl.so.999") != std::string::npos);
  CHECK(missing.find("apt-get install libcurl4") != std::string::npos);
  // A library that opens but is not libcurl names the first function it lacks.
  const std::string wrong = open_error("libm.so.6");
  CHECK(wrong.find("libm.so.6 has no curl_global_init") != std::string::npos);
  CHECK(wrong.find("apt-get install libcurl4") != std::string::npos);
}
