# SPDX-License-Identifier: Apache-2.0
"""A fake Hugging Face Hub + ModelScope on loopback, for end-to-end tests (hubs.md Part C).

Two listeners on 127.0.0.1, both on port 0: the "hub" (API, /resolve/, ModelScope /api/v1) and
a separate "CDN" (signed-URL style blob downloads), so an absolute redirect changes host:port
exactly as on the real services. Usage:

    python3 fake_hub.py CONFIG.json [PORTS_FILE]

prints {"hub": PORT, "cdn": PORT} as the first line of stdout (and writes it to PORTS_FILE
when given), then serves until killed.

CONFIG (JSON):
  repos: [{"id": "owner/name", "hubs": ["huggingface", "modelscope"], "root": DIR,
           "commit": 40 hex (default: derived from the content), "refs": ["main", "master"],
           "tags": [...], "private": bool, "gated": false|"auto"|"manual",
           "lfs_threshold": bytes (default 1024) | "lfs": [paths]}]
          Files are every regular file under DIR (read at start-up).
  tokens: {"hf_xxx": "alice"}       token -> user (HF Bearer; ModelScope Bearer or m_session_id)
  access: {"owner/name": ["alice"]} users allowed into a private or gated repo
  page_size: tree API page size (default 1000)
  redirect_style: regular HF files: "direct" (200), "relative" (307 -> /api/resolve-cache/...),
                  "cdn" (302 absolute to the CDN) -- LFS files always 302 to the CDN
  ms_cdn_threshold: ModelScope files larger than this 302 to the CDN (default 1 MiB)
  tls: {"cert": PEM, "key": PEM}: the hub listener speaks https with that certificate (the CDN
          stays http, as a signed CDN URL may); the first line then also has "scheme": "https"
  log: path of the JSON-lines request log
  faults: [RULE]; RULE = {"fault": NAME, "listener": "hub"|"cdn"|"any", "method": "GET",
          "path_contains": "...", "times": N (default: always), ...parameters}
          NAME: reset (after_bytes), stall (after_bytes, seconds), status (status, retry_after,
          headers), ignore_range, short_body (after_bytes), corrupt, drop_headers (headers),
          redirect_loop, not_found, gzip, redirect_absolute (status, to),
          throttle (bytes_per_second: each matching answer's body is paced to that rate)
  listing_override: {"owner/name": ANSWER}  a hostile file listing for that repo, on either hub
  info_override: {"owner/name": ANSWER}     a hostile answer to the revision query (HF
          /api/models/{repo}/revision/..., ModelScope /revisions)
          ANSWER = {"entries": [...]} (in the hub's own entry format: HF tree items as the list,
          ModelScope Files items inside its envelope) | {"json": ANY} (sent as-is) |
          {"body": "raw text"} | {"body_file": PATH} (raw bytes, read at each request)
  sent_log: path of the JSON-lines log of file bodies sent (default: log + ".sent"): one line
          per 200/206 file answer when it ends, {"listener", "method", "path", "range", "status",
          "bytes_sent", "time"}; bytes_sent counts what reached the socket, so an answer cut short
          by a killed client counts only what left before.
Admin (never logged): POST /_admin/faults (body: list of rules) replaces the faults;
POST /_admin/config (body: object) updates top-level settings such as redirect_style.
"""
import base64
import gzip
import hashlib
import json
import os
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GATED_401 = ("Access to model {repo} is restricted. You must have access to it and be authenticated "
             "to access it. Please log in.")
GATED_403 = ("Access to model {repo} is restricted and you are not in the authorized list. "
             "Visit https://huggingface.co/{repo} to ask for access.")


class Repo:
    def __init__(self, spec):
        self.id = spec["id"]
        self.hubs = set(spec.get("hubs", ["huggingface", "modelscope"]))
        self.private = bool(spec.get("private", False))
        self.gated = spec.get("gated", False)
        root = spec["root"]
        self.files = {}
        for folder, _dirs, names in os.walk(root):
            for name in names:
                full = os.path.join(folder, name)
                rel = os.path.relpath(full, root).replace(os.sep, "/")
                with open(full, "rb") as f:
                    self.files[rel] = f.read()
        threshold = int(spec.get("lfs_threshold", 1024))
        explicit = spec.get("lfs")
        self.meta = {}
        for path, data in self.files.items():
            sha1 = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
            sha256 = hashlib.sha256(data).hexdigest()
            lfs = path in explicit if explicit is not None else len(data) > threshold
            self.meta[path] = {"size": len(data), "sha1": sha1, "sha256": sha256, "lfs": lfs}
        digest = hashlib.sha1(json.dumps(sorted((p, m["sha256"]) for p, m in self.meta.items())).encode())
        self.commit = spec.get("commit") or digest.hexdigest()
        self.refs = list(spec.get("refs", ["main", "master"]))
        self.tags = list(spec.get("tags", []))

    def resolve(self, revision):
        if revision == self.commit or revision in self.refs or revision in self.tags:
            return self.commit
        return None

    def directories(self):
        dirs = set()
        for path in self.files:
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                dirs.add("/".join(parts[:i]))
        return dirs


