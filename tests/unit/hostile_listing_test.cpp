// SPDX-License-Identifier: Apache-2.0
// Hub listings are untrusted: every malformed or hostile entry is refused with an Error(download)
// naming the entry and the problem, never a crash, never a path that leaves the snapshot folder.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "core/cache/snapshot_path.hpp"
#include "core/util/error.hpp"
#include "core/util/repo_path.hpp"
#include "fake_http.hpp"
#include "hubs/huggingface_hub.hpp"
#include "hubs/listing_entry.hpp"
#include "hubs/modelscope_hub.hpp"
#include "temp_dir.hpp"

using namespace xl;
using xl::testing::json_response;

namespace {

const std::string k_sha1 = "4f3a000000000000000000000000000000000001";
const std::string k_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

// The error of parsing one entry (given as the hub's own JSON for it), or "accepted".
std::string hf_error(const std::string& entry) {
  HfSettings settings;
  settings.endpoint = "https://hf.example";
  const hubs::HuggingFaceHub hub(settings);
  try {
    (void)hub.parse_listing(json_response(200, "[" + entry + "]"), "acme/tiny", {"main", std::string(40, 'a')});
  } catch (const Error& error) {
    CHECK(error.code() == ExitCode::download);
    return error.what();
  }
  return "accepted";
}

std::string ms_error(const std::string& entry) {
  MsSettings settings;
  settings.endpoint = "https://ms.example";
  const hubs::ModelScopeHub hub(settings);
  try {
    (void)hub.parse_listing(json_response(200, R"({"Code":200,"Success":true,"Data":{"Files":[)" + entry + "]}}"),
                            "acme/tiny", {"master", "master"});
  } catch (const Error& error) {
    CHECK(error.code() == ExitCode::download);
    return error.what();
  }
  return "accepted";
}

std::string hf_entry(const std::string& path, const std::string& size = "12", const std::string& oid = "\"" + k_sha1 + "\"") {
  return R"({"type":"file","path":)" + path + R"(,"size":)" + size + R"(,"oid":)" + oid + "}";
}

std::string ms_entry(const std::string& path, const std::string& size = "12", const std::string& sha = "\"" + k_sha256 + "\"") {
  return R"({"Type":"blob","Path":)" + path + R"(,"Size":)" + size + R"(,"Sha256":)" + sha + "}";
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("repo paths: one rule for hub listings and catalogs") {
  CHECK_FALSE(repo_path_problem("DeepSeek-R1-UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf"));
  CHECK_FALSE(repo_path_problem("refs/pr/1"));
  CHECK(repo_path_problem("../../escape") == "has a '..' segment");
  CHECK(repo_path_problem("a/./b") == "has a '.' segment");
  CHECK(repo_path_problem("/etc/passwd") == "is absolute");
  CHECK(repo_path_problem("a\\b") == "contains a backslash");
  CHECK(repo_path_problem(std::string("a\0b", 3)) == "contains a NUL character");
  CHECK(repo_path_problem("a\nb") == "contains a control character");
  CHECK(repo_path_problem("a\x1b[2Jb") == "contains a control character");
  CHECK(repo_path_problem("a//b") == "has an empty segment");
  CHECK(repo_path_problem("a/") == "has an empty segment");
  CHECK(repo_path_problem("") == "is empty");
  CHECK_FALSE(repo_path_problem(std::string(255, 'n')));
  CHECK(repo_path_problem("d/" + std::string(256, 'n')) == "has a name longer than 255 bytes");
  CHECK(repo_path_problem(std::string(5000, 'a')) == "is longer than 1024 bytes");
}

TEST_CASE("printable keeps a hostile name on one short, inert line") {
  CHECK(printable("a\nb\x1b[31m\x7f'\\") == "'a\\nb\\x1b[31m\\x7f\\'\\\\'");
  CHECK(printable(std::string("a\0b", 3)) == "'a\\x00b'");
  const std::string long_one = printable(std::string(5000, 'a'));
  CHECK(long_one.size() < 120);
  CHECK(has(long_one, "...' (5000 bytes)"));
  CHECK(escape_controls("size\x1b") == "size\\x1b");
}

TEST_CASE("hostile paths in a listing are refused by both hubs, naming the entry and the problem") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("../../escape")", "'../../escape' in acme/tiny: the path has a '..' segment"},
      {R"("/etc/passwd")", "'/etc/passwd' in acme/tiny: the path is absolute"},
      {R"("a\\b")", "'a\\\\b' in acme/tiny: the path contains a backslash"},
      {R"("a\u0000b")", "'a\\x00b' in acme/tiny: the path contains a NUL character"},
      {R"("a\nb")", "'a\\nb' in acme/tiny: the path contains a control character"},
      {R"("a\u001b[2Jb")", "'a\\x1b[2Jb' in acme/tiny: the path contains a control character"},
      {"\"" + std::string(5000, 'a') + "\"", "(5000 bytes) in acme/tiny: the path is longer than 1024 bytes"},
      {"\"d/" + std::string(256, 'n') + "\"", "the path has a name longer than 255 bytes"},
      {"42", "field 'path' is '42', not a string"},
  };
  for (const auto& [path, expected] : cases) {
    CAPTURE(path);
    const std::string hf = hf_error(hf_entry(path));
    CHECK(has(hf, "Hugging Face listed "));
    CHECK(has(hf, expected));
    CHECK(has(hf, "check that HF_ENDPOINT"));
    const std::string ms = ms_error(ms_entry(path));
    CHECK(has(ms, "ModelScope listed "));
    CHECK(has(ms, path == "42" ? "field 'Path' is '42', not a string" : expected));
    CHECK(ms.find('\n') == std::string::npos);
    CHECK(ms.find('\x1b') == std::string::npos);
  }
}

TEST_CASE("sizes must be byte counts: not negative, fractional, textual or absurd") {
  CHECK(hf_error(hf_entry("\"a.bin\"", "12")) == "accepted");
  CHECK(has(hf_error(hf_entry("\"a.bin\"", "-1")), "'a.bin' in acme/tiny: size '-1' is not a byte count"));
  CHECK(has(hf_error(hf_entry("\"a.bin\"", "1180591620717411303424")), "is not a byte count"));  // 2^70
  CHECK(has(hf_error(hf_entry("\"a.bin\"", "1.5")), "size '1.5' is not a byte count"));
  CHECK(has(hf_error(hf_entry("\"a.bin\"", "\"12\"")), "size '\"12\"' is not a byte count"));
  CHECK(has(hf_error(hf_entry("\"a.bin\"", "18446744073709551615")), "is larger than 1 PiB"));
  CHECK(has(hf_error(R"({"type":"file","path":"a.bin","oid":")" + k_sha1 + "\"}"), "no 'size'"));
  CHECK(has(ms_error(ms_entry("\"a.bin\"", "-1")), "size '-1' is not a byte count"));
  CHECK(ms_error(ms_entry("\"a.bin\"", "1e400")) != "accepted");
  CHECK(has(ms_error(ms_entry("\"a.bin\"", "null")), "no 'Size'"));
}

