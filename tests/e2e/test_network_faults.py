# SPDX-License-Identifier: Apache-2.0
"""Network faults against a fake Hugging Face Hub (the faults: tests/support/network_faults.py):
resets, stalls, 429/503/500, Range ignored, short or corrupted bodies, missing headers, redirect
loops, a file gone mid-snapshot, gzip JSON, a silent endpoint and an untrusted certificate."""
import os
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from download_case import HF_TOKEN, DownloadTestCase  # noqa: E402
from network_faults import NetworkFaults  # noqa: E402


class HuggingFaceNetworkFaults(NetworkFaults, DownloadTestCase):
    HUB = "huggingface"
    TOKEN_ENV = {"HF_TOKEN": HF_TOKEN}
    HUB_SETTINGS = {"redirect_style": "relative"}


if __name__ == "__main__":
    unittest.main()
