# SPDX-License-Identifier: Apache-2.0
"""Downloads onto a disk that is, or becomes, too small: the cache lives on a small filesystem the
test mounts (tmpfs, or a loop-mounted ext2 image); without the rights to mount, each test is
skipped with the reason.

- too small from the start: refused before any transfer (exit 5, needed and available bytes,
  the folder), nothing written;
- room for the model once, and a partial from an interrupted run: the next run completes without
  --force (the partial's reserved blocks count as already found) and resumes its bytes;
- filled by another process mid-transfer (tmpfs: xlaunch reserves a file's blocks when it opens
  it, so the reservation of the next file opened fails): exit 5 with one line naming the numbers
  and the path, the finished files intact, and after freeing space the rerun fetches only the rest;
- a filesystem without block reservation (ext2) fills mid-write: exit 5, the good bytes are kept
  and nothing bad appears under a final name; after freeing space the rerun resumes them."""
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from cache_checks import blob_problems, partial_files  # noqa: E402
from download_case import DownloadTestCase  # noqa: E402
from harness import XLAUNCH  # noqa: E402

KIB = 1024
MODEL = ("deepseek-v2-chat", "pytorch", 16, None)  # deepseek-ai/DeepSeek-V2-Lite-Chat: 4 shards
MODEL_ID = "deepseek-ai/DeepSeek-V2-Lite-Chat"
SHARD_SIZE = 256 * KIB
SHARDS = 4


def run_quietly(*command):
    return subprocess.run(command, capture_output=True, text=True)


def free_bytes(path):
    info = os.statvfs(path)
    return info.f_bavail * info.f_frsize


def fill(path, leave):
    """Writes a filler file into `path`'s filesystem until only about `leave` bytes are free."""
    filler = os.path.join(path, "filler")
    with open(filler, "ab") as f:
        while free_bytes(path) > leave:
            try:
                f.write(b"\0" * min(64 * KIB, max(1024, free_bytes(path) - leave)))
                f.flush()
                os.fsync(f.fileno())
            except OSError:
                break
    return filler


