# SPDX-License-Identifier: Apache-2.0
"""libcurl and libcrypto are loaded when xlaunch first needs them, not when it starts
(core/http/curl_library.hpp, core/util/crypto_library.hpp), and the C++ runtime is linked in.

The dynamic loader's own log (LD_DEBUG=files) names every library a process maps: commands that
send no request and hash nothing must map neither, and a download must map both (from the first
request on)."""
import json
import os
import re
import shutil
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from download_case import DownloadTestCase  # noqa: E402
from fake_bin import make_fake_bin  # noqa: E402

MODEL = ("deepseek-v2-chat", "pytorch", 16, None)  # deepseek-ai/DeepSeek-V2-Lite-Chat
# Set by ctest from the build (ON or OFF); run by hand, the check of a static runtime is skipped.
STATIC_CXX_RUNTIME = os.environ.get("XLAUNCH_TEST_STATIC_CXX_RUNTIME") == "ON"


# What the loader logs when the xlaunch binary maps a library: as a dependency it was linked
# with, or with dlopen. (Its dependencies' own, e.g. libcurl's libssl, name them instead.)
LOADED_BY_XLAUNCH = r"file=(\S+) \[\d+\];\s+(?:needed|dynamically loaded) by \S*xlaunch \["


class LibrariesOnDemand(DownloadTestCase):
    HUB = "huggingface"
    SOURCES = [MODEL]

    def traced(self, *args, env=None):
        """Runs xlaunch with the loader's log of the libraries each process maps (xlaunch and
        what it runs: nvidia-smi, the engine) in files of its own; returns the result, whether
        any of them mapped libcurl, and the libraries mapped, by any process and by the xlaunch
        binary itself."""
        logs = os.path.join(self.root, "ld-debug")
        shutil.rmtree(logs, ignore_errors=True)
        os.makedirs(logs)
        result = self.run_xlaunch(*args, env=dict({"LD_DEBUG": "files", "LD_DEBUG_OUTPUT": os.path.join(logs, "log")},
                                                  **(env or {})))
        names = os.listdir(logs)
        self.assertTrue(names, "the loader wrote no log")
        everywhere, by_xlaunch = set(), set()
        for name in names:
            with open(os.path.join(logs, name)) as log:
                text = log.read()
            everywhere.update(re.findall(r"file=(\S+) \[\d+\];", text))
            by_xlaunch.update(re.findall(LOADED_BY_XLAUNCH, text))
        return result, "libcurl.so.4" in everywhere, everywhere, by_xlaunch

    def test_commands_that_send_no_request_start_without_it(self):
        for args in (["--version"], ["list"], ["engines", "-n", "deepseek-r1"], ["config"],
                     ["__complete", "launch", "--model-en"],
                     ["launch", *self.spec_args(*MODEL), "--dry-run", "--offline"]):
            with self.subTest(args=args):
                result, mapped, _, by_xlaunch = self.traced(*args)
                self.assertExit(result, 0)
                self.assertFalse(mapped)
                self.assertNotIn("libcrypto.so.3", by_xlaunch)
                # Only the C library (and libm, which the static C++ runtime needs): no
                # libstdc++ to map and relocate at each start. The build says whether it linked
                # the runtime in (CMakeLists.txt: not for sanitizers, clang or when turned off).
                if STATIC_CXX_RUNTIME:
                    self.assertEqual({lib.split(".so")[0] for lib in by_xlaunch}, {"libc", "libm"})
        self.assertEqual(self.hub.requests(), [])

    def test_a_download_loads_it_and_a_launch_from_the_cache_does_not(self):
        download, mapped, everywhere, _ = self.traced("download", *self.spec_args(*MODEL), "--json")
        self.assertExit(download, 0)
        self.assertTrue(mapped)
        # The files were verified through libcrypto, which libcurl's TLS had already mapped
        # (the download's only process is xlaunch).
        self.assertIn("libcrypto.so.3", everywhere)
        self.assertGreater(json.loads(download.out)["files_fetched"], 0)

        record = os.path.join(self.root, "record.json")
        env = {"PATH": make_fake_bin(os.path.join(self.root, "bin")) + os.pathsep + "/usr/bin:/bin",
               "FAKE_GPUS": "2x81920", "FAKE_ENGINE_RECORD": record, "FAKE_ENGINE_VERSION": "0.11.2"}
        self.hub.clear_log()
        launch, mapped, _, by_xlaunch = self.traced("launch", *self.spec_args(*MODEL), "-en", "vllm", "--offline",
                                                 env=env)
        self.assertExit(launch, 0)
        with open(record) as src:
            self.assertEqual(json.load(src)["argv"][1], "serve")  # the engine ran, from the cache
        self.assertFalse(mapped)
        self.assertNotIn("libcrypto.so.3", by_xlaunch)
        self.assertEqual(self.hub.requests(), [])


if __name__ == "__main__":
    unittest.main()
