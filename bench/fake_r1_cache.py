#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes a complete, tiny DeepSeek-R1 (pytorch spec) into a Hugging Face cache (hubs.md A12).

  fake_r1_cache.py --catalog catalog/llm_family.json --hf-home DIR [--shards 163]

Repo id and commit come from the catalog's deepseek-r1 pytorch spec on huggingface. The
snapshot has the real file names (163 `model-0000N-of-000163.safetensors` shards, the index,
config, tokenizer, remote code) but each shard is a valid, empty safetensors file of ~100
bytes with distinct content. LFS files get blobs named by sha256, regular files by git blob
sha1; snapshots hold relative symlinks; refs/main holds the commit; trees/<commit>.json is the
huggingface_hub >= 1.22 listing. Prints the snapshot path. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import struct
import sys
from pathlib import Path

# The parts of the published config.json that fit and memory checks read.
R1_CONFIG = {
    "architectures": ["DeepseekV3ForCausalLM"],
    "model_type": "deepseek_v3",
    "hidden_size": 7168,
    "intermediate_size": 18432,
    "moe_intermediate_size": 2048,
    "num_hidden_layers": 61,
    "num_attention_heads": 128,
    "num_key_value_heads": 128,
    "n_routed_experts": 256,
    "n_shared_experts": 1,
    "num_experts_per_tok": 8,
    "first_k_dense_replace": 3,
    "kv_lora_rank": 512,
    "q_lora_rank": 1536,
    "qk_nope_head_dim": 128,
    "qk_rope_head_dim": 64,
    "v_head_dim": 128,
    "vocab_size": 129280,
    "max_position_embeddings": 163840,
    "torch_dtype": "bfloat16",
    "quantization_config": {"quant_method": "fp8", "fmt": "e4m3",
                            "activation_scheme": "dynamic", "weight_block_size": [128, 128]},
}
R1_TOTAL_SIZE = 688586727753  # metadata.total_size of the published index


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def empty_safetensors(tag: str) -> bytes:
    header = json.dumps({"__metadata__": {"format": "pt", "bench_shard": tag}}).encode()
    header += b" " * (-len(header) % 8)
    return struct.pack("<Q", len(header)) + header


def r1_spec(catalog: Path) -> tuple[str, str]:
    for family in json.loads(catalog.read_text()):
        if family.get("model_name") != "deepseek-r1":
            continue
        for spec in family.get("model_specs", []):
            src = spec.get("model_src", {}).get("huggingface")
            if spec.get("model_format") == "pytorch" and src:
                return src["model_id"], src.get("model_revision") or "main"
    raise SystemExit(f"{catalog}: no deepseek-r1 pytorch spec on huggingface")


def build(hf_home: Path, repo_id: str, commit: str, shards: int) -> Path:
    if len(commit) != 40:
        commit = hashlib.sha1(f"{repo_id}@{commit}".encode()).hexdigest()
    storage = hf_home / "hub" / ("models--" + repo_id.replace("/", "--"))
    snapshot = storage / "snapshots" / commit
    (storage / "blobs").mkdir(parents=True, exist_ok=True)
    (storage / "refs").mkdir(exist_ok=True)
    (storage / "trees").mkdir(exist_ok=True)
    names = [f"model-{i:05d}-of-{shards:06d}.safetensors" for i in range(1, shards + 1)]
    files: dict[str, tuple[bytes, bool]] = {}
    for name in names:
        files[name] = (empty_safetensors(name), True)
    index = {"metadata": {"total_size": R1_TOTAL_SIZE},
             "weight_map": {f"model.layers.{i}.mlp.weight": n for i, n in enumerate(names)}}
    regular = {
        "config.json": json.dumps(R1_CONFIG, indent=2),
        "generation_config.json": json.dumps({"bos_token_id": 0, "eos_token_id": 1,
                                              "temperature": 0.6, "top_p": 0.95}, indent=2),
        "model.safetensors.index.json": json.dumps(index, indent=2),
        "tokenizer_config.json": json.dumps({"model_max_length": 131072,
                                             "tokenizer_class": "LlamaTokenizerFast"}),
        "configuration_deepseek.py": "# fake remote code for the xlaunch benchmark\n",
        "modeling_deepseek.py": "# fake remote code for the xlaunch benchmark\n",
        "README.md": "# DeepSeek-R1 (benchmark fake)\n",
        "LICENSE": "MIT\n",
        ".gitattributes": "*.safetensors filter=lfs diff=lfs merge=lfs -text\n",
    }
    for name, text in regular.items():
        files[name] = (text.encode(), False)
    files["tokenizer.json"] = (json.dumps({"version": "1.0", "model": {"type": "BPE"}}).encode(),
                               True)
    files["figures/benchmark.jpg"] = (b"\xff\xd8\xff\xe0fake-jpeg\xff\xd9", True)

    tree = {"format_version": 1, "files": {}}
    for path, (data, lfs) in sorted(files.items()):
        sha256 = hashlib.sha256(data).hexdigest()
        blob_name = sha256 if lfs else git_blob_sha1(data)
        blob = storage / "blobs" / blob_name
        if not blob.exists():
            blob.write_bytes(data)
        pointer = snapshot / path
        pointer.parent.mkdir(parents=True, exist_ok=True)
        if pointer.is_symlink() or pointer.exists():
            pointer.unlink()
        pointer.symlink_to(os.path.relpath(blob, pointer.parent))
        entry = {"size": len(data), "blob_id": git_blob_sha1(data)}
        if lfs:
            pointer_text = (f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\n"
                            f"size {len(data)}\n").encode()
            entry = {"size": len(data), "blob_id": git_blob_sha1(pointer_text),
                     "lfs_sha256": sha256, "lfs_size": len(data)}
        tree["files"][path] = entry
    (storage / "refs" / "main").write_text(commit)
    (storage / "trees" / f"{commit}.json").write_text(json.dumps(tree, indent=1))
    tag = hf_home / "hub" / "CACHEDIR.TAG"
    tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n"
                   "# This file is a cache directory tag created by the xlaunch benchmark.\n")
    return snapshot


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--catalog", required=True, type=Path)
    p.add_argument("--hf-home", required=True, type=Path)
    p.add_argument("--shards", type=int, default=163)
    args = p.parse_args(argv)
    repo_id, revision = r1_spec(args.catalog)
    print(build(args.hf_home, repo_id, revision, args.shards))
    return 0


if __name__ == "__main__":
    sys.exit(main())
