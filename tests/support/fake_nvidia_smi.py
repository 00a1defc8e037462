#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for nvidia-smi. $FAKE_GPUS describes the GPUs: comma-separated groups
COUNTxMIB[@USED_MIB], e.g. "8x81920" or "2x81920@1024,1x24576". Unset or empty: behaves like a
machine without a working driver (message, exit 9). Answers only the --query-gpu form xlaunch
uses, with the requested fields in order (index, name, memory.total, memory.used, memory.free).
"""
import os
import sys


def gpus():
    spec = os.environ.get("FAKE_GPUS", "")
    out = []
    for group in filter(None, (g.strip() for g in spec.split(","))):
        count, _, memory = group.partition("x")
        total, _, used = memory.partition("@")
        for _ in range(int(count)):
            out.append({"total": int(total), "used": int(used or 0)})
    return out


def main():
    listed = gpus()
    if not listed:
        print("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.")
        return 9
    query = next((a.split("=", 1)[1] for a in sys.argv[1:] if a.startswith("--query-gpu=")), None)
    if query is None:
        print("fake nvidia-smi: only --query-gpu=... is supported", file=sys.stderr)
        return 2
    for index, gpu in enumerate(listed):
        values = {"index": str(index), "name": "NVIDIA Fake GPU 80GB",
                  "memory.total": str(gpu["total"]), "memory.used": str(gpu["used"]),
                  "memory.free": str(gpu["total"] - gpu["used"])}
        print(", ".join(values[field] for field in query.split(",")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
