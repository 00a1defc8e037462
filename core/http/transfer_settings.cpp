// SPDX-License-Identifier: Apache-2.0
#include "core/http/transfer_settings.hpp"

#include <cstdlib>
#include <initializer_list>

namespace xl::http {

namespace {

std::string first_set(const EnvLookup& env, std::initializer_list<std::string_view> names) {
  for (auto name : names) {
    if (auto value = env(name); value && !value->empty()) {
      return *value;
    }
  }
  return {};
}

}  // namespace

std::optional<std::string> process_environment(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) {
    return std::nullopt;
  }
  return std::string(value);
}

TransferSettings transfer_settings_from_environment(const EnvLookup& env) {
  TransferSettings settings;
  // Python's requests/httpx honour both spellings of every variable; libcurl ignores
  // HTTP_PROXY (httpoxy), so the engine resolves them here and passes them explicitly.
  settings.proxy.https_proxy = first_set(env, {"https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"});
  settings.proxy.http_proxy = first_set(env, {"http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"});
  settings.proxy.no_proxy = first_set(env, {"no_proxy", "NO_PROXY"});
  settings.ca_bundle = first_set(env, {"REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"});
  settings.ca_path = first_set(env, {"SSL_CERT_DIR"});
  return settings;
}

}  // namespace xl::http