TEST_CASE("hashes must be hex of the right length, a blob id can never become a path") {
  CHECK(has(hf_error(hf_entry("\"a.bin\"", "12", R"("../../../../escape")")), "field 'oid' is '../../../../escape', not 40 hex digits"));
  CHECK(has(hf_error(hf_entry("\"a.bin\"", "12", "\"" + std::string(64, 'z') + "\"")), "not 40 hex digits"));
  const std::string lfs_bad = R"({"type":"file","path":"a.bin","size":12,"oid":")" + k_sha1 + R"(","lfs":{"oid":"abc","size":12}})";
  CHECK(has(hf_error(lfs_bad), "field 'oid' is 'abc', not 64 hex digits"));
  const std::string lfs_none = R"({"type":"file","path":"a.bin","size":12,"oid":")" + k_sha1 + R"(","lfs":{"size":12}})";
  CHECK(has(hf_error(lfs_none), "an LFS file without its sha256"));
  CHECK(has(ms_error(ms_entry("\"a.bin\"", "12", R"("not-a-hash")")), "field 'Sha256' is 'not-a-hash', not 64 hex digits"));
  CHECK(ms_error(ms_entry("\"a.bin\"", "12", R"("")")) == "accepted");  // ModelScope sends "" when it has none
  CHECK(ms_error(ms_entry("\"a.bin\"", "12", "\"" + std::string(64, 'A') + "\"")) == "accepted");
}

