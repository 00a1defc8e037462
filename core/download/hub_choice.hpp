// SPDX-License-Identifier: Apache-2.0
#pragma once

// `--download-hub auto|huggingface|modelscope`, decided as Xinference 3.2 does
// (xinference.md §4.4), in this order for "auto":
//   1. XINFERENCE_MODEL_SRC set to huggingface|modelscope -> that hub
//   2. HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE truthy        -> huggingface, no probe
//   3. an environment proxy applies to HF_ENDPOINT (no_proxy honoured) -> modelscope
//   4. HEAD HF_ENDPOINT: status < 400 -> huggingface, else (or no answer) -> modelscope
// The caller passes a Client configured for the probe: short timeout (Xinference:
// XINFERENCE_HUB_DETECT_TIMEOUT, default 3 s), proxies off, redirects followed.
// Whether the chosen hub has an entry for the spec is the matcher's business, not this one's.

#include <string>

#include "core/http/http_types.hpp"
#include "core/hub_env/hub_settings.hpp"

namespace xl::download {

struct HubChoice {
  std::string hub;     // "huggingface" | "modelscope"
  std::string reason;  // e.g. "huggingface (HF_ENDPOINT answered)"
};

// `requested` is the flag value. Throws Error(usage) for an unknown hub name.
HubChoice choose_download_hub(const std::string& requested, const HubSettings& settings, http::Client& probe);

}  // namespace xl::download
