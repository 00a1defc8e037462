// SPDX-License-Identifier: Apache-2.0
#include "core/cli_args/argv_normalizer.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "core/util/error.hpp"
#include "core/util/repo_path.hpp"
#include "core/util/strings.hpp"

namespace xl {

// xinference's multi-letter short flags and alternative spellings -> xlaunch's long flags.
const std::map<std::string, std::string>& flag_aliases() {
  static const std::map<std::string, std::string> table = {
      {"-en", "--model-engine"},   {"-mp", "--model-path"},       {"--model_path", "--model-path"},
      {"-ev", "--env"},            {"-lm", "--lora-modules"},     {"-ak", "--api-key"},
      {"--download_hub", "--download-hub"},
  };
  return table;
}

namespace {

// The engines' own single-dash flags of more than one letter (vLLM, SGLang, llama.cpp;
// engines.md §1.2, §3.1). The flag parser would read "-tp 4" as -t with the value "p", and
// "-ngl 50" as -n, so they go to the engine as typed, with their value.
const std::set<std::string>& engine_short_flags() {
  static const std::set<std::string> flags = {
      "-tp", "-pp", "-dp", "-ep", "-ngl", "-np", "-fa", "-sm", "-ts", "-mg", "-ncmoe", "-cmoe",
      "-ot", "-fit", "-rea", "-cb", "-ctk", "-ctv", "-ub", "-nkvo", "-dev",
  };
  return flags;
}

// Flags of `xinference launch` that talk to a server, with why xlaunch has no use for them.
const std::map<std::string, std::string>& server_only_flags() {
  static const std::map<std::string, std::string> table = {
      {"-e", "xlaunch runs the engine itself; there is no Xinference endpoint to talk to"},
      {"--endpoint", "xlaunch runs the engine itself; there is no Xinference endpoint to talk to"},
      {"--worker-ip", "xlaunch runs on the machine it is started on; for several machines use --nnodes/--node-rank"},
      {"--enable-virtual-env", "xlaunch runs the engine installed on this machine; it manages no virtualenvs"},
      {"--disable-virtual-env", "xlaunch runs the engine installed on this machine; it manages no virtualenvs"},
      {"-vp", "xlaunch runs the engine installed on this machine; it manages no virtualenvs"},
      {"--virtual-env-package", "xlaunch runs the engine installed on this machine; it manages no virtualenvs"},
      {"--virtual-env-find-link", "xlaunch runs the engine installed on this machine; it manages no virtualenvs"},
  };
  return table;
}

std::string flag_name(const std::string& word) {
  const auto equals = word.find('=');
  return equals == std::string::npos ? word : word.substr(0, equals);
}

bool looks_like_flag(const std::string& word) {
  if (word.size() < 2 || word[0] != '-') {
    return false;
  }
  // "-1" or "-0.5" is a negative value, not a flag.
  return !(std::isdigit(static_cast<unsigned char>(word[1])) || word[1] == '.');
}

// A first word that is no command is the start of a launch line, unless it looks like a
// command mistyped ("lsit", "LIST", "version"): then `--model-name is required` would be the
// wrong error. A command typed after flags (`xlaunch --json list`) is said too.
void refuse_misplaced_command(const std::vector<std::string>& args, const std::vector<std::string>& commands) {
  if (args.empty()) {
    return;
  }
  std::vector<std::string> visible;
  for (const auto& name : commands) {
    if (name.rfind("__", 0) != 0) {
      visible.push_back(name);
    }
  }
  const auto names_model = [](const std::string& word) {
    return word == "-n" || word.rfind("--model-name", 0) == 0 || word.rfind("--model_name", 0) == 0;
  };
  const std::string& first = args.front();
  if (!first.empty() && first.front() != '-') {
    std::string lowered = first;
    std::transform(lowered.begin(), lowered.end(), lowered.begin(), [](unsigned char c) { return std::tolower(c); });
    if (lowered == "version") {
      throw Error(ExitCode::usage, "unknown command " + printable(first) + "; did you mean 'xlaunch --version'?");
    }
    auto suggestion = std::find(visible.begin(), visible.end(), lowered) != visible.end()
                          ? std::optional<std::string>(lowered)
                          : closest_match(lowered, visible);
    if (suggestion) {
      throw Error(ExitCode::usage, "unknown command " + printable(first) + "; did you mean '" + *suggestion +
                                       "'? ('xlaunch --help' lists the commands)");
    }
    if (!std::any_of(args.begin(), args.end(), names_model)) {
      throw Error(ExitCode::usage, "unknown command " + printable(first) + "; to launch a model, name it with -n: "
                                       "xlaunch -n " + printable(first) + " ('xlaunch --help' lists the commands)");
    }
    return;
  }
  if (std::any_of(args.begin(), args.end(), names_model)) {
    return;
  }
  for (const auto& word : args) {
    if (word == "--") {
      return;
    }
    if (std::find(visible.begin(), visible.end(), word) != visible.end() && word != "launch") {
      throw Error(ExitCode::usage, "'" + word + "' is a command: put it first, as in 'xlaunch " + word +
                                       " --json'; options go after it");
    }
  }
}

}  // namespace

const std::vector<std::string>& command_names() {
  static const std::vector<std::string> names = {"launch", "download", "list", "engines", "cached",
                                                 "remove-cache", "config", "completion", "__complete"};
  return names;
}

NormalizedArgv normalize_argv(const std::vector<std::string>& args) {
  NormalizedArgv result;
  std::size_t first = 0;
  const auto& commands = command_names();
  if (!args.empty() && std::find(commands.begin(), commands.end(), args.front()) != commands.end()) {
    result.command = args.front();
    first = 1;
  } else {
    refuse_misplaced_command(args, commands);
    result.command = "launch";
  }
  bool after_separator = false;
  for (std::size_t i = first; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (after_separator) {
      result.raw_args.push_back(word);
      continue;
    }
    if (word == "--") {
      after_separator = true;
      continue;
    }
    const std::string name = flag_name(word);
    if (engine_short_flags().count(name) != 0) {
      result.raw_args.push_back(word);
      if (name.size() == word.size() && i + 1 < args.size() && !args[i + 1].starts_with("-")) {
        result.raw_args.push_back(args[++i]);
      }
      continue;
    }
    if (const auto refused = server_only_flags().find(name); refused != server_only_flags().end()) {
      throw Error(ExitCode::usage, name + " is not supported: " + refused->second);
    }
    if (const auto alias = flag_aliases().find(name); alias != flag_aliases().end()) {
      result.parser_args.push_back(alias->second + word.substr(name.size()));
      continue;
    }
    result.parser_args.push_back(word);
  }
  return result;
}

std::vector<ExtraArg> group_extra_args(const std::vector<std::string>& unrecognised, const std::vector<std::string>& raw) {
  std::vector<ExtraArg> extras;
  for (std::size_t i = 0; i < unrecognised.size(); ++i) {
    const std::string& word = unrecognised[i];
    if (!looks_like_flag(word)) {
      throw Error(ExitCode::usage, "unexpected argument '" + word +
                                       "'; name the model with --model-name, and put engine arguments after their --flag or after --");
    }
    ExtraArg extra;
    const auto equals = word.find('=');
    if (equals != std::string::npos) {
      extra.flag = word.substr(0, equals);
      extra.value = word.substr(equals + 1);
    } else {
      extra.flag = word;
      if (i + 1 < unrecognised.size() && !looks_like_flag(unrecognised[i + 1])) {
        extra.value = unrecognised[++i];
      }
    }
    extras.push_back(std::move(extra));
  }
  for (const auto& word : raw) {
    extras.push_back(ExtraArg{word, std::nullopt, true});
  }
  return extras;
}

}  // namespace xl
