// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "catalog/llm_family.hpp"
#include "core/download/download_types.hpp"

namespace xl::download {

// The download target of a resolved spec: its hub, model id and pinned revision; for GGUF
// specs only the chosen quantization's files (split parts in part order), for every other
// format the whole repository. Keyed by the spec's Xinference model_version.
DownloadTarget target_from_spec(const catalog::FlatSpec& spec);

}  // namespace xl::download
