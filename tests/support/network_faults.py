# SPDX-License-Identifier: Apache-2.0
"""The network faults of the reliability issue, as a mixin that runs against either hub
(tests/e2e/test_network_faults.py: Hugging Face; test_network_faults_modelscope.py: ModelScope).

Every fault is injected by the fake hub (fake_hub.py) into a download of one small spec: R1's
UD-IQ1_S GGUF, three 1.5 KiB parts that the hub redirects to its CDN. Each test ends in one of
the two outcomes the issue allows: success with every byte verified after bounded retries, or
exit 3 with one error line naming the file, the URL (without its signed query) and the cause,
nothing wrong under a final name, and the bytes that did arrive kept for a resume. The hub
token is set in every run and must never be printed. Unreachable endpoints are local sockets
that never answer (SilentServer) or never complete a connection (FullBacklogServer).
"""
import hashlib
import os
import socket
import threading
import time

from download_case import HF_TOKEN
from fixtures import FakeHub
from tls_certs import make_test_ca

MODEL = ("deepseek-r1", "ggufv2", None, "UD-IQ1_S")
PART1, PART2 = "00001-of-00003", "00002-of-00003"
# The user's settings, not test hooks: a stall is noticed after 1 s, 3 retries (4 attempts).
FAST = {"XLAUNCH_STALL_TIMEOUT": "1", "XLAUNCH_CONNECT_TIMEOUT": "2", "XLAUNCH_RETRIES": "3"}
ATTEMPTS = 4
CA_VARIABLES = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR")


class SilentServer:
    """A listening socket that accepts connections and never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.accepted = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.sock.getsockname()[1]

    def _accept(self):
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.accepted.append(connection)  # held open, never read from nor written to

    def close(self):
        self.sock.close()
        for connection in self.accepted:
            connection.close()


class FullBacklogServer:
    """A listening socket whose accept queue is full and never drained: the kernel drops every
    further SYN, so a connection to it never completes (a host that does not answer at all)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(0)
        self.fillers = []
        for _ in range(3):
            filler = socket.socket()
            filler.setblocking(False)
            filler.connect_ex(self.sock.getsockname())
            self.fillers.append(filler)
        time.sleep(0.1)  # let the handshakes of the fillers complete into the queue

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.sock.getsockname()[1]

    def close(self):
        for filler in self.fillers:
            filler.close()
        self.sock.close()


