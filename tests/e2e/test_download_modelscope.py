# SPDX-License-Identifier: Apache-2.0
"""`xlaunch download` from a fake ModelScope: every seed format, the modelscope_hub layout."""
import os
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from download_case import DownloadTestCase  # noqa: E402

SOURCES = [
    ("deepseek-r1", "pytorch", None, None),
    ("deepseek-r1", "awq", None, None),
    ("deepseek-r1", "ggufv2", None, "UD-IQ1_S"),
    ("deepseek-r1", "mlx", None, "4bit"),
    ("deepseek-v3-0324", "pytorch", None, None),
    ("deepseek-v3-0324", "awq", None, None),
    ("Deepseek-V3.1", "pytorch", None, None),
    ("Deepseek-V3.1", "gptq", None, None),
    ("Deepseek-V3.1", "awq", None, None),
    ("Deepseek-V3.1", "mlx", None, "4bit"),
    ("deepseek-v2-chat", "pytorch", 16, None),
    ("deepseek-v2-chat", "pytorch", 236, None),
]


class ModelScopeDownloads(DownloadTestCase):
    HUB = "modelscope"
    SOURCES = SOURCES
    HUB_SETTINGS = {"ms_cdn_threshold": 1024}

    def test_every_seed_format(self):
        for name, fmt, size, quant in SOURCES:
            with self.subTest(model=name, format=fmt, size=size):
                self.hub.clear_log()
                out = self.download(*self.spec_args(name, fmt, size, quant)).json()
                expected = self.expected_files(name, fmt, size, quant, out["repo_id"])
                self.assert_files(out, expected)
                snapshot = self.assert_ms_layout(out["repo_id"], "master", expected)
                self.assertEqual(os.path.realpath(out["snapshot_dir"]), os.path.realpath(snapshot))
                if fmt != "ggufv2":
                    self.assertTrue(os.path.isfile(os.path.join(snapshot, "configuration.json")))
                self.hub.clear_log()
                again = self.download(*self.spec_args(name, fmt, size, quant)).json()
                self.assertEqual(again["files_fetched"], 0)
                self.assertEqual([r["path"].split("/")[-1] for r in self.hub.requests()], ["revisions"])

    def test_gguf_parts_only_and_offline_relaunch(self):
        args = self.spec_args("deepseek-r1", "ggufv2", quant="UD-IQ1_S")
        self.download(*args, env={"MODELSCOPE_API_TOKEN": "ms_secret"})
        fetched = [r for r in self.file_requests() if r["listener"] == "hub"]
        self.assertEqual(len(fetched), 3)
        self.assertTrue(all("UD-IQ1_S" in r["path"] for r in fetched))
        self.assertTrue(all(r["cookie"] and r["authorization"] for r in fetched))
        self.assertFalse(any(r["authorization"] or r["cookie"] for r in self.hub.requests() if r["listener"] == "cdn"))
        self.hub.clear_log()
        self.download(*args, "--offline")
        self.assertEqual(self.hub.requests(), [])
        # Offline without a hub named looks in the Hugging Face cache; it points at this copy.
        elsewhere = self.download("-n", "deepseek-r1", "-f", "ggufv2", "-q", "UD-IQ1_S", "--offline", code=3)
        self.assertIn("but complete in the ModelScope cache at", elsewhere.err)
        self.assertIn("add --download-hub modelscope", elsewhere.err)
        self.assertEqual(self.hub.requests(), [])

    def test_unknown_revision_is_an_error_not_an_empty_success(self):
        result = self.download(*self.spec_args("deepseek-r1", "awq"), "--revision", "v9", code=3)
        self.assertIn("revision 'v9' not found in cognitivecomputations/DeepSeek-R1-awq on ModelScope", result.err)


if __name__ == "__main__":
    unittest.main()
