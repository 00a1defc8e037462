#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A stand-in for every engine program xlaunch execs (vllm, sglang, llama-server, rpc-server,
mlx_lm.server, mlx_lm, mlx.launch, transformers, ray). Install it under those names (symlink or
copy; fake_bin.py does it) and it behaves by the name it was called as.

- `NAME --version` / `NAME version`: prints $FAKE_ENGINE_VERSION (default 0.11.0) the way the
  real program does (llama.cpp: "version: N (hash)" on stderr), and appends NAME to
  $FAKE_ENGINE_PROBE_LOG when set, so tests can count probes.
- anything else: writes {"name", "argv", "env", "cwd", "pid", "ppid"} as JSON to
  $FAKE_ENGINE_RECORD (when set), then
  - with FAKE_ENGINE_WAIT_SIGNAL=1 waits (up to 120 s) for SIGTERM/SIGINT/SIGHUP, adds
    {"signal": "SIGTERM"} to the record and exits 128 + the signal number;
  - otherwise exits with $FAKE_ENGINE_EXIT (default 0).
"""
import json
import os
import signal
import sys
import time


def write_record(record):
    path = os.environ.get("FAKE_ENGINE_RECORD")
    if not path:
        return
    tmp = path + ".tmp"
    with open(tmp, "w") as out:
        json.dump(record, out, indent=1)
    os.replace(tmp, path)  # readers never see half a record


def main():
    name = os.path.basename(sys.argv[0])
    args = sys.argv[1:]
    if args in (["--version"], ["version"]):
        log = os.environ.get("FAKE_ENGINE_PROBE_LOG")
        if log:
            with open(log, "a") as out:
                out.write(name + "\n")
        version = os.environ.get("FAKE_ENGINE_VERSION", "0.11.0")
        if name in ("llama-server", "rpc-server"):
            sys.stderr.write(f"version: {version} (0000000)\nbuilt with cc for x86_64\n")
        else:
            print(version)
        return int(os.environ.get("FAKE_ENGINE_VERSION_EXIT", "0"))

    record = {"name": name, "argv": sys.argv, "env": dict(os.environ), "cwd": os.getcwd(),
              "pid": os.getpid(), "ppid": os.getppid()}

    if os.environ.get("FAKE_ENGINE_WAIT_SIGNAL") == "1":
        received = []

        def on_signal(signum, _frame):
            received.append(signum)

        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, on_signal)
        write_record(record)
        deadline = time.monotonic() + 120
        while not received and time.monotonic() < deadline:
            time.sleep(0.05)
        if not received:
            return 124
        record["signal"] = signal.Signals(received[0]).name
        write_record(record)
        return 128 + received[0]

    write_record(record)
    return int(os.environ.get("FAKE_ENGINE_EXIT", "0"))


if __name__ == "__main__":
    sys.exit(main())
