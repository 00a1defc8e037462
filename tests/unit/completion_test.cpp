// SPDX-License-Identifier: Apache-2.0
#include <doctest/doctest.h>

#include <deque>

#include "core/completion/catalog_values.hpp"
#include "core/completion/completion.hpp"
#include "core/engines/compatibility.hpp"
#include "core/engines/engine.hpp"

using namespace xl::completion;
using xl::catalog::FlatSpec;
using xl::catalog::LlmFamily;

namespace {

// The engine registry's own rules on a fixed platform, so the test does not depend on the host.
class PlatformRules final : public xl::EngineRules {
 public:
  explicit PlatformRules(xl::hardware::Platform platform) : m_platform(std::move(platform)) {}
  std::vector<std::string> engine_names() const override {
    std::vector<std::string> names;
    for (const auto engine : xl::engines::all_engines()) {
      names.emplace_back(xl::engines::engine_name(engine));
    }
    return names;
  }
  std::optional<std::string> canonical_name(std::string_view typed) const override {
    const auto engine = xl::engines::find_engine(typed);
    return engine ? std::optional<std::string>(xl::engines::engine_name(*engine)) : std::nullopt;
  }
  std::optional<std::string> why_cannot_run(const std::string& engine, const FlatSpec& spec) const override {
    return xl::engines::engine_can_run(*xl::engines::find_engine(engine), spec, m_platform);
  }
  std::string natural_engine(const FlatSpec& spec) const override {
    return std::string(xl::engines::engine_name(xl::engines::natural_engine(spec, m_platform)));
  }

 private:
  xl::hardware::Platform m_platform;
};

const PlatformRules k_mac{{"darwin", "arm64"}};
const PlatformRules k_linux{{"linux", "x86_64"}};

// A small catalog shaped like the real one: two families, several formats, two hubs.
struct TestCatalog {
  std::deque<LlmFamily> families;
  std::vector<FlatSpec> specs;

  TestCatalog() {
    auto& r1 = families.emplace_back();
    r1.model_name = "deepseek-r1";
    r1.model_ability = {"chat", "reasoning"};
    auto& v2 = families.emplace_back();
    v2.model_name = "deepseek-v2-chat";
    v2.model_ability = {"chat"};
    add(r1, "pytorch", "671", "huggingface", "none");
    add(r1, "pytorch", "671", "modelscope", "none");
    add(r1, "awq", "671", "huggingface", "Int4");
    add(r1, "ggufv2", "671", "huggingface", "UD-IQ1_S", 3);
    add(r1, "ggufv2", "671", "huggingface", "Q4_K_M", 9);
    add(r1, "mlx", "671", "huggingface", "4bit");
    add(v2, "pytorch", "236", "huggingface", "none");
    add(v2, "pytorch", "16", "huggingface", "none");
    add(v2, "pytorch", "1_5", "modelscope", "none");
  }

