# SPDX-License-Identifier: Apache-2.0
"""--max-connections: how many requests a download keeps in flight, seen from the fake hub.

The CDN paces every file answer, so transfers last long enough to see from the hub's log how
many ran at once. The flag wins over XLAUNCH_MAX_CONNECTIONS, in both directions; a bad value
is refused with one line naming the flag, before any request; `launch` keeps the flag for
itself instead of passing it to the engine."""
import os
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from download_case import DownloadTestCase  # noqa: E402

KIB = 1024
MODEL = ("deepseek-v2-chat", "pytorch", 16, None)  # deepseek-ai/DeepSeek-V2-Lite-Chat: 4 shards
SHARD_SIZE = 128 * KIB
PACE = 256 * KIB  # bytes per second of each CDN answer: half a second per shard
# An answer's end is logged by the hub after its last byte is sent, so the client may already
# have started the next one; intervals are trimmed by this much before they are compared.
SLACK = 0.1


class MaxConnections(DownloadTestCase):
    HUB = "huggingface"
    SOURCES = [MODEL]
    SHARD_SIZES = (SHARD_SIZE,)

    def setUp(self):
        super().setUp()
        self.hub.set_faults([{"fault": "throttle", "listener": "cdn", "bytes_per_second": PACE}])

    def most_at_once(self):
        """The largest number of paced CDN answers that were in progress at the same moment."""
        starts = [(r["path"], r["time"]) for r in self.hub.requests() if r["listener"] == "cdn"]
        ends = {entry["path"]: entry["time"] for entry in self.hub.sent() if entry["listener"] == "cdn"}
        self.assertEqual(len(starts), 4, msg=starts)
        events = []
        for path, start in starts:
            events += [(start, 1), (ends[path] - SLACK, -1)]
        most = running = 0
        for _, step in sorted(events):
            running += step
            most = max(most, running)
        return most

    def test_one_connection_from_the_flag_beats_the_variable(self):
        self.download(*self.spec_args(*MODEL), "--max-connections", "1", env={"XLAUNCH_MAX_CONNECTIONS": "8"})
        self.hub.wait_answers_ended()
        self.assertEqual(self.most_at_once(), 1)

    def test_four_connections_from_the_flag_beat_the_variable(self):
        self.download(*self.spec_args(*MODEL), "--max-connections=4", env={"XLAUNCH_MAX_CONNECTIONS": "1"})
        self.hub.wait_answers_ended()
        self.assertGreaterEqual(self.most_at_once(), 2)

    def test_bad_values_are_refused_before_any_request(self):
        for value in ("0", "65", "abc", "-3", "9" * 30):
            with self.subTest(value=value):
                result = self.run_xlaunch("download", *self.spec_args(*MODEL), "--max-connections", value)
                self.assertExit(result, 2)
                self.assertEqual(result.err.strip().splitlines(),
                                 ["xlaunch: error: --max-connections is '%s', expected an integer from 1 to 64; "
                                  "give --max-connections an integer from 1 to 64" % value])
        self.assertEqual(self.hub.requests(), [])

    def test_launch_takes_the_flag_and_does_not_pass_it_to_the_engine(self):
        bad = self.run_xlaunch("launch", *self.spec_args(*MODEL), "--dry-run", "--max-connections", "0")
        self.assertExit(bad, 2)
        self.assertIn("--max-connections is '0'", bad.err)
        plan = self.run_xlaunch("launch", *self.spec_args(*MODEL), "--dry-run", "--json", "--max-connections", "2")
        self.assertExit(plan, 0)
        argv = plan.json()["launch"]["nodes"][0]["argv"]
        self.assertNotIn("--max-connections", argv)


if __name__ == "__main__":
    unittest.main()
