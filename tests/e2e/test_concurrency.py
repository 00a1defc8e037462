# SPDX-License-Identifier: Apache-2.0
"""Several xlaunch processes on one cache: four downloads of the same spec started at the same
moment all succeed while the hub sends each file's bytes exactly once (the per-blob locks make
the others wait, then find the files done); a lock whose holder is alive bounds the wait for
that file by XLAUNCH_LOCK_TIMEOUT while the other files download, and Ctrl-C ends that wait; a
lock left by a kill -9'ed xlaunch blocks no one."""
import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import unittest
import urllib.parse

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from cache_checks import blob_problems  # noqa: E402
from download_case import DownloadTestCase, repo_folder  # noqa: E402
from harness import XLAUNCH  # noqa: E402

KIB = 1024
MODEL = ("deepseek-v2-chat", "pytorch", 16, None)  # deepseek-ai/DeepSeek-V2-Lite-Chat: 4 shards
MODEL_ID = "deepseek-ai/DeepSeek-V2-Lite-Chat"
SHARD_SIZE = 512 * KIB
BYTES_PER_SECOND = 256 * KIB  # per answer: one download takes about two seconds


class Concurrency(DownloadTestCase):
    HUB = "huggingface"
    SOURCES = [MODEL]
    SHARD_SIZES = (SHARD_SIZE,)

    def setUp(self):
        self.hub.wait_answers_ended()  # nothing of an earlier test's killed runs lands in this log
        super().setUp()
        self.hub.set_faults([{"fault": "throttle", "listener": "any", "bytes_per_second": BYTES_PER_SECOND}])
        self.expected = self.expected_files(*MODEL, MODEL_ID)
        self.args = ["download", *self.spec_args(*MODEL), "--json"]

    def start(self, env=None):
        return subprocess.Popen([XLAUNCH, *self.args], env=dict(self.env, **(env or {})), cwd=self.root,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def bytes_sent_per_file(self):
        """File path -> bytes the hub sent for it (CDN answers name the blob, the hub's the path)."""
        keys = {}
        for path, data in self.expected.items():
            keys[hashlib.sha256(data).hexdigest()] = path
            keys[hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()] = path
        sent = dict.fromkeys(self.expected, 0)
        for entry in self.hub.sent():
            where = urllib.parse.unquote(urllib.parse.urlsplit(entry["path"]).path)
            blob = where.rsplit("/", 1)[-1]
            path = keys.get(blob) or next((p for p in self.expected if where.endswith("/" + p)), None)
            self.assertIsNotNone(path, msg="the hub sent something else: %s" % entry)
            sent[path] += entry["bytes_sent"]
        return sent

    def lock_path(self, path):
        blob = hashlib.sha256(self.expected[path]).hexdigest()
        return os.path.join(self.hf_cache(), ".locks", repo_folder(MODEL_ID), blob + ".lock")

    def test_four_processes_fetch_each_file_once(self):
        processes = [self.start() for _ in range(4)]
        for process in processes:
            self.addCleanup(lambda p=process: p.poll() is None and p.kill())
        for process in processes:
            out, err = process.communicate(timeout=120)
            self.assertEqual(process.returncode, 0, msg=err)
            self.assert_files(json.loads(out), self.expected)
        self.assertEqual(self.bytes_sent_per_file(), {p: len(d) for p, d in self.expected.items()})
        self.assertEqual(blob_problems(self.hf_cache()), [])

    def test_a_live_holder_bounds_the_wait_by_the_lock_timeout(self):
        # A Python client (huggingface_hub's filelock takes the same flock) holds one blob's lock.
        shard = sorted(p for p in self.expected if p.endswith(".safetensors"))[0]
        lock = self.lock_path(shard)
        os.makedirs(os.path.dirname(lock), exist_ok=True)
        with open(lock, "w") as held:
            fcntl.flock(held, fcntl.LOCK_EX)
            started = time.monotonic()
            process = self.start({"XLAUNCH_LOCK_TIMEOUT": "1"})
            _, err = process.communicate(timeout=60)
            waited = time.monotonic() - started
        self.assertEqual(process.returncode, 3, msg=err)
        errors = [line for line in err.splitlines() if line.startswith("xlaunch: error:")]
        self.assertEqual(len(errors), 1, msg=err)
        self.assertIn("timed out after 1 s waiting for the lock " + lock, errors[0])
        self.assertLess(waited, 20, msg="a 1 s lock timeout took %.1f s" % waited)
        # Only the held file waits: the others are fetched meanwhile, each once.
        expected_sent = {p: (0 if p == shard else len(d)) for p, d in self.expected.items()}
        self.assertEqual(self.bytes_sent_per_file(), expected_sent)
        self.assertEqual(blob_problems(self.hf_cache()), [])

        # The holder gone, the next run fetches only the file it held.
        result = self.run_xlaunch(*self.args, env={"XLAUNCH_LOCK_TIMEOUT": "1"})
        self.assertExit(result, 0)
        self.assert_files(result.json(), self.expected)
        self.assertEqual(result.json()["files_fetched"], 1)
        expected_sent[shard] = len(self.expected[shard])
        self.assertEqual(self.bytes_sent_per_file(), expected_sent)

    def test_ctrl_c_ends_a_wait_for_a_lock(self):
        # Every blob's lock is held elsewhere: the download waits on its first file's lock.
        # A blob is named by its sha256 (LFS files) or its git blob id (the others): hold both.
        held = []
        try:
            for data in self.expected.values():
                for blob in (hashlib.sha256(data).hexdigest(),
                             hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()):
                    lock = os.path.join(self.hf_cache(), ".locks", repo_folder(MODEL_ID), blob + ".lock")
                    os.makedirs(os.path.dirname(lock), exist_ok=True)
                    handle = open(lock, "w")
                    held.append(handle)
                    fcntl.flock(handle, fcntl.LOCK_EX)
            process = self.start()  # the default lock timeout: ten minutes
            self.addCleanup(lambda: process.poll() is None and process.kill())
            # The listing is fetched after xlaunch took over Ctrl-C; the locks come after it.
            deadline = time.monotonic() + 60
            while not any("/tree/" in r["path"] for r in self.hub.requests()):
                self.assertLess(time.monotonic(), deadline, "the download never listed the repository")
                self.assertIsNone(process.poll(), msg=process.stderr.read() if process.poll() is not None else "")
                time.sleep(0.05)
            time.sleep(0.5)
            self.assertIsNone(process.poll(), msg="the download did not wait for the locks")
            interrupted = time.monotonic()
            process.send_signal(signal.SIGINT)
            _, err = process.communicate(timeout=30)
            took = time.monotonic() - interrupted
        finally:
            for handle in held:
                handle.close()
        self.assertEqual(process.returncode, 130, msg=err)
        self.assertLess(took, 5, msg="Ctrl-C took %.1f s to end a wait for a lock" % took)
        self.assertIn("interrupted", err)
        self.assertEqual(self.bytes_sent_per_file(), dict.fromkeys(self.expected, 0))

    def test_a_lock_left_by_a_killed_process_blocks_no_one(self):
        first = self.start()
        self.addCleanup(lambda: first.poll() is None and first.kill())
        deadline = time.monotonic() + 60
        while not any(r["listener"] == "cdn" for r in self.hub.requests()):
            self.assertLess(time.monotonic(), deadline, "the first download never reached the CDN")
            self.assertIsNone(first.poll(), msg=first.stderr.read() if first.poll() is not None else "")
            time.sleep(0.05)
        time.sleep(0.3)  # mid-transfer, holding the locks of the files in flight
        first.kill()
        first.communicate()
        shard = sorted(p for p in self.expected if p.endswith(".safetensors"))[0]
        # The lock file stays (as huggingface_hub's do); the kernel dropped the dead process's flock.
        self.assertTrue(os.path.exists(self.lock_path(shard)), "the killed process took no lock")

        # Were the dead holder's lock still held, a 1 s timeout would fail this run (exit 3).
        self.hub.set_faults([])
        result = self.run_xlaunch(*self.args, env={"XLAUNCH_LOCK_TIMEOUT": "1"})
        self.assertExit(result, 0)
        self.assert_files(result.json(), self.expected)
        self.assertEqual(blob_problems(self.hf_cache()), [])


if __name__ == "__main__":
    unittest.main()