  void add(const LlmFamily& family, std::string format, std::string size, std::string hub, std::string quant, int parts = 0) {
    FlatSpec spec;
    spec.family = &family;
    spec.model_format = std::move(format);
    spec.size.text = std::move(size);
    spec.hub = std::move(hub);
    spec.quantization = std::move(quant);
    for (int i = 0; i < parts; ++i) {
      spec.parts.push_back(std::to_string(i + 1));
    }
    specs.push_back(std::move(spec));
  }
};

OptionInfo option(std::vector<std::string> names, int values = 0, ValueKind kind = ValueKind::none, bool repeatable = false) {
  OptionInfo info;
  info.names = std::move(names);
  info.values = values;
  info.kind = kind;
  info.repeatable = repeatable;
  info.description = "about " + info.names.back();
  return info;
}

Grammar test_grammar() {
  Grammar grammar;
  grammar.default_command = "launch";
  CommandInfo launch{"launch", "launch a model", {}, ValueKind::none, {}};
  launch.options = {option({"-n", "--model-name"}, 1, ValueKind::model),
                    option({"-en", "--model-engine"}, 1, ValueKind::engine),
                    option({"-f", "--model-format"}, 1, ValueKind::format),
                    option({"-s", "--size-in-billions"}, 1, ValueKind::size),
                    option({"-q", "--quantization"}, 1, ValueKind::quantization),
                    option({"--download-hub"}, 1, ValueKind::hub),
                    option({"-ev", "--env"}, 2, ValueKind::none, true),
                    option({"-mp", "--model-path"}, 1, ValueKind::file),
                    option({"--dry-run"})};
  CommandInfo remove{"remove-cache", "delete a cached model", {option({"--yes"})}, ValueKind::model_version, {}};
  CommandInfo shell{"completion", "print a completion script", {}, ValueKind::choice, {"bash", "zsh", "fish"}};
  grammar.commands = {launch, CommandInfo{"list", "list models", {option({"--json"})}, ValueKind::none, {}}, remove, shell};
  grammar.global_options = {option({"-h", "--help"}), option({"--version"})};
  return grammar;
}

std::vector<std::string> values(const Completion& completion) {
  std::vector<std::string> out;
  for (const auto& candidate : completion.candidates) {
    out.push_back(candidate.value);
  }
  return out;
}

std::vector<std::string> run(std::vector<std::string> words, const xl::EngineRules& rules = k_linux) {
  static const TestCatalog catalog;
  const auto grammar = test_grammar();
  CompletionData data{catalog.specs, {"deepseek-r1--671B--awq--Int4", "deepseek-v2-chat--16B--pytorch--none"}, rules};
  return values(complete(grammar, words, data));
}

using Words = std::vector<std::string>;

}  // namespace

TEST_CASE("completion: first word offers commands, a dash offers the default command's flags") {
  CHECK(run({""}) == Words{"launch", "list", "remove-cache", "completion"});
  CHECK(run({"l"}) == Words{"launch", "list"});
  CHECK(run({"--m"}) == Words{"--model-name", "--model-engine", "--model-format", "--model-path"});
  const auto dash = run({"-"});
  CHECK(dash.front() == "--model-name");
  CHECK(std::find(dash.begin(), dash.end(), "-n") == dash.end());
  CHECK(std::find(dash.begin(), dash.end(), "--help") != dash.end());
  CHECK(run({"-e"}) == Words{"-en", "-ev"});
}

TEST_CASE("completion: model names, then only what fits the model and the flags typed") {
  CHECK(run({"launch", "-n", ""}) == Words{"deepseek-r1", "deepseek-v2-chat"});
  CHECK(run({"-n", "deepseek-v"}) == Words{"deepseek-v2-chat"});
  CHECK(run({"-n", "DEEPSEEK-R"}) == Words{"deepseek-r1"});
  CHECK(run({"launch", "-n", "deepseek-r1", "-en", ""}) == Words{"vLLM", "SGLang", "llama.cpp", "Transformers"});
  CHECK(run({"launch", "-n", "deepseek-r1", "-en", ""}, k_mac) == Words{"llama.cpp", "MLX", "Transformers"});
  CHECK(run({"-n", "deepseek-v2-chat", "-en", ""}) == Words{"vLLM", "SGLang", "Transformers"});
  CHECK(run({"-n", "deepseek-r1", "-f", ""}) == Words{"pytorch", "awq", "ggufv2", "mlx"});
  CHECK(run({"-n", "deepseek-r1", "-en", "llama.cpp", "-f", ""}) == Words{"ggufv2"});
  CHECK(run({"-n", "deepseek-r1", "-en", "LLAMA.CPP", "-q", ""}) == Words{"UD-IQ1_S", "Q4_K_M"});
  CHECK(run({"-n", "deepseek-r1", "-en", "vllm", "-f", ""}) == Words{"pytorch", "awq"});
  CHECK(run({"-n", "deepseek-r1", "-f", "mlx", "-en", ""}, k_mac) == Words{"MLX"});
  CHECK(run({"-n", "deepseek-r1", "-f", "mlx", "-en", ""}).empty());
  CHECK(run({"-n", "deepseek-v2-chat", "-s", ""}) == Words{"1.5", "16", "236"});
  CHECK(run({"-n", "deepseek-v2-chat", "--download-hub", "modelscope", "-s", ""}) == Words{"1.5"});
  CHECK(run({"-n", "deepseek-v2-chat", "-s", "1.5", "--download-hub", ""}) == Words{"auto", "modelscope"});
  CHECK(run({"-n", "deepseek-v2-chat", "-s", "1_5", "--download-hub", ""}) == Words{"auto", "modelscope"});
  CHECK(run({"-q", "Int4", "-n", ""}) == Words{"deepseek-r1"});
}

