// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <fstream>

#include "core/http/http_types.hpp"
#include "core/download/hub_choice.hpp"
#include "core/hub_env/hub_settings.hpp"
#include "fake_http.hpp"

using namespace xl;

TEST_CASE("Hugging Face defaults derive from HOME") {
  MapEnvironment env({{"HOME", "/home/u"}});
  auto settings = read_hub_settings(env);
  CHECK(settings.hf.endpoint == "https://huggingface.co");
  CHECK(settings.hf.home == "/home/u/.cache/huggingface");
  CHECK(settings.hf.cache == "/home/u/.cache/huggingface/hub");
  CHECK_FALSE(settings.hf.token.has_value());
  CHECK(settings.ms.endpoint == "https://www.modelscope.cn");
  CHECK(settings.ms.cache == "/home/u/.cache/modelscope");
}

TEST_CASE("cache variables: HF_HUB_CACHE > HUGGINGFACE_HUB_CACHE > HF_HOME/hub > XDG") {
  MapEnvironment env({{"HOME", "/h"}, {"XDG_CACHE_HOME", "/xdg"}});
  CHECK(read_hub_settings(env).hf.cache == "/xdg/huggingface/hub");
  env.set("HF_HOME", "~/hf");
  CHECK(read_hub_settings(env).hf.cache == "/h/hf/hub");
  env.set("HUGGINGFACE_HUB_CACHE", "/legacy");
  CHECK(read_hub_settings(env).hf.cache == "/legacy");
  env.set("HF_HUB_CACHE", "/new");
  CHECK(read_hub_settings(env).hf.cache == "/new");
  env.set("HF_ENDPOINT", "http://127.0.0.1:5000//");
  CHECK(read_hub_settings(env).hf.endpoint == "http://127.0.0.1:5000");
}

TEST_CASE("token precedence: HF_TOKEN > HUGGING_FACE_HUB_TOKEN > $HF_HOME/token") {
  testing::TempDir dir;
  std::ofstream(dir.path() / "token") << "  hf_file\r\n";
  MapEnvironment env({{"HOME", "/h"}, {"HF_HOME", dir.path().string()}});
  auto settings = read_hub_settings(env);
  CHECK(settings.hf.token == "hf_file");
  CHECK(settings.hf.token_source == (dir.path() / "token").string());
  env.set("HUGGING_FACE_HUB_TOKEN", "hf_legacy");
  CHECK(read_hub_settings(env).hf.token == "hf_legacy");
  env.set("HF_TOKEN", "hf_env");
  CHECK(read_hub_settings(env).hf.token == "hf_env");
  CHECK(read_hub_settings(env).hf.token_source == "HF_TOKEN");
  env.set("HF_TOKEN", "");  // empty means unset, as in huggingface_hub
  CHECK(read_hub_settings(env).hf.token == "hf_legacy");
}

TEST_CASE("a token file other users can read is reported, 0600 and variables are not") {
  testing::TempDir dir;
  const auto file = dir.path() / "token";
  std::ofstream(file) << "hf_file\n";
  MapEnvironment env({{"HOME", "/h"}, {"HF_HOME", dir.path().string()}});
  std::filesystem::permissions(file, std::filesystem::perms(0644));
  auto warning = token_file_warning(read_hub_settings(env).hf);
  REQUIRE(warning.has_value());
  CHECK(*warning == "the Hugging Face token file " + file.string() + " is readable by other users (mode 0644); run: chmod 600 " +
                        file.string());
  CHECK(warning->find("hf_file") == std::string::npos);
  std::filesystem::permissions(file, std::filesystem::perms(0640));
  CHECK(token_file_warning(read_hub_settings(env).hf).has_value());
  std::filesystem::permissions(file, std::filesystem::perms(0600));
  CHECK_FALSE(token_file_warning(read_hub_settings(env).hf).has_value());
  std::filesystem::permissions(file, std::filesystem::perms(0644));
  env.set("HF_TOKEN", "hf_env");  // the file is not used, so not worth a warning
  CHECK_FALSE(token_file_warning(read_hub_settings(env).hf).has_value());
}

