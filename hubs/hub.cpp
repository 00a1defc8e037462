// SPDX-License-Identifier: Apache-2.0
#include "hubs/hub.hpp"

#include <cctype>

#include "core/util/error.hpp"
#include "core/util/repo_path.hpp"
#include "hubs/huggingface_hub.hpp"
#include "hubs/modelscope_hub.hpp"

namespace xl::hubs {

std::unique_ptr<Hub> make_hub(const std::string& name, const HubSettings& settings) {
  if (name == "huggingface") {
    return std::make_unique<HuggingFaceHub>(settings.hf);
  }
  if (name == "modelscope") {
    return std::make_unique<ModelScopeHub>(settings.ms);
  }
  throw Error(ExitCode::usage, "unknown download hub '" + name + "'; use huggingface or modelscope");
}

void validate_repo_id(const std::string& model_id) {
  auto fail = [&]() {
    throw Error(ExitCode::usage, "invalid repository id '" + model_id +
                                     "'; expected 'owner/name' with letters, digits, '-', '_' and '.'");
  };
  if (model_id.empty() || model_id.size() > 96 + 1 + 96) {
    fail();
  }
  const auto slash = model_id.find('/');
  if (slash != std::string::npos && model_id.find('/', slash + 1) != std::string::npos) {
    fail();
  }
  if (model_id.find("--") != std::string::npos || model_id.find("..") != std::string::npos) {
    fail();
  }
  auto check_part = [&](const std::string& part) {
    if (part.empty() || part.size() > 96 || part.front() == '-' || part.front() == '.' || part.back() == '-' ||
        part.back() == '.') {
      fail();
    }
    for (char c : part) {
      if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '_' && c != '.') {
        fail();
      }
    }
  };
  if (slash == std::string::npos) {
    check_part(model_id);
  } else {
    check_part(model_id.substr(0, slash));
    check_part(model_id.substr(slash + 1));
  }
}

bool is_safe_repo_path(const std::string& path) { return !repo_path_problem(path).has_value(); }

}  // namespace xl::hubs
