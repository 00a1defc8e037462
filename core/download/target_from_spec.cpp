// SPDX-License-Identifier: Apache-2.0
#include "core/download/target_from_spec.hpp"

namespace xl::download {

DownloadTarget target_from_spec(const catalog::FlatSpec& spec) {
  DownloadTarget target;
  target.hub = spec.hub;
  target.model_id = spec.model_id;
  target.revision = spec.model_revision;
  if (spec.is_gguf()) {
    target.files = spec.gguf_files();
  }
  target.model_version = spec.model_version();
  return target;
}

}  // namespace xl::download
