// SPDX-License-Identifier: Apache-2.0
#include "cli/flags.hpp"

#include <algorithm>
#include <filesystem>

#include "core/paths/writable_folder.hpp"
#include "core/util/error.hpp"
#include "core/util/repo_path.hpp"
#include "core/util/strings.hpp"

namespace xl::cli {

namespace {

// A count typed in decimal, between `low` and `high`. CLI11 reads integers with base 0, so
// "017" became 15 and "0x50" 80 (and "08080" was "not in range"); it also printed DBL_MAX in
// full for unbounded ranges. Leading zeros are dropped before CLI11 converts the number.
CLI::Validator decimal_count(std::int64_t low, std::int64_t high) {
  const std::string range = std::to_string(low) + " to " + std::to_string(high);
  return CLI::Validator(
      [low, high, range](std::string& text) -> std::string {
        const bool digits =
            !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!digits) {
          return printable(text, 40) + " is not a whole number; give one from " + range;
        }
        const auto first = text.find_first_not_of('0');
        text = first == std::string::npos ? "0" : text.substr(first);
        const auto value = text.size() > 18 ? high + 1 : std::stoll(text);  // 19 digits may overflow
        if (value < low || value > high) {
          return text + " is out of range; give a number from " + range;
        }
        return {};
      },
      "N", "decimal count");
}

// CLI11's wording where it says little to a user: "At Most 1 required but received 2" for a
// flag given twice, "The following argument was not expected: x" for a stray word.
std::string parse_error_message(const CLI::ParseError& error) {
  std::string text = error.what();
  if (const auto at = text.find(": At Most 1 required but received"); at != std::string::npos) {
    return text.substr(0, at) + " was given more than once; give it once";
  }
  const std::string extras = "The following argument was not expected: ";
  if (text.rfind(extras, 0) == 0) {
    return "unexpected argument " + printable(text.substr(extras.size()), 80);
  }
  const std::string several = "The following arguments were not expected: ";
  if (text.rfind(several, 0) == 0) {
    return "unexpected arguments " + printable(text.substr(several.size()), 80);
  }
  return text;
}

}  // namespace

void add_common_flags(CLI::App& app, CommonOptions& common) {
  app.add_option("--catalog", common.catalogs, "extra catalog file (Xinference llm_family.json schema), merged over the built-in one; repeatable")
      ->type_name("FILE");
  app.add_flag("--json", common.json, "print the result as JSON on stdout");
  app.add_flag("--quiet", common.quiet, "print nothing but errors and results");
}

void add_spec_flags(CLI::App& app, LaunchOptions& options, bool model_name_required) {
  auto* name = app.add_option("-n,--model-name", options.model_name, "model name from the catalog ('xlaunch list')");
  if (model_name_required) {
    name->required();
  }
  app.add_option("--model-engine", options.model_engine, "engine (-en): vLLM, SGLang, llama.cpp, MLX, Transformers")->type_name("ENGINE");
  app.add_option("-f,--model-format", options.model_format, "model format: pytorch, ggufv2, awq, gptq, fp8, mlx, ...")->type_name("FORMAT");
  app.add_option("-s,--size-in-billions", options.model_size, "model size in billions (671, 1_5)")->type_name("SIZE");
  app.add_option("-q,--quantization", options.quantization, "quantization (none, Int4, Q4_K_M, 4bit, ...)")->type_name("QUANT");
  app.add_option("--download-hub", options.download_hub, "where weights come from: auto, huggingface, modelscope (also --download_hub)")
      ->check(CLI::IsMember({"auto", "huggingface", "modelscope"}))
      ->type_name("HUB");
  app.add_option("--revision", options.revision, "hub revision (commit, branch or tag) instead of the catalog's")->type_name("REV");
}

void add_transfer_flags(CLI::App& app) {
  // Taken as typed and checked with the settings (apply_settings), so the flag,
  // XLAUNCH_MAX_CONNECTIONS and config.json share one range and one message, "abc" included.
  app.add_option("--max-connections", "requests in flight while downloading, 1 to 64 (default 16; XLAUNCH_MAX_CONNECTIONS)")
      ->type_name("N");
}

void add_download_flags(CLI::App& app, LaunchOptions& options) {
  app.add_option("--cache-dir", options.cache_dir, "hub cache folder instead of the standard one")->type_name("DIR");
  app.add_flag("--offline", options.offline, "only check the cache; send no request");
  app.add_flag("--force", options.force, "download even when the free disk space looks too small");
  add_transfer_flags(app);
}

void add_cached_flags(CLI::App& app, std::optional<std::string>& model_name) {
  app.add_option("-n,--model-name,--model_name", model_name, "only versions of this model")->type_name("NAME");
}

void add_remove_cache_flags(CLI::App& app, RemoveCacheOptions& options) {
  app.add_option("MODEL_VERSION", options.argument, "model version, as `xlaunch cached` shows it");
  app.add_option("--model-version,--model_version", options.flag, "the same, as xinference spells it")
      ->type_name("VERSION");
  app.add_flag("-y,--yes", options.yes, "delete without asking");
}

