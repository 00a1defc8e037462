# SPDX-License-Identifier: Apache-2.0
"""A synthetic Hugging Face model repo on disk and an nginx that serves it like the Hub.

Layout of one repo (`key` is the scenario letter):
  <data>/<key>/files/<path>          the file bytes (what the CDN serves)
  <data>/<key>/_api/info.json        GET /api/models/{repo}[/revision/{rev}]   (hubs.md A3)
  <data>/<key>/_api/tree.json        GET /api/models/{repo}/tree/{rev}         (hubs.md A4)
  <data>/<key>/manifest.json         sizes and hashes, so a --data-dir can be reused

nginx answers (hubs.md A5):
  POST /api/models/{repo}/paths-info/{rev}: the whole tree (a superset of the asked paths)
  HEAD/GET /{repo}/resolve/{main|commit}/{lfs file}
      302, absolute Location http://127.0.0.1:CDN_PORT/cdn/<key>/<sha256>/<path>?Expires=..
      (a second port, so the redirect changes netloc as it does on the real Hub)
      X-Repo-Commit, X-Linked-Etag: "<sha256>", X-Linked-Size, ETag: "<pointer sha1>"
  HEAD/GET /{repo}/resolve/{main|commit}/{regular file}
      200 with ETag: "<git blob sha1>", X-Repo-Commit, Content-Length, Accept-Ranges
  missing file: 404 X-Error-Code: EntryNotFound + X-Repo-Commit; other revision:
      404 RevisionNotFound; anything else: 404 RepoNotFound
  /cdn/...: the bytes, sendfile, Range (206 + Content-Range)
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import signal
import socket
import subprocess
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

MiB = 1 << 20
FORMAT = 1  # bump when the generated layout changes, so reused data dirs are regenerated
NAMESPACE = "xlaunch-bench"


def human(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def lfs_pointer(sha256: str, size: int) -> bytes:
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()


@dataclass
class RepoFile:
    path: str
    size: int
    sha256: str
    git_sha1: str  # blob sha1 of the file (regular) or of its LFS pointer (LFS)
    lfs: bool


@dataclass
class Repo:
    key: str
    repo_id: str
    commit: str
    root: Path
    files: list[RepoFile]

    @property
    def files_dir(self) -> Path:
        return self.root / "files"

    @property
    def cache_folder(self) -> str:
        return "models--" + self.repo_id.replace("/", "--")

    @property
    def total_bytes(self) -> int:
        return sum(f.size for f in self.files)

    @property
    def data_bytes(self) -> int:
        return sum(f.size for f in self.files if f.lfs)


def weight_names(count: int) -> list[str]:
    if count == 1:
        return ["model.safetensors"]
    return [f"model-{i:05d}-of-{count:05d}.safetensors" for i in range(1, count + 1)]


def write_random(path: Path, size: int) -> str:
    """Writes `size` random bytes and returns their sha256."""
    h = hashlib.sha256()
    with open(path, "wb") as fh:
        left = size
        while left:
            chunk = os.urandom(min(left, 8 * MiB))
            h.update(chunk)
            fh.write(chunk)
            left -= len(chunk)
    return h.hexdigest()


def ensure_repo(data_root: Path, key: str, count: int, size: int, log=print) -> Repo:
    """The repo of scenario `key`: reused from data_root when it matches, else generated."""
    root = data_root / key
    manifest = root / "manifest.json"
    want = {"format": FORMAT, "count": count, "size": size}
    if manifest.is_file():
        m = json.loads(manifest.read_text())
        if m.get("params") == want:
            files = [RepoFile(**f) for f in m["files"]]
            paths = [(root / "files" / f.path, f.size) for f in files]
            if all(path.is_file() and path.stat().st_size == size for path, size in paths):
                log(f"scenario {key}: reusing data in {root}")
                return Repo(key, m["repo_id"], m["commit"], root, files)
    if root.exists():
        subprocess.run(["rm", "-rf", str(root)], check=True)
    (root / "files").mkdir(parents=True)
    (root / "_api").mkdir()
    log(f"scenario {key}: generating {count} x {human(size)} of random data in {root}")
    files: list[RepoFile] = []
    names = weight_names(count)
    for name in names:
        sha = write_random(root / "files" / name, size)
        files.append(RepoFile(name, size, sha, git_blob_sha1(lfs_pointer(sha, size)), True))
    small = {"config.json": json.dumps({"architectures": ["LlamaForCausalLM"],
                                        "model_type": "llama", "bench_scenario": key},
                                       indent=2).encode() + b"\n"}
    if count > 1:
        index = {"metadata": {"total_size": size * count},
                 "weight_map": {f"layer.{i}.weight": n for i, n in enumerate(names)}}
        small["model.safetensors.index.json"] = json.dumps(index, indent=2).encode() + b"\n"
    for name, data in small.items():
        (root / "files" / name).write_bytes(data)
        files.append(RepoFile(name, len(data), hashlib.sha256(data).hexdigest(),
                              git_blob_sha1(data), False))
    files.sort(key=lambda f: f.path)
    repo_id = f"{NAMESPACE}/scenario-{key}"
    commit = hashlib.sha1(("\n".join(f"{f.path} {f.sha256}" for f in files)).encode()).hexdigest()
    repo = Repo(key, repo_id, commit, root, files)
    write_api(repo)
    manifest.write_text(json.dumps({"params": want, "repo_id": repo_id, "commit": commit,
                                    "files": [f.__dict__ for f in files]}, indent=1))
    return repo


def write_api(repo: Repo) -> None:
    siblings, tree = [], []
    for f in repo.files:
        sib = {"rfilename": f.path, "size": f.size, "blobId": f.git_sha1}
        entry = {"type": "file", "oid": f.git_sha1, "size": f.size, "path": f.path}
        if f.lfs:
            pointer_size = len(lfs_pointer(f.sha256, f.size))
            sib["lfs"] = {"sha256": f.sha256, "size": f.size, "pointerSize": pointer_size}
            entry["lfs"] = {"oid": f.sha256, "size": f.size, "pointerSize": pointer_size}
        siblings.append(sib)
        tree.append(entry)
    info = {
        "_id": repo.commit[:24], "id": repo.repo_id, "modelId": repo.repo_id,
        "author": NAMESPACE, "sha": repo.commit, "lastModified": "2026-01-01T00:00:00.000Z",
        "createdAt": "2026-01-01T00:00:00.000Z", "private": False, "gated": False,
        "disabled": False, "downloads": 0, "likes": 0, "tags": ["safetensors"],
        "library_name": "transformers", "siblings": siblings,
    }
    (repo.root / "_api" / "info.json").write_text(json.dumps(info))
    (repo.root / "_api" / "tree.json").write_text(json.dumps(tree))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nginx_quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def nginx_conf(repos: list[Repo], data_root: Path, run_dir: Path, port: int, cdn_port: int,
               workers: str, access_log: bool) -> str:
    cdn_endpoint = f"http://127.0.0.1:{cdn_port}"
    sha_map, size_map, sha1_map = [], [], []
    for repo in repos:
        for f in repo.files:
            k = nginx_quote(f"{repo.key}/{f.path}")
            size_map.append(f"    {k} {f.size};")
            sha1_map.append(f"    {k} {f.git_sha1};")
            if f.lfs:
                sha_map.append(f"    {k} {f.sha256};")
    locations, cdn_locations = [], []
    for repo in repos:
        rid = repo.repo_id.replace(".", r"\.")
        files = (data_root / repo.key).resolve()
        revs = f"(?:main|{repo.commit})"
        cdn = f"{cdn_endpoint}/cdn/{repo.key}/$bench_sha256/$bench_file?Expires=4102444800&Signature=bench-{repo.key}"
        locations.append(f"""
    location ~ "^/api/models/{rid}(?:/revision/{revs})?$" {{
      default_type application/json;
      root {data_root.resolve()};
      rewrite ^ /{repo.key}/_api/info.json break;
    }}
    location ~ "^/api/models/{rid}/tree/{revs}/?$" {{
      default_type application/json;
      root {data_root.resolve()};
      rewrite ^ /{repo.key}/_api/tree.json break;
    }}
    location ~ "^/api/models/{rid}/paths-info/{revs}$" {{
      default_type application/json;
      root {data_root.resolve()};
      rewrite ^ /{repo.key}/_api/tree.json break;
      error_page 405 =200 /{repo.key}/_api/tree.json;  # static files refuse POST otherwise
    }}
    location ~ "^/api/models/{rid}/" {{
      add_header X-Error-Code RevisionNotFound always;
      return 404 "revision not found\\n";
    }}
    location ~ "^/{rid}/resolve/{revs}/(?<bench_file>.+)$" {{
      set $bench_key "{repo.key}/$bench_file";
      if ($bench_size = "") {{
        add_header X-Error-Code EntryNotFound always;
        add_header X-Repo-Commit {repo.commit} always;
        return 404 "entry not found\\n";
      }}
      if ($bench_sha256) {{
        add_header X-Repo-Commit {repo.commit} always;
        add_header X-Linked-Etag "\\"$bench_sha256\\"" always;
        add_header X-Linked-Size $bench_size always;
        add_header ETag "\\"$bench_git_sha1\\"" always;
        return 302 "{cdn}";
      }}
      etag off;
      add_header X-Repo-Commit {repo.commit} always;
      add_header ETag "\\"$bench_git_sha1\\"" always;
      alias {files}/files/$bench_file;
    }}
    location ~ "^/{rid}/resolve/" {{
      add_header X-Error-Code RevisionNotFound always;
      return 404 "revision not found\\n";
    }}""")
        cdn_locations.append(f"""
    location ~ "^/cdn/{repo.key}/[0-9a-f]{{64}}/(?<bench_cdn_file>.+)$" {{
      alias {files}/files/$bench_cdn_file;
    }}""")
    user = "user root;\n" if os.geteuid() == 0 else ""
    # Each line: when the answer ended (epoch seconds, ms resolution), how long the request
    # took, its status and its target; download_bench.py --phases reads them.
    log = (f"log_format xlaunch_bench '$msec $request_time $status $request_uri';\n"
           f"  access_log {run_dir}/access.log xlaunch_bench;") if access_log else "access_log off;"
    return f"""# Generated by bench/fakehub.py; serves a synthetic Hugging Face repo.
{user}worker_processes {workers};
daemon off;
master_process on;
pid {run_dir}/nginx.pid;
error_log {run_dir}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  {log}
  client_body_temp_path {run_dir}/tmp/body;
  proxy_temp_path {run_dir}/tmp/proxy;
  fastcgi_temp_path {run_dir}/tmp/fastcgi;
  uwsgi_temp_path {run_dir}/tmp/uwsgi;
  scgi_temp_path {run_dir}/tmp/scgi;
  types {{ application/json json; }}
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 75s;
  keepalive_requests 100000;
  server_tokens off;
  open_file_cache max=4096 inactive=60s;
  map_hash_max_size 8192;
  map_hash_bucket_size 128;
  map $bench_key $bench_size {{
    default "";
{chr(10).join(size_map)}
  }}
  map $bench_key $bench_sha256 {{
    default "";
{chr(10).join(sha_map)}
  }}
  map $bench_key $bench_git_sha1 {{
    default "";
{chr(10).join(sha1_map)}
  }}
  server {{
    listen 127.0.0.1:{port} backlog=4096;
    server_name bench;
    location = /healthz {{ return 200 "ok\\n"; }}
{"".join(locations)}
    location / {{
      add_header X-Error-Code RepoNotFound always;
      return 404 "repository not found\\n";
    }}
    location ~ "^/[a-z]/_api/[a-z]+\\.json$" {{
      internal;
      default_type application/json;
      root {data_root.resolve()};
    }}
  }}
  server {{
    listen 127.0.0.1:{cdn_port} backlog=4096;
    server_name cdn;
    location = /healthz {{ return 200 "ok\\n"; }}
{"".join(cdn_locations)}
    location / {{ return 404; }}
  }}
}}
"""


class Server:
    """nginx as a non-daemon child serving `repos`; a context manager."""

    def __init__(self, nginx_bin: str, repos: list[Repo], run_dir: Path, workers="auto",
                 access_log=False):
        self.nginx_bin = nginx_bin
        self.repos = repos
        self.run_dir = run_dir
        self.workers = workers
        self.access_log = access_log
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.cdn_port = 0

    @property
    def access_log_path(self) -> Path:
        return self.run_dir / "access.log"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def resolve_url(self, repo: Repo, path: str, rev: str = "main") -> str:
        return f"{self.endpoint}/{repo.repo_id}/resolve/{rev}/{urllib.parse.quote(path)}"

    def __enter__(self):
        (self.run_dir / "tmp").mkdir(parents=True, exist_ok=True)
        data_root = self.repos[0].root.parent
        last_error = ""
        for _ in range(5):  # the free port can be taken between probe and bind
            self.port, self.cdn_port = free_port(), free_port()
            conf = self.run_dir / "nginx.conf"
            conf.write_text(nginx_conf(self.repos, data_root, self.run_dir, self.port,
                                       self.cdn_port, self.workers, self.access_log))
            err = open(self.run_dir / "nginx.stderr", "wb")
            self.proc = subprocess.Popen(
                [self.nginx_bin, "-p", str(self.run_dir), "-c", str(conf),
                 "-e", str(self.run_dir / "error.log")],
                stdin=subprocess.DEVNULL, stdout=err, stderr=err)
            err.close()
            if self._wait_ready():
                return self
            self._stop()
            last_error = (self.run_dir / "nginx.stderr").read_text(errors="replace")
            try:
                last_error += (self.run_dir / "error.log").read_text(errors="replace")
            except OSError:
                pass
        raise RuntimeError(f"nginx did not start:\n{last_error}")

    def _wait_ready(self) -> bool:
        deadline = time.monotonic() + 10
        pending = [self.port, self.cdn_port]
        while time.monotonic() < deadline and pending:
            if self.proc.poll() is not None:
                return False
            try:
                conn = http.client.HTTPConnection("127.0.0.1", pending[0], timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    pending.pop(0)
                conn.close()
                continue
            except OSError:
                pass
            time.sleep(0.05)
        return not pending

    def _stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # fast shutdown of master and workers
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __exit__(self, *exc):
        self._stop()
        return False

    def request(self, method: str, path: str, headers=None, body=None, port=0):
        conn = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=10)
        conn.request(method, path, body=body, headers=headers or {})
        res = conn.getresponse()
        body = res.read()
        conn.close()
        return res, body

    def self_check(self, repo: Repo) -> None:
        """Fails loudly when the server does not speak the protocol the clients expect."""
        def expect(cond, what):
            if not cond:
                raise RuntimeError(f"fake hub self-check failed: {what}")

        res, body = self.request("GET", f"/api/models/{repo.repo_id}/revision/main")
        expect(res.status == 200 and json.loads(body)["sha"] == repo.commit, "revision API")
        res, body = self.request(
            "GET", f"/api/models/{repo.repo_id}/tree/{repo.commit}?recursive=true&expand=false")
        tree = json.loads(body) if res.status == 200 else []
        expect(len(tree) == len(repo.files), "tree API")
        res, body = self.request("POST", f"/api/models/{repo.repo_id}/paths-info/main",
                                 {"Content-Type": "application/json"},
                                 json.dumps({"paths": [repo.files[0].path]}))
        expect(res.status == 200 and len(json.loads(body)) == len(repo.files), "paths-info")
        lfs = next(f for f in repo.files if f.lfs)
        res, _ = self.request("HEAD", f"/{repo.repo_id}/resolve/main/{lfs.path}",
                              {"Accept-Encoding": "identity"})
        loc = res.getheader("Location", "")
        cdn = f"http://127.0.0.1:{self.cdn_port}"
        expect(res.status == 302 and loc.startswith(cdn + "/cdn/"), "LFS 302")
        expect(res.getheader("X-Linked-Etag") == f'"{lfs.sha256}"', "X-Linked-Etag")
        expect(res.getheader("X-Linked-Size") == str(lfs.size), "X-Linked-Size")
        expect(res.getheader("X-Repo-Commit") == repo.commit, "X-Repo-Commit")
        res, body = self.request("GET", loc[len(cdn):], {"Range": "bytes=1-10"},
                                 port=self.cdn_port)
        expect(res.status == 206 and len(body) == min(10, lfs.size - 1) and
               res.getheader("Content-Range") == f"bytes 1-{min(10, lfs.size - 1)}/{lfs.size}",
               "CDN Range")
        small = next(f for f in repo.files if not f.lfs)
        res, _ = self.request("HEAD", f"/{repo.repo_id}/resolve/{repo.commit}/{small.path}")
        expect(res.status == 200 and res.getheader("ETag") == f'"{small.git_sha1}"' and
               res.getheader("Content-Length") == str(small.size), "regular file HEAD")
        res, _ = self.request("HEAD", f"/{repo.repo_id}/resolve/main/missing.bin")
        expect(res.status == 404 and res.getheader("X-Error-Code") == "EntryNotFound",
               "missing file 404")
