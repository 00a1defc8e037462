// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include "core/hub_env/hub_settings.hpp"
#include "core/util/error.hpp"
#include "fake_http.hpp"
#include "hubs/huggingface_hub.hpp"
#include "hubs/modelscope_hub.hpp"
#include "hubs/url.hpp"

using namespace xl;
using xl::testing::json_response;

namespace {

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "no error";
}

HfSettings hf_settings(std::optional<std::string> token = std::nullopt) {
  HfSettings settings;
  settings.endpoint = "https://hf.example";
  settings.token = std::move(token);
  settings.token_source = settings.token ? "HF_TOKEN" : "";
  return settings;
}

}  // namespace

TEST_CASE("quote follows Python's urllib.parse.quote") {
  CHECK(hubs::quote("refs/pr/3", "") == "refs%2Fpr%2F3");
  CHECK(hubs::quote("v1.0_a-b~") == "v1.0_a-b~");
  CHECK(hubs::quote("dir/a b#c?d%e.gguf") == "dir/a%20b%23c%3Fd%25e.gguf");
  CHECK(hubs::quote_plus("a b/c") == "a+b%2Fc");
  CHECK(hubs::unquote("a+b%2Fc", true) == "a b/c");
  CHECK(hubs::unquote("100%") == "100%");
}

TEST_CASE("Link header: next page, absolute or relative") {
  CHECK(hubs::link_next("<https://h/x?cursor=2>; rel=\"next\"", "https://h") == "https://h/x?cursor=2");
  CHECK(hubs::link_next("</x?c=1>; rel=\"prev\", </x?c=3>; rel=next", "http://127.0.0.1:5") == "http://127.0.0.1:5/x?c=3");
  CHECK_FALSE(hubs::link_next("<https://h/x>; rel=\"prev\"", "https://h").has_value());
}

TEST_CASE("Hugging Face URLs encode revision and path like huggingface_hub") {
  hubs::HuggingFaceHub hub(hf_settings("hf_secret"));
  auto request = hub.revision_request("acme/tiny", "refs/pr/1");
  CHECK(request.url == "https://hf.example/api/models/acme/tiny/revision/refs%2Fpr%2F1");
  CHECK(hubs::header_value(request.headers, "authorization") == "Bearer hf_secret");
  const hubs::RevisionInfo rev{"main", std::string(40, 'a')};
  CHECK(hub.listing_request("acme/tiny", rev).url ==
        "https://hf.example/api/models/acme/tiny/tree/" + std::string(40, 'a') + "?recursive=true&expand=false");
  CHECK(hub.file_request("acme/tiny", rev, "Q4 K/model #1.gguf").url ==
        "https://hf.example/acme/tiny/resolve/" + std::string(40, 'a') + "/Q4%20K/model%20%231.gguf");
  CHECK(hub.pinned(std::string(40, 'b')).has_value());
  CHECK_FALSE(hub.pinned("main").has_value());
  CHECK_FALSE(hub.pinned(std::string(40, 'B')).has_value());
}

TEST_CASE("no token, no Authorization header") {
  hubs::HuggingFaceHub hub(hf_settings());
  CHECK_FALSE(hubs::header_value(hub.revision_request("acme/tiny", "main").headers, "Authorization"));
}

TEST_CASE("repo ids are validated before they reach a URL") {
  CHECK_NOTHROW(hubs::validate_repo_id("unsloth/DeepSeek-R1-GGUF"));
  CHECK_NOTHROW(hubs::validate_repo_id("gpt2"));
  CHECK_THROWS_AS(hubs::validate_repo_id("a/b/c"), Error);
  CHECK_THROWS_AS(hubs::validate_repo_id("../etc"), Error);
  CHECK_THROWS_AS(hubs::validate_repo_id("a--b/c"), Error);
  CHECK_THROWS_AS(hubs::validate_repo_id("a/b?x=1"), Error);
  CHECK(hubs::is_safe_repo_path("a/b.gguf"));
  CHECK_FALSE(hubs::is_safe_repo_path("../x"));
  CHECK_FALSE(hubs::is_safe_repo_path("/abs"));
  CHECK_FALSE(hubs::is_safe_repo_path("a//b"));
}

