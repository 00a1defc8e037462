// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "catalog/catalog.hpp"
#include "catalog/flatten.hpp"
#include "catalog/template_expansion.hpp"
#include "core/util/error.hpp"

using namespace xl;
using namespace xl::catalog;

namespace {

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    CHECK(e.code() == ExitCode::usage);
    return e.what();
  }
  FAIL("expected an xl::Error");
  return {};
}

const char* k_minimal_family = R"({"version": 2, "context_length": 4096, "model_name": "tiny",
  "model_lang": ["en"], "model_ability": ["chat"], "model_description": "t",
  "model_specs": [{"model_format": "pytorch", "model_size_in_billions": "1_5",
    "model_src": {"modelscope": {"quantizations": ["none"], "model_id": "a/tiny-ms"},
                  "huggingface": {"quantizations": ["none"], "model_id": "a/tiny"}}}]})";

}  // namespace

TEST_CASE("python_format follows str.format for the catalog's placeholders") {
  CHECK(python_format("x-{quantization}", {{"quantization", "Q4"}}) == "x-Q4");
  CHECK(python_format("{{literal}}-{quantization}", {{"quantization", "Q4"}}) == "{literal}-Q4");
  CHECK_FALSE(python_format("{quantization}-{part}", {{"quantization", "Q4"}}).has_value());
  CHECK_FALSE(python_format("a{b", {}).has_value());
  CHECK_FALSE(python_format("a}b", {}).has_value());
  CHECK(expand_quantization("{quantization}-{part}.gguf", "Q4") == "{quantization}-{part}.gguf");
  CHECK(expand_part("D-{quantization}/D-{quantization}-{part}.gguf", "Q4", "00001-of-00002") == "D-Q4/D-Q4-00001-of-00002.gguf");
}

TEST_CASE("sizes match as Xinference's match_model_size does") {
  CHECK(sizes_match("671", ModelSize{"671"}));
  CHECK(sizes_match("1.5", ModelSize{"1_5"}));
  CHECK(sizes_match("1_5", ModelSize{"1_5"}));
  CHECK_FALSE(sizes_match("1", ModelSize{"1_5"}));
  CHECK_FALSE(sizes_match("16", ModelSize{"236"}));
  CHECK(sizes_match("016", ModelSize{"16"}));
  CHECK(ModelSize{"1_5"}.display() == "1.5");
}

TEST_CASE("a family file keeps the order of hubs in model_src") {
  Catalog catalog;
  catalog.merge(k_minimal_family, "test.json");
  const auto flat = flatten(*catalog.find("tiny"));
  REQUIRE(flat.size() == 2);
  CHECK(flat[0].hub == "modelscope");
  CHECK(flat[0].model_id == "a/tiny-ms");
  CHECK(flat[1].hub == "huggingface");
}

TEST_CASE("a family with the same name replaces the built-in one") {
  Catalog catalog = Catalog::built_in();
  const auto before = catalog.families().size();
  std::string replacement = k_minimal_family;
  replacement.replace(replacement.find("\"tiny\""), 6, "\"deepseek-r1\"");
  catalog.merge(replacement, "mine.json");
  CHECK(catalog.families().size() == before);
  CHECK(catalog.find("deepseek-r1")->origin == "mine.json");
  CHECK(catalog.find("deepseek-r1")->specs.size() == 1);
}

TEST_CASE("malformed catalogs are errors naming the file, the JSON path and the problem") {
  Catalog catalog;
  CHECK(error_of([&] { catalog.merge("[{]", "bad.json"); }).find("bad.json: not valid JSON at line 1, column 3") != std::string::npos);
  CHECK(error_of([&] { catalog.merge("[{\"model_name\": \"x\"}]", "f.json"); }) ==
        "catalog f.json: $[0]: missing required field 'model_specs'");
  std::string bad_quant = k_minimal_family;
  bad_quant.replace(bad_quant.find("[\"none\"], \"model_id\": \"a/tiny\""), 8, "\"none\"");
  CHECK(error_of([&] { catalog.merge(bad_quant, "f.json"); }) ==
        "catalog f.json: $.model_specs[0].model_src.huggingface.quantizations: expected a list of strings, got string");
  std::string bad_size = k_minimal_family;
  bad_size.replace(bad_size.find("\"1_5\""), 5, "-3");
  CHECK(error_of([&] { catalog.merge(bad_size, "f.json"); }).find("$.model_specs[0].model_size_in_billions: expected a positive size") !=
        std::string::npos);
  CHECK(error_of([&] { catalog.merge("42", "f.json"); }).find("$: expected a list of families") != std::string::npos);
  CHECK(error_of([&] { catalog.merge(std::string(10000, '[') + std::string(10000, ']'), "deep.json"); }).find("nested deeper") !=
        std::string::npos);
  const std::string twice = std::string("[") + k_minimal_family + "," + k_minimal_family + "]";
  CHECK(error_of([&] { catalog.merge(twice, "f.json"); }).find("defined twice") != std::string::npos);
  CHECK(catalog.families().empty());
}

TEST_CASE("a ggufv2 spec without a file name template is refused") {
  std::string gguf = k_minimal_family;
  gguf.replace(gguf.find("\"pytorch\""), 9, "\"ggufv2\"");
  CHECK(error_of([&] { Catalog().merge(gguf, "g.json"); }).find("needs 'model_file_name_template'") != std::string::npos);
}

TEST_CASE("extra catalog files and catalog.d merge over the built-in catalog") {
  const auto dir = std::filesystem::temp_directory_path() / ("xlaunch-catalog-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "catalog.d");
  std::ofstream(dir / "catalog.d" / "a.json") << k_minimal_family;
  std::ofstream(dir / "catalog.d" / "ignored.txt") << "not json";
  const Catalog catalog = Catalog::load(dir / "catalog.d", {});
  CHECK(catalog.find("tiny") != nullptr);
  CHECK(catalog.find("deepseek-r1") != nullptr);
  CHECK(error_of([&] { (void)Catalog::load(dir / "none", {(dir / "missing.json").string()}); }).find("missing.json: no such file") !=
        std::string::npos);
  // A folder given as --catalog, and catalog.d's own bad entries, each said for what they are,
  // with the fix for where they came from.
  CHECK(error_of([&] { (void)Catalog::load(dir / "none", {(dir / "catalog.d").string()}); })
            .find("catalog.d: a folder, not a JSON file; check the --catalog path") != std::string::npos);
  std::ofstream(dir / "catalog.d" / ".a.json.swp.json") << "{ half";  // an editor's scratch file: skipped
  CHECK_NOTHROW((void)Catalog::load(dir / "catalog.d", {}));
  std::filesystem::create_symlink(dir / "gone.json", dir / "catalog.d" / "b.json");
  CHECK(error_of([&] { (void)Catalog::load(dir / "catalog.d", {}); })
            .find("b.json: a symbolic link to nothing; remove it from " + (dir / "catalog.d").string()) !=
        std::string::npos);
  std::filesystem::remove(dir / "catalog.d" / "b.json");
  std::filesystem::create_directory(dir / "catalog.d" / "sub.json");
  CHECK(error_of([&] { (void)Catalog::load(dir / "catalog.d", {}); }).find("sub.json: a folder, not a JSON file; remove it") !=
        std::string::npos);
  std::filesystem::remove_all(dir);
}