TEST_CASE("completion: --opt=value words, pairs, switches and pass-through flags") {
  CHECK(run({"--model-name=deepseek-r"}) == Words{"--model-name=deepseek-r1"});
  CHECK(run({"--model-name=deepseek-r1", "-f", "a"}) == Words{"awq"});
  CHECK(run({"--dry-run", "-n", "deepseek-r1", "--max_model_len", "8192", "-f", "g"}) == Words{"ggufv2"});
  CHECK(run({"-ev", "KEY", ""}).empty());
  CHECK(run({"-ev", "KEY", "VALUE", "-n", "deepseek-r"}) == Words{"deepseek-r1"});
  CHECK(run({"-n", "deepseek-r1", "--", "-"}).empty());
  CHECK(run({"--dry-run=x"}).empty());
}

TEST_CASE("completion: used switches are not offered again, repeatable ones are") {
  const auto after = run({"--dry-run", "-ev", "A", "B", "--"});
  CHECK(std::find(after.begin(), after.end(), "--dry-run") == after.end());
  CHECK(std::find(after.begin(), after.end(), "--env") != after.end());
}

TEST_CASE("completion: positionals of other commands, cached versions and file fallback") {
  CHECK(run({"remove-cache", ""}) == Words{"deepseek-r1--671B--awq--Int4", "deepseek-v2-chat--16B--pytorch--none"});
  CHECK(run({"remove-cache", "deepseek-v"}) == Words{"deepseek-v2-chat--16B--pytorch--none"});
  CHECK(run({"remove-cache", "--"}) == Words{"--yes", "--help", "--version"});
  CHECK(run({"completion", ""}) == Words{"bash", "zsh", "fish"});
  CHECK(run({"completion", "z"}) == Words{"zsh"});
  CHECK(run({"list", ""}).empty());

  static const TestCatalog catalog;
  const CompletionData data{catalog.specs, {}, k_linux};
  const Words words{"-mp", ""};
  const auto path = complete(test_grammar(), words, data);
  CHECK(path.candidates.empty());
  CHECK(path.fallback == Fallback::files);
  CHECK(format_completion(path) == ":files\n");
}

TEST_CASE("completion: the wire format has one candidate per line with an optional description") {
  Completion completion;
  completion.candidates = {{"deepseek-r1", "chat, reasoning"}, {"plain", ""}};
  completion.fallback = Fallback::directories;
  CHECK(format_completion(completion) == "deepseek-r1\tchat, reasoning\nplain\n:dirs\n");
  const TestCatalog catalog;
  const Words words{"-n", "deepseek-r"};
  const auto result = complete(test_grammar(), words, CompletionData{catalog.specs, {}, k_linux});
  REQUIRE(result.candidates.size() == 1);
  CHECK(result.candidates[0].description == "chat, reasoning");
}

TEST_CASE("completion: value kinds of xlaunch's long options") {
  CHECK(value_kind_for("--model-name") == ValueKind::model);
  CHECK(value_kind_for("--model-engine") == ValueKind::engine);
  CHECK(value_kind_for("--quantization") == ValueKind::quantization);
  CHECK(value_kind_for("--cache-dir") == ValueKind::directory);
  CHECK(value_kind_for("--port") == ValueKind::none);
}

TEST_CASE("completion: a typed engine narrows by the registry's rules, unknown engines match nothing") {
  CHECK(run({"-n", "deepseek-r1", "-en", "vllm", "-q", ""}) == Words{"none", "Int4"});
  CHECK(run({"-n", "deepseek-r1", "-en", "transformers", "-f", ""}) == Words{"pytorch", "awq"});
  CHECK(run({"-n", "deepseek-r1", "-en", "nosuchengine", "-f", ""}).empty());
}
