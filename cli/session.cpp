// SPDX-License-Identifier: Apache-2.0
#include "cli/session.hpp"

#include "core/paths/xlaunch_home.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include "core/download/hub_choice.hpp"
#include "core/http/curl_engine.hpp"
#include "core/http/transfer_settings.hpp"
#include "core/hub_env/hub_settings.hpp"
#include "core/util/error.hpp"
#include "core/util/repo_path.hpp"

namespace xl::cli {

catalog::Catalog load_catalog(const CommonOptions& common) {
  return catalog::Catalog::load(xlaunch_home() / "catalog.d", common.catalogs);
}

}  // namespace xl::cli

namespace xl::cli {

const EngineRules& engine_rules() {
  static const RegistryEngineRules rules(hardware::host_platform());
  return rules;
}

HubDecision decide_hub(const LaunchOptions& options) {
  if (options.download_hub != "auto") {
    return {options.download_hub, "--download-hub " + options.download_hub, true};
  }
  const HubSettings settings = read_hub_settings(ProcessEnvironment());
  const bool named_by_env = settings.model_src && *settings.model_src != "auto";
  if (options.offline && !named_by_env) {
    // --offline sends no request at all, the probe included; the Hugging Face cache is the
    // one other tools fill, so it is the one an offline launch looks in.
    return {"huggingface", "--offline: no probe; pass --download-hub modelscope for the ModelScope cache", false};
  }
  // Xinference 3.2's probe: one HEAD of HF_ENDPOINT, short timeout, no retries, no proxy.
  http::TransferSettings probe_settings = http::transfer_settings_from_environment(http::process_environment);
  probe_settings.max_attempts = 1;
  probe_settings.proxy = {};
  const auto timeout = ProcessEnvironment().non_empty("XINFERENCE_HUB_DETECT_TIMEOUT");
  double seconds = 3.0;
  if (timeout) {
    // Bounded: 1e99 or inf overflowed the conversion to milliseconds, and nan passed std::max,
    // each turning a reachable hub into "did not answer".
    std::size_t used = 0;
    try {
      seconds = std::stod(*timeout, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != timeout->size() || !(seconds >= 0 && seconds <= 3600)) {
      throw Error(ExitCode::usage, "XINFERENCE_HUB_DETECT_TIMEOUT=" + printable(*timeout, 40) +
                                       " is not a number of seconds from 0 to 3600; unset it or set e.g. 3");
    }
    seconds = std::max(seconds, 0.1);  // libcurl takes 0 as "no timeout"
  }
  probe_settings.connect_timeout = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  probe_settings.stall_timeout = probe_settings.connect_timeout;
  const auto probe = http::make_curl_client(probe_settings);
  const download::HubChoice choice = download::choose_download_hub("auto", settings, *probe);
  // choose_download_hub says "modelscope (why)"; the plan prints the hub itself.
  std::string reason = choice.reason;
  const std::string prefix = choice.hub + " (";
  if (reason.rfind(prefix, 0) == 0 && reason.back() == ')') {
    reason = reason.substr(prefix.size(), reason.size() - prefix.size() - 1);
  }
  // A hub named by XINFERENCE_MODEL_SRC is the user's choice: never silently switched.
  return {choice.hub, reason, named_by_env};
}

LaunchPlan plan_launch(const catalog::Catalog& catalog, const LaunchOptions& options) {
  HubDecision hub = decide_hub(options);
  MatchQuery query;
  query.model_name = options.model_name;
  query.engine = options.model_engine;
  query.format = options.model_format;
  query.size = options.model_size;
  query.quantization = options.quantization;
  query.hub = hub.hub;
  query.hub_was_explicit = hub.explicit_choice;
  query.local_weights = options.model_path.has_value();
  Match match = match_spec(catalog, query, engine_rules());
  return make_plan(std::move(match), std::move(hub), options);
}

}  // namespace xl::cli
