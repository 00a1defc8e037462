#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Download benchmark: `xlaunch download` against aria2c and curl on a local fake Hugging Face hub.

One run of this script:
  1. generates a synthetic Hugging Face-style repo per scenario (random data, sha256 known),
  2. writes an nginx.conf and starts nginx (non-daemon child, own prefix/pid/logs, 127.0.0.1)
     that serves the model info and tree API as static JSON, answers /resolve/ with the LFS 302
     to a CDN path carrying X-Repo-Commit / X-Linked-Etag / X-Linked-Size, and serves the
     bytes with sendfile and Range (hubs.md A3-A5),
  3. times every client and every floor interleaved, several repetitions, each into a fresh
     directory on the same filesystem, a final `sync` counted in the time, CPU time (to the
     microsecond) and peak RSS from bench/measure_run.cpp, and checks every output file's
     sha256 after every run (outside the time),
  4. prints a markdown table (medians) and writes the raw runs and the summary as JSON.

Python 3 standard library only. Nothing here asserts an absolute time.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import fakehub  # noqa: E402  (bench/fakehub.py: data generation and the nginx server)

KiB, MiB, GiB = 1 << 10, 1 << 20, 1 << 30
RSS_TARGET = 64 * MiB
MEASURER_SOURCE = Path(__file__).resolve().parent / "measure_run.cpp"
PROXY_VARS = ("http_proxy", "https_proxy", "all_proxy", "no_proxy")


def client_env() -> dict[str, str]:
    """The caller's environment without proxies: every request goes to 127.0.0.1 directly."""
    return {k: v for k, v in os.environ.items() if k.lower() not in PROXY_VARS}


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    count: int
    size: int  # bytes per file at scale 1

    def file_size(self, scale: float) -> int:
        return max(1, int(self.size * scale))


SCENARIOS = {
    "a": Scenario("a", "16 files x 128 MiB", 16, 128 * MiB),
    "b": Scenario("b", "1 file x 2 GiB", 1, 2 * GiB),
    "c": Scenario("c", "500 files x 64 KiB", 500, 64 * KiB),
    "d": Scenario("d", "1 file x 8 GiB (peak RSS check)", 1, 8 * GiB),
}
DEFAULT_SCENARIOS = "a,b,c"


# ----------------------------------------------------------------------------------------------
# Running one command with wall time, CPU time and peak RSS


@dataclass
class Measured:
    code: int
    wall: float  # seconds, client + final sync
    cpu: float  # user + system seconds of the client (and its waited-for children)
    rss: int  # peak resident set size in bytes
    # Voluntary + involuntary context switches of the client and its threads. Unlike wall and
    # CPU time they hardly move with load, so an A/B that removes wake-ups shows here even where
    # its time is lost in the noise.
    switches: int = 0
    timed_out: bool = False
    # Epoch seconds, to line up with the hub's access log (--phases): the client started,
    # exited, and the final sync returned.
    started_at: float = 0.0
    exited_at: float = 0.0
    synced_at: float = 0.0