void add_launch_flags(CLI::App& app, LaunchOptions& options) {
  app.add_option("-u,--model-uid", options.model_uid, "name the engine serves the model as (default: the model name)")->type_name("UID");
  app.add_option("-t,--model-type", options.model_type, "model type; only LLM is supported")->check(CLI::IsMember({"LLM", "llm"}))->type_name("TYPE");
  app.add_option("-r,--replica", options.replica, "replicas; xlaunch runs one engine process, so only 1")->transform(decimal_count(1, 1));
  app.add_option("--n-worker", options.n_worker, "machines serving the model (same as --nnodes)")->transform(decimal_count(1, 1 << 20));
  app.add_option("--n-gpu", options.n_gpu, "GPUs to use: auto (all visible), a number, or none for CPU")->type_name("N");
  app.add_option("--gpu-idx", options.gpu_idx, "GPU indexes to use, e.g. 0,1 (sets CUDA_VISIBLE_DEVICES)")->type_name("LIST");
  app.add_option("--model-path", options.model_path, "local weights (-mp, --model_path): a folder, or a .gguf file; nothing is downloaded")->type_name("PATH");
  app.add_flag("--trust-remote-code", options.trust_remote_code, "let the engine run code shipped with the model (default true; --trust-remote-code false to refuse)");
  app.add_flag("--enable-thinking", options.enable_thinking, "turn on thinking for hybrid reasoning models");
  app.add_option("--env", options.envs, "environment variable for the engine (-ev KEY VALUE); repeatable")->type_name("KEY VALUE");
  app.add_option("--lora-modules", options.lora_modules, "LoRA adapter (-lm NAME PATH); repeatable")->type_name("NAME PATH");
  app.add_option("--api-key", options.api_key, "API key the engine requires from clients (-ak)")->type_name("KEY");
  app.add_option("--host", options.host, "address the engine listens on")->type_name("HOST");
  app.add_option("--port", options.port, "port the engine listens on")->transform(decimal_count(1, 65535));
  app.add_option("--cache-dir", options.cache_dir, "hub cache folder instead of the standard one")->type_name("DIR");
  app.add_flag("--offline", options.offline, "use only what is cached; send no request");
  app.add_flag("--dry-run", options.dry_run, "print the plan and the engine command; download and run nothing");
  app.add_flag("-y,--yes", options.yes, "answer yes to every question (for scripts)");
  app.add_flag("--force", options.force, "go on when disk space or GPU memory look too small");
  app.add_option("--nnodes", options.nnodes, "number of machines for multi-node serving")->transform(decimal_count(1, 1 << 20));
  app.add_option("--node-rank", options.node_rank, "this machine's rank, 0 for the head")->transform(decimal_count(0, (1 << 20) - 1));
  app.add_option("--master-addr", options.master_addr, "head node address HOST[:PORT] for multi-node serving")->type_name("ADDR");
  app.add_flag("--ray", options.ray, "vLLM multi-node through Ray instead of its native mode");
  app.add_option("--hosts", options.hosts, "every node's address in rank order (llama.cpp rpc workers, mlx.launch)")
      ->delimiter(',')
      ->type_name("HOST[:PORT],...");
  app.add_option("--context-length", options.context_length, "context length the engine serves (tokens)")
      ->transform(decimal_count(1, std::int64_t{1} << 40U))
      ->type_name("TOKENS");
  app.add_option("--engine-bin", options.engine_bin, "engine executable to run instead of the one on PATH")->type_name("PATH");
}

std::optional<int> parse(CLI::App& app, const CommandArgs& args) {
  // CLI11 consumes the vector from the back.
  std::vector<std::string> words = args.parser_args;
  // `--trust-remote-code false` is how xinference users spell it; CLI11 flags take `=value`.
  for (std::size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string next = to_lower(words[i + 1]);
    if (words[i] == "--trust-remote-code" && (next == "true" || next == "false")) {
      words[i] += "=" + next;
      words.erase(words.begin() + static_cast<std::ptrdiff_t>(i) + 1);
    }
  }
  std::reverse(words.begin(), words.end());
  try {
    app.parse(words);
  } catch (const CLI::CallForHelp& help) {
    return app.exit(help);
  } catch (const CLI::ParseError& error) {
    std::cerr << "xlaunch " << args.name << ": error: " << parse_error_message(error) << "; 'xlaunch " << args.name
              << " --help' lists the options\n";
    return static_cast<int>(ExitCode::usage);
  }
  return std::nullopt;
}

void check_launch_options(const LaunchOptions& options) {
  // An empty value is a slip (an unset shell variable), never a name.
  if (options.model_name.empty()) {  // launch and download require -n: it was typed empty
    throw Error(ExitCode::usage, "--model-name is empty; give a model name ('xlaunch list' shows them)");
  }
  if (options.model_uid && options.model_uid->empty()) {
    throw Error(ExitCode::usage, "--model-uid is empty; give the name the engine serves the model as, or leave it out");
  }
  for (const auto& [name, value] : options.envs) {
    if (name.empty() || name.find('=') != std::string::npos) {
      throw Error(ExitCode::usage, "-ev " + printable(name) + " " + printable(value) +
                                       ": not an environment variable name (empty, or with '='); write -ev NAME VALUE, "
                                       "e.g. -ev VLLM_LOGGING_LEVEL DEBUG");
    }
  }
  if (options.cache_dir) {
    // Checked before the hub is asked: otherwise every write fails late, after the download,
    // with a message about some file deep inside.
    if (auto problem = folder_problem(*options.cache_dir)) {
      throw Error(ExitCode::usage, options.cache_dir_origin + " " + printable(*options.cache_dir, 200) + ": " +
                                       printable(*problem, 300) + "; give a folder you can write to for the hub cache");
    }
  }
}

}  // namespace xl::cli
