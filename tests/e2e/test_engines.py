# SPDX-License-Identifier: Apache-2.0
"""The engine stage through the real binary: preflight refusals, the exec (same pid, exit code,
signals), the exact command the fake engine receives, the fit check and the version cache."""
import json
import os
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from harness import XLAUNCH, XlaunchTestCase  # noqa: E402
from fake_bin import make_fake_bin  # noqa: E402


class EngineCase(XlaunchTestCase):
    def setUp(self):
        super().setUp()
        self.bin = make_fake_bin(os.path.join(self.root, "bin"))
        self.record = os.path.join(self.root, "record.json")
        self.probes = os.path.join(self.root, "probes.log")
        self.model = os.path.join(self.root, "model")
        os.makedirs(self.model)
        with open(os.path.join(self.model, "config.json"), "w") as out:
            out.write("{}")
        self.fake_env = {"PATH": self.bin + os.pathsep + "/usr/bin:/bin", "FAKE_GPUS": "2x81920",
                         "FAKE_ENGINE_RECORD": self.record, "FAKE_ENGINE_PROBE_LOG": self.probes,
                         "FAKE_ENGINE_VERSION": "0.11.2"}

    def launch(self, *args, env=None):
        return self.run_xlaunch(*args, env={**self.fake_env, **(env or {})})

    def recorded(self):
        with open(self.record) as src:
            return json.load(src)


class Exec(EngineCase):
    def test_vllm_gets_the_exact_command_and_environment(self):
        result = self.launch("-n", "deepseek-v2-chat", "-en", "vllm", "--model-path", self.model,
                             "--gpu-idx", "1", "--port", "9000", "-ev", "VLLM_LOGGING_LEVEL", "DEBUG",
                             "--max_model_len", "8192", "--", "--enforce_eager")
        self.assertExit(result, 0)
        record = self.recorded()
        self.assertEqual(record["name"], "vllm")
        self.assertEqual(record["argv"][1:], [
            "serve", self.model, "--host", "127.0.0.1", "--port", "9000", "--served-model-name",
            "deepseek-v2-chat", "--tensor-parallel-size", "1", "--pipeline-parallel-size", "1",
            "--gpu-memory-utilization", "0.90", "--trust-remote-code", "--max-model-len", "8192",
            "--enforce_eager"])
        self.assertEqual(record["env"]["CUDA_VISIBLE_DEVICES"], "1")
        self.assertEqual(record["env"]["VLLM_LOGGING_LEVEL"], "DEBUG")

    def test_a_llama_cpp_rpc_worker_downloads_nothing(self):
        # No hub is reachable here: a worker that tried to download would fail with exit 3.
        args = ("-n", "deepseek-r1", "-en", "llama.cpp", "-q", "Q4_K_M", "--nnodes", "2", "--node-rank", "1",
                "--hosts", "10.0.0.1,10.0.0.2")
        env = {"HF_ENDPOINT": "http://127.0.0.1:1", "MODELSCOPE_ENDPOINT": "http://127.0.0.1:1"}
        plan = self.launch(*args, "--dry-run", "--json", env=env)
        self.assertExit(plan, 0)
        self.assertIn("rpc-server, which loads no weights: nothing is downloaded here", " ".join(plan.json()["notes"]))
        self.assertNotIn("download", plan.json())
        result = self.launch(*args, env=env)
        self.assertExit(result, 0)
        self.assertEqual(self.recorded()["name"], "rpc-server")

    def test_six_gpus_run_tensor_parallel_on_four(self):
        result = self.launch("-n", "deepseek-v2-chat", "-en", "vllm", "--model-path", self.model,
                             env={"FAKE_GPUS": "6x81920"})
        self.assertExit(result, 0)
        record = self.recorded()
        argv = record["argv"]
        self.assertEqual(argv[argv.index("--tensor-parallel-size") + 1], "4")
        self.assertEqual(record["env"]["CUDA_VISIBLE_DEVICES"], "0,1,2,3")
        self.assertIn("xlaunch: note: using 4 of the 6 GPUs (0,1,2,3)", result.err)

    def test_same_pid_and_exit_code(self):
        env = dict(self.env, **self.fake_env, FAKE_ENGINE_EXIT="7")
        proc = subprocess.Popen([XLAUNCH, "-n", "deepseek-v2-chat", "-en", "vLLM", "--model-path", self.model],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 7, msg=err)
        self.assertEqual(self.recorded()["pid"], proc.pid)
        self.assertIn("xlaunch: exec ", err)

    def test_sigterm_reaches_the_engine(self):
        env = dict(self.env, **self.fake_env, FAKE_ENGINE_WAIT_SIGNAL="1")
        proc = subprocess.Popen([XLAUNCH, "-n", "deepseek-v2-chat", "-en", "vLLM", "--model-path", self.model],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.addCleanup(lambda: proc.poll() is None and proc.kill())
        deadline = time.monotonic() + 60
        while not os.path.exists(self.record) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertTrue(os.path.exists(self.record))
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=60), 128 + signal.SIGTERM)
        self.assertEqual(self.recorded()["signal"], "SIGTERM")

    def test_llama_cpp_gets_the_first_gguf_part(self):
        folder = os.path.join(self.model, "DeepSeek-R1-UD-IQ1_S")
        os.makedirs(folder)
        for k in (1, 2, 3):
            open(os.path.join(folder, f"DeepSeek-R1-UD-IQ1_S-0000{k}-of-00003.gguf"), "w").close()
        result = self.launch("-n", "deepseek-r1", "-en", "llama.cpp", "-q", "UD-IQ1_S", "--model-path", self.model,
                             "--context-length", "8192", "-ak", "sk-secret")
        self.assertExit(result, 0)
        argv = self.recorded()["argv"]
        self.assertEqual(argv[1:3], ["-m", os.path.join(folder, "DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf")])
        self.assertIn("-c", argv)
        self.assertEqual(argv[argv.index("-c") + 1], "8192")
        self.assertEqual(argv[-2:], ["--api-key", "sk-secret"])
        self.assertNotIn("sk-secret", result.err)

    def test_version_is_probed_once_then_cached(self):
        for _ in range(2):
            self.assertExit(self.launch("-n", "deepseek-v2-chat", "-en", "vllm", "--model-path", self.model), 0)
        with open(self.probes) as src:
            self.assertEqual(src.read().split(), ["vllm"])
        cache = os.path.join(self.env["XLAUNCH_HOME"], "cache", "engine-versions.json")
        with open(cache) as src:
            self.assertIn("0.11.2", src.read())


