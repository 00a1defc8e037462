# SPDX-License-Identifier: Apache-2.0
"""libcurl is loaded when xlaunch first talks to a hub, not when it starts (curl_library.hpp).

The dynamic loader's own log (LD_DEBUG=files) names every library a process maps: commands that
send no request must not map libcurl, and a download must (from the first request on)."""
import json
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from download_case import DownloadTestCase  # noqa: E402
from fake_bin import make_fake_bin  # noqa: E402

MODEL = ("deepseek-v2-chat", "pytorch", 16, None)  # deepseek-ai/DeepSeek-V2-Lite-Chat


class LibcurlOnDemand(DownloadTestCase):
    HUB = "huggingface"
    SOURCES = [MODEL]

    def traced(self, *args, env=None):
        """Runs xlaunch with the loader's log of the libraries each process maps (xlaunch and
        what it runs: nvidia-smi, the engine) in files of its own; returns the result and
        whether any of them mapped libcurl."""
        logs = os.path.join(self.root, "ld-debug")
        shutil.rmtree(logs, ignore_errors=True)
        os.makedirs(logs)
        result = self.run_xlaunch(*args, env=dict({"LD_DEBUG": "files", "LD_DEBUG_OUTPUT": os.path.join(logs, "log")},
                                                  **(env or {})))
        names = os.listdir(logs)
        self.assertTrue(names, "the loader wrote no log")
        mapped = False
        for name in names:
            with open(os.path.join(logs, name)) as log:
                mapped = mapped or "file=libcurl.so" in log.read()
        return result, mapped

    def test_commands_that_send_no_request_start_without_it(self):
        for args in (["--version"], ["list"], ["engines", "-n", "deepseek-r1"], ["config"],
                     ["__complete", "launch", "--model-en"],
                     ["launch", *self.spec_args(*MODEL), "--dry-run", "--offline"]):
            with self.subTest(args=args):
                result, mapped = self.traced(*args)
                self.assertExit(result, 0)
                self.assertFalse(mapped)
        self.assertEqual(self.hub.requests(), [])

    def test_a_download_loads_it_and_a_launch_from_the_cache_does_not(self):
        download, mapped = self.traced("download", *self.spec_args(*MODEL), "--json")
        self.assertExit(download, 0)
        self.assertTrue(mapped)
        self.assertGreater(json.loads(download.out)["files_fetched"], 0)

        record = os.path.join(self.root, "record.json")
        env = {"PATH": make_fake_bin(os.path.join(self.root, "bin")) + os.pathsep + "/usr/bin:/bin",
               "FAKE_GPUS": "2x81920", "FAKE_ENGINE_RECORD": record, "FAKE_ENGINE_VERSION": "0.11.2"}
        self.hub.clear_log()
        launch, mapped = self.traced("launch", *self.spec_args(*MODEL), "-en", "vllm", "--offline", env=env)
        self.assertExit(launch, 0)
        with open(record) as src:
            self.assertEqual(json.load(src)["argv"][1], "serve")  # the engine ran, from the cache
        self.assertFalse(mapped)
        self.assertEqual(self.hub.requests(), [])


if __name__ == "__main__":
    unittest.main()