class NetworkFaults:
    """Mixin for a DownloadTestCase. Subclasses set HUB, TOKEN_ENV (the hub's token variable
    set to HF_TOKEN, which the fake hub accepts) and HUB_SETTINGS."""
    SOURCES = [MODEL]
    TOKEN_ENV = {}

    def setUp(self):
        super().setUp()
        for name in CA_VARIABLES:  # the developer's trust settings must not decide a test
            self.env.pop(name, None)
        self.env.update(FAST, **self.TOKEN_ENV)

    # ---- running and checking ----------------------------------------------------------------
    def fetch(self, env=None):
        name, fmt, size, quant = MODEL
        result = self.run_xlaunch("download", *self.spec_args(name, fmt, size, quant), "--json", env=env, timeout=120)
        self.assertNotIn(HF_TOKEN, result.out + result.err, "the token was printed")
        return result

    def expected(self):
        repo = self.repos["unsloth/DeepSeek-R1-GGUF"]
        return {p: repo["files"][p] for p in repo["files"] if "UD-IQ1_S/" in p}

    def path_of(self, part):
        return next(p for p in self.expected() if part in p)

    def assert_success(self, result):
        self.assertExit(result, 0)
        self.assert_files(result.json(), self.expected())
        self.assert_nothing_wrong_in_cache()

    def assert_one_error(self, result, *needles):
        self.assertExit(result, 3)
        self.assertEqual(result.out, "")
        errors = [line for line in result.err.splitlines() if line.startswith("xlaunch: error:")]
        self.assertEqual(len(errors), 1, msg=result.err)
        for needle in needles:
            self.assertIn(needle, errors[0])
        self.assertNotIn("Signature=", errors[0])  # a signed CDN URL's query is a credential
        return errors[0]

    def cache_root(self):
        return self.hf_cache() if self.HUB == "huggingface" else self.env["MODELSCOPE_CACHE"]

    def final_files(self):
        """{repo path: bytes} of every file under a final name in a snapshot of the cache."""
        found = {}
        for folder, _dirs, names in os.walk(self.cache_root()):
            parts = os.path.relpath(folder, self.cache_root()).split(os.sep)
            if "snapshots" not in parts:
                continue
            inside = parts[parts.index("snapshots") + 2:]  # below snapshots/<revision>/
            for name in names:
                if name.endswith((".incomplete", ".incomplete.json", ".tmp", ".part")):
                    continue
                with open(os.path.join(folder, name), "rb") as f:
                    found["/".join(inside + [name])] = f.read()
        return found

    def assert_nothing_wrong_in_cache(self):
        expected = self.expected()
        for path, data in self.final_files().items():
            self.assertIn(path, expected)
            self.assertEqual(hashlib.sha256(data).hexdigest(), hashlib.sha256(expected[path]).hexdigest(),
                             "wrong bytes under the final name " + path)

    def partial(self, part):
        """The bytes kept for a resume of that file, or None: the Hugging Face cache keeps them
        in blobs/<sha256>.incomplete, the ModelScope cache beside the final name."""
        path = self.path_of(part)
        names = (hashlib.sha256(self.expected()[path]).hexdigest() + ".incomplete",
                 os.path.basename(path) + ".incomplete")
        for folder, _dirs, files in os.walk(self.cache_root()):
            for name in files:
                if name in names:
                    with open(os.path.join(folder, name), "rb") as f:
                        return f.read()
        return None

    def requests_for(self, part, listener="cdn"):
        return [r for r in self.hub.requests() if r["listener"] == listener and part in r["path"]]

    def cdn_fault(self, fault, part=PART1, **parameters):
        return dict(parameters, fault=fault, listener="cdn", path_contains=part)

    # ---- the faults ------------------------------------------------------------------------
    def test_connection_reset_mid_body_resumes_the_range(self):
        self.hub.set_faults([self.cdn_fault("reset", after_bytes=700, times=1)])
        self.assert_success(self.fetch())
        answers = self.requests_for(PART1)
        self.assertEqual([(r["range"], r["fault"]) for r in answers],
                         [("bytes=0-1535", "reset"), ("bytes=700-1535", None)])

    def test_stall_is_aborted_by_the_watchdog_and_the_range_resumed(self):
        # 700 bytes, then 30 s of silence: the 1 s watchdog aborts and asks for the rest.
        self.hub.set_faults([self.cdn_fault("stall", after_bytes=700, seconds=30, times=1)])
        started = time.monotonic()
        result = self.fetch()
        self.assertLess(time.monotonic() - started, 30, "the stalled answer was waited out")
        self.assert_success(result)
        stalled, resumed = self.requests_for(PART1)
        self.assertEqual((stalled["range"], resumed["range"]), ("bytes=0-1535", "bytes=700-1535"))
        # 1 s of silence plus a backoff of at most 0.5 s; libcurl's own speed check, an average
        # over five seconds, let such a stall last six seconds or more.
        self.assertLess(resumed["time"] - stalled["time"], 4.5)

    def test_429_with_retry_after_is_honoured(self):
        self.hub.set_faults([{"fault": "status", "status": 429, "retry_after": 1, "listener": "hub",
                              "path_contains": PART1, "times": 1}])
        self.assert_success(self.fetch())
        asked = [r for r in self.hub.requests() if PART1 in r["path"]]
        refused = next(i for i, r in enumerate(asked) if r["status"] == 429)
        # The next attempt waited the second the server asked for (a plain backoff is 0.25-0.5 s).
        self.assertGreaterEqual(asked[refused + 1]["time"] - asked[refused]["time"], 0.95)

    def test_503_three_times_then_success_backs_off_exponentially(self):
        self.hub.set_faults([self.cdn_fault("status", status=503, times=3)])
        self.assert_success(self.fetch())
        answers = self.requests_for(PART1)
        self.assertEqual([r["status"] for r in answers], [503, 503, 503, 206])
        gaps = [b["time"] - a["time"] for a, b in zip(answers, answers[1:])]
        # Waits of 0.25-0.5 s, 0.5-1 s, 1-2 s (jittered doublings): the third is always longer.
        self.assertGreater(gaps[2], gaps[0], gaps)

    def test_persistent_500_gives_up_naming_the_file_and_keeps_the_bytes_that_arrived(self):
        self.hub.set_faults([self.cdn_fault("reset", after_bytes=700, times=1), self.cdn_fault("status", status=500)])
        result = self.fetch()
        error = self.assert_one_error(result, self.path_of(PART1), "-> 500", "gave up after %d attempts" % ATTEMPTS,
                                      "run the same command again to resume")
        self.assertIn(self.hub.cdn_url + "/blobs/", error)
        # The attempt cut after 700 bytes is the first of the failures in a row (bytes restart the count).
        self.assertEqual(len(self.requests_for(PART1)), ATTEMPTS)
        self.assertEqual(self.partial(PART1), self.expected()[self.path_of(PART1)][:700])
        self.assertNotIn(self.path_of(PART1), self.final_files())
        self.assertEqual(len(self.final_files()), 2)  # the other parts are done and verified
        self.assert_nothing_wrong_in_cache()

        self.hub.set_faults([])
        self.hub.clear_log()
        self.assert_success(self.fetch())
        self.assertEqual([r["range"] for r in self.requests_for(PART1)], ["bytes=700-1535"])
        self.assertEqual(self.requests_for(PART2), [])

    def test_server_ignoring_range_sends_the_whole_body_which_replaces_the_partial(self):
        # The resume after a reset is answered 200 with the whole file: it must start over.
        self.hub.set_faults([self.cdn_fault("reset", after_bytes=700, times=1), self.cdn_fault("ignore_range")])
        self.assert_success(self.fetch())
        self.assertEqual([(r["range"], r["status"]) for r in self.requests_for(PART1)],
                         [("bytes=0-1535", 206), ("bytes=700-1535", 200)])

    def test_short_body_with_a_full_content_length_is_completed(self):
        self.hub.set_faults([self.cdn_fault("short_body", after_bytes=700, times=1)])
        self.assert_success(self.fetch())
        self.assertEqual([(r["range"], r["fault"]) for r in self.requests_for(PART1)],
                         [("bytes=0-1535", "short_body"), ("bytes=700-1535", None)])

    def test_corrupted_bytes_fail_the_sha256_and_are_discarded(self):
        self.hub.set_faults([self.cdn_fault("corrupt")])
        error = self.assert_one_error(self.fetch(), self.path_of(PART1), "sha256 mismatch", self.hub.cdn_url + "/blobs/")
        self.assertIn("discarded", error)
        self.assertNotIn(self.path_of(PART1), self.final_files())
        self.assertIsNone(self.partial(PART1))
        self.assert_nothing_wrong_in_cache()

    def test_missing_repo_commit_and_linked_headers_do_not_matter(self):
        if self.HUB != "huggingface":
            self.skipTest("ModelScope sends none of X-Repo-Commit, X-Linked-Etag, X-Linked-Size")
        dropped = ["X-Repo-Commit", "X-Linked-Etag", "X-Linked-Size"]
        self.hub.set_faults([{"fault": "drop_headers", "listener": "hub", "headers": dropped}])
        self.assert_success(self.fetch())
        # Sizes and hashes come from the listing, so the answers without the headers were used.
        self.assertEqual(len([r for r in self.hub.requests() if r["fault"] == "drop_headers" and "/resolve/" in r["path"]]), 3)

    def test_redirect_loop_is_an_error_naming_the_file(self):
        self.hub.set_faults([{"fault": "redirect_loop", "listener": "hub", "path_contains": PART1}])
        self.assert_one_error(self.fetch(), self.path_of(PART1), "redirect loop at " + self.hub.url)
        self.assertLessEqual(len(self.requests_for(PART1, "hub")), 2)  # noticed at once, not retried
        self.assertIsNone(self.partial(PART1))
        self.assertEqual(len(self.final_files()), 2)
        self.assert_nothing_wrong_in_cache()

    def test_file_disappearing_mid_snapshot_is_named_and_the_rest_is_kept(self):
        self.hub.set_faults([{"fault": "not_found", "listener": "hub", "path_contains": PART2}])
        self.assert_one_error(self.fetch(), self.path_of(PART2), "-> 404", "no longer has")
        self.assertEqual(len(self.final_files()), 2)
        self.assertNotIn(self.path_of(PART2), self.final_files())
        self.assert_nothing_wrong_in_cache()
        self.hub.set_faults([])
        self.hub.clear_log()
        self.assert_success(self.fetch())
        fetched = {r["path"] for r in self.hub.requests() if r["listener"] == "cdn"}
        self.assertEqual(len(fetched), 1)
        self.assertIn(PART2, fetched.pop())

    def test_gzip_encoded_json_is_decoded(self):
        self.hub.set_faults([{"fault": "gzip", "listener": "hub"}])
        self.assert_success(self.fetch())
        compressed = [r for r in self.hub.requests() if r["fault"] == "gzip" and r["status"] == 200]
        self.assertGreaterEqual(len(compressed), 2)  # the revision and the listing
        self.assertTrue(all("gzip" in r["headers"].get("accept-encoding", "") for r in compressed))

    def test_endpoint_that_never_answers_fails_within_the_stall_timeout(self):
        silent = SilentServer()
        self.addCleanup(silent.close)
        started = time.monotonic()
        result = self.fetch(env={"HF_ENDPOINT": silent.url, "MODELSCOPE_ENDPOINT": silent.url, "XLAUNCH_RETRIES": "1"})
        elapsed = time.monotonic() - started
        self.assert_one_error(result, silent.url, "no data received for 1 s")
        self.assertLess(elapsed, 30)  # two attempts of 1 s and a backoff; without a watchdog, forever
        self.assertEqual(len(silent.accepted), 2)

    def test_connection_that_never_completes_fails_within_the_connect_timeout(self):
        unreachable = FullBacklogServer()
        self.addCleanup(unreachable.close)
        started = time.monotonic()
        result = self.fetch(env={"HF_ENDPOINT": unreachable.url, "MODELSCOPE_ENDPOINT": unreachable.url,
                                 "XLAUNCH_CONNECT_TIMEOUT": "1", "XLAUNCH_RETRIES": "1"})
        elapsed = time.monotonic() - started
        error = self.assert_one_error(result, unreachable.url)
        self.assertRegex(error, "[Tt]ime(d)? ?out")
        self.assertLess(elapsed, 30)  # two attempts of 1 s and a backoff

    def test_untrusted_certificate_is_refused_unless_its_ca_is_given(self):
        certs = make_test_ca(os.path.join(self.root, "certs"))
        repo = self.repos["unsloth/DeepSeek-R1-GGUF"]
        tls_hub = FakeHub(os.path.join(self.root, "tls-hub"), [repo], tokens={HF_TOKEN: "alice"},
                          tls={"cert": certs.server_pem, "key": certs.server_key}, **self.HUB_SETTINGS).start()
        self.addCleanup(tls_hub.stop)
        self.assertTrue(tls_hub.url.startswith("https://"))
        self.env.update(tls_hub.env())
        self.hub = tls_hub  # the checks below read this hub's log and fixtures
        error = self.assert_one_error(self.fetch(), tls_hub.url, "certificate", "REQUESTS_CA_BUNDLE")
        self.assertNotIn("Traceback", error)
        self.assertEqual(tls_hub.requests(), [])  # refused in the handshake: no request was sent
        for variable in CA_VARIABLES:
            with self.subTest(variable=variable):
                fresh = os.path.join(self.root, "trusting-" + variable)
                self.env.update({"HF_HOME": os.path.join(fresh, "hf"), "MODELSCOPE_CACHE": os.path.join(fresh, "ms"),
                                 "XLAUNCH_HOME": os.path.join(fresh, "xlaunch")})
                trust = certs.ca_dir if variable == "SSL_CERT_DIR" else certs.ca_pem
                self.assert_success(self.fetch(env={variable: trust}))
