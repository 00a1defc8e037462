// SPDX-License-Identifier: Apache-2.0
#include "core/download/hub_choice.hpp"

#include "core/util/error.hpp"

namespace xl::download {
namespace {

bool known_hub(const std::string& name) { return name == "huggingface" || name == "modelscope"; }

}  // namespace

HubChoice choose_download_hub(const std::string& requested, const HubSettings& settings, http::Client& probe) {
  if (known_hub(requested)) {
    return {requested, requested + " (--download-hub)"};
  }
  if (requested != "auto") {
    throw Error(ExitCode::usage, "unknown --download-hub '" + requested + "'; use auto, huggingface or modelscope");
  }
  if (settings.model_src && *settings.model_src != "auto") {
    if (!known_hub(*settings.model_src)) {
      throw Error(ExitCode::usage, "XINFERENCE_MODEL_SRC is '" + *settings.model_src +
                                       "'; xlaunch supports huggingface or modelscope (or unset it)");
    }
    return {*settings.model_src, *settings.model_src + " (XINFERENCE_MODEL_SRC)"};
  }
  if (settings.hf.offline) {
    return {"huggingface", "huggingface (HF_HUB_OFFLINE is set)"};
  }
  const std::string& endpoint = settings.hf.endpoint;
  if (auto proxy = settings.proxy.proxy_for(endpoint)) {
    return {"modelscope", "modelscope (a proxy is configured for " + endpoint + ")"};
  }
  http::Request request;
  request.method = http::Method::head;
  request.url = endpoint;
  request.redirects = http::Redirects::follow;
  const http::Response response = probe.send(request);
  if (response.status > 0 && response.status < 400) {
    return {"huggingface", "huggingface (HF_ENDPOINT answered)"};
  }
  if (response.status == 0) {
    return {"modelscope", "modelscope (" + endpoint + " did not answer)"};
  }
  return {"modelscope", "modelscope (" + endpoint + " answered " + std::to_string(response.status) + ")"};
}

}  // namespace xl::download