TEST_CASE("Hugging Face tree listing: files only, LFS sha256, next page") {
  hubs::HuggingFaceHub hub(hf_settings());
  auto response = json_response(200, R"([
    {"type":"file","oid":"4f3a000000000000000000000000000000000001","size":612,"path":"config.json"},
    {"type":"directory","oid":"0d1e","size":0,"path":"onnx"},
    {"type":"file","oid":"1a2b000000000000000000000000000000000002","size":9,"path":"onnx/model.onnx",
     "lfs":{"oid":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08","size":9,"pointerSize":135}}])");
  response.headers.items.emplace_back("link", "<https://hf.example/api/models/acme/tiny/tree/x?cursor=abc>; rel=\"next\"");
  auto page = hub.parse_listing(response, "acme/tiny", {"main", "x"});
  REQUIRE(page.files.size() == 2);
  CHECK(page.files[0].path == "config.json");
  CHECK_FALSE(page.files[0].lfs);
  CHECK(page.files[0].git_oid == "4f3a000000000000000000000000000000000001");
  CHECK(page.files[1].lfs);
  CHECK(page.files[1].sha256 == "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
  CHECK(page.next_url == "https://hf.example/api/models/acme/tiny/tree/x?cursor=abc");

  auto unsafe = json_response(200, R"([{"type":"file","oid":"1","size":1,"path":"../../escape"}])");
  CHECK(error_of([&] { hub.parse_listing(unsafe, "acme/tiny", {"main", "x"}); }).find("the path has a '..' segment") != std::string::npos);
  CHECK(error_of([&] { hub.parse_listing(json_response(200, "{}"), "acme/tiny", {"main", "x"}); })
            .find("not a JSON list") != std::string::npos);
}

TEST_CASE("Hugging Face errors become messages a user can act on") {
  hubs::HuggingFaceHub anonymous(hf_settings());
  hubs::HuggingFaceHub with_token(hf_settings("hf_x"));
  auto with_code = [](long status, const std::string& code) {
    auto response = json_response(status, R"({"error":"x"})");
    response.headers.items.emplace_back("X-Error-Code", code);
    return response;
  };
  CHECK(anonymous.error_message(with_code(401, "RepoNotFound"), "acme/tiny", "main").find("set HF_TOKEN") !=
        std::string::npos);
  CHECK(anonymous.error_message(with_code(401, "GatedRepo"), "acme/gated", "main").find("accept its terms at https://hf.example/acme/gated") !=
        std::string::npos);
  CHECK(with_token.error_message(with_code(403, "GatedRepo"), "acme/gated", "main").find("not been granted") !=
        std::string::npos);
  CHECK(anonymous.error_message(with_code(404, "RevisionNotFound"), "acme/tiny", "v9").find("revision 'v9' not found") !=
        std::string::npos);
  CHECK(anonymous.error_message(with_code(404, "EntryNotFound"), "acme/tiny", "main", "a.gguf")
            .find("file 'a.gguf' not found") != std::string::npos);
  http::Response bad_token;
  bad_token.status = 401;
  bad_token.headers.items.emplace_back("X-Error-Message", "Invalid credentials in Authorization header");
  CHECK(with_token.error_message(bad_token, "acme/tiny", "main").find("rejected the token from HF_TOKEN") !=
        std::string::npos);
  http::Response unreachable;
  unreachable.error = "Connection refused";
  CHECK(anonymous.error_message(unreachable, "acme/tiny", "main").find("cannot reach Hugging Face") != std::string::npos);
  CHECK(error_of([&] { anonymous.parse_revision(with_code(404, "RepoNotFound"), "acme/none", "main"); })
            .find("repository acme/none not found") != std::string::npos);
  CHECK(error_of([&] { anonymous.parse_revision(json_response(200, R"({"sha":null})"), "acme/tiny", "main"); })
            .find("without a commit id") != std::string::npos);
}

TEST_CASE("ModelScope: token as Bearer and cookie, form-encoded file URL") {
  MsSettings settings;
  settings.endpoint = "http://ms.example";
  settings.token = "ms_secret";
  hubs::ModelScopeHub hub(settings);
  auto request = hub.file_request("acme/Tiny-0.5B", {"release v1", "c"}, "sub dir/model.gguf");
  CHECK(request.url == "http://ms.example/api/v1/models/acme/Tiny-0.5B/repo?Revision=release+v1&FilePath=sub+dir%2Fmodel.gguf");
  CHECK(hubs::header_value(request.headers, "Authorization") == "Bearer ms_secret");
  CHECK(hubs::header_value(request.headers, "Cookie") == "m_session_id=ms_secret");
  CHECK(hub.listing_request("acme/x", {"master", "c"}).url ==
        "http://ms.example/api/v1/models/acme/x/repo/files?Revision=master&Recursive=True");
}

TEST_CASE("ModelScope: Files null is an error, never an empty success") {
  hubs::ModelScopeHub hub(MsSettings{"http://ms.example", std::nullopt, {}});
  auto null_files = json_response(200, R"({"Code":200,"Success":true,"Data":{"Files":null}})");
  CHECK(error_of([&] { hub.parse_listing(null_files, "acme/x", {"v9", "v9"}); }).find("revision probably does not exist") !=
        std::string::npos);
  auto listing = json_response(200, R"({"Code":200,"Success":true,"Data":{"Files":[
     {"Name":".gitattributes","Path":".gitattributes","Type":"blob","Size":3,"Sha256":""},
     {"Name":"sub","Path":"sub","Type":"tree","Size":0},
     {"Name":"a.bin","Path":"sub/a.bin","Type":"blob","Size":5,
      "Sha256":"2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824","IsLFS":true}]}})");
  auto page = hub.parse_listing(listing, "acme/x", {"master", "master"});
  REQUIRE(page.files.size() == 1);
  CHECK(page.files[0].path == "sub/a.bin");
  CHECK(page.files[0].size == 5);
  CHECK(page.files[0].sha256 == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
}

TEST_CASE("ModelScope revisions: known names resolve, unknown ones list the choices") {
  hubs::ModelScopeHub hub(MsSettings{"http://ms.example", std::nullopt, {}});
  auto revisions = json_response(200, R"({"Code":200,"Success":true,"Data":{"RevisionMap":{
      "Branches":[{"Revision":"master","CommitId":"e45f"}],"Tags":[{"Revision":"v1.0.0","CommitId":"aa11"}]}}})");
  CHECK(hub.parse_revision(revisions, "acme/x", "v1.0.0").commit == "aa11");
  const auto message = error_of([&] { hub.parse_revision(revisions, "acme/x", "v2"); });
  CHECK(message.find("revision 'v2' not found") != std::string::npos);
  CHECK(message.find("master, v1.0.0") != std::string::npos);
  CHECK(error_of([&] { hub.parse_revision(json_response(404, R"({"Code":404,"Message":"模型不存在"})"), "acme/none", "master"); })
            .find("model acme/none not found on ModelScope") != std::string::npos);
  CHECK(error_of([&] { hub.parse_revision(json_response(403, "{}"), "acme/private", "master"); })
            .find("set MODELSCOPE_API_TOKEN") != std::string::npos);
}
