# SPDX-License-Identifier: Apache-2.0
"""Builds a PATH folder of fake engines and a fake nvidia-smi for end-to-end tests.

    bin_dir = make_fake_bin(os.path.join(self.root, "bin"), engines=["vllm"], gpus=True)
    env = {"PATH": bin_dir + os.pathsep + os.environ["PATH"], "FAKE_GPUS": "8x81920",
           "FAKE_ENGINE_RECORD": record_path}

Every program is a symlink to fake_engine.py / fake_nvidia_smi.py, so it reports the name it was
called by. Pass engines=None for every name.
"""
import os

SUPPORT_DIR = os.path.dirname(os.path.abspath(__file__))
FAKE_ENGINE = os.path.join(SUPPORT_DIR, "fake_engine.py")
FAKE_NVIDIA_SMI = os.path.join(SUPPORT_DIR, "fake_nvidia_smi.py")

# Every program name xlaunch may run, by engine.
PROGRAMS = {
    "vllm": ["vllm", "ray"],
    "sglang": ["sglang"],
    "llama.cpp": ["llama-server", "rpc-server"],
    "mlx": ["mlx_lm.server", "mlx_lm", "mlx.launch"],
    "transformers": ["transformers"],
}


def make_fake_bin(bin_dir, engines=None, gpus=True):
    """Creates bin_dir with the fakes for `engines` (names as in PROGRAMS; None = all) and,
    when gpus is true, nvidia-smi. Returns bin_dir."""
    os.makedirs(bin_dir, exist_ok=True)
    for target in (FAKE_ENGINE, FAKE_NVIDIA_SMI):
        os.chmod(target, 0o755)
    names = []
    for engine in (PROGRAMS if engines is None else engines):
        names.extend(PROGRAMS[engine.lower()])
    for name in names:
        _link(FAKE_ENGINE, os.path.join(bin_dir, name))
    if gpus:
        _link(FAKE_NVIDIA_SMI, os.path.join(bin_dir, "nvidia-smi"))
    return bin_dir


def _link(target, path):
    if os.path.lexists(path):
        os.remove(path)
    os.symlink(target, path)
