// SPDX-License-Identifier: Apache-2.0
#include "core/http/http_types.hpp"
#include "core/http/transfer_settings.hpp"
#include "core/http/url.hpp"

#include <doctest/doctest.h>

#include <map>

using namespace xl::http;

TEST_CASE("headers compare names case-insensitively and set replaces") {
  Headers headers;
  headers.items = {{"Content-Type", "a"}, {"X-One", "1"}, {"content-type", "b"}};
  CHECK(headers.get("CONTENT-TYPE") == "a");
  CHECK_FALSE(headers.get("missing"));
  headers.set("Content-type", "c");
  CHECK(headers.items.size() == 2);
  CHECK(headers.get("content-type") == "c");
  headers.remove("x-one");
  CHECK(headers.items.size() == 1);
}

TEST_CASE("redact_url strips credentials, query and fragment") {
  CHECK(redact_url("https://user:secret@cdn.example/a/b?X-Amz-Signature=abc&t=1#frag") == "https://cdn.example/a/b");
  CHECK(redact_url("https://hub.example/api/models/x") == "https://hub.example/api/models/x");
  CHECK(redact_url("https://hub.example?token=1") == "https://hub.example");
  CHECK(redact_url("not a url?secret") == "not a url");
  CHECK(redact_in("failed: https://h/p?sig=SECRET and sig=SECRET", "https://h/p?sig=SECRET") ==
        "failed: https://h/p and https://h/p");
}

TEST_CASE("origins decide the cross-host redirect rule") {
  CHECK(url_origin("https://Hub.Example/a") == "https://hub.example:443");
  CHECK(url_origin("http://hub.example:8080/a") == "http://hub.example:8080");
  CHECK(url_origin("https://hub.example/a") == url_origin("https://hub.example:443/b?c"));
  CHECK(url_origin("https://hub.example/a") != url_origin("https://cdn.example/a"));
  CHECK(url_origin("http://hub.example/a") != url_origin("https://hub.example/a"));
  CHECK_FALSE(url_origin("::not a url"));
}

TEST_CASE("credentials follow a redirect only to the origin they were given for") {
  const auto after = [](std::string_view from, std::string_view to) {
    Headers headers;
    headers.set("Authorization", "Bearer hf_secret");
    headers.set("Cookie", "session=1");
    headers.set("Range", "bytes=0-9");
    drop_credentials_leaving(headers, from, to);
    return headers;
  };
  const Headers same = after("https://hub.example/a", "https://HUB.example:443/b");
  CHECK(same.get("Authorization") == "Bearer hf_secret");
  CHECK(same.get("Cookie") == "session=1");
  for (const Headers& other : {after("https://hub.example/a", "https://cdn.example/b"),
                               after("https://hub.example/a", "http://hub.example/b"),
                               after("::not a url", "::not a url")}) {
    CHECK_FALSE(other.get("Authorization"));
    CHECK_FALSE(other.get("Cookie"));
    CHECK(other.get("Range") == "bytes=0-9");  // only credentials are dropped
  }
}

TEST_CASE("redirect targets resolve against the current URL") {
  CHECK(resolve_location("https://hub.example/a/b?x=1", "/c/d?y=2") == "https://hub.example/c/d?y=2");
  CHECK(resolve_location("https://hub.example/a/b", "c") == "https://hub.example/a/c");
  CHECK(resolve_location("https://hub.example/a", "https://cdn.example/z?sig=1") == "https://cdn.example/z?sig=1");
  CHECK(resolve_location("https://hub.example/a", "//cdn.example/z") == "https://cdn.example/z");
  // An absolute target stands alone, whatever the base: it is still parsed (libcurl lowercases
  // the scheme) and checked.
  CHECK(resolve_location("https://hub.example/a", "HTTPS://CDN.example/z") == "https://CDN.example/z");
  CHECK(resolve_location("not a base", "http://cdn.example/z") == "http://cdn.example/z");
  CHECK_FALSE(resolve_location("https://hub.example/a", "https://"));
  CHECK_FALSE(resolve_location("https://hub.example/a", "https://cdn example/z"));
  const std::string signed_url = "https://cdn-lfs.hf.co/repos/ab/cd/0123?X-Amz-Signature=f00&Expires=4102444800";
  CHECK(resolve_location("https://hub.example/a", signed_url) == signed_url);
  CHECK_FALSE(resolve_location("https://hub.example/a", "ftp://files.example/z"));
}

TEST_CASE("settings read both spellings of proxy and CA variables") {
  std::map<std::string, std::string> env = {{"HTTPS_PROXY", "http://proxy:3128"},
                                            {"HTTP_PROXY", "http://plain:80"},
                                            {"NO_PROXY", "localhost,.internal"},
                                            {"SSL_CERT_FILE", "/certs/a.pem"},
                                            {"CURL_CA_BUNDLE", "/certs/b.pem"}};
  auto lookup = [&](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    return it == env.end() ? std::nullopt : std::optional(it->second);
  };
  auto settings = transfer_settings_from_environment(lookup);
  CHECK(settings.proxy.https_proxy == "http://proxy:3128");
  CHECK(settings.proxy.http_proxy == "http://plain:80");
  CHECK(settings.proxy.no_proxy == "localhost,.internal");
  CHECK(settings.ca_bundle == "/certs/b.pem");
  env["https_proxy"] = "http://lower:1";
  env.erase("HTTP_PROXY");
  env["ALL_PROXY"] = "socks5://all:1080";
  settings = transfer_settings_from_environment(lookup);
  CHECK(settings.proxy.https_proxy == "http://lower:1");
  CHECK(settings.proxy.http_proxy == "socks5://all:1080");
  CHECK(settings.user_agent.starts_with("xlaunch/"));
}