class State:
    def __init__(self, config, config_dir):
        self.lock = threading.Lock()
        self.config = config
        self.repos = {}
        for spec in config.get("repos", []):
            spec = dict(spec)
            if not os.path.isabs(spec["root"]):
                spec["root"] = os.path.join(config_dir, spec["root"])
            repo = Repo(spec)
            self.repos[repo.id] = repo
        self.blobs = {}
        for repo in self.repos.values():
            for path, meta in repo.meta.items():
                self.blobs[meta["sha256"]] = repo.files[path]
                self.blobs[meta["sha1"]] = repo.files[path]
        self.faults = [dict(rule) for rule in config.get("faults", [])]
        self.log_path = config.get("log")
        self.sent_log_path = config.get("sent_log") or (self.log_path + ".sent" if self.log_path else None)
        self.ports = {}

    def setting(self, name, default):
        with self.lock:
            return self.config.get(name, default)

    def log(self, entry):
        if not self.log_path:
            return
        with self.lock:
            with open(self.log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")

    def log_sent(self, entry):
        if not self.sent_log_path:
            return
        with self.lock:
            with open(self.sent_log_path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")

    def take_fault(self, listener, method, path):
        with self.lock:
            for rule in self.faults:
                if rule.get("listener", "any") not in ("any", listener):
                    continue
                if rule.get("method") and rule["method"] != method:
                    continue
                if rule.get("path_contains") and rule["path_contains"] not in urllib.parse.unquote(path):
                    continue
                times = rule.get("times")
                if times is not None:
                    if times <= 0:
                        continue
                    rule["times"] = times - 1
                return dict(rule)
        return None


def user_of(state, headers):
    """(user, bad_token): the user a request authenticates as."""
    tokens = state.config.get("tokens", {})
    token = None
    auth = headers.get("Authorization")
    if auth and auth.lower().startswith("bearer "):
        token = auth[7:].strip()
    cookie = headers.get("Cookie") or ""
    match = re.search(r"m_session_id=([^;\s]+)", cookie)
    if token is None and match:
        token = match.group(1)
    if token is None:
        return None, False
    if token in tokens:
        return tokens[token], False
    return None, True


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeHub/1.0"
    listener = "hub"
    state = None

    def log_message(self, *args):  # quiet: the JSON log is the record
        pass

    # ---- plumbing -------------------------------------------------------------------------
    def do_HEAD(self):
        self.dispatch("HEAD")

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def dispatch(self, method):
        self.method = method
        self.logged = False
        self.status_sent = None
        self.fault = None
        self.file_body = False
        length = int(self.headers.get("Content-Length") or 0)
        self.body_in = self.rfile.read(length) if length else b""
        raw_path = self.path
        if raw_path.startswith("/_admin/"):
            return self.admin(raw_path)
        self.fault = self.state.take_fault(self.listener, method, raw_path)
        try:
            if self.fault and self.apply_early_fault():
                pass
            elif self.listener == "cdn":
                self.cdn(raw_path)
            else:
                self.hub(raw_path)
        finally:
            self.write_log()

    def send_response(self, code, message=None):
        # Logged before the answer leaves, so a client that has its answer finds it in the log.
        self.status_sent = code
        self.write_log()
        super().send_response(code, message)

    def write_log(self):
        if self.logged or getattr(self, "method", None) is None or self.path.startswith("/_admin/"):
            return
        self.logged = True
        method, raw_path = self.method, self.path
        self.state.log({
            "listener": self.listener, "method": method, "path": raw_path,
            "status": self.status_sent,
            "authorization": "Authorization" in self.headers,
            "cookie": "Cookie" in self.headers,
            "range": self.headers.get("Range"),
            "headers": {k.lower(): (v if k.lower() not in ("authorization", "cookie") else "<redacted>")
                        for k, v in self.headers.items()},
            "fault": self.fault.get("fault") if self.fault else None,
            "file_body": self.file_body,  # a file answer: its sent_log line comes when it ends
            "time": time.time(),
        })

    def admin(self, raw_path):
        payload = json.loads(self.body_in or b"null")
        with self.state.lock:
            if raw_path == "/_admin/faults":
                self.state.faults = [dict(rule) for rule in payload or []]
            elif raw_path == "/_admin/config":
                self.state.config.update(payload or {})
        self.send_plain(200, b"ok")

    def send_plain(self, status, body, headers=None, content_type="text/plain"):
        self.status_sent = status
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.method != "HEAD":
            self.wfile.write(body)

    def send_json(self, status, obj, headers=None):
        body = json.dumps(obj).encode()
        headers = dict(headers or {})
        if self.fault and self.fault["fault"] == "gzip":
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self.send_plain(status, body, headers, "application/json")

    def send_override(self, kind, repo_id, wrap_entries):
        """Answers with the hostile body configured under `kind` for this repo; False if none."""
        answer = self.state.setting(kind, {}).get(repo_id)
        if answer is None:
            return False
        if "entries" in answer:
            self.send_json(200, wrap_entries(answer["entries"]))
        elif "json" in answer:
            self.send_json(200, answer["json"])
        elif "body_file" in answer:
            with open(answer["body_file"], "rb") as f:
                self.send_plain(200, f.read(), content_type="application/json")
        else:
            self.send_plain(200, answer["body"].encode("utf-8", "surrogatepass"), content_type="application/json")
        return True

    def hf_error(self, status, code, message, extra=None):
        headers = {"X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        headers.update(extra or {})
        self.send_json(status, {"error": message}, headers)

    def apply_early_fault(self):
        """Faults that replace the answer. Returns True when the request was answered."""
        name = self.fault["fault"]
        if name == "status":
            status = int(self.fault.get("status", 503))
            headers = dict(self.fault.get("headers", {}))
            if "retry_after" in self.fault:
                headers["Retry-After"] = str(self.fault["retry_after"])
            self.send_plain(status, b"injected failure", headers)
            return True
        if name == "not_found":
            self.hf_error(404, "EntryNotFound", "Entry not found (injected)")
            return True
        if name == "redirect_loop":
            self.send_plain(302, b"", {"Location": self.path})
            return True
        if name == "redirect_absolute":
            target = self.fault.get("to", "%s://127.0.0.1:%d" % (self.state.scheme, self.state.ports["hub"])) + self.path
            self.send_plain(int(self.fault.get("status", 308)), b"", {"Location": target})
            return True
        return False

    def send_file(self, data, headers):
        """200 or 206 with Range support and the body faults."""
        name = self.fault["fault"] if self.fault else None
        headers = dict(headers)
        if name == "drop_headers":
            for header in self.fault.get("headers", []):
                headers.pop(header, None)
        total = len(data)
        status, start, end = 200, 0, total - 1
        range_header = self.headers.get("Range")
        if range_header and name != "ignore_range":
            match = re.fullmatch(r"bytes=(\d*)-(\d*)", range_header.strip())
            if match and (match.group(1) or match.group(2)):
                if match.group(1):
                    start = int(match.group(1))
                    end = min(int(match.group(2)), total - 1) if match.group(2) else total - 1
                else:
                    start = max(0, total - int(match.group(2)))
                if start >= total or start > end:
                    self.send_plain(416, b"", {"Content-Range": "bytes */%d" % total})
                    return
                status = 206
                headers["Content-Range"] = "bytes %d-%d/%d" % (start, end, total)
        body = data[start:end + 1]
        if name == "corrupt" and body:
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        self.status_sent = status
        self.file_body = self.method == "GET"
        self.send_response(status)
        headers.setdefault("Accept-Ranges", "bytes")
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.method == "HEAD":
            return
        self.bytes_sent = 0
        try:
            self.send_file_body(name, body)
        finally:
            self.state.log_sent({"listener": self.listener, "method": self.method, "path": self.path,
                                 "range": self.headers.get("Range"), "status": status,
                                 "bytes_sent": self.bytes_sent, "time": time.time()})

    def write_counted(self, data, bytes_per_second=None):
        """Writes `data` in pieces, counting what reached the socket; paced when a rate is given.
        A client that went away ends the answer quietly (no traceback per killed client)."""
        piece = max(1024, int(bytes_per_second) // 50) if bytes_per_second else 64 * 1024
        try:
            for start in range(0, len(data), piece):
                chunk = data[start:start + piece]
                self.wfile.write(chunk)
                self.bytes_sent += len(chunk)
                if bytes_per_second:
                    time.sleep(len(chunk) / float(bytes_per_second))
            return True
        except OSError:
            self.close_connection = True
            return False

    def send_file_body(self, name, body):
        if name == "throttle":
            self.write_counted(body, float(self.fault.get("bytes_per_second", 1024 * 1024)))
            return
        if name in ("reset", "short_body", "stall"):
            cut = min(int(self.fault.get("after_bytes", len(body) // 2)), len(body))
            if not self.write_counted(body[:cut]):
                return
            self.wfile.flush()
            if name == "stall":
                time.sleep(float(self.fault.get("seconds", 30)))
                self.write_counted(body[cut:])
                return
            if name == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.write_counted(body)

    # ---- CDN ------------------------------------------------------------------------------
    def cdn(self, raw_path):
        parsed = urllib.parse.urlsplit(raw_path)
        match = re.fullmatch(r"/blobs/([0-9a-f]{40,64})", parsed.path)
        if not match or match.group(1) not in self.state.blobs:
            return self.send_plain(404, b"no such blob")
        if self.method not in ("GET", "HEAD"):
            return self.send_plain(405, b"")
        query = urllib.parse.parse_qs(parsed.query)
        filename = query.get("filename", ["blob"])[0]
        # The real CDN sends its own ETag, 64 hex but not the sha256 (nullata/llamaMan#70): a
        # client must take the blob name from X-Linked-Etag or the listing, never from here.
        cdn_etag = hashlib.sha256(b"cdn-object:" + match.group(1).encode()).hexdigest()
        self.send_file(self.state.blobs[match.group(1)],
                       {"Content-Disposition": 'inline; filename="%s";' % filename, "ETag": '"%s"' % cdn_etag})

    def cdn_url(self, key, path):
        return "http://127.0.0.1:%d/blobs/%s?Expires=1781098782&Signature=fake&filename=%s" % (
            self.state.ports["cdn"], key, urllib.parse.quote(path.rsplit("/", 1)[-1]))

    # ---- hub ------------------------------------------------------------------------------
    def hub(self, raw_path):
        parsed = urllib.parse.urlsplit(raw_path)
        path = parsed.path
        query = urllib.parse.parse_qs(parsed.query, keep_blank_values=True)
        if path == "/":
            # The real site answers its home page; xlaunch's `--download-hub auto` probes it.
            return self.send_json(200, {"hub": "fake"})
        if path.startswith("/api/v1/"):
            from fake_hub_modelscope import handle_modelscope  # noqa: E402 (split for size)
            return handle_modelscope(self, path, query)
        if path.startswith("/api/models/"):
            return self.hf_api(path[len("/api/models/"):], query, parsed.query)
        if path.startswith("/api/resolve-cache/models/"):
            return self.hf_resolve_cache(path[len("/api/resolve-cache/models/"):])
        if "/resolve/" in path:
            repo_id, rest = path[1:].split("/resolve/", 1)
            return self.hf_resolve(urllib.parse.unquote(repo_id), rest)
        if path in ("/", ""):
            return self.send_plain(200, b"fake hub")
        return self.hf_error(404, None, "Not found")

    def hf_repo(self, repo_id):
        """The repo when this request may see it; otherwise answers and returns None."""
        repo = self.state.repos.get(repo_id)
        user, bad_token = user_of(self.state, self.headers)
        if bad_token:
            self.hf_error(401, None, "Invalid credentials in Authorization header")
            return None
        if repo is None or "huggingface" not in repo.hubs:
            self.hf_error(401 if user is None else 404, "RepoNotFound", "Repository not found")
            return None
        allowed = user is not None and user in self.state.config.get("access", {}).get(repo_id, [])
        if repo.private and not allowed:
            self.hf_error(401 if user is None else 404, "RepoNotFound", "Repository not found")
            return None
        if repo.gated and not allowed:
            if user is None:
                self.hf_error(401, "GatedRepo", GATED_401.format(repo=repo_id))
            else:
                self.hf_error(403, "GatedRepo", GATED_403.format(repo=repo_id))
            return None
        return repo

    @staticmethod
    def split_revision(rest):
        """'refs%2Fpr%2F1/dir' or raw 'refs/pr/1/dir' -> (revision, remainder)."""
        parts = rest.split("/")
        if len(parts) >= 3 and parts[0] == "refs" and parts[1] in ("pr", "convert"):
            return "/".join(parts[:3]), "/".join(parts[3:])
        return urllib.parse.unquote(parts[0]), "/".join(parts[1:])

    def hf_api(self, rest, query, raw_query):
        for marker in ("/revision/", "/tree/", "/paths-info/"):
            if marker in rest:
                repo_id, tail = rest.split(marker, 1)
                break
        else:
            repo_id, marker, tail = rest.rstrip("/"), None, "main"
        repo = self.hf_repo(urllib.parse.unquote(repo_id))
        if repo is None:
            return
        revision, remainder = self.split_revision(tail)
        commit = repo.resolve(revision)
        if commit is None:
            return self.hf_error(404, "RevisionNotFound", "Invalid rev id: %s" % revision)
        if marker in (None, "/revision/"):
            if self.send_override("info_override", repo.id, lambda entries: entries):
                return
            return self.hf_model_info(repo, query)
        if marker == "/tree/":
            if self.send_override("listing_override", repo.id, lambda entries: entries):
                return
            return self.hf_tree(repo, commit, urllib.parse.unquote(remainder), query, raw_query)
        return self.hf_paths_info(repo)

    @staticmethod
    def flag(value):
        return str(value).lower() in ("true", "1")

    def entry(self, repo, path, expand=False):
        meta = repo.meta[path]
        item = {"type": "file", "oid": meta["sha1"], "size": meta["size"], "path": path}
        if meta["lfs"]:
            item["lfs"] = {"oid": meta["sha256"], "size": meta["size"], "pointerSize": 134}
        if expand:
            # expand=true adds the last commit touching the path and the scan status (hubs.md
            # A4); the fixture repos have one commit. The JS client asks for it in paths-info.
            item["lastCommit"] = {"id": repo.commit, "title": "Upload %s" % path, "date": "2026-05-01T12:00:00.000Z"}
            item["securityFileStatus"] = {"status": "safe"}
        return item

    def hf_model_info(self, repo, query):
        blobs = query.get("blobs", ["false"])[0].lower() in ("true", "1")
        siblings = []
        for path in sorted(repo.files):
            sibling = {"rfilename": path}
            if blobs:
                meta = repo.meta[path]
                sibling.update({"size": meta["size"], "blobId": meta["sha1"]})
                if meta["lfs"]:
                    sibling["lfs"] = {"sha256": meta["sha256"], "size": meta["size"], "pointerSize": 134}
            siblings.append(sibling)
        self.send_json(200, {"_id": hashlib.md5(repo.id.encode()).hexdigest()[:24], "id": repo.id,
                             "author": repo.id.split("/")[0], "sha": repo.commit, "private": repo.private,
                             "gated": repo.gated, "disabled": False, "downloads": 0, "likes": 0,
                             "tags": [], "siblings": siblings},
                       {"X-Repo-Commit": repo.commit})

    def hf_tree(self, repo, commit, directory, query, raw_query):
        recursive = query.get("recursive", ["false"])[0].lower() in ("true", "1")
        prefix = directory.strip("/") + "/" if directory.strip("/") else ""
        if prefix and prefix[:-1] not in repo.directories():
            return self.hf_error(404, "EntryNotFound", "%s does not exist" % directory)
        entries = []
        for d in sorted(repo.directories()):
            if d.startswith(prefix) and (recursive or "/" not in d[len(prefix):]):
                entries.append({"type": "directory", "oid": hashlib.sha1(d.encode()).hexdigest(), "size": 0, "path": d})
        for path in sorted(repo.files):
            if path.startswith(prefix) and (recursive or "/" not in path[len(prefix):]):
                entries.append(self.entry(repo, path, self.flag(query.get("expand", ["false"])[0])))
        page_size = int(self.state.setting("page_size", 1000))
        cursor = query.get("cursor", [""])[0]
        start = int(base64.urlsafe_b64decode(cursor.encode()).decode()) if cursor else 0
        page = entries[start:start + page_size]
        headers = {}
        if start + page_size < len(entries):
            kept = [(k, v) for k, v in urllib.parse.parse_qsl(raw_query, keep_blank_values=True) if k != "cursor"]
            kept.append(("cursor", base64.urlsafe_b64encode(str(start + page_size).encode()).decode()))
            base = "%s://127.0.0.1:%d%s" % (self.state.scheme, self.state.ports["hub"], urllib.parse.urlsplit(self.path).path)
            headers["Link"] = '<%s?%s>; rel="next"' % (base, urllib.parse.urlencode(kept))
        self.send_json(200, page, headers)

    def hf_paths_info(self, repo):
        content_type = self.headers.get("Content-Type", "")
        if "json" in content_type:
            body = json.loads(self.body_in or b"{}")
            paths, expand = body.get("paths", []), self.flag(body.get("expand", False))
        else:
            form = urllib.parse.parse_qs(self.body_in.decode())
            paths, expand = form.get("paths", []), self.flag(form.get("expand", ["false"])[0])
        self.send_json(200, [self.entry(repo, p, expand) for p in paths if p in repo.files])

    def hf_resolve(self, repo_id, rest):
        repo = self.hf_repo(repo_id)
        if repo is None:
            return
        revision, path = self.split_revision(rest)
        path = urllib.parse.unquote(path)
        commit = repo.resolve(revision)
        if commit is None:
            return self.hf_error(404, "RevisionNotFound", "Invalid rev id: %s" % revision)
        if path not in repo.files:
            return self.hf_error(404, "EntryNotFound", "Entry not found", {"X-Repo-Commit": commit})
        meta = repo.meta[path]
        style = self.state.setting("redirect_style", "relative")
        common = {"X-Repo-Commit": commit}
        if self.fault and self.fault["fault"] == "drop_headers":
            for header in self.fault.get("headers", []):
                common.pop(header, None)
        if meta["lfs"] or style == "cdn":
            key = meta["sha256"] if meta["lfs"] else meta["sha1"]
            headers = dict(common, **{"Location": self.cdn_url(key, path), "ETag": '"%s"' % meta["sha1"],
                                      "X-Linked-Etag": '"%s"' % key, "X-Linked-Size": str(meta["size"])})
            if self.fault and self.fault["fault"] == "drop_headers":
                for header in self.fault.get("headers", []):
                    headers.pop(header, None)
            return self.send_plain(302, b"Found. Redirecting", headers)
        if style == "relative":
            location = "/api/resolve-cache/models/%s/%s/%s?%s=&etag=%s" % (
                repo.id, commit, urllib.parse.quote(path), urllib.parse.quote("/%s/resolve/%s/%s" % (repo.id, revision, path), safe=""),
                urllib.parse.quote('"%s"' % meta["sha1"]))
            return self.send_plain(307, b"", dict(common, Location=location))
        self.send_file(repo.files[path], dict(common, ETag='"%s"' % meta["sha1"]))

    def hf_resolve_cache(self, rest):
        parts = rest.split("/")
        if len(parts) < 4:
            return self.hf_error(404, None, "Not found")
        repo = self.hf_repo("/".join(parts[:2]))
        if repo is None:
            return
        commit, path = parts[2], urllib.parse.unquote("/".join(parts[3:]))
        if commit != repo.commit or path not in repo.files:
            return self.hf_error(404, "EntryNotFound", "Entry not found", {"X-Repo-Commit": repo.commit})
        self.send_file(repo.files[path], {"X-Repo-Commit": commit, "ETag": '"%s"' % repo.meta[path]["sha1"]})


def serve_tls(server, tls):
    """Wraps the listener with TLS. The handshake runs in the request's thread (not in accept),
    and a client that refuses the certificate ends its connection quietly: that is the test."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tls["cert"], tls["key"])
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)

    def handle_error(_request, _address):
        if not isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError)):
            ThreadingHTTPServer.handle_error(server, _request, _address)

    server.handle_error = handle_error


def serve(config_path, ports_file=None):
    with open(config_path, encoding="utf-8") as f:
        config = json.load(f)
    state = State(config, os.path.dirname(os.path.abspath(config_path)))
    state.scheme = "https" if config.get("tls") else "http"
    servers = {}
    for name in ("hub", "cdn"):
        handler = type(name.title() + "Handler", (Handler,), {"listener": name, "state": state})
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        if name == "hub" and config.get("tls"):
            serve_tls(server, config["tls"])
        servers[name] = server
        state.ports[name] = server.server_address[1]
    line = json.dumps(dict(state.ports, scheme="https") if config.get("tls") else state.ports)
    if ports_file:
        with open(ports_file + ".tmp", "w", encoding="utf-8") as f:
            f.write(line + "\n")
        os.replace(ports_file + ".tmp", ports_file)
    print(line, flush=True)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers.values()]
    for thread in threads:
        thread.start()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    serve(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None)
