// SPDX-License-Identifier: Apache-2.0
#include "core/completion/completion.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

#include "core/completion/catalog_values.hpp"

namespace xl::completion {
namespace {

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), text.begin(),
                    [](unsigned char a, unsigned char b) { return std::tolower(a) == std::tolower(b); });
}

const CommandInfo* find_command(const Grammar& grammar, std::string_view name) {
  for (const auto& command : grammar.commands) {
    if (command.name == name) {
      return &command;
    }
  }
  return nullptr;
}

const OptionInfo* find_option(const CommandInfo* command, const Grammar& grammar, std::string_view name) {
  const auto search = [&](const std::vector<OptionInfo>& options) -> const OptionInfo* {
    for (const auto& option : options) {
      if (std::find(option.names.begin(), option.names.end(), name) != option.names.end()) {
        return &option;
      }
    }
    return nullptr;
  };
  const OptionInfo* found = command != nullptr ? search(command->options) : nullptr;
  return found != nullptr ? found : search(grammar.global_options);
}

// Records a typed value into the selection the catalog filter uses.
void remember(Selection& selection, ValueKind kind, const std::string& value) {
  switch (kind) {
    case ValueKind::model: selection.model = value; break;
    case ValueKind::engine: selection.engine = value; break;
    case ValueKind::format: selection.format = value; break;
    case ValueKind::size: selection.size = value; break;
    case ValueKind::quantization: selection.quantization = value; break;
    case ValueKind::hub: selection.hub = value; break;
    default: break;
  }
}

Completion values_of(ValueKind kind, const std::vector<std::string>& choices, const Selection& selection,
                     const CompletionData& data, std::string_view current, std::string_view prefix) {
  Completion result;
  std::vector<Candidate> all;
  switch (kind) {
    case ValueKind::none: return result;
    case ValueKind::file: result.fallback = Fallback::files; return result;
    case ValueKind::directory: result.fallback = Fallback::directories; return result;
    case ValueKind::choice:
      for (const auto& choice : choices) {
        all.push_back({choice, {}});
      }
      break;
    case ValueKind::model_version:
      for (const auto& version : data.cached_versions) {
        all.push_back({version, {}});
      }
      break;
    default: all = catalog_values(kind, selection, data.specs, data.engines); break;
  }
  for (auto& candidate : all) {
    if (starts_with_nocase(candidate.value, current)) {
      candidate.value = std::string(prefix) + candidate.value;
      result.candidates.push_back(std::move(candidate));
    }
  }
  return result;
}

// Options (and, for an empty first word, commands) that start with `current`. A lone "-" or a
// "--" prefix offers long names only, so each option appears once.
Completion names_of(const CommandInfo* command, const Grammar& grammar, std::string_view current,
                    const std::vector<const OptionInfo*>& used) {
  Completion result;
  const bool long_only = current == "-" || current.starts_with("--");
  const auto add = [&](const std::vector<OptionInfo>& options) {
    for (const auto& option : options) {
      if (!option.repeatable && std::find(used.begin(), used.end(), &option) != used.end()) {
        continue;
      }
      for (const auto& name : option.names) {
        if ((!long_only || name.starts_with("--")) && name.starts_with(current)) {
          result.candidates.push_back({name, option.description});
        }
      }
    }
  };
  if (command != nullptr) {
    add(command->options);
  }
  add(grammar.global_options);
  return result;
}

}  // namespace

