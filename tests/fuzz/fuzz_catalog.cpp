// SPDX-License-Identifier: Apache-2.0
// Fuzz target: any bytes as a catalog file. Must either parse or throw xl::Error, never crash,
// hang or read out of bounds; flattening and GGUF file naming run on whatever parsed, and every
// file name a parsed catalog gives must stay inside the repository.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "catalog/catalog_parser.hpp"
#include "catalog/flatten.hpp"
#include "core/util/error.hpp"
#include "core/util/repo_path.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& family : xl::catalog::parse_catalog(text, "fuzz.json")) {
      for (const auto& spec : xl::catalog::flatten(family)) {
        for (const auto& file : spec.gguf_files()) {
          if (xl::repo_path_problem(file)) {
            std::abort();  // the parser accepted a template that leaves the snapshot folder
          }
        }
        (void)spec.model_version();
      }
    }
  } catch (const xl::Error&) {
  }
  return 0;
}