class LlamaOffload(EngineCase):
    """The fit check says "fits with offload to RAM" (one 24 GB GPU, R1 UD-IQ1_S): llama-server
    must be told to keep the experts in RAM, or it runs the GPU out of memory at load."""

    def setUp(self):
        super().setUp()
        self.fake_env.update({"FAKE_GPUS": "1x24576", "FAKE_ENGINE_VERSION": "6123"})
        folder = os.path.join(self.model, "DeepSeek-R1-UD-IQ1_S")
        os.makedirs(folder)
        self.parts = [os.path.join(folder, f"DeepSeek-R1-UD-IQ1_S-0000{k}-of-00003.gguf") for k in (1, 2, 3)]
        for part in self.parts:
            open(part, "w").close()
        self.args = ("-n", "deepseek-r1", "-en", "llama.cpp", "-q", "UD-IQ1_S", "--model-path", self.model,
                     "--context-length", "4096")
        # Size the (sparse) weights from xlaunch's own budgets so the need lands between the
        # GPU alone and GPU + RAM, whatever RAM this machine has.
        fit = self.launch(*self.args, "--dry-run", "--json").json()["launch"]["fit"]
        if fit["ram_budget_bytes"] < 4 * 2**30:
            self.skipTest("too little free RAM to stage an offload")
        need = fit["gpu_budget_bytes"] + fit["ram_budget_bytes"] // 2
        weights = int((need - fit["kv_cache_bytes"] - 2**30) / 1.1)
        with open(self.parts[0], "wb") as out:
            out.truncate(weights)

    def placement(self, argv):
        return argv[argv.index("-c") + 2:argv.index("--jinja")]

    def test_moe_experts_stay_in_ram(self):
        result = self.launch(*self.args)
        self.assertExit(result, 0)
        self.assertEqual(self.placement(self.recorded()["argv"]), ["-ngl", "999", "--cpu-moe"])
        self.assertIn("xlaunch: note: llama.cpp: expert weights stay in RAM", result.err)
        self.assertIn("the model fits only with offload to RAM, needs ", result.err)
        dry = self.launch(*self.args, "--dry-run")
        self.assertIn("fit         fits with offload to RAM", dry.out)
        self.assertIn("-ngl 999 --cpu-moe --jinja", dry.out)

    def test_build_without_cpu_moe_gets_a_partial_ngl(self):
        result = self.launch(*self.args, env={"FAKE_ENGINE_VERSION": "5000"})
        self.assertExit(result, 0)
        ngl, layers = self.placement(self.recorded()["argv"])
        self.assertEqual(ngl, "-ngl")
        self.assertTrue(0 < int(layers) < 61, layers)
        self.assertIn("predates --cpu-moe", result.err)

    def test_users_own_expert_split_wins(self):
        result = self.launch(*self.args, "--", "--n-cpu-moe", "40")
        self.assertExit(result, 0)
        argv = self.recorded()["argv"]
        self.assertNotIn("--cpu-moe", argv)
        self.assertEqual(argv.count("-ngl"), 1)
        self.assertEqual(argv[-2:], ["--n-cpu-moe", "40"])


