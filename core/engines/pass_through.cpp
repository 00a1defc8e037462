// SPDX-License-Identifier: Apache-2.0
#include "core/engines/pass_through.hpp"

#include <charconv>

#include "core/util/error.hpp"

namespace xl::engines {
namespace {

// "--max_model_len" -> "--max-model-len"; "--a_b=v" -> "--a-b=v" (the value keeps underscores).
std::string dash_spelling(const std::string& flag) {
  std::string out = flag;
  const auto stop = std::min(out.find('='), out.size());
  for (std::size_t i = 0; i < stop; ++i) {
    if (out[i] == '_') {
      out[i] = '-';
    }
  }
  return out;
}

std::optional<std::int64_t> to_int(const std::string& text) {
  std::int64_t value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || value <= 0) {
    return std::nullopt;
  }
  return value;
}

}  // namespace

std::vector<std::string> pass_through_words(const std::vector<ExtraArg>& extra_args, FalseSwitch false_switch,
                                            std::vector<std::string>* dropped) {
  std::vector<std::string> words;
  for (const auto& arg : extra_args) {
    if (arg.raw) {
      words.push_back(arg.flag);
      if (arg.value) {
        words.push_back(*arg.value);
      }
      continue;
    }
    if (arg.flag.size() < 2 || arg.flag[0] != '-') {
      throw Error(ExitCode::usage, "engine argument '" + arg.flag +
                                       "' must be a flag starting with --; put words that "
                                       "should reach the engine verbatim after --");
    }
    const std::string flag = dash_spelling(arg.flag);
    if (arg.value && (*arg.value == "True" || *arg.value == "true")) {
      words.push_back(flag);
    } else if (arg.value && (*arg.value == "False" || *arg.value == "false") &&
               flag.rfind("--", 0) == 0) {
      if (false_switch == FalseSwitch::no_form) {
        words.push_back("--no-" + flag.substr(2));
      } else if (dropped != nullptr) {
        dropped->push_back(flag + " " + *arg.value + " left out: the switch has no --no- form and is off unless given");
      }
    } else {
      words.push_back(flag);
      if (arg.value) {
        words.push_back(*arg.value);
      }
    }
  }
  return words;
}

bool passes_flag(const std::vector<ExtraArg>& extra_args,
                 std::initializer_list<std::string_view> flags) {
  for (const auto& arg : extra_args) {
    const std::string spelled = arg.raw ? arg.flag : dash_spelling(arg.flag);
    const std::string_view name = std::string_view(spelled).substr(0, spelled.find('='));
    for (const auto flag : flags) {
      if (name == flag) {
        return true;
      }
    }
  }
  return false;
}

std::optional<std::int64_t> requested_context_length(const LaunchOptions& options) {
  std::optional<std::int64_t> found = options.context_length;
  for (const auto& arg : options.extra_args) {
    std::string flag = dash_spelling(arg.flag);
    std::optional<std::string> value = arg.value;
    if (const auto eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    }
    if (!value) {
      continue;
    }
    if (flag == "--max-model-len" || flag == "--context-length" || flag == "--ctx-size" ||
        flag == "-c") {
      if (auto number = to_int(*value)) {
        found = number;
      }
    }
  }
  return found;
}

std::vector<std::string> lora_words(Engine engine,
                                    const std::vector<std::pair<std::string, std::string>>& loras) {
  std::vector<std::string> words;
  if (loras.empty()) {
    return words;
  }
  switch (engine) {
    case Engine::vllm:
      words = {"--enable-lora", "--lora-modules"};
      for (const auto& [name, path] : loras) {
        words.push_back(name + "=" + path);
      }
      break;
    case Engine::sglang:
      words = {"--lora-paths"};
      for (const auto& [name, path] : loras) {
        words.push_back(name + "=" + path);
      }
      break;
    case Engine::llama_cpp:
      // llama-server applies every --lora adapter to all requests; it has no adapter names.
      for (const auto& lora : loras) {
        words.push_back("--lora");
        words.push_back(lora.second);
      }
      break;
    case Engine::mlx:
      if (loras.size() > 1) {
        throw Error(ExitCode::usage,
                    "MLX's server takes one adapter (--adapter-path); got " +
                        std::to_string(loras.size()) + " -lm adapters");
      }
      words = {"--adapter-path", loras.front().second};
      break;
    case Engine::transformers:
      throw Error(ExitCode::usage,
                  "transformers serve has no LoRA option; drop -lm or use vLLM, SGLang or "
                  "llama.cpp");
  }
  return words;
}

std::vector<std::string> api_key_words(Engine engine, const std::optional<std::string>& api_key) {
  if (!api_key) {
    return {};
  }
  if (engine == Engine::mlx || engine == Engine::transformers) {
    throw Error(ExitCode::usage, std::string(engine_name(engine)) +
                                     "'s server has no API key option; drop -ak or use vLLM, "
                                     "SGLang or llama.cpp");
  }
  return {"--api-key", *api_key};
}

}  // namespace xl::engines