class FullDisk(DownloadTestCase):
    HUB = "huggingface"
    SOURCES = [MODEL]
    SHARD_SIZES = (SHARD_SIZE,)

    def setUp(self):
        self.hub.wait_answers_ended()  # nothing of an earlier test's killed runs lands in this log
        super().setUp()
        self.expected = self.expected_files(*MODEL, MODEL_ID)
        self.total = sum(len(d) for d in self.expected.values())
        self.args = self.spec_args(*MODEL)

    # ---- small filesystems ---------------------------------------------------------------
    def mount_point(self):
        path = os.path.join(self.root, "small")
        os.makedirs(path)
        return path

    def mounted(self, path, mount_args):
        result = run_quietly("mount", *mount_args, path)
        if result.returncode != 0:
            self.skipTest("cannot mount a small filesystem (%s): %s" % (" ".join(mount_args),
                                                                      result.stderr.strip() or "no rights"))
        # Lazy unmount: a process of a failed test may still have a file open there.
        self.addCleanup(run_quietly, "umount", "-l", path)
        self.env["HF_HUB_CACHE"] = path
        return path

    def tmpfs(self, size):
        return self.mounted(self.mount_point(), ["-t", "tmpfs", "-o", "size=%d" % size, "tmpfs"])

    def ext2(self, size):
        """ext2 has no fallocate: xlaunch cannot reserve blocks, so a write is what fails."""
        if not shutil.which("mkfs.ext2"):
            self.skipTest("mkfs.ext2 is not installed (e2fsprogs)")
        image = os.path.join(self.root, "small.img")
        with open(image, "wb") as f:
            f.truncate(size)
        made = run_quietly("mkfs.ext2", "-q", "-F", "-m", "0", "-b", "1024", image)
        if made.returncode != 0:
            self.skipTest("mkfs.ext2 failed: " + made.stderr.strip())
        return self.mounted(self.mount_point(), ["-o", "loop", image])

    def hf_cache(self):
        return self.env["HF_HUB_CACHE"]

    # ---- helpers ---------------------------------------------------------------------------
    def throttle(self, bytes_per_second):
        self.hub.set_faults([{"fault": "throttle", "listener": "any", "bytes_per_second": bytes_per_second}])

    def start(self, *extra, env=None):
        return subprocess.Popen([XLAUNCH, "download", *self.args, "--json", *extra], cwd=self.root,
                                env=dict(self.env, **(env or {})),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def wait_for_cdn(self, process, count=1):
        deadline = time.monotonic() + 60
        while sum(r["listener"] == "cdn" for r in self.hub.requests()) < count:
            self.assertLess(time.monotonic(), deadline, "no CDN request within 60 s")
            self.assertIsNone(process.poll(), msg="xlaunch ended early: " +
                              (process.stderr.read() if process.poll() is not None else ""))
            time.sleep(0.02)

    def error_line(self, err):
        lines = [line for line in err.splitlines() if line.startswith("xlaunch: error:")]
        self.assertEqual(len(lines), 1, msg=err)
        return lines[0]

    def assert_space_numbers(self, line):
        """The line says how many bytes are needed and how many are available."""
        self.assertRegex(line, r"need[^,;]*\d+ (more )?bytes")
        self.assertRegex(line, r"available[^,;]*\d+ bytes")

    def bytes_sent(self):
        return sum(entry["bytes_sent"] for entry in self.hub.sent())

    def shard_ranges(self):
        return [r.get("range") for r in self.hub.requests() if r["listener"] == "cdn"]

    # ---- tests -----------------------------------------------------------------------------
    def test_too_small_from_the_start_is_refused_before_any_transfer(self):
        small = self.tmpfs(256 * KIB)
        result = self.run_xlaunch("download", *self.args)
        self.assertExit(result, 5)
        line = self.error_line(result.err)
        self.assertIn("not enough disk space in " + small, line)
        self.assertIn("(%d bytes)" % self.total, line)
        match = re.search(r"available [^(]*\((\d+) bytes\)", line)
        self.assertTrue(match, msg=line)
        self.assertLessEqual(int(match.group(1)), 256 * KIB)
        self.assertIn("--force", line)
        written = [os.path.join(d, n) for d, _, names in os.walk(small) for n in names]
        self.assertEqual(written, [])
        self.assertEqual(self.hub.sent(), [])

    def test_room_for_one_copy_resumes_an_interrupted_download(self):
        # The model fits once, not twice: the interrupted run's partials already hold their blocks.
        self.tmpfs(self.total + 320 * KIB)
        self.throttle(64 * KIB)
        first = self.start()
        self.addCleanup(lambda: first.poll() is None and first.kill())
        self.wait_for_cdn(first, SHARDS)
        time.sleep(0.5)
        first.send_signal(signal.SIGINT)
        _, err = first.communicate(timeout=30)
        self.assertEqual(first.returncode, 130, msg=err)
        self.assertLess(free_bytes(self.hf_cache()), self.total)  # too little for a second copy
        self.assertEqual(len(partial_files(self.hf_cache())), SHARDS)

        self.hub.set_faults([])
        self.hub.wait_answers_ended()
        self.hub.clear_log()
        result = self.download(*self.args)
        self.assert_files(result.json(), self.expected)
        self.assertEqual(blob_problems(self.hf_cache()), [])
        ranges = self.shard_ranges()
        self.assertEqual(len(ranges), SHARDS, msg=ranges)
        for value in ranges:  # every shard resumed where the interrupted run stopped
            self.assertTrue(value and not value.startswith("bytes=0-"), msg=ranges)
        self.assertLess(self.bytes_sent(), self.total)

    def test_filled_by_another_process_mid_transfer(self):
        small = self.tmpfs(self.total + 256 * KIB)
        self.throttle(256 * KIB)
        # One connection: the files transfer one after another, so the disk fills between them.
        # Each is opened (its blocks reserved) while the one before it transfers.
        process = self.start(env={"XLAUNCH_MAX_CONNECTIONS": "1"})
        self.addCleanup(lambda: process.poll() is None and process.kill())
        self.wait_for_cdn(process)
        filler = fill(small, 0)
        _, err = process.communicate(timeout=60)
        self.assertEqual(process.returncode, 5, msg=err)
        line = self.error_line(err)
        self.assertIn("no space left", line)
        self.assert_space_numbers(line)
        self.assertIn(small, line)
        self.assertEqual(blob_problems(small), [])
        # The shard in flight when the disk filled, and the next one if it was opened before the
        # filler took its room: every shard requested had its blocks and landed. The shard
        # opened after the fill failed its reservation, before any request for it.
        fetched = [r["path"] for r in self.hub.requests() if r["listener"] == "cdn"]
        self.assertIn(len(fetched), (1, 2), msg=fetched)

        os.remove(filler)
        self.hub.set_faults([])
        self.hub.wait_answers_ended()
        self.hub.clear_log()
        result = self.download(*self.args)
        self.assert_files(result.json(), self.expected)
        self.assertEqual(blob_problems(small), [])
        refetched = [r["path"] for r in self.hub.requests() if r["listener"] == "cdn"]
        self.assertEqual(len(refetched), SHARDS - len(fetched), msg=refetched)
        self.assertEqual(set(fetched) & set(refetched), set())  # the shards that finished were kept

    def test_a_write_that_hits_a_full_disk_keeps_the_good_bytes(self):
        small = self.ext2(2 * 1024 * KIB)
        filler = fill(small, self.total // 2)  # the shards stop about halfway
        self.throttle(128 * KIB)
        process = self.start("--force")  # past the free-space check: the writes find the end
        self.addCleanup(lambda: process.poll() is None and process.kill())
        _, err = process.communicate(timeout=60)
        self.assertEqual(process.returncode, 5, msg=err)
        line = self.error_line(err)
        self.assertIn("no space left", line)
        self.assert_space_numbers(line)
        self.assertIn(small, line)
        self.assertEqual(blob_problems(small), [])
        self.assertTrue(partial_files(small), "the good bytes were not kept")
        sent_before = self.bytes_sent()

        os.remove(filler)
        self.hub.set_faults([])
        self.hub.wait_answers_ended()
        self.hub.clear_log()
        result = self.download(*self.args)
        self.assert_files(result.json(), self.expected)
        self.assertEqual(blob_problems(small), [])
        self.assertEqual(partial_files(small), [])
        resumed = [value for value in self.shard_ranges() if value and not value.startswith("bytes=0-")]
        self.assertTrue(resumed, msg=self.shard_ranges())
        self.assertLess(self.bytes_sent(), self.total, "the kept bytes were fetched again")
        print("\nfirst run sent %d bytes, the resume %d, for %d" % (sent_before, self.bytes_sent(), self.total),
              file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
