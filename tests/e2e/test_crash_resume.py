# SPDX-License-Identifier: Apache-2.0
"""kill -9 at pseudo-random moments of a multi-file download, again and again: after every kill
nothing bad sits under a final name, the next uninterrupted run completes with every file
verified in the right cache layout, and the bytes the hub sent more than once stay under 10% of
the repository.

The hub paces every file body (the `throttle` fault), so an uninterrupted download takes about
twenty seconds and each kill lands mid-transfer. The kill moments come from a seeded generator:
the seed is printed, and XLAUNCH_CRASH_SEED replays a run."""
import os
import random
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
# Shard sizes: one file above 2 MiB is split into 1 MiB ranges (holes in its partial), the
# others travel as one range each.
BYTES_PER_SECOND = 48 * KIB  # per answer: the whole repo takes about 20 s uninterrupted
KILLS = 10
REFETCH_LIMIT = 0.10


def sent_by_file(entries) -> str:
    """What the hub sent, file by file and answer by answer, in order: where a refetch beyond the
    bound came from (a kill that lost a lot, a whole file fetched again, a retry)."""
    lines = ["bytes sent per file answer (range, bytes):"]
    by_path = {}
    for entry in entries:
        by_path.setdefault(entry["path"], []).append(entry)
    for path, answers in sorted(by_path.items()):
        total = sum(answer["bytes_sent"] for answer in answers)
        parts = ", ".join("%s %d" % (answer.get("range") or "-", answer["bytes_sent"]) for answer in answers)
        lines.append("  %s: %d in %d answers: %s" % (path, total, len(answers), parts))
    return "\n".join(lines)


class CrashResume(DownloadTestCase):
    HUB = "huggingface"
    SOURCES = [MODEL]
    SHARD_SIZES = (2560 * KIB, 1280 * KIB, 1024 * KIB, 768 * KIB)

    def test_kill_9_at_random_moments_then_resume(self):
        seed = int(os.environ.get("XLAUNCH_CRASH_SEED", "20260501"))
        print("\ncrash seed %d (XLAUNCH_CRASH_SEED replays it)" % seed, file=sys.stderr)
        moments = random.Random(seed)
        args = ["download", *self.spec_args(*MODEL), "--json"]
        self.hub.set_faults([{"fault": "throttle", "listener": "any", "bytes_per_second": BYTES_PER_SECOND}])

        kills = 0
        while kills < KILLS:
            process = subprocess.Popen([XLAUNCH, *args], env=self.env, cwd=self.root,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            self.addCleanup(lambda p=process: p.poll() is None and p.kill())
            try:
                _, err = process.communicate(timeout=moments.uniform(0.2, 1.6))
                self.fail("the download ended before kill %d (exit %d): make it slower\n%s"
                          % (kills + 1, process.returncode, err))
            except subprocess.TimeoutExpired:
                process.kill()  # SIGKILL: no handler, no cleanup, no sidecar flush
                process.communicate()
            kills += 1
            self.assertEqual(blob_problems(self.hf_cache()), [], msg="after kill %d" % kills)

        self.assertTrue(partial_files(self.hf_cache()), "the kills left no partial download to resume")
        started = time.monotonic()
        result = self.download(*self.spec_args(*MODEL))
        print("final run: %.1f s" % (time.monotonic() - started), file=sys.stderr)

        model_id = "deepseek-ai/DeepSeek-V2-Lite-Chat"
        repo = self.repos[model_id]
        expected = self.expected_files(*MODEL, model_id)
        self.assert_files(result.json(), expected)
        self.assert_hf_layout(model_id, repo["commit"], expected)  # pinned: no refs/main
        self.assertEqual(blob_problems(self.hf_cache()), [])
        self.assertEqual(partial_files(self.hf_cache()), [])

        total = sum(len(data) for data in expected.values())
        sent = sum(entry["bytes_sent"] for entry in self.hub.sent())
        refetched = sent - total
        print("sent %d bytes for a %d-byte repo over %d kills: %.2f%% fetched again"
              % (sent, total, kills, 100.0 * refetched / total), file=sys.stderr)
        self.assertGreaterEqual(refetched, 0, "the hub sent less than the repository")
        self.assertLess(refetched, REFETCH_LIMIT * total, msg=sent_by_file(self.hub.sent()))


if __name__ == "__main__":
    unittest.main()