class ParserVersions(EngineCase):
    """Reasoning and tool-call parsers reach only engine versions known to have them: an unknown
    parser name stops vLLM and SGLang at start-up, and the user never asked for these flags."""

    PARSER_FLAGS = ("--reasoning-parser", "--enable-reasoning", "--enable-auto-tool-choice", "--tool-call-parser")

    def launch_v31(self, engine, version):
        return self.launch("-n", "Deepseek-V3.1", "-en", engine, "-f", "awq", "--model-path", self.model,
                           env={"FAKE_ENGINE_VERSION": version})

    def test_old_engines_get_no_v31_parsers(self):
        for engine, version, notes in (
                ("vLLM", "0.8.5", ["xlaunch: note: vLLM 0.8.5: reasoning parser deepseek_v3 not passed",
                                   "add `--enable-auto-tool-choice --tool-call-parser deepseek_v31` after --"]),
                ("sglang", "0.4.3", ["add `--tool-call-parser deepseekv31` after --"])):
            with self.subTest(engine=engine):
                result = self.launch_v31(engine, version)
                self.assertExit(result, 0)
                argv = self.recorded()["argv"]
                for flag in self.PARSER_FLAGS:
                    self.assertNotIn(flag, argv)
                for note in notes:
                    self.assertIn(note, result.err)

    def test_unknown_version_keeps_the_parsers(self):
        result = self.launch_v31("vLLM", "dev-build")
        self.assertExit(result, 0)
        argv = self.recorded()["argv"]
        self.assertEqual(argv[argv.index("--reasoning-parser"):argv.index("--tool-call-parser") + 2],
                         ["--reasoning-parser", "deepseek_v3", "--enable-auto-tool-choice",
                          "--tool-call-parser", "deepseek_v31"])


class Refusals(EngineCase):
    def test_missing_engine_is_exit_4_before_any_hub_request(self):
        result = self.launch("-n", "deepseek-r1", "-en", "sglang", env={"PATH": "/usr/bin:/bin"})
        self.assertExit(result, 4)
        self.assertIn("SGLang is not installed", result.err)
        self.assertIn("XLAUNCH_SGLANG_BIN", result.err)

    def test_engine_from_variable(self):
        result = self.launch("-n", "deepseek-v2-chat", "-en", "transformers", "--model-path", self.model,
                             env={"PATH": "/usr/bin:/bin", "FAKE_ENGINE_VERSION": "4.57.1",
                                  "XLAUNCH_TRANSFORMERS_BIN": os.path.join(self.bin, "transformers")})
        self.assertExit(result, 0)
        self.assertEqual(self.recorded()["argv"][1:4], ["serve", "--host", "127.0.0.1"])

    def test_mlx_on_linux_is_exit_4(self):
        if sys.platform == "darwin":
            self.skipTest("MLX is allowed on macOS")
        result = self.launch("-n", "deepseek-r1", "-en", "MLX", "--model-path", self.model)
        self.assertExit(result, 4)
        self.assertIn("macOS arm64", result.err)

    def test_no_gpu_for_vllm_is_exit_4(self):
        result = self.launch("-n", "deepseek-v2-chat", "-en", "vllm", "--model-path", self.model, env={"FAKE_GPUS": ""})
        self.assertExit(result, 4)
        self.assertIn("needs an NVIDIA GPU", result.err)

    def test_too_many_gpus_is_exit_5(self):
        result = self.launch("-n", "deepseek-v2-chat", "-en", "vllm", "--model-path", self.model, "--n-gpu", "4")
        self.assertExit(result, 5)

    def test_model_that_does_not_fit_is_exit_5_unless_forced(self):
        with open(os.path.join(self.model, "weights.safetensors"), "wb") as out:
            out.truncate(500 * 2**30)  # sparse: 500 GiB of weights on 2 x 80 GB
        args = ("-n", "deepseek-v2-chat", "-s", "236", "-en", "vllm", "--model-path", self.model)
        result = self.launch(*args)
        self.assertExit(result, 5)
        self.assertIn("does not fit", result.err)
        self.assertIn("--force", result.err)
        self.assertFalse(os.path.exists(self.record))
        self.assertExit(self.launch(*args, "--force"), 0)


class DryRun(EngineCase):
    def test_every_node_command_with_secrets_hidden(self):
        result = self.launch("-n", "deepseek-r1", "-en", "vllm", "--dry-run", "--json", "--nnodes", "2",
                             "--master-addr", "10.0.0.1", "-ak", "sk-secret")
        self.assertExit(result, 0)
        self.assertNotIn("sk-secret", result.out)
        launch = result.json()["launch"]
        self.assertEqual(launch["version"], "0.11.2")
        self.assertEqual([n["role"] for n in launch["nodes"]], ["api server", "headless worker"])
        self.assertIn("--tensor-parallel-size 2 --pipeline-parallel-size 2", launch["nodes"][0]["command"])
        self.assertIn("--api-key '***'", launch["nodes"][0]["command"])
        self.assertTrue(launch["nodes"][1]["argv"][-1] == "--headless")
        self.assertEqual(launch["problems"], [])
        self.assertFalse(os.path.exists(self.record))

    def test_missing_engine_is_a_listed_problem(self):
        result = self.launch("-n", "deepseek-r1", "-en", "llama.cpp", "--dry-run", env={"PATH": "/usr/bin:/bin"})
        self.assertExit(result, 0)
        self.assertIn("problem: llama.cpp is not installed", result.out)
        self.assertIn("DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf", result.out)


if __name__ == "__main__":
    unittest.main()
