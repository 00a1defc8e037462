#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Interleaved wall-clock timing of short commands, reported as medians and as a ratio to a
baseline command measured in the same run.

  cmdtime.py --runs 50 --baseline true=/bin/true --cmd list='xlaunch list' --cmd ...

Each --cmd is NAME=COMMAND (split like a shell would, no shell is run). Every command is run
once first; one that fails (non-zero exit) is skipped with its stderr shown, unless
--keep-failing. Then `runs` rounds follow, each running every command once, in an order rotated
every round. stdout/stderr of timed runs go to /dev/null. Python 3 standard library only.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time


def spawn_wait(argv, env) -> tuple[int, float]:
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        start = time.perf_counter_ns()
        pid = os.posix_spawnp(argv[0], argv, env, file_actions=[
            (os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
            (os.POSIX_SPAWN_DUP2, devnull, 2)])
        _, status = os.waitpid(pid, 0)
        elapsed = (time.perf_counter_ns() - start) / 1e6
    finally:
        os.close(devnull)
    return os.waitstatus_to_exitcode(status), elapsed


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def parse_cmd(text: str) -> tuple[str, list[str]]:
    name, sep, command = text.partition("=")
    if not sep or not name or not command.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=COMMAND, got {text!r}")
    return name, shlex.split(command)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", type=int, default=30, help="timed rounds (default 30)")
    p.add_argument("--warmup", type=int, default=3, help="untimed rounds first (default 3)")
    p.add_argument("--baseline", type=parse_cmd, default=("true", ["/bin/true"]),
                   help="NAME=COMMAND the ratios refer to (default true=/bin/true)")
    p.add_argument("--cmd", type=parse_cmd, action="append", default=[],
                   help="NAME=COMMAND to time (repeatable)")
    p.add_argument("--target", action="append", default=[],
                   help="NAME:MS: report whether NAME's median is within MS milliseconds")
    p.add_argument("--keep-failing", action="store_true",
                   help="time commands even when their probe run fails")
    p.add_argument("--json", default="", help="write the results here")
    p.add_argument("--title", default="Command start-up times")
    args = p.parse_args(argv)

    env = dict(os.environ)
    commands = [args.baseline]
    for name, cmd in args.cmd:
        probe = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if probe.returncode != 0 and not args.keep_failing:
            err = (probe.stderr or probe.stdout).strip().splitlines()
            print(f"skipped {name}: `{shlex.join(cmd)}` exited {probe.returncode}"
                  + (f": {err[-1]}" if err else ""), file=sys.stderr)
            continue
        commands.append((name, cmd))

    samples: dict[str, list[float]] = {name: [] for name, _ in commands}
    codes: dict[str, set[int]] = {name: set() for name, _ in commands}
    for rnd in range(args.warmup + args.runs):
        shift = rnd % len(commands)
        for name, cmd in commands[shift:] + commands[:shift]:
            code, ms = spawn_wait(cmd, env)
            if rnd >= args.warmup:
                samples[name].append(ms)
                codes[name].add(code)

    base = statistics.median(samples[args.baseline[0]])
    rows, result = [], {"baseline": args.baseline[0], "runs": args.runs, "commands": {}}
    for name, cmd in commands:
        med = statistics.median(samples[name])
        entry = {"command": shlex.join(cmd), "median_ms": med,
                 "p10_ms": percentile(samples[name], 0.1),
                 "p90_ms": percentile(samples[name], 0.9),
                 "ratio_to_baseline": med / base, "over_baseline_ms": med - base,
                 "exit_codes": sorted(codes[name])}
        result["commands"][name] = entry
        rows.append(f"| {name} | `{entry['command']}` | {med:.2f} | {entry['p10_ms']:.2f}-"
                    f"{entry['p90_ms']:.2f} | {entry['ratio_to_baseline']:.1f}x | "
                    f"{entry['over_baseline_ms']:+.2f} | {','.join(map(str, entry['exit_codes']))} |")
    print(f"### {args.title}\n")
    print(f"{args.runs} interleaved rounds after {args.warmup} warm-up rounds; medians; "
          f"baseline `{shlex.join(args.baseline[1])}` = {base:.2f} ms.\n")
    print("| name | command | median ms | p10-p90 ms | vs baseline | over baseline ms | exit |")
    print("|---|---|---:|---:|---:|---:|---:|")
    print("\n".join(rows))
    print()
    for target in args.target:
        name, _, ms = target.partition(":")
        if name in result["commands"]:
            med = result["commands"][name]["median_ms"]
            verdict = "met" if med <= float(ms) else "MISSED"
            print(f"- target {name} <= {float(ms):g} ms: {verdict} ({med:.2f} ms)")
        else:
            print(f"- target {name} <= {ms} ms: not measured (command skipped)")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(result, fh, indent=1)
            fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
