// SPDX-License-Identifier: Apache-2.0
#pragma once

// What the user asked for on the command line, after parsing and before any matching.
// Filled by cli/, consumed by core (matching, planning, downloads, engine command).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace xl {

// One pass-through argument for the engine, in the order typed. `--max_model_len 8192` becomes
// {"--max_model_len", "8192"}; a bare `--enforce-eager` has no value; after `--` every word is
// kept verbatim with `raw` set (never renamed).
struct ExtraArg {
  std::string flag;                  // as typed, e.g. "--max_model_len" or a raw word
  std::optional<std::string> value;  // the following word when it was not itself a flag
  bool raw = false;                  // came after `--`: passed exactly as typed
};

struct LaunchOptions {
  // Spec selection (xinference launch flags).
  std::string model_name;                  // -n
  std::optional<std::string> model_engine; // -en
  std::optional<std::string> model_format; // -f
  std::optional<std::string> model_size;   // -s, as typed ("671", "1_5", "1.5")
  std::optional<std::string> quantization; // -q
  std::string model_type = "LLM";          // -t
  std::optional<std::string> model_uid;    // -u (default: the model name)
  int replica = 1;                         // -r
  int n_worker = 1;                        // --n-worker (maps to nnodes)
  std::string n_gpu = "auto";              // --n-gpu: auto | none | N
  std::optional<std::string> gpu_idx;      // --gpu-idx 0,1
  std::optional<std::string> model_path;   // -mp: local weights, no download
  bool trust_remote_code = true;           // --trust-remote-code
  bool enable_thinking = false;            // --enable-thinking
  std::vector<std::pair<std::string, std::string>> envs;          // -ev KEY VALUE
  std::vector<std::pair<std::string, std::string>> lora_modules;  // -lm NAME PATH
  std::optional<std::string> api_key;      // -ak
  std::string download_hub = "auto";       // --download-hub auto|huggingface|modelscope

  // xlaunch additions.
  std::string host = "127.0.0.1";
  int port = 8000;
  std::optional<std::int64_t> context_length;  // --context-length: engine max context (tokens)
  std::optional<std::string> revision;     // overrides the catalog's pinned revision
  std::optional<std::string> cache_dir;    // overrides the hub cache folder
  std::string cache_dir_origin = "--cache-dir";  // where cache_dir came from, for messages
  // Requests in flight while downloading: --max-connections, else XLAUNCH_MAX_CONNECTIONS or
  // config.json (the CLI's apply_settings resolves them); 0 until then.
  int max_connections = 0;
  bool offline = false;
  bool dry_run = false;
  bool json = false;
  bool quiet = false;
  bool yes = false;
  bool force = false;

  // Multi-node.
  std::optional<int> nnodes;
  std::optional<int> node_rank;
  std::optional<std::string> master_addr;
  bool ray = false;
  // --hosts a,b,...: every node's address in rank order (rank 0 first). llama.cpp's head needs
  // the RPC workers' addresses and mlx.launch needs the host list; vLLM/SGLang use master_addr.
  std::vector<std::string> hosts;

  // Engine discovery override (--engine-bin).
  std::optional<std::string> engine_bin;

  std::vector<ExtraArg> extra_args;
};

}  // namespace xl
