# SPDX-License-Identifier: Apache-2.0
"""Network faults against a fake ModelScope (the faults: tests/support/network_faults.py), the
same list as test_network_faults.py; files larger than 1 KiB are redirected to the CDN."""
import os
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from download_case import HF_TOKEN, DownloadTestCase  # noqa: E402
from network_faults import NetworkFaults  # noqa: E402


class ModelScopeNetworkFaults(NetworkFaults, DownloadTestCase):
    HUB = "modelscope"
    TOKEN_ENV = {"MODELSCOPE_API_TOKEN": HF_TOKEN}
    HUB_SETTINGS = {"ms_cdn_threshold": 1024}


if __name__ == "__main__":
    unittest.main()