Completion complete(const Grammar& grammar, std::span<const std::string> words, const CompletionData& data) {
  const std::string current = words.empty() ? std::string() : words.back();
  const auto typed = words.empty() ? std::span<const std::string>() : words.first(words.size() - 1);

  // The first word picks the command; anything else runs the default command.
  const CommandInfo* command = find_command(grammar, grammar.default_command);
  std::size_t index = 0;
  if (!typed.empty()) {
    if (const auto* named = find_command(grammar, typed[0])) {
      command = named;
      index = 1;
    }
  } else if (!current.starts_with("-")) {
    Completion result;
    for (const auto& candidate : grammar.commands) {
      if (candidate.name.starts_with(current)) {
        result.candidates.push_back({candidate.name, candidate.description});
      }
    }
    // The default command's positional (a model name) is valid here too.
    if (command != nullptr && command->positional != ValueKind::none) {
      auto more = values_of(command->positional, command->positional_choices, {}, data, current, "");
      for (auto& candidate : more.candidates) {
        result.candidates.push_back(std::move(candidate));
      }
      result.fallback = more.fallback;
    }
    return result;
  }

  // Walk the completed words: note which options were used and which values were typed.
  Selection selection;
  std::vector<const OptionInfo*> used;
  const OptionInfo* pending = nullptr;  // option whose value words are still being read
  int pending_left = 0;
  int pending_seen = 0;
  for (; index < typed.size(); ++index) {
    const std::string& word = typed[index];
    if (pending_left > 0) {
      if (pending_seen == 0) {
        remember(selection, pending->kind, word);
      }
      ++pending_seen;
      --pending_left;
      continue;
    }
    if (word == "--") {
      return {};  // everything after -- goes to the engine verbatim
    }
    if (word.starts_with("-")) {
      const auto equals = word.find('=');
      const auto name = word.substr(0, equals);
      const auto* option = find_option(command, grammar, name);
      if (option == nullptr) {
        continue;  // an engine pass-through flag: not ours to complete
      }
      used.push_back(option);
      if (equals != std::string::npos) {
        remember(selection, option->kind, word.substr(equals + 1));
      } else if (option->values > 0) {
        pending = option;
        pending_left = option->values;
        pending_seen = 0;
      }
      continue;
    }
    if (command != nullptr && command->positional == ValueKind::model) {
      selection.model = word;
    }
  }

  // Complete the current word.
  if (pending_left > 0) {
    if (pending_seen > 0) {
      return {};  // the second word of a pair (-ev KEY VALUE): free text
    }
    return values_of(pending->kind, pending->choices, selection, data, current, "");
  }
  if (current.starts_with("--") && current.find('=') != std::string::npos) {
    const auto equals = current.find('=');
    const auto* option = find_option(command, grammar, current.substr(0, equals));
    if (option == nullptr || option->values == 0) {
      return {};
    }
    return values_of(option->kind, option->choices, selection, data, std::string_view(current).substr(equals + 1),
                     std::string_view(current).substr(0, equals + 1));
  }
  if (current.starts_with("-")) {
    return names_of(command, grammar, current, used);
  }
  if (command == nullptr) {
    return {};
  }
  return values_of(command->positional, command->positional_choices, selection, data, current, "");
}

ValueKind value_kind_for(std::string_view long_name) {
  static constexpr std::array<std::pair<std::string_view, ValueKind>, 12> k_kinds{{
      {"--model-name", ValueKind::model},
      {"--model-engine", ValueKind::engine},
      {"--model-format", ValueKind::format},
      {"--size-in-billions", ValueKind::size},
      {"--model-size", ValueKind::size},
      {"--quantization", ValueKind::quantization},
      {"--download-hub", ValueKind::hub},
      {"--hub", ValueKind::hub},
      {"--model-version", ValueKind::model_version},
      {"--model-path", ValueKind::file},
      {"--engine-bin", ValueKind::file},
      {"--cache-dir", ValueKind::directory},
  }};
  for (const auto& [name, kind] : k_kinds) {
    if (name == long_name) {
      return kind;
    }
  }
  return ValueKind::none;
}

std::string format_completion(const Completion& completion) {
  std::string out;
  for (const auto& candidate : completion.candidates) {
    out += candidate.value;
    if (!candidate.description.empty()) {
      out += '\t' + candidate.description;
    }
    out += '\n';
  }
  if (completion.fallback == Fallback::files) {
    out += ":files\n";
  } else if (completion.fallback == Fallback::directories) {
    out += ":dirs\n";
  }
  return out;
}

}  // namespace xl::completion