TEST_CASE("entries of the wrong shape are refused, never thrown as a JSON library error") {
  CHECK(has(hf_error("[1]"), "Hugging Face listed an entry in acme/tiny: expected an object, got '[1]'"));
  CHECK(has(hf_error(R"({"type":7,"path":"a"})"), "field 'type' is '7', not a string"));
  CHECK(has(hf_error(R"({"type":"file","path":"a","size":1,"lfs":"yes"})"), "expected an object"));
  CHECK(has(ms_error(R"({"Type":"blob","Path":"a","Size":1,"IsLFS":"yes"})"), "field 'IsLFS' is '\"yes\"', not true or false"));
  CHECK(has(hf_error(R"({"type":"file","size":1})"), "an entry without 'path'"));
}

TEST_CASE("ModelScope envelopes of the wrong shape are errors") {
  MsSettings settings;
  settings.endpoint = "https://ms.example";
  const hubs::ModelScopeHub hub(settings);
  for (const char* body : {R"({"Data":"x"})", R"({"Data":{"Files":"x"}})", R"({"Data":[1]})", R"([])"}) {
    CAPTURE(body);
    CHECK_THROWS_AS((void)hub.parse_listing(json_response(200, body), "acme/tiny", {"master", "master"}), Error);
    CHECK_THROWS_AS((void)hub.parse_revision(json_response(200, body), "acme/tiny", "master"), Error);
  }
  const auto odd_revisions = json_response(200, R"({"Data":{"RevisionMap":{"Branches":[1,"x",{"Revision":2},{"Revision":"master","CommitId":5}]}}})");
  CHECK(hub.parse_revision(odd_revisions, "acme/tiny", "master").commit == "master");
}

