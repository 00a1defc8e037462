// SPDX-License-Identifier: Apache-2.0
#pragma once

// Where llama-server puts the weights. Normally every layer goes to the GPUs (-ngl 999). When
// the fit check found that the model fits only with offload to system RAM, -ngl 999 alone runs
// the GPUs out of memory at load, so the command says what stays in RAM (engines.md §3.3,
// §10.5).

#include <optional>
#include <string>
#include <vector>

#include "core/engines/command.hpp"

namespace xl::engines {

// The first llama.cpp build with --cpu-moe and --n-cpu-moe. engines.md lists both flags
// (§3.1, in the 2025 and the newest README) but pins no build; --cpu-moe came in PR #14992
// (merged 2025-07-31) and --n-cpu-moe in PR #15077, released as b6089 (the build its users
// cite). Both are in every build from b6089 on.
inline constexpr int k_llama_cpu_moe_build = 6089;

struct GpuPlacement {
  std::vector<std::string> words;   // -ngl and offload flags, in argv order (may be empty)
  std::optional<std::string> note;  // one line: what was chosen and why (offload only)
};

// The placement for llama-server on the head node:
// - no offload needed (or no fit figure): -ngl 999, or -ngl 0 with --n-gpu none;
// - offload, and the user already chose (-ngl/--gpu-layers/--n-gpu-layers/--fit): nothing,
//   their flags decide; (--cpu-moe/--n-cpu-moe/-ot/--override-tensor): -ngl 999 beside them;
// - offload, MoE model, build >= b6089 or unknown: -ngl 999 --cpu-moe (experts in RAM);
// - offload, version unknown (newest assumed): --fit on with -ngl unset, so llama.cpp picks
//   the GPU layers (§10.5: --fit adjusts -ngl only when unset);
// - offload otherwise (an older build): -ngl N, the share of layers that fits the GPU budget
//   when the layer count is known (DeepSeek, fit.hpp), else -ngl 0. Never a flag the build
//   may lack: -ot is older than --cpu-moe but its first build is not pinned either.
GpuPlacement llama_gpu_placement(const CommandInput& input);

}  // namespace xl::engines
