# SPDX-License-Identifier: Apache-2.0
"""GPUs are read from NVML in-process when the driver's libnvidia-ml.so.1 is there, and from
nvidia-smi when it is not or cannot answer (core/hardware/nvml.hpp).

The fake NVML library (tests/support/fake_nvml.cpp, built by the tests) and the fake nvidia-smi
both read $FAKE_GPUS, and name their GPUs differently, so the plan shows which one xlaunch read.
The fake nvidia-smi also logs each run, which shows that a launch read through NVML ran none."""
import os
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from fake_bin import make_fake_bin  # noqa: E402
from harness import XlaunchTestCase  # noqa: E402

FAKE_NVML = os.environ.get("FAKE_NVML_LIBRARY", "")
SMI_LOG_WRAPPER = """#!/bin/sh
echo run >> "{log}"
exec "{real}" "$@"
"""


@unittest.skipUnless(FAKE_NVML, "FAKE_NVML_LIBRARY (the fake libnvidia-ml.so.1 the build makes) is not set")
class Nvml(XlaunchTestCase):
    def setUp(self):
        super().setUp()
        self.bin = make_fake_bin(os.path.join(self.root, "bin"), engines=["vllm"], gpus=True)
        # Count the runs of the fake nvidia-smi.
        self.smi_log = os.path.join(self.root, "nvidia-smi.log")
        real = os.path.join(self.bin, "nvidia-smi")
        os.rename(real, real + ".real")
        with open(real, "w") as out:
            out.write(SMI_LOG_WRAPPER.format(log=self.smi_log, real=real + ".real"))
        os.chmod(real, 0o755)
        self.model = os.path.join(self.root, "model")
        os.makedirs(self.model)
        with open(os.path.join(self.model, "config.json"), "w") as out:
            out.write("{}")

    def plan(self, **env):
        result = self.run_xlaunch("-n", "deepseek-v2-chat", "-en", "vllm", "--model-path", self.model,
                                  "--dry-run", "--json", "--offline",
                                  env={"PATH": self.bin + os.pathsep + "/usr/bin:/bin", "FAKE_GPUS": "2x81920@1024",
                                       "FAKE_ENGINE_VERSION": "0.11.2", **env})
        self.assertExit(result, 0)
        return result.json()["launch"]

    def smi_runs(self):
        if not os.path.exists(self.smi_log):
            return 0
        with open(self.smi_log) as log:
            return len(log.read().split())

    def test_gpus_come_from_nvml_without_running_nvidia_smi(self):
        launch = self.plan(XLAUNCH_NVML_LIBRARY=FAKE_NVML)
        self.assertEqual([(gpu["index"], gpu["name"], gpu["memory_total_mib"], gpu["memory_used_mib"])
                          for gpu in launch["gpus"]], [(0, "NVIDIA Fake NVML GPU", 81920, 1024),
                                                       (1, "NVIDIA Fake NVML GPU", 81920, 1024)])
        self.assertTrue(launch["fit"]["fits"])
        self.assertEqual(self.smi_runs(), 0)

    def test_nvidia_smi_answers_when_nvml_cannot(self):
        for env in ({"XLAUNCH_NVML_LIBRARY": FAKE_NVML, "FAKE_NVML_FAIL_MEMORY": "1"},  # a GPU NVML cannot read
                    {"XLAUNCH_NVML_LIBRARY": os.path.join(self.root, "no-such-libnvidia-ml.so.1")},
                    {"XLAUNCH_NVML_LIBRARY": "none"}):
            with self.subTest(env=env):
                before = self.smi_runs()
                gpus = self.plan(**env)["gpus"]
                self.assertEqual([gpu["name"] for gpu in gpus], ["NVIDIA Fake GPU 80GB"] * 2)
                self.assertEqual(self.smi_runs(), before + 1)


if __name__ == "__main__":
    unittest.main()