def spawn_measured(measurer: Path, argv, env, stdout_path: Path, stderr_path: Path,
                   timeout: float, with_sync: bool = True) -> Measured:
    """Runs argv under `measurer` (bench/measure_run.cpp, which says why not this process's own
    wait4()), then `sync`; wall time covers both."""
    rusage_path = stdout_path.with_name(stdout_path.name + ".rusage")
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, str(stdout_path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
        (os.POSIX_SPAWN_OPEN, 2, str(stderr_path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
    ]
    timed = [str(measurer), str(rusage_path), "--"] + list(argv)
    timed_out = threading.Event()
    start = time.perf_counter()
    started_at = time.time()
    pid = os.posix_spawn(str(measurer), timed, env, file_actions=actions, setpgroup=0)

    def on_timeout():
        timed_out.set()
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    timer = threading.Timer(timeout, on_timeout)
    timer.start()
    try:
        _, status, _ = os.wait4(pid, 0)
    except BaseException:  # Ctrl-C: take the client (its own process group) down with us
        on_timeout()
        os.wait4(pid, 0)
        raise
    finally:
        timer.cancel()
    exited_at = time.time()
    if with_sync:
        sync_pid = os.posix_spawnp("sync", ["sync"], env)
        os.wait4(sync_pid, 0)
    wall = time.perf_counter() - start
    synced_at = time.time()
    code = os.waitstatus_to_exitcode(status)
    cpu, rss, switches = 0.0, 0, 0
    try:
        fields = rusage_path.read_text().strip().splitlines()[-1].split()
        cpu, rss, code = float(fields[0]) + float(fields[1]), int(fields[2]) * KiB, int(fields[3])
        switches = int(fields[4]) + int(fields[5])
    except (OSError, IndexError, ValueError):
        code = code or 1  # killed before the measurer could write: no rusage
    return Measured(code, wall, cpu, rss, switches, timed_out.is_set(), started_at, exited_at, synced_at)


def tail(path: Path, lines: int = 8) -> str:
    try:
        text = path.read_text(errors="replace").strip().splitlines()
    except OSError:
        return ""
    return "\n".join("    " + line for line in text[-lines:])


# ----------------------------------------------------------------------------------------------
# Clients and floors. Each gets a fresh output directory; `expected()` maps every repo file to
# the path the client must have produced, so the harness can check its sha256.


class Client:
    name = ""
    floor = False  # floors are reference costs, not competitors
    peer = True  # a peer of xlaunch: counted in "vs best peer"
    writes = True  # a final `sync` is part of the time only for what writes files

    def command(self, repo: fakehub.Repo, server: fakehub.Server, out: Path, scratch: Path):
        """Returns (argv, env) for one run writing into `out`."""
        raise NotImplementedError

    def expected(self, repo: fakehub.Repo, out: Path) -> dict[str, Path] | None:
        return {f.path: out / f.path for f in repo.files}

    def version(self) -> str:
        return ""


def first_line(argv) -> str:
    try:
        res = subprocess.run(argv, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    text = (res.stdout or res.stderr).strip().splitlines()
    return text[0] if text else "?"


class Aria2(Client):
    name = "aria2c"

    def command(self, repo, server, out, scratch):
        lines = []
        for f in repo.files:
            lines += [server.resolve_url(repo, f.path), f"  dir={out}", f"  out={f.path}"]
        inp = scratch / "aria2-input.txt"
        inp.write_text("\n".join(lines) + "\n")
        # --file-allocation=none: no zero-filling pass before the download (aria2's default,
        # `prealloc`, writes every byte twice); the pieces land at their offsets in a sparse file.
        argv = ["aria2c", "-x16", "-s16", "-j16", "--file-allocation=none", "--quiet=true",
                "--auto-file-renaming=false", "--allow-overwrite=true", "--input-file", str(inp)]
        return argv, client_env()

    def version(self):
        return first_line(["aria2c", "--version"])


def curl_config(repo, server, outputs) -> str:
    lines = []
    for f, target in zip(repo.files, outputs):
        lines.append(f'url = "{server.resolve_url(repo, f.path)}"')
        lines.append(f'output = "{target}"')
    return "\n".join(lines) + "\n"


class Curl(Client):
    name = "curl"

    def command(self, repo, server, out, scratch):
        cfg = scratch / "curl.cfg"
        cfg.write_text(curl_config(repo, server, [out / f.path for f in repo.files]))
        argv = ["curl", "--parallel", "--parallel-max", "16", "-L", "--fail", "-sS",
                "--create-dirs", "--config", str(cfg)]
        return argv, client_env()

    def version(self):
        return first_line(["curl", "--version"])


class XlaunchClient(Client):
    name = "xlaunch"

    def __init__(self, binary: str, extra_args: list[str], name: str = "xlaunch",
                 extra_env: dict[str, str] | None = None):
        self.binary = binary
        self.extra_args = extra_args
        self.name = name
        self.extra_env = extra_env or {}
        self.peer = name == "xlaunch"  # another build or a variant is measured, not a peer

    def command(self, repo, server, out, scratch):
        catalog = scratch / "catalog.json"
        catalog.write_text(json.dumps([bench_family(repo)], indent=1))
        env = {k: v for k, v in client_env().items()
               if not (k.startswith("HF_") or k.startswith("HUGGINGFACE_")
                       or k.startswith("XLAUNCH_") or k.startswith("MODELSCOPE"))}
        env.update(HF_ENDPOINT=server.endpoint, HF_HOME=str(out / "hf"),
                   XLAUNCH_HOME=str(scratch / "xlaunch-home"),
                   MODELSCOPE_CACHE=str(scratch / "modelscope"))
        env.update(self.extra_env)
        argv = [self.binary, "download", "-n", "bench-model", "-f", "pytorch", "--catalog",
                str(catalog), "--download-hub", "huggingface"] + self.extra_args
        return argv, env

    def expected(self, repo, out):
        storage = out / "hf" / "hub" / repo.cache_folder
        if "XLAUNCH_BENCH_SKIP_LINKS" in self.extra_env:
            # bench/duty_costs.sh's variant without snapshot links: the blobs are the output.
            return {f.path: storage / "blobs" / blob_name(f) for f in repo.files}
        snap = storage / "snapshots" / repo.commit
        return {f.path: snap / f.path for f in repo.files}

    def version(self):
        return first_line([self.binary, "--version"])

    @staticmethod
    def usable(binary: str) -> str | None:
        """None when `binary download` exists and takes --catalog, else why not."""
        if not os.access(binary, os.X_OK):
            return f"{binary} is not an executable file"
        try:
            res = subprocess.run([binary, "download", "--help"], capture_output=True, text=True,
                                 timeout=20)
        except (OSError, subprocess.TimeoutExpired) as err:
            return f"`{binary} download --help` failed: {err}"
        if res.returncode != 0:
            return f"`{binary} download --help` exited {res.returncode}: no download command yet"
        if "--catalog" not in res.stdout + res.stderr:
            return f"`{binary} download` has no --catalog option yet"
        return None


def bench_family(repo: fakehub.Repo) -> dict:
    """One Xinference v2 llm_family entry whose only pytorch spec is the synthetic repo."""
    return {
        "version": 2,
        "context_length": 2048,
        "model_name": "bench-model",
        "model_lang": ["en"],
        "model_ability": ["generate"],
        "model_description": "Synthetic repo of the xlaunch download benchmark.",
        "model_specs": [{
            "model_format": "pytorch",
            "model_size_in_billions": 1,
            "model_src": {"huggingface": {"quantizations": ["none"], "model_id": repo.repo_id,
                                          "model_revision": repo.commit}},
        }],
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "stop_token_ids": [],
        "stop": [],
    }


def blob_name(f: fakehub.RepoFile) -> str:
    """The file's name under blobs/ in huggingface_hub's cache: its sha256 when it is stored with
    LFS, else its git blob sha1."""
    return f.sha256 if f.lfs else f.git_sha1


class CopyFloor(Client):
    name = "floor: cp+sync"
    floor = True

    def command(self, repo, server, out, scratch):
        return ["cp", "-r", str(repo.files_dir) + "/.", str(out)], client_env()


def build_with_compiler(source: Path, binary: Path, libraries: list[str]) -> str | None:
    """Builds a bench helper with the system's C++ compiler: None, or why it could not."""
    compiler = shutil.which("c++") or shutil.which("g++")
    if compiler is None:
        return "no C++ compiler (c++ or g++) on PATH"
    res = subprocess.run([compiler, "-O2", "-std=c++20", "-o", str(binary), str(source)]
                         + libraries, capture_output=True, text=True)
    if res.returncode != 0:
        last = (res.stderr.strip().splitlines() or ["no message"])[-1]
        return f"{compiler} could not build {source.name}: {last}"
    return None


class BuiltHubCacheWriter(Client):
    """A program of bench/, built with the system's C++ compiler for each bench run, that writes
    the files into huggingface_hub's cache in the output dir."""
    SOURCE: Path
    LIBRARIES: list[str] = []

    def __init__(self, binary: Path):
        self.binary = binary

    @classmethod
    def build(cls, work: Path):
        """(the client, None), or (None, why it cannot run here)."""
        binary = work / cls.SOURCE.stem
        why_not = build_with_compiler(cls.SOURCE, binary, cls.LIBRARIES)
        return (None, why_not) if why_not else (cls(binary), None)

    def expected(self, repo, out):
        snap = out / "hf" / "hub" / repo.cache_folder / "snapshots" / repo.commit
        return {f.path: snap / f.path for f in repo.files}


class LayoutFloor(BuiltHubCacheWriter):
    """The files copied into huggingface_hub's cache layout by bench/hub_layout_copy.cpp: per file
    a lock file created and taken, a partial created, the bytes copied, then after one syncfs a
    rename and a snapshot link. What the layout costs any client that writes it, without any
    of a download's work."""
    name = "floor: hub layout+sync"
    floor = True
    SOURCE = Path(__file__).resolve().parent / "hub_layout_copy.cpp"

    def command(self, repo, server, out, scratch):
        manifest = scratch / "manifest.txt"
        manifest.write_text("".join(f"{blob_name(f)}\t{f.path}\n" for f in repo.files))
        hub = out / "hf" / "hub"
        return [str(self.binary), str(manifest), str(repo.files_dir), str(hub / repo.cache_folder),
                str(hub / ".locks" / repo.cache_folder), repo.commit], client_env()


class LeanClient(BuiltHubCacheWriter):
    """bench/lean_client.cpp: a libcurl client fetching on one thread as curl does, that does
    xlaunch's duties and nothing else: huggingface_hub's locks and partials, every file hashed
    as it comes and checked, and on a second thread a syncfs per 64 verified files before
    their renames and links. A reference, not a peer: its time against curl's is what those
    duties cost a straightforward client."""
    name = "reference: lean verifying client"
    peer = False
    SOURCE = Path(__file__).resolve().parent / "lean_client.cpp"
    LIBRARIES = ["-pthread", "-lcurl", "-lcrypto"]

    def command(self, repo, server, out, scratch):
        manifest = scratch / "manifest.txt"
        manifest.write_text("".join(
            f"{server.resolve_url(repo, f.path)}\t{blob_name(f)}\t{f.path}\t{f.size}\t"
            f"{f.sha256 if f.lfs else ''}\n" for f in repo.files))
        hub = out / "hf" / "hub"
        return [str(self.binary), str(manifest), str(hub / repo.cache_folder),
                str(hub / ".locks" / repo.cache_folder), repo.commit], client_env()

    def version(self):
        return f"{self.SOURCE.name}, " + first_line(["curl-config", "--version"])


class LoopbackFloor(Client):
    name = "floor: loopback read"
    floor = True
    writes = False

    def command(self, repo, server, out, scratch):
        cfg = scratch / "curl-null.cfg"
        cfg.write_text(curl_config(repo, server, ["/dev/null"] * len(repo.files)))
        argv = ["curl", "--parallel", "--parallel-max", "16", "-L", "--fail", "-sS",
                "--config", str(cfg)]
        return argv, client_env()

    def expected(self, repo, out):
        return None


class HashFloor(Client):
    """sha256 of the data with OpenSSL's libcrypto (what xlaunch links), through `openssl dgst`;
    coreutils' sha256sum is used only without openssl, and is several times slower."""
    name = "floor: sha256"
    floor = True
    writes = False

    def command(self, repo, server, out, scratch):
        tool = ["openssl", "dgst", "-sha256"] if shutil.which("openssl") else ["sha256sum"]
        # Relative paths keep the argument list short for 500 files.
        return ["sh", "-c", 'cd "$0" && exec "$@"', str(repo.files_dir)] + tool + \
            [f.path for f in repo.files], client_env()

    def expected(self, repo, out):
        return None


# ----------------------------------------------------------------------------------------------
# Verification and statistics


def verify(expected: dict[str, Path], repo: fakehub.Repo) -> str | None:
    """None when every file exists with the right sha256, else the first problem."""
    for f in repo.files:
        path = expected[f.path]
        try:
            h = hashlib.sha256()
            with open(path, "rb") as fh:
                while chunk := fh.read(8 * MiB):
                    h.update(chunk)
        except OSError as err:
            return f"{f.path}: {err.strerror}"
        if h.hexdigest() != f.sha256:
            return f"{f.path}: sha256 mismatch"
    return None


# The phases of one run, from the hub's access log (--phases). Each log line is written when an
# answer ends: "<epoch s> <request s> <status> <target>". A request started at the first minus
# the second.
PHASES = [("to_first_request_ms", "to the first request"),
          ("to_first_file_ms", "to the first file request"),
          ("transfers_ms", "first file request to last answer"),
          ("after_last_answer_ms", "last answer to exit"),
          ("final_sync_ms", "final sync")]


def is_file_request(target: str) -> bool:
    return "/resolve/" in target or target.startswith("/cdn/")


def phases_from_log(lines: list[str], started_at: float, exited_at: float,
                    synced_at: float) -> dict | None:
    """Where a run's wall time went, in ms; None when the log shows no file request in it."""
    requests = []  # (start, end, target)
    for line in lines:
        fields = line.split()
        if len(fields) < 4:
            continue
        try:
            end, took = float(fields[0]), float(fields[1])
        except ValueError:
            continue
        start = end - took
        # nginx logs with ms resolution: a request begun in the client's first ms may read
        # up to 1 ms early.
        if start >= started_at - 0.001 and end <= exited_at + 0.001 and fields[3] != "/healthz":
            requests.append((start, end, fields[3]))
    files = [r for r in requests if is_file_request(r[2])]
    if not files:
        return None
    first_file = min(r[0] for r in files)
    last_answer = max(r[1] for r in requests)
    ms = lambda seconds: round(max(0.0, seconds) * 1000, 1)  # noqa: E731
    return {"to_first_request_ms": ms(min(r[0] for r in requests) - started_at),
            "to_first_file_ms": ms(first_file - started_at),
            "transfers_ms": ms(last_answer - first_file),
            "after_last_answer_ms": ms(exited_at - last_answer),
            "final_sync_ms": ms(synced_at - exited_at)}


def summarize(runs: list[dict]) -> dict | None:
    ok = [r for r in runs if r["ok"]]
    if not ok:
        return None
    walls = [r["wall_s"] for r in ok]
    return {
        "ok_runs": len(ok),
        "runs": len(runs),
        "wall_s": statistics.median(walls),
        "wall_min_s": min(walls),
        "wall_max_s": max(walls),
        "cpu_s": statistics.median(r["cpu_s"] for r in ok),
        "switches": statistics.median(r["switches"] for r in ok),
        "peak_rss_bytes": max(r["peak_rss_bytes"] for r in ok),
        "phases_ms": ({key: statistics.median(r["phases_ms"][key] for r in timed) for key, _ in PHASES}
                      if (timed := [r for r in ok if r.get("phases_ms")]) else None),
    }


def fmt_ratio(x):
    return "-" if x is None else f"{x:.2f}x"


def report_scenario(sc: Scenario, repo: fakehub.Repo, names: list[str], floors: list[str],
                    summary: dict, reps: int, scale: float,
                    references: tuple[str, ...] = ()) -> list[str]:
    """The scenario's table and target checks. `names` are the clients, `references` those of
    them that are not xlaunch's peers: they get ratios to the best peer, and are not one."""
    total = repo.total_bytes
    out = [f"### Scenario {sc.key}: {sc.title} at scale {scale:g}: {len(repo.files)} files, "
           f"{fakehub.human(total)}, {reps} reps", ""]
    peers = {n: summary[n]["wall_s"] for n in names if summary.get(n) and n not in references}
    cpu_floor = layout_floor = None
    if summary.get(CopyFloor.name) and summary.get(HashFloor.name):
        cpu_floor = summary[CopyFloor.name]["cpu_s"] + summary[HashFloor.name]["cpu_s"]
    if summary.get(LayoutFloor.name) and summary.get(HashFloor.name):
        layout_floor = summary[LayoutFloor.name]["cpu_s"] + summary[HashFloor.name]["cpu_s"]
    out.append("| client | wall s (median) | min-max s | MB/s | CPU s | switches | peak RSS MiB "
               "| vs best peer | CPU vs floor | ok |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in names + floors:
        s = summary.get(n)
        if s is None:
            out.append(f"| {n} | failed | | | | | | | | 0/{reps} |")
            continue
        # Every client, peer or reference, is measured against the peers; another build or a
        # variant of xlaunch (never a peer) is not measured against xlaunch itself.
        others = [w for m, w in peers.items()
                  if m != n and not (n.startswith("xlaunch") and m.startswith("xlaunch"))]
        client = n in names
        vs_peer = s["wall_s"] / min(others) if (others and client) else None
        vs_floor = s["cpu_s"] / cpu_floor if (cpu_floor and client) else None
        s["vs_best_peer"], s["cpu_vs_floor"] = vs_peer, vs_floor
        out.append(
            f"| {n} | {s['wall_s']:.3f} | {s['wall_min_s']:.3f}-{s['wall_max_s']:.3f} "
            f"| {total / 1e6 / s['wall_s']:.0f} | {s['cpu_s']:.3f} | {s['switches']:.0f} "
            f"| {s['peak_rss_bytes'] / MiB:.1f} | {fmt_ratio(vs_peer)} | {fmt_ratio(vs_floor)} "
            f"| {s['ok_runs']}/{s['runs']} |")
    out.append("")
    timed = [n for n in names + floors if summary.get(n) and summary[n].get("phases_ms")]
    if timed:
        out.append("Where the wall time went (--phases; medians, ms), from the hub's access log: "
                   + "; ".join(f"{i + 1}. {what}" for i, (_, what) in enumerate(PHASES)) + ".")
        out.append("")
        out.append("| client | " + " | ".join(str(i + 1) for i in range(len(PHASES))) + " |")
        out.append("|---|" + "---:|" * len(PHASES))
        for n in timed:
            p = summary[n]["phases_ms"]
            out.append(f"| {n} | " + " | ".join(f"{p[key]:.1f}" for key, _ in PHASES) + " |")
        out.append("")
    x = summary.get(XlaunchClient.name)
    if x is not None:
        checks = []
        if x.get("vs_best_peer") is not None:
            checks.append(("wall <= 1.0x best peer", x["vs_best_peer"] <= 1.0,
                           fmt_ratio(x["vs_best_peer"])))
        if x.get("cpu_vs_floor") is not None:
            checks.append(("CPU <= 1.3x floor (cp + sha256)", x["cpu_vs_floor"] <= 1.3,
                           fmt_ratio(x["cpu_vs_floor"])))
        if sc.key in ("b", "d"):  # the single-file scenarios: RSS must not grow with size
            checks.append(("peak RSS < 64 MiB", x["peak_rss_bytes"] < RSS_TARGET,
                           f"{x['peak_rss_bytes'] / MiB:.1f} MiB"))
        for what, passed, value in checks:
            out.append(f"- xlaunch target {what}: {'met' if passed else 'MISSED'} ({value})")
        if layout_floor:
            # Not a target: what is left once the cost of huggingface_hub's layout is counted.
            x["cpu_vs_layout_floor"] = x["cpu_s"] / layout_floor
            out.append(f"- xlaunch CPU vs the hub layout's floor (hub layout + sha256; "
                       f"for comparison, not a target): {fmt_ratio(x['cpu_vs_layout_floor'])}")
        out.append("")
    return out


# ----------------------------------------------------------------------------------------------
# Main


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenario", default=DEFAULT_SCENARIOS,
                   help="comma list of a (16x128MiB), b (1x2GiB), c (500x64KiB), "
                        "d (1x8GiB, RSS check); default %(default)s")
    p.add_argument("--reps", type=int, default=5, help="repetitions per client (default 5)")
    p.add_argument("--scale", type=float, default=1.0,
                   help="multiply every file size (not the file counts) by this, e.g. 0.25")
    p.add_argument("--clients", default="xlaunch,aria2c,curl,lean",
                   help="comma list of xlaunch, aria2c, curl, lean (default all; lean is "
                        "bench/lean_client.cpp, a reference rather than a peer)")
    p.add_argument("--no-floors", action="store_true", help="skip the floor measurements")
    p.add_argument("--xlaunch", default=os.environ.get("XLAUNCH", ""),
                   help="path of the xlaunch binary (default $XLAUNCH); skipped when unset")
    p.add_argument("--xlaunch-base", default="",
                   help="a second xlaunch binary, run interleaved as client `xlaunch-base`, to "
                        "compare two builds in one run (not counted as a peer)")
    p.add_argument("--xlaunch-variant", action="append", default=[], metavar="NAME=VAR[,VAR]",
                   help="another client `xlaunch-NAME`: the --xlaunch binary with these "
                        "environment variables set to 1 (repeatable; bench/duty_costs.sh "
                        "uses it); like --xlaunch-base, not counted as a peer")
    p.add_argument("--xlaunch-arg", action="append", default=[],
                   help="extra argument appended to `xlaunch download` (repeatable)")
    p.add_argument("--work-dir", default="",
                   help="parent of the data and output dirs; put it on the filesystem you "
                        "want to measure (default: a new temp dir under $TMPDIR or /tmp)")
    p.add_argument("--data-dir", default="",
                   help="keep the generated repos here and reuse them on later runs "
                        "(default: generated inside the work dir and deleted at the end)")
    p.add_argument("--json", default="download-bench.json", help="results file (JSON)")
    p.add_argument("--timeout", type=float, default=900, help="seconds per client run")
    p.add_argument("--workers", default="auto", help="nginx worker_processes (default auto)")
    p.add_argument("--access-log", action="store_true", help="let nginx write an access log")
    p.add_argument("--phases", action="store_true",
                   help="also report where each client's wall time went (to the first request, "
                        "to the first file request, the transfers, after the last answer, the "
                        "final sync), from nginx's access log, which this turns on")
    p.add_argument("--keep", action="store_true", help="keep the work dir (logs, outputs)")
    p.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx",
                   help="nginx binary")
    args = p.parse_args(argv)
    keys = [k.strip() for k in args.scenario.split(",") if k.strip()]
    bad = [k for k in keys if k not in SCENARIOS]
    if bad or not keys:
        p.error(f"unknown scenario {bad}; pick from {','.join(SCENARIOS)}")
    args.scenarios = keys
    args.client_names = [c.strip() for c in args.clients.split(",") if c.strip()]
    bad = [c for c in args.client_names if c not in ("xlaunch", "aria2c", "curl", "lean")]
    if bad:
        p.error(f"unknown client {bad}")
    if args.reps < 1 or args.scale <= 0:
        p.error("--reps must be >= 1 and --scale > 0")
    args.xlaunch_variants = []
    for spec in args.xlaunch_variant:
        name, _, variables = spec.partition("=")
        names = [v.strip() for v in variables.split(",") if v.strip()]
        if not re.fullmatch(r"[A-Za-z0-9_.-]+", name) or not names or \
                not all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", v) for v in names):
            p.error(f"--xlaunch-variant {spec!r}: expected NAME=VAR[,VAR...], "
                    "e.g. no-hash=XLAUNCH_BENCH_SKIP_HASH")
        args.xlaunch_variants.append((name, names))
    return args


def build_clients(args, work: Path, log) -> list[Client]:
    clients: list[Client] = []
    for name in args.client_names:
        if name == "xlaunch":
            if not args.xlaunch:
                print("note: xlaunch skipped: set XLAUNCH=/path/to/xlaunch (or --xlaunch)")
                continue
            why = XlaunchClient.usable(args.xlaunch)
            if why:
                print(f"note: xlaunch skipped: {why}")
                continue
            clients.append(XlaunchClient(args.xlaunch, args.xlaunch_arg))
            if args.xlaunch_base:
                why = XlaunchClient.usable(args.xlaunch_base)
                if why:
                    raise SystemExit(f"--xlaunch-base: {why}")
                clients.append(XlaunchClient(args.xlaunch_base, args.xlaunch_arg, "xlaunch-base"))
            for name, variables in args.xlaunch_variants:
                clients.append(XlaunchClient(args.xlaunch, args.xlaunch_arg, f"xlaunch-{name}",
                                             {v: "1" for v in variables}))
        elif name == "aria2c":
            clients.append(Aria2())
        elif name == "curl":
            clients.append(Curl())
        elif name == "lean":
            lean, why_not = LeanClient.build(work)
            if why_not:
                log(f"skipping the client {LeanClient.name}: {why_not}")
            else:
                clients.append(lean)
    return clients


def machine_info(work: Path, clients, nginx_bin) -> dict:
    info = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "kernel": platform.release(),
        "cpus": os.cpu_count(),
        "cpu_model": "?",
        "filesystem": "?",
        "nginx": first_line([nginx_bin, "-v"]),
        "loadavg_at_start": os.getloadavg(),
        "clients": {c.name: c.version() for c in clients},
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    res = subprocess.run(["df", "-T", str(work)], capture_output=True, text=True)
    if res.returncode == 0 and len(res.stdout.splitlines()) > 1:
        info["filesystem"] = res.stdout.splitlines()[1].split()[1]
    return info


def run_scenario(sc, args, clients, floors, work: Path, data_root: Path, measurer: Path,
                 log) -> dict:
    size = sc.file_size(args.scale)
    # The data (unless reused) plus one run's output at a time, plus a margin.
    need = 2 * sc.count * size + 256 * MiB
    probe = data_root
    while not probe.exists():
        probe = probe.parent
    free = min(shutil.disk_usage(work).free, shutil.disk_usage(probe).free)
    if free < need:
        raise SystemExit(f"not enough space: scenario {sc.key} needs {fakehub.human(need)} "
                         f"for its data and one output, {fakehub.human(free)} free")
    repo = fakehub.ensure_repo(data_root, sc.key, sc.count, size, log)
    everyone = clients + floors
    runs: dict[str, list[dict]] = {c.name: [] for c in everyone}
    # Deleting a run's output right away would charge the next client for it: on ext4 without a
    # journal, creating a file skips every inode freed in the last 60 s (300 s while its inode
    # table block is dirty), one by one, so after a run that deleted 1,500 files each new file
    # costs a scan past them. For many-file scenarios the outputs are kept until the scenario
    # ends, when there is room for all of them.
    all_outputs = args.reps * len(everyone) * repo.total_bytes
    deferred: list[Path] | None = None
    note = None
    if len(repo.files) >= 100:
        note = deletion_note(len(repo.files), all_outputs + need, free)
        if note is None:
            deferred = []
        else:
            log("warning: " + note)
    with fakehub.Server(args.nginx, [repo], work / f"nginx-{sc.key}", args.workers,
                        args.access_log or args.phases) as server:
        server.self_check(repo)
        log(f"scenario {sc.key}: {len(repo.files)} files, {fakehub.human(repo.total_bytes)}, "
            f"nginx on {server.endpoint}")
        for rep in range(args.reps):
            # Rotate the order every repetition so no client always runs first (cold) or last.
            order = everyone[rep % len(everyone):] + everyone[:rep % len(everyone)]
            for client in order:
                runs[client.name].append(run_once(client, repo, server, work, rep, args,
                                                  measurer, log, deferred))
    for d in deferred or []:
        shutil.rmtree(d, ignore_errors=True)
    summary = {name: summarize(rs) for name, rs in runs.items()}
    return {"repo": repo, "runs": runs, "summary": summary, "note": note}


def deletion_note(files: int, room_needed: int, free: int) -> str | None:
    """None when every run's output of a many-file scenario can be kept until it ends; else a
    warning that its times are inflated (see run_scenario), to print with them."""
    if room_needed < free:
        return None
    return (f"each run's {files} output files were deleted before the next run (keeping them "
            f"all needs {fakehub.human(room_needed)}, {fakehub.human(free)} were free); on ext4 "
            "without a journal each file created later scans past the inodes freed in the last "
            "minute, so these times are inflated, the more for a client that creates more files; "
            "pass a --work-dir with more room")


def run_once(client, repo, server, work, rep, args, measurer: Path, log,
             deferred: list[Path] | None) -> dict:
    """Runs `client` once; its output is deleted now, or appended to `deferred` when given."""
    slug = client.name.replace("floor: ", "floor-").replace(" ", "-").replace("+", "-")
    out = work / f"out-{repo.key}-{slug}-{rep}"
    scratch = work / f"scratch-{repo.key}-{slug}-{rep}"
    for d in (out, scratch):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    argv, env = client.command(repo, server, out, scratch)
    subprocess.run(["sync"], check=False)  # the previous run's writeback is not ours to pay
    log_offset = server.access_log_path.stat().st_size if args.phases else 0
    m = spawn_measured(measurer, argv, env, scratch / "stdout.txt", scratch / "stderr.txt",
                       args.timeout, with_sync=client.writes)
    error = None
    if m.timed_out:
        error = f"timed out after {args.timeout:.0f} s"
    elif m.code != 0:
        error = f"exit code {m.code}"
    else:
        expected = client.expected(repo, out)
        if expected is not None:
            error = verify(expected, repo)
    record = {"client": client.name, "rep": rep, "ok": error is None, "error": error,
              "wall_s": m.wall, "cpu_s": m.cpu, "switches": m.switches, "peak_rss_bytes": m.rss,
              "exit_code": m.code}
    if args.phases:
        # nginx writes each line when the answer ends, before the client can read its last byte.
        with open(server.access_log_path, errors="replace") as fh:
            fh.seek(log_offset)
            lines = fh.read().splitlines()
        record["phases_ms"] = phases_from_log(lines, m.started_at, m.exited_at, m.synced_at)
    status = "ok" if error is None else f"FAILED: {error}"
    log(f"  rep {rep + 1} {client.name:22s} {m.wall:8.3f} s  cpu {m.cpu:6.3f} s  "
        f"rss {m.rss / MiB:7.1f} MiB  switches {m.switches:6d}  {status}")
    if error is not None:
        log(f"    command: {' '.join(argv[:12])}{' ...' if len(argv) > 12 else ''}")
        log(tail(scratch / "stderr.txt") or "    (no stderr)")
    if error is None or not args.keep:
        if deferred is not None:
            deferred += [out, scratch]
        else:
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(scratch, ignore_errors=True)
    return record


def interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    args = parse_args(argv)
    # Ctrl-C and kill both unwind through the cleanup: clients killed, nginx stopped, work dir
    # removed. (A shell starts background jobs with SIGINT ignored; undo that too.)
    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, interrupt)
    for tool in ("curl", "sync", "cp", "sha256sum") + (("aria2c",) if "aria2c" in
                                                       args.client_names else ()):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found on PATH; bench/run.sh installs it")
    if not os.access(args.nginx, os.X_OK):
        raise SystemExit(f"nginx not found at {args.nginx}; bench/run.sh installs nginx-light")

    if args.work_dir:
        os.makedirs(args.work_dir, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="xlaunch-bench-",
                                 dir=args.work_dir or None)).resolve()
    data_root = Path(args.data_dir).resolve() if args.data_dir else work / "data"
    started = time.time()

    def log(msg):
        print(f"[{time.time() - started:7.1f}s] {msg}", flush=True)

    measurer = work / MEASURER_SOURCE.stem
    why_not = build_with_compiler(MEASURER_SOURCE, measurer, [])
    if why_not:
        shutil.rmtree(work, ignore_errors=True)
        raise SystemExit(f"{why_not}; bench/run.sh needs it to measure the clients "
                         "(Debian: apt-get install g++)")
    clients = build_clients(args, work, log)
    if not clients:
        raise SystemExit("no client to run")
    info = machine_info(work, clients, args.nginx)
    log(f"work dir {work} ({info['filesystem']}), scale {args.scale}, reps {args.reps}, "
        f"clients {', '.join(c.name for c in clients)}")
    results = {"meta": {**info, "scale": args.scale, "reps": args.reps,
                        "command": " ".join([Path(sys.argv[0]).name] + (argv or sys.argv[1:]))},
               "scenarios": {}}
    lines = []
    try:
        floors = []
        if not args.no_floors:
            layout, why_not = LayoutFloor.build(work)
            if why_not:
                log(f"skipping the floor {LayoutFloor.name}: {why_not}")
            floors = [CopyFloor()] + ([layout] if layout else []) + [LoopbackFloor(), HashFloor()]
        for key in args.scenarios:
            sc = SCENARIOS[key]
            res = run_scenario(sc, args, clients, floors, work, data_root, measurer, log)
            repo = res["repo"]
            lines += report_scenario(sc, repo, [c.name for c in clients],
                                     [f.name for f in floors], res["summary"], args.reps,
                                     args.scale, tuple(c.name for c in clients if not c.peer))
            if res["note"]:
                lines += [f"- warning: {res['note']}", ""]
            results["scenarios"][key] = {
                "title": sc.title, "files": len(repo.files), "bytes": repo.total_bytes,
                "file_size": sc.file_size(args.scale), "summary": res["summary"],
                "warning": res["note"],
                "runs": [r for rs in res["runs"].values() for r in rs]}
            if not args.data_dir:
                shutil.rmtree(data_root / key, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    header = [
        f"## Download benchmark ({info['date']})", "",
        f"Machine: {info['cpu_model']}, {info['cpus']} CPUs, Linux {info['kernel']}, "
        f"target filesystem {info['filesystem']}; {info['nginx']} on 127.0.0.1 (sendfile).",
        "Clients: " + "; ".join(f"{k}: {v}" for k, v in info["clients"].items()) + ".",
        f"Scale {args.scale}, {args.reps} interleaved reps, medians; wall includes a final "
        "`sync`; MB = 10^6 bytes; every output file's sha256 checked after every run. "
        "Floors (no sync for the two that write nothing): `cp -r` of the data + sync; the data "
        "copied into huggingface_hub's cache layout + sync (bench/hub_layout_copy.cpp: per file a "
        "lock file, a partial, a rename and a snapshot link); curl reading every file over "
        "loopback into /dev/null; `openssl dgst -sha256` of the data. CPU vs floor = client CPU "
        "/ (cp CPU + sha256 CPU). The reference client, not a peer (bench/lean_client.cpp): "
        "one thread fetching as curl does, with xlaunch's duties (locks, partials, every file "
        "hashed and checked) and a second one syncing, renaming and linking the verified files "
        "64 at a time. CPU, RSS and context switches as the kernel counted them "
        f"(bench/measure_run.cpp); load average at start {info['loadavg_at_start'][0]:.2f}.",
        ""]
    print()
    print("\n".join(header + lines))
    Path(args.json).write_text(json.dumps(results, indent=1, default=str) + "\n")
    print(f"results written to {args.json}")
    failed = any(not r["ok"] for sc in results["scenarios"].values() for r in sc["runs"])
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
