// SPDX-License-Identifier: Apache-2.0
// The curl client against tests/support/range_server.py on loopback.
#include "core/http/curl_engine.hpp"
#include "tests/unit/support/range_server.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

using namespace xl::http;
using xl::test::RangeServer;

namespace {

TransferSettings quick_settings() {
  TransferSettings settings;
  settings.backoff_base = std::chrono::milliseconds(10);
  settings.backoff_max = std::chrono::milliseconds(50);
  settings.stall_timeout = std::chrono::milliseconds(1000);
  settings.max_attempts = 3;
  return settings;
}

Request get(const std::string& url, Redirects redirects = Redirects::follow) {
  Request request;
  request.url = url;
  request.redirects = redirects;
  return request;
}

}  // namespace

TEST_CASE("client: GET and HEAD return status, headers and body") {
  RangeServer server;
  server.add_file("config.json", R"({"a": 1})");
  auto client = make_curl_client(quick_settings());
  auto response = client->send(get(server.url("/files/config.json")));
  CHECK(response.error.empty());
  CHECK(response.status == 200);
  CHECK(response.body == R"({"a": 1})");
  CHECK(response.headers.get("content-length") == "8");
  CHECK(response.effective_url == server.url("/files/config.json"));

  auto head = get(server.url("/files/config.json"));
  head.method = Method::head;
  response = client->send(head);
  CHECK(response.status == 200);
  CHECK(response.body.empty());
  CHECK(response.headers.get("Content-Length") == "8");
  CHECK(server.requests().back()["user_agent"].get<std::string>().starts_with("xlaunch/"));
}

TEST_CASE("client: HTTP errors are returned, not retried") {
  RangeServer server;
  auto client = make_curl_client(quick_settings());
  auto response = client->send(get(server.url("/files/absent.json")));
  CHECK(response.error.empty());
  CHECK(response.status == 404);
  CHECK(response.headers.get("X-Error-Code") == "EntryNotFound");
  CHECK(server.requests().size() == 1);
}

TEST_CASE("client: redirects, followed or not, and the credential rule") {
  RangeServer server;
  server.add_file("x.json", "{}");
  auto client = make_curl_client(quick_settings());

  auto request = get(server.url("/redirect/relative/x.json"), Redirects::do_not_follow);
  auto response = client->send(request);
  CHECK(response.status == 302);
  CHECK(response.headers.get("Location") == "/files/x.json");

  request = get(server.url("/redirect/relative/x.json"));
  request.headers.set("Authorization", "Bearer hf_secret");
  request.headers.set("Cookie", "session=1");
  response = client->send(request);
  CHECK(response.status == 200);
  CHECK(response.effective_url == server.url("/files/x.json"));
  auto log = server.requests();
  CHECK(log.back()["authorization"] == "Bearer hf_secret");
  CHECK(log.back()["cookie"] == "session=1");

  request.url = server.url("/redirect/cross/x.json");
  response = client->send(request);
  CHECK(response.status == 200);
  CHECK(response.effective_url.starts_with("http://localhost:"));
  log = server.requests();
  CHECK(log[log.size() - 2]["authorization"] == "Bearer hf_secret");
  CHECK(log.back()["authorization"].is_null());
  CHECK(log.back()["cookie"].is_null());

  response = client->send(get(server.url("/loop/a")));
  CHECK(response.error.find("redirect loop") != std::string::npos);
}

TEST_CASE("client: 503 and 429 are retried, the last answer is returned when attempts run out") {
  RangeServer server;
  server.add_file("busy.json", "ok");
  auto client = make_curl_client(quick_settings());
  auto response = client->send(get(server.url("/files/busy.json?fault=status&code=503&times=2")));
  CHECK(response.status == 200);
  CHECK(response.body == "ok");

  response = client->send(get(server.url("/files/busy.json?fault=status&code=429&times=10")));
  CHECK(response.error.empty());
  CHECK(response.status == 429);
  std::size_t attempts = 0;
  for (const auto& entry : server.requests()) {
    attempts += entry["path"].get<std::string>().find("times=10") != std::string::npos ? 1 : 0;
  }
  CHECK(attempts == 3);
}

TEST_CASE("client: a stalled answer is retried") {
  RangeServer server;
  server.add_file("slowpoke.json", std::string(100'000, 'x'));
  auto client = make_curl_client(quick_settings());
  auto response = client->send(get(server.url("/files/slowpoke.json?fault=stall&seconds=5")));
  CHECK(response.status == 200);
  CHECK(response.body.size() == 100'000);
}

TEST_CASE("client: an answer that goes silent is given up after the stall timeout, not later") {
  RangeServer server;
  server.add_file("silent.json", std::string(10, 'x'));
  auto settings = quick_settings();
  settings.max_attempts = 1;
  auto client = make_curl_client(settings);
  const auto started = std::chrono::steady_clock::now();
  // Half the body, then silence: libcurl's five-second speed average used to hide the silence.
  auto response = client->send(get(server.url("/files/silent.json?fault=stall&seconds=20")));
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(4));
  CHECK(response.error.find("no data received for 1 s") != std::string::npos);
}

TEST_CASE("client: connection failures name the URL without its secrets") {
  auto client = make_curl_client(quick_settings());
  auto response = client->send(get("http://user:pw@127.0.0.1:1/api/models?token=SECRET"));
  CHECK(response.status == 0);
  CHECK_FALSE(response.error.empty());
  CHECK(response.error.find("SECRET") == std::string::npos);
  CHECK(response.error.find("pw") == std::string::npos);
  CHECK(response.error.find("127.0.0.1") != std::string::npos);
}

TEST_CASE("client: cancel interrupts a retry wait") {
  RangeServer server;
  server.add_file("wait.json", "{}");
  auto settings = quick_settings();
  settings.max_attempts = 5;
  std::atomic<bool> cancel{false};
  auto client = make_curl_client(settings, &cancel);
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    cancel.store(true);
  });
  auto response = client->send(get(server.url("/files/wait.json?fault=status&code=503&after=30&times=5")));
  canceller.join();
  CHECK(response.error == "cancelled");
}

TEST_CASE("client: gzip answers are decoded unless the request chose its own encoding") {
  RangeServer server;
  const std::string json = R"({"siblings": [")" + std::string(5000, 'a') + R"("]})";
  server.add_file("tree.json", json);
  auto client = make_curl_client(quick_settings());
  auto response = client->send(get(server.url("/files/tree.json?fault=gzip")));
  CHECK(response.status == 200);
  CHECK(response.headers.get("Content-Encoding") == "gzip");
  CHECK(response.body == json);
  CHECK(server.requests().back()["accept_encoding"].get<std::string>().find("gzip") != std::string::npos);

  auto identity = get(server.url("/files/tree.json?fault=gzip"));
  identity.headers.set("Accept-Encoding", "identity");
  response = client->send(identity);
  CHECK(server.requests().back()["accept_encoding"] == "identity");
  CHECK(response.body.starts_with("\x1f\x8b"));  // passed through as sent
}
