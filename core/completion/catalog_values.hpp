// SPDX-License-Identifier: Apache-2.0
#pragma once

// The catalog half of completion: which models, engines, formats, sizes, quantizations and hubs
// remain possible given the values already typed.

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "catalog/llm_family.hpp"
#include "core/completion/completion.hpp"

namespace xl::completion {

// The spec-selecting values typed so far (each as typed, unset when absent).
struct Selection {
  std::optional<std::string> model, engine, format, size, quantization, hub;
};

// The engines xlaunch knows, in the order offered, with Xinference's spelling.
std::span<const std::string_view> engine_names();

// Whether `engine` (any case) can serve this spec: the format gates of Xinference's engines
// (pytorch/awq/gptq/fp8/bnb -> vLLM, SGLang; ggufv2 -> llama.cpp, and vLLM for single files;
// mlx -> MLX; Transformers everything but fp8, gguf and mlx).
bool engine_serves(std::string_view engine, const catalog::FlatSpec& spec);

// Candidates of `kind` among the specs that match every value in `selection` except the one of
// `kind` itself, distinct, in catalog order (sizes ascending).
std::vector<Candidate> catalog_values(ValueKind kind, const Selection& selection, std::span<const catalog::FlatSpec> specs);

}  // namespace xl::completion