TEST_CASE("offline and ModelScope variables") {
  MapEnvironment env({{"HOME", "/h"}, {"HF_HUB_OFFLINE", "yes"}, {"MODELSCOPE_DOMAIN", "ms.example:8080"},
                      {"MODELSCOPE_API_TOKEN", "ms_t"}, {"MODELSCOPE_CACHE", "/msc"}});
  auto settings = read_hub_settings(env);
  CHECK(settings.hf.offline);
  CHECK(settings.ms.endpoint == "https://ms.example:8080");
  CHECK(settings.ms.token == "ms_t");
  CHECK(settings.ms.cache == "/msc");
  env.set("MODELSCOPE_ENDPOINT", "http://127.0.0.1:7/");
  env.set("HF_HUB_OFFLINE", "0");
  settings = read_hub_settings(env);
  CHECK(settings.ms.endpoint == "http://127.0.0.1:7");
  CHECK_FALSE(settings.hf.offline);
}

TEST_CASE("proxy selection honours scheme and no_proxy") {
  MapEnvironment env({{"HTTPS_PROXY", "http://proxy:3128"}, {"no_proxy", "localhost, .internal.example,10.0.0.1:8080"}});
  auto proxy = read_hub_settings(env).proxy;
  CHECK(proxy.proxy_for("https://huggingface.co") == "http://proxy:3128");
  CHECK_FALSE(proxy.proxy_for("http://huggingface.co").has_value());
  CHECK_FALSE(proxy.proxy_for("https://localhost:8000/x").has_value());
  CHECK_FALSE(proxy.proxy_for("https://hub.internal.example/").has_value());
  CHECK_FALSE(proxy.proxy_for("https://10.0.0.1:8080/").has_value());
  CHECK(proxy.proxy_for("https://10.0.0.1:9090/") == "http://proxy:3128");
  env.set("https_proxy", "http://lower:1");
  CHECK(read_hub_settings(env).proxy.proxy_for("https://huggingface.co") == "http://lower:1");
}

TEST_CASE("download hub choice follows Xinference 3.2") {
  testing::FakeClient probe;
  probe.handler = [](const http::Request&) { return testing::json_response(200, ""); };
  MapEnvironment env({{"HOME", "/h"}});
  CHECK(download::choose_download_hub("modelscope", read_hub_settings(env), probe).hub == "modelscope");
  CHECK(probe.requests.empty());

  auto auto_choice = download::choose_download_hub("auto", read_hub_settings(env), probe);
  CHECK(auto_choice.hub == "huggingface");
  CHECK(auto_choice.reason == "huggingface (HF_ENDPOINT answered)");
  REQUIRE(probe.requests.size() == 1);
  CHECK(probe.requests[0].method == http::Method::head);
  CHECK(probe.requests[0].url == "https://huggingface.co");

  probe.handler = [](const http::Request&) { return http::Response{}; };  // no answer
  CHECK(download::choose_download_hub("auto", read_hub_settings(env), probe).hub == "modelscope");

  env.set("https_proxy", "http://proxy:1");
  const auto proxied = download::choose_download_hub("auto", read_hub_settings(env), probe);
  CHECK(proxied.hub == "modelscope");
  CHECK(proxied.reason.find("proxy") != std::string::npos);

  env.set("HF_HUB_OFFLINE", "1");
  CHECK(download::choose_download_hub("auto", read_hub_settings(env), probe).hub == "huggingface");

  env.set("XINFERENCE_MODEL_SRC", "modelscope");
  CHECK(download::choose_download_hub("auto", read_hub_settings(env), probe).reason == "modelscope (XINFERENCE_MODEL_SRC)");
  CHECK_THROWS_AS(download::choose_download_hub("openmind", read_hub_settings(env), probe), Error);
}
