// SPDX-License-Identifier: Apache-2.0
#include "core/hub_env/hub_settings.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace xl {
namespace {

namespace fs = std::filesystem;

std::string strip_trailing_slashes(std::string url) {
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  return url;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// huggingface_hub strips "\r" and "\n" anywhere, then surrounding whitespace; empty = none.
std::optional<std::string> read_token_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::nullopt;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  text.erase(std::remove_if(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; }),
             text.end());
  text = trim(text);
  if (text.empty()) {
    return std::nullopt;
  }
  return text;
}

fs::path home_dir(const Environment& env) {
  if (auto home = env.non_empty("HOME")) {
    return *home;
  }
  return fs::path(".");
}

// `~` at the start is the user's home, as Python's expanduser does for these variables.
fs::path expand_user(const Environment& env, const std::string& value) {
  if (value == "~" || value.rfind("~/", 0) == 0) {
    return home_dir(env) / value.substr(value.size() > 1 ? 2 : 1);
  }
  return value;
}

HfSettings read_hf(const Environment& env) {
  HfSettings hf;
  hf.endpoint = strip_trailing_slashes(env.non_empty("HF_ENDPOINT").value_or("https://huggingface.co"));
  if (auto home = env.non_empty("HF_HOME")) {
    hf.home = expand_user(env, *home);
  } else if (auto xdg = env.non_empty("XDG_CACHE_HOME")) {
    hf.home = expand_user(env, *xdg) / "huggingface";
  } else {
    hf.home = home_dir(env) / ".cache" / "huggingface";
  }
  if (auto cache = env.non_empty("HF_HUB_CACHE")) {
    hf.cache = expand_user(env, *cache);
  } else if (auto legacy = env.non_empty("HUGGINGFACE_HUB_CACHE")) {
    hf.cache = expand_user(env, *legacy);
  } else {
    hf.cache = hf.home / "hub";
  }
  if (auto token = env.non_empty("HF_TOKEN")) {
    hf.token = trim(*token);
    hf.token_source = "HF_TOKEN";
  } else if (auto legacy_token = env.non_empty("HUGGING_FACE_HUB_TOKEN")) {
    hf.token = trim(*legacy_token);
    hf.token_source = "HUGGING_FACE_HUB_TOKEN";
  } else {
    const fs::path file = env.non_empty("HF_TOKEN_PATH") ? expand_user(env, *env.non_empty("HF_TOKEN_PATH"))
                                                         : hf.home / "token";
    hf.token = read_token_file(file);
    if (hf.token) {
      hf.token_source = file.string();
      std::error_code error;
      const auto mode = static_cast<unsigned>(fs::status(file, error).permissions()) & 0777U;
      if (!error && (mode & 0077U) != 0) {
        hf.exposed_token_file_mode = mode;
      }
    }
  }
  if (hf.token && hf.token->empty()) {
    hf.token.reset();
    hf.token_source.clear();
  }
  hf.offline = env.truthy("HF_HUB_OFFLINE") || env.truthy("TRANSFORMERS_OFFLINE");
  return hf;
}

MsSettings read_ms(const Environment& env) {
  MsSettings ms;
  if (auto endpoint = env.non_empty("MODELSCOPE_ENDPOINT")) {
    ms.endpoint = strip_trailing_slashes(*endpoint);
  } else if (auto domain = env.non_empty("MODELSCOPE_DOMAIN")) {
    const bool has_scheme = domain->find("://") != std::string::npos;
    ms.endpoint = strip_trailing_slashes(has_scheme ? *domain : "https://" + *domain);
  } else {
    ms.endpoint = "https://www.modelscope.cn";
  }
  ms.token = env.non_empty("MODELSCOPE_API_TOKEN");
  if (auto cache = env.non_empty("MODELSCOPE_CACHE")) {
    ms.cache = expand_user(env, *cache);
  } else {
    ms.cache = home_dir(env) / ".cache" / "modelscope";
  }
  return ms;
}

std::optional<std::string> first_of(const Environment& env, const char* a, const char* b) {
  if (auto value = env.non_empty(a)) {
    return value;
  }
  return env.non_empty(b);
}

bool no_proxy_matches(const std::string& no_proxy, const std::string& host, const std::string& host_port) {
  std::stringstream items(no_proxy);
  std::string item;
  while (std::getline(items, item, ',')) {
    item = lower(trim(item));
    if (item.empty()) {
      continue;
    }
    if (item == "*") {
      return true;
    }
    if (item.front() == '.') {
      item.erase(0, 1);
    }
    if (host == item || host_port == item) {
      return true;
    }
    // "example.com" also covers "www.example.com", as curl and requests do.
    if (host.size() > item.size() && host.compare(host.size() - item.size(), item.size(), item) == 0 &&
        host[host.size() - item.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

}  // namespace

std::optional<std::string> token_file_warning(const HfSettings& hf) {
  if (!hf.token || !hf.exposed_token_file_mode) {
    return std::nullopt;
  }
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", *hf.exposed_token_file_mode);
  return "the Hugging Face token file " + hf.token_source + " is readable by other users (mode " + mode +
         "); run: chmod 600 " + hf.token_source;
}

std::string url_host(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  auto end = url.find_first_of("/?#", start);
  std::string authority = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  if (auto at = authority.rfind('@'); at != std::string::npos) {
    authority.erase(0, at + 1);
  }
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    return lower(authority.substr(1, close == std::string::npos ? std::string::npos : close - 1));
  }
  if (auto colon = authority.find(':'); colon != std::string::npos) {
    authority.erase(colon);
  }
  return lower(authority);
}

std::optional<std::string> ProxySettings::proxy_for(const std::string& url) const {
  const bool https = lower(url.substr(0, 8)) == "https://";
  std::optional<std::string> proxy = https ? https_proxy : http_proxy;
  if (!proxy) {
    proxy = all_proxy;
  }
  if (!proxy) {
    return std::nullopt;
  }
  if (no_proxy) {
    const std::string host = url_host(url);
    auto start = url.find("://");
    start = start == std::string::npos ? 0 : start + 3;
    auto end = url.find_first_of("/?#", start);
    std::string authority = lower(url.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (no_proxy_matches(*no_proxy, host, authority)) {
      return std::nullopt;
    }
  }
  return proxy;
}

HubSettings read_hub_settings(const Environment& env) {
  HubSettings settings;
  settings.hf = read_hf(env);
  settings.ms = read_ms(env);
  settings.proxy.https_proxy = first_of(env, "https_proxy", "HTTPS_PROXY");
  settings.proxy.http_proxy = first_of(env, "http_proxy", "HTTP_PROXY");
  settings.proxy.all_proxy = first_of(env, "all_proxy", "ALL_PROXY");
  settings.proxy.no_proxy = first_of(env, "no_proxy", "NO_PROXY");
  settings.model_src = env.non_empty("XINFERENCE_MODEL_SRC");
  return settings;
}

}  // namespace xl
