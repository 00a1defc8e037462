// SPDX-License-Identifier: Apache-2.0
#include "core/engines/exec_plan.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

namespace xl::engines {
namespace {

bool is_secret_env_name(const std::string& name) {
  std::string upper = name;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  static constexpr std::array<std::string_view, 4> k_markers{"KEY", "TOKEN", "SECRET",
                                                             "PASSWORD"};
  return std::any_of(k_markers.begin(), k_markers.end(), [&](std::string_view marker) {
    return upper.find(marker) != std::string::npos;
  });
}

// Flags whose following word is a secret, in every engine's spelling.
bool is_secret_flag(const std::string& word) {
  return word == "--api-key" || word == "--api_key";
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return !value.empty() && std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

std::string shell_quote(const std::string& word) {
  if (word.empty()) {
    return "''";
  }
  const bool safe = std::all_of(word.begin(), word.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("@%+=:,./-_").find(static_cast<char>(c)) !=
                                  std::string_view::npos;
  });
  if (safe) {
    return word;
  }
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

ExecPlan redacted(const ExecPlan& plan, const std::vector<std::string>& secrets) {
  ExecPlan out = plan;
  for (std::size_t i = 0; i < out.argv.size(); ++i) {
    auto& word = out.argv[i];
    if (i > 0 && is_secret_flag(plan.argv[i - 1])) {
      word = k_redacted;
    } else if (word.rfind("--api-key=", 0) == 0) {
      word = "--api-key=" + std::string(k_redacted);
    } else if (contains(secrets, word)) {
      word = k_redacted;
    }
  }
  for (auto& [name, value] : out.env_set) {
    if (is_secret_env_name(name) || contains(secrets, value)) {
      value = k_redacted;
    }
  }
  return out;
}

std::string render_command(const ExecPlan& plan, const std::vector<std::string>& secrets) {
  const ExecPlan shown = redacted(plan, secrets);
  std::string out;
  auto append = [&out](const std::string& text) {
    if (!out.empty()) {
      out += ' ';
    }
    out += text;
  };
  for (const auto& [name, value] : shown.env_set) {
    append(name + "=" + shell_quote(value));
  }
  for (const auto& word : shown.argv) {
    append(shell_quote(word));
  }
  return out;
}

}  // namespace xl::engines
