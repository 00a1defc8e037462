# SPDX-License-Identifier: Apache-2.0
"""Shared helpers for the end-to-end tests: run the real xlaunch binary in an isolated home.

Every test gets a fresh temporary folder holding XLAUNCH_HOME, HF_HOME and MODELSCOPE_CACHE, and
an environment stripped of the caller's hub variables, so nothing on the developer's machine
leaks into a test and nothing a test writes leaks out.
"""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

XLAUNCH = os.environ.get("XLAUNCH", "xlaunch")
SUPPORT_DIR = os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.dirname(os.path.abspath(__file__)))

_SCRUBBED_PREFIXES = ("HF_", "HUGGING", "MODELSCOPE_", "XLAUNCH_", "XINFERENCE_", "TRANSFORMERS_")
_SCRUBBED_NAMES = {"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                   "ALL_PROXY", "no_proxy", "NO_PROXY", "CUDA_VISIBLE_DEVICES"}


class Result:
    def __init__(self, completed):
        self.code = completed.returncode
        self.out = completed.stdout
        self.err = completed.stderr

    def json(self):
        return json.loads(self.out)

    def __repr__(self):
        return f"exit {self.code}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


class XlaunchTestCase(unittest.TestCase):
    """Base class: self.home is a fresh folder; self.run_xlaunch() runs the binary there."""

    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="xlaunch-test-")
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)
        self.home = os.path.join(self.root, "home")
        os.makedirs(self.home)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(_SCRUBBED_PREFIXES) and k not in _SCRUBBED_NAMES}
        self.env.update({
            "HOME": self.home,
            "XLAUNCH_HOME": os.path.join(self.home, ".xlaunch"),
            "HF_HOME": os.path.join(self.home, ".cache", "huggingface"),
            "MODELSCOPE_CACHE": os.path.join(self.home, ".cache", "modelscope"),
            # Tests never reach the real hubs: an unroutable endpoint fails fast if one tries.
            "HF_ENDPOINT": "http://127.0.0.1:9",
            "MODELSCOPE_ENDPOINT": "http://127.0.0.1:9",
            # GPUs come from the fake nvidia-smi ($FAKE_GPUS), never from a real driver's NVML;
            # test_nvml.py points this at the fake NVML library instead.
            "XLAUNCH_NVML_LIBRARY": "none",
        })

    def run_xlaunch(self, *args, env=None, input=None, timeout=120, cwd=None):
        full_env = dict(self.env)
        if env:
            full_env.update(env)
        completed = subprocess.run([XLAUNCH, *args], env=full_env, input=input, cwd=cwd or self.root,
                                   capture_output=True, text=True, timeout=timeout)
        return Result(completed)

    def assertExit(self, result, code):
        self.assertEqual(result.code, code, msg=repr(result))