TEST_CASE("deeply nested answers are refused without exhausting the stack") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(hubs::parse_answer(deep).is_discarded());
  CHECK(has(hf_error(deep.substr(1, deep.size() - 2)), "not a JSON list"));
  CHECK_FALSE(hubs::parse_answer(std::string(32, '[') + std::string(32, ']')).is_discarded());
  CHECK(hubs::parse_answer(std::string(33, '[') + std::string(33, ']')).is_discarded());
  std::string objects;
  for (int i = 0; i < 33; ++i) {
    objects += R"({"a":)";
  }
  objects += "1" + std::string(33, '}');
  CHECK(hubs::parse_answer(objects).is_discarded());
  CHECK_FALSE(hubs::parse_answer(objects.substr(5, objects.size() - 6)).is_discarded());  // 32 deep
  // Brackets inside strings, escaped quotes included, are not nesting.
  const auto in_strings = hubs::parse_answer(R"({"a":"[[[[\")" + std::string(40, '{') + R"(", "b":[")" +
                                              std::string(100, '[') + R"("]})");
  REQUIRE_FALSE(in_strings.is_discarded());
  CHECK(in_strings.at("b").at(0).get<std::string>().size() == 100);
}

TEST_CASE("a listing is read element by element, and anything but a whole JSON list is refused") {
  std::vector<std::string> seen;
  const auto collect = [&](const nlohmann::json& element) { seen.push_back(element.dump()); };
  CHECK(hubs::for_each_listed(R"([{"a":[1,{"b":2}]}, 3, "x", [4], null])", collect));
  CHECK(seen == std::vector<std::string>{R"({"a":[1,{"b":2}]})", "3", R"("x")", "[4]", "null"});
  seen.clear();
  CHECK(hubs::for_each_listed("[]", collect));
  CHECK(seen.empty());
  // Not a list: nothing is handed over.
  CHECK_FALSE(hubs::for_each_listed(R"({"a":[1,2]})", collect));
  CHECK_FALSE(hubs::for_each_listed("7", collect));
  CHECK(seen.empty());
  // A list cut short: what came before the flaw was handed over, and the answer is refused.
  CHECK_FALSE(hubs::for_each_listed(R"([{"a":1},{"b":)", collect));
  CHECK(seen == std::vector<std::string>{R"({"a":1})"});
  CHECK_FALSE(hubs::for_each_listed(std::string(40, '[') + std::string(40, ']'), collect));
  // What the reader throws ends the parse.
  int taken = 0;
  CHECK_THROWS_AS(hubs::for_each_listed("[1,2,3]",
                                        [&](const nlohmann::json&) {
                                          if (++taken == 2) {
                                            throw Error(ExitCode::download, "bad entry");
                                          }
                                        }),
                  Error);
  CHECK(taken == 2);
  // A Hugging Face listing cut short is refused as a whole, even after good entries.
  CHECK(has(hf_error(hf_entry("\"a\"") + R"(,{"type":"file")"), "not a JSON list"));
}

TEST_CASE("a listing with a path twice, or a file where a folder is needed, is refused") {
  auto file = [](const std::string& path) {
    hubs::RemoteFile f;
    f.path = path;
    return f;
  };
  CHECK_NOTHROW(hubs::check_listing({file("a/b"), file("a/c"), file("ab")}, "Hugging Face", "acme/tiny"));
  try {
    hubs::check_listing({file("a.bin"), file("b"), file("a.bin")}, "Hugging Face", "acme/tiny");
    FAIL("accepted a duplicate");
  } catch (const Error& error) {
    CHECK(has(error.what(), "Hugging Face listed 'a.bin' in acme/tiny twice"));
  }
  try {
    hubs::check_listing({file("x/y/z.bin"), file("x/y")}, "ModelScope", "acme/tiny");
    FAIL("accepted a file that is also a folder");
  } catch (const Error& error) {
    CHECK(has(error.what(), "ModelScope listed 'x/y' in acme/tiny both as a file and as the folder of 'x/y/z.bin'"));
  }
}

TEST_CASE("a symbolic link inside a snapshot folder is never written through") {
  xl::test::TempDir dir;
  const auto snapshot = dir.path() / "snapshots" / "master";
  const auto outside = dir.path() / "outside";
  std::filesystem::create_directories(snapshot / "real");
  std::filesystem::create_directories(outside);
  std::filesystem::create_directory_symlink(outside, snapshot / "sub");
  std::ofstream(snapshot / "plain") << "x";
  CHECK_NOTHROW(cache::check_snapshot_path(snapshot, "real/a.bin"));
  CHECK_NOTHROW(cache::check_snapshot_path(snapshot, "new/deeper/a.bin"));
  CHECK_NOTHROW(cache::check_snapshot_path(snapshot, "top.bin"));
  try {
    cache::check_snapshot_path(snapshot, "sub/a.bin");
    FAIL("wrote through a symlink");
  } catch (const Error& error) {
    CHECK(error.code() == ExitCode::download);
    CHECK(has(error.what(), "is a symbolic link (to '" + outside.string() + "')"));
    CHECK(has(error.what(), "remove the link and run again"));
  }
  CHECK_THROWS_AS(cache::check_snapshot_path(snapshot, "plain/a.bin"), Error);
}
