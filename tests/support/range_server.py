# SPDX-License-Identifier: Apache-2.0
"""A small HTTP/1.1 file server with fault injection, for the transfer engine's tests.

Usage: range_server.py ROOT LOG  -- serves ROOT on 127.0.0.1 (port 0), prints the port on the
first line of stdout, appends one JSON line per request to LOG.

Paths:
  /files/NAME[?fault=...]   the file ROOT/NAME; supports HEAD and single byte ranges
  /redirect/relative/NAME   302 to /files/NAME (same host, query kept)
  /redirect/cross/NAME      302 to http://localhost:PORT/files/NAME (another host name)
  /loop/a, /loop/b          302 to each other
Faults (query string `fault=a,b`; `times` bounds how many requests of that URL get it, default 1):
  reset      send half of the body, then reset the connection
  stall      send half of the body, then go silent for `seconds` (default 30)
  short      promise the full length, send half, close
  status     answer `code` (e.g. 429, 503) with Retry-After `after` when given
  norange    ignore Range (always 200 with the whole file), every time
  corrupt    flip the byte at `at` (default the middle), every time
  truncated  serve the file without its last `cut` bytes (default 1), every time
  slow       send 64 KiB every `pause` seconds (default 0.02), every time
"""
import http.server
import json
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse

ROOT = sys.argv[1]
LOG = sys.argv[2]
LOCK = threading.Lock()
COUNTS = {}
CHUNK = 1 << 20


def take_fault(key, params):
    """True while the fault of this URL has uses left."""
    times = int(params.get("times", "1"))
    with LOCK:
        used = COUNTS.get(key, 0)
        COUNTS[key] = used + 1
    return used < times


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, status, sent):
        entry = {"method": self.command, "path": self.path, "status": status, "sent": sent,
                 "range": self.headers.get("Range"), "authorization": self.headers.get("Authorization"),
                 "cookie": self.headers.get("Cookie"), "user_agent": self.headers.get("User-Agent")}
        with LOCK, open(LOG, "a") as log:
            log.write(json.dumps(entry) + "\n")

    def simple(self, status, headers=None, body=b""):
        self.record(status, len(body))  # before answering: the log follows causality
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query))
        port = self.server.server_address[1]
        parts = url.path.split("/")
        if url.path.startswith("/redirect/relative/"):
            target = "/files/" + "/".join(parts[3:]) + ("?" + url.query if url.query else "")
            return self.simple(302, {"Location": target})
        if url.path.startswith("/redirect/cross/"):
            target = f"http://localhost:{port}/files/" + "/".join(parts[3:]) + ("?" + url.query if url.query else "")
            return self.simple(302, {"Location": target})
        if url.path == "/loop/a":
            return self.simple(302, {"Location": "/loop/b"})
        if url.path == "/loop/b":
            return self.simple(302, {"Location": f"http://127.0.0.1:{port}/loop/a"})
        if not url.path.startswith("/files/"):
            return self.simple(404, {"Content-Type": "text/html"}, b"<html>not here</html>")
        path = os.path.join(ROOT, urllib.parse.unquote(url.path[len("/files/"):]))
        if not os.path.isfile(path):
            return self.simple(404, {"Content-Type": "text/html", "X-Error-Code": "EntryNotFound"},
                               b"<html><body>404 Not Found</body></html>")
        faults = set(params.get("fault", "").split(","))
        if "status" in faults and take_fault(self.path, params):
            headers = {"Retry-After": params["after"]} if "after" in params else {}
            return self.simple(int(params["code"]), headers, b"<html>busy</html>")
        self.serve_file(path, faults, params)

    def serve_file(self, path, faults, params):
        with open(path, "rb") as f:
            data = f.read()
        if "truncated" in faults:
            data = data[:len(data) - int(params.get("cut", "1"))]
        if "corrupt" in faults:
            at = int(params.get("at", str(len(data) // 2)))
            data = data[:at] + bytes([data[at] ^ 0xFF]) + data[at + 1:]
        size = len(data)
        first, last, status = 0, size - 1, 200
        wanted = self.headers.get("Range")
        if wanted and "norange" not in faults:
            spec = wanted.split("=", 1)[1]
            start, _, end = spec.partition("-")
            first = int(start)
            last = min(int(end), size - 1) if end else size - 1
            if first >= size:
                return self.simple(416, {"Content-Range": f"bytes */{size}"})
            status = 206
        body = data[first:last + 1]
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        if status == 206:
            self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.end_headers()
        if self.command == "HEAD":
            return self.record(status, 0)
        broken = next((f for f in ("reset", "stall", "short") if f in faults), None)
        if broken and take_fault(self.path + "|" + broken, params):
            half = len(body) // 2
            self.wfile.write(body[:half])
            self.wfile.flush()
            if broken == "stall":
                time.sleep(float(params.get("seconds", "30")))
            elif broken == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.record(status, half)
            return
        view = memoryview(body)
        chunk = 65536 if "slow" in faults else CHUNK
        try:
            for offset in range(0, len(body), chunk):
                self.wfile.write(view[offset:offset + chunk])
                if "slow" in faults:
                    time.sleep(float(params.get("pause", "0.02")))
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        self.record(status, len(body))


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128


def main():
    server = Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
