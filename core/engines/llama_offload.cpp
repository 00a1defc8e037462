// SPDX-License-Identifier: Apache-2.0
#include "core/engines/llama_offload.hpp"

#include <algorithm>
#include <utility>

#include "core/engines/model_profile.hpp"
#include "core/engines/pass_through.hpp"

namespace xl::engines {
namespace {

bool offload_needed(const CommandInput& input) {
  return input.fit && input.fit->verdict == FitVerdict::fits_offload &&
         !input.gpus.cpu_requested;
}

// The layers (of `layers`) whose share of the need fits the GPU budget. Rounded down, and the
// budget is already 90 % of the GPUs, so the layers llama.cpp puts on them do not fill them.
int layers_that_fit(int layers, const FitResult& fit) {
  if (fit.required_bytes == 0) {
    return 0;
  }
  const double share =
      static_cast<double>(fit.gpu_budget_bytes) / static_cast<double>(fit.required_bytes);
  return std::clamp(static_cast<int>(share * layers), 0, std::max(layers - 1, 0));
}

std::string build_name(const EngineVersion& version) {
  return "llama.cpp build " + version.text;
}

// What was chosen, then why: "<choice>: the model fits only with offload to RAM, needs ...".
GpuPlacement placed(std::vector<std::string> words, const std::string& choice,
                    const FitResult& fit) {
  return {std::move(words), choice + ": the model fits only with offload to RAM, " + fit.summary};
}

}  // namespace

GpuPlacement llama_gpu_placement(const CommandInput& input) {
  if (!offload_needed(input)) {
    return {{"-ngl", input.gpus.cpu_requested ? "0" : "999"}, std::nullopt};
  }
  const auto& fit = *input.fit;
  const auto& extra_args = input.options->extra_args;
  // The user's own split wins; a second -ngl beside theirs would at best be noise, and any
  // -ngl makes --fit leave the layers alone.
  if (passes_flag(extra_args, {"-ngl", "--gpu-layers", "--n-gpu-layers", "-fit", "--fit"})) {
    return placed({}, "GPU layers left to your own flags", fit);
  }
  if (passes_flag(extra_args,
                  {"-cmoe", "--cpu-moe", "-ncmoe", "--n-cpu-moe", "-ot", "--override-tensor"})) {
    return placed({"-ngl", "999"}, "what stays in RAM is left to your own flags", fit);
  }

  const auto& version = input.install.version;
  const bool moe = spec_is_moe(*input.spec);
  if (moe && version.at_least({k_llama_cpu_moe_build})) {
    return placed({"-ngl", "999", "--cpu-moe"},
                  "expert weights stay in RAM, the rest on the GPU (--cpu-moe; --n-cpu-moe N "
                  "after -- keeps only the first N layers' experts in RAM)",
                  fit);
  }
  if (!version.known()) {
    return placed({"--fit", "on"}, "-ngl left unset for --fit on to pick the GPU layers", fit);
  }
  const std::string older = build_name(version) + " predates --cpu-moe (b" +
                            std::to_string(k_llama_cpu_moe_build) + ")";
  if (const auto kv = known_kv_geometry(*input.spec)) {
    const int on_gpu = layers_that_fit(kv->layers, fit);
    return placed({"-ngl", std::to_string(on_gpu)},
                  std::to_string(on_gpu) + " of " + std::to_string(kv->layers) +
                      " layers on the GPU, the rest in RAM" + (moe ? " (" + older + ")" : ""),
                  fit);
  }
  return placed({"-ngl", "0"},
                "layers kept in RAM (" + (moe ? older + "; " : std::string()) +
                    "-ngl N after -- puts N layers on the GPU)",
                fit);
}

}  // namespace xl::engines
