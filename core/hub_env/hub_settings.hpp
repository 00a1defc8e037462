// SPDX-License-Identifier: Apache-2.0
#pragma once

// Where the hubs are, who we are on them, and where their caches live, read from the same
// environment variables huggingface_hub and modelscope read (hubs.md A11, B10, B11).
//
// Priority, Hugging Face:
//   endpoint  HF_ENDPOINT (trailing "/" stripped) > https://huggingface.co
//   home      HF_HOME > $XDG_CACHE_HOME/huggingface > $HOME/.cache/huggingface
//   cache     HF_HUB_CACHE > HUGGINGFACE_HUB_CACHE > $HF_HOME/hub
//   token     HF_TOKEN > HUGGING_FACE_HUB_TOKEN > file $HF_TOKEN_PATH (default $HF_HOME/token)
//   offline   HF_HUB_OFFLINE or TRANSFORMERS_OFFLINE truthy
// ModelScope (the modelscope_hub >= 1.38 rules):
//   endpoint  MODELSCOPE_ENDPOINT > "https://" + MODELSCOPE_DOMAIN (scheme kept if given)
//             > https://www.modelscope.cn
//   token     MODELSCOPE_API_TOKEN
//   cache     MODELSCOPE_CACHE > $HOME/.cache/modelscope
// Proxies: https_proxy > HTTPS_PROXY, http_proxy > HTTP_PROXY, all_proxy > ALL_PROXY,
//   no_proxy > NO_PROXY.

#include <filesystem>
#include <optional>
#include <string>

#include "core/hub_env/environment.hpp"

namespace xl {

struct HfSettings {
  std::string endpoint;                // no trailing slash
  std::optional<std::string> token;
  std::string token_source;            // "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", the file path, or ""
  // Permission bits of the token file when the token came from a file that group or others
  // may read (ssh refuses such a key file; huggingface_hub says nothing); nullopt otherwise.
  std::optional<unsigned> exposed_token_file_mode;
  std::filesystem::path home;
  std::filesystem::path cache;         // the hub cache root (models--*/ live here)
  bool offline = false;
};

struct MsSettings {
  std::string endpoint;                // no trailing slash
  std::optional<std::string> token;
  std::filesystem::path cache;         // models/ lives here
};

struct ProxySettings {
  std::optional<std::string> https_proxy;
  std::optional<std::string> http_proxy;
  std::optional<std::string> all_proxy;
  std::optional<std::string> no_proxy;

  // The proxy a request to `url` would use, honouring no_proxy ("*", host, .suffix, host:port).
  std::optional<std::string> proxy_for(const std::string& url) const;
};

struct HubSettings {
  HfSettings hf;
  MsSettings ms;
  ProxySettings proxy;
  std::optional<std::string> model_src;  // XINFERENCE_MODEL_SRC
};

// Reads every setting above. The token file is read from disk; a missing or unreadable file
// means no token. Never throws.
HubSettings read_hub_settings(const Environment& env);

// The warning for a token file other users can read ("... (mode 0644); run: chmod 600 FILE"),
// or nullopt when there is nothing to say.
std::optional<std::string> token_file_warning(const HfSettings& hf);

// The host of an http(s) URL, lowercase, without port or user info ("" when none).
std::string url_host(const std::string& url);

}  // namespace xl
