// SPDX-License-Identifier: Apache-2.0
// A user's catalog is as untrusted as a hub's listing: file name templates that would leave the
// repository, and numbers JSON can write but 64 bits cannot hold, are refused as usage errors.
#include <doctest/doctest.h>

#include "catalog/catalog.hpp"
#include "core/util/error.hpp"

using namespace xl;

namespace {

std::string gguf_family(const std::string& quantization, const std::string& file_template,
                        const std::string& extra = "") {
  return R"({"version": 2, "context_length": 4096, "model_name": "tiny", "model_lang": ["en"],
    "model_ability": ["generate"], "model_description": "t",
    "model_specs": [{"model_format": "ggufv2", "model_size_in_billions": 1,
      "model_src": {"huggingface": {"quantizations": [")" +
         quantization + R"("], "model_id": "a/tiny-GGUF",
        "model_file_name_template": ")" +
         file_template + "\"" + extra + "}}}]}";
}

std::string error_of(const std::string& text) {
  try {
    catalog::Catalog().merge(text, "user.json");
  } catch (const Error& error) {
    CHECK(error.code() == ExitCode::usage);
    return error.what();
  }
  return "accepted";
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("catalog file name templates must give paths inside the repository") {
  CHECK(error_of(gguf_family("Q4_K_M", "tiny-{quantization}.gguf")) == "accepted");
  CHECK(error_of(gguf_family("Q4_K_M", "{quantization}/tiny-{quantization}.gguf")) == "accepted");
  const std::string dotdot = error_of(gguf_family("Q4_K_M", "../../{quantization}.gguf"));
  CHECK(has(dotdot, "catalog user.json: $.model_specs[0].model_src.huggingface.model_file_name_template: gives the "
                    "file name '../../Q4_K_M.gguf' for quantization 'Q4_K_M', and that path has a '..' segment"));
  CHECK(has(error_of(gguf_family("Q4_K_M", "/etc/{quantization}")), "that path is absolute"));
  CHECK(has(error_of(gguf_family("../../x", "{quantization}.gguf")), "'../../x.gguf' for quantization '../../x'"));
  CHECK(has(error_of(gguf_family("Q4", "a\\\\{quantization}")), "contains a backslash"));
  CHECK(has(error_of(gguf_family("Q4", "a\\u001b{quantization}")), "'a\\x1bQ4'"));
  const std::string split = error_of(gguf_family(
      "Q4", "x-{quantization}.gguf",
      R"(, "model_file_name_split_template": "{quantization}/../../{part}.gguf", "quantization_parts": {"Q4": ["00001-of-00002"]})"));
  CHECK(has(split, "model_file_name_split_template: gives the file name 'Q4/../../00001-of-00002.gguf'"));
}

TEST_CASE("numbers beyond 64 bits in a catalog are usage errors, not crashes") {
  CHECK(has(error_of(R"([{"version": 2, "context_length": 1e400}])"), "number overflow parsing '1e400'"));
  std::string huge = gguf_family("Q4", "x-{quantization}.gguf");
  huge.replace(huge.find("4096"), 4, "184467440737095516150");
  CHECK(has(error_of(huge), "$.context_length: expected a positive integer"));
}
