# SPDX-License-Identifier: Apache-2.0
"""The foundation through the real binary: catalog commands, spec matching and the dry-run plan."""
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from harness import XlaunchTestCase  # noqa: E402

TINY_FAMILY = {
    "version": 2, "context_length": 4096, "model_name": "tiny-chat", "model_lang": ["en"],
    "model_ability": ["chat"], "model_description": "a test family",
    "model_specs": [{"model_format": "ggufv2", "model_size_in_billions": "1_5",
                     "model_src": {"huggingface": {
                         "quantizations": ["Q4_K_M", "Q8_0"], "model_id": "test/tiny-{quantization}-GGUF",
                         "model_file_name_template": "tiny-{quantization}.gguf"}}}],
}


class CatalogCommands(XlaunchTestCase):
    def test_list_shows_the_seed_families(self):
        result = self.run_xlaunch("list")
        self.assertExit(result, 0)
        for name in ("deepseek-r1", "deepseek-v3-0324", "Deepseek-V3.1", "deepseek-v2-chat"):
            self.assertIn(name, result.out)
        self.assertEqual(result.err, "")

    def test_list_json(self):
        families = self.run_xlaunch("list", "--json").json()
        r1 = next(f for f in families if f["model_name"] == "deepseek-r1")
        self.assertEqual(r1["context_length"], 163840)
        self.assertEqual(r1["model_formats"], ["pytorch", "awq", "ggufv2", "mlx"])
        self.assertEqual(r1["hubs"], ["huggingface", "modelscope"])

    def test_engines_lists_one_row_per_quantization(self):
        rows = self.run_xlaunch("engines", "-n", "deepseek-r1", "-en", "llama.cpp", "--json").json()
        self.assertEqual(len(rows), 13)
        self.assertEqual({r["model_engine"] for r in rows}, {"llama.cpp"})
        self.assertEqual(rows[0]["quantization"], "UD-IQ1_S")
        vllm = self.run_xlaunch("engines", "-n", "deepseek-r1", "-en", "VLLM", "--json").json()
        self.assertEqual([(r["model_format"], r["quantization"]) for r in vllm], [("pytorch", "none"), ("awq", "Int4")])

    def test_engines_filters_and_errors(self):
        result = self.run_xlaunch("engines", "-n", "deepseek-v3-0324", "-f", "mlx")
        self.assertExit(result, 0)
        self.assertIn("MLX", result.out)
        self.assertIn("huggingface", result.out)
        self.assertNotIn("modelscope", result.out)
        self.assertExit(self.run_xlaunch("engines", "-n", "nope"), 2)
        self.assertExit(self.run_xlaunch("engines", "-n", "deepseek-r1", "-en", "ollama"), 2)

    def test_extra_catalog_file_and_catalog_d(self):
        path = os.path.join(self.root, "tiny.json")
        with open(path, "w") as f:
            json.dump([TINY_FAMILY], f)
        plan = self.run_xlaunch("-n", "tiny-chat", "-q", "q8_0", "--catalog", path, "--dry-run", "--json").json()
        self.assertEqual(plan["repo_id"], "test/tiny-Q8_0-GGUF")
        self.assertEqual([f["path"] for f in plan["files"]], ["tiny-Q8_0.gguf"])
        self.assertEqual(plan["spec"]["model_size_in_billions"], "1.5")
        catalog_d = os.path.join(self.env["XLAUNCH_HOME"], "catalog.d")
        os.makedirs(catalog_d)
        with open(os.path.join(catalog_d, "tiny.json"), "w") as f:
            json.dump(TINY_FAMILY, f)
        self.assertIn("tiny-chat", self.run_xlaunch("list").out)

    def test_malformed_catalog_names_file_and_path(self):
        path = os.path.join(self.root, "bad.json")
        broken = dict(TINY_FAMILY, model_specs=[{"model_format": "pytorch", "model_size_in_billions": 1,
                                                 "model_src": {"huggingface": {"model_id": "x/y"}}}])
        with open(path, "w") as f:
            json.dump(broken, f)
        result = self.run_xlaunch("list", "--catalog", path)
        self.assertExit(result, 2)
        self.assertIn(f"catalog {path}: $.model_specs[0].model_src.huggingface: missing required field 'quantizations'", result.err)


class DryRunPlan(XlaunchTestCase):
    def plan(self, *args):
        result = self.run_xlaunch(*args, "--dry-run", "--json")
        self.assertExit(result, 0)
        return result.json()

    def test_gguf_plan_lists_the_parts(self):
        plan = self.plan("-n", "deepseek-r1", "--model-engine", "llama.cpp", "--model-format", "ggufv2",
                         "--quantization", "UD-IQ1_S")
        self.assertEqual(plan["repo_id"], "unsloth/DeepSeek-R1-GGUF")
        self.assertFalse(plan["whole_repository"])
        self.assertEqual([f["path"] for f in plan["files"]], [
            f"DeepSeek-R1-UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-0000{k}-of-00003.gguf" for k in (1, 2, 3)])
        self.assertEqual(plan["engine"]["name"], "llama.cpp")
        self.assertEqual(plan["model_version"], "deepseek-r1--671B--ggufv2--UD-IQ1_S")

    def test_engine_picks_the_spec(self):
        plan = self.plan("-n", "deepseek-r1", "-en", "llama.cpp")
        self.assertEqual(plan["spec"]["model_format"], "ggufv2")
        self.assertEqual(plan["spec"]["quantization"], "UD-IQ1_S")

    def test_natural_engine_is_said(self):
        result = self.run_xlaunch("-n", "deepseek-r1", "-f", "ggufv2", "--dry-run")
        self.assertExit(result, 0)
        self.assertIn("llama.cpp (the natural engine for ggufv2", result.out)
        self.assertIn("whole repository", self.run_xlaunch("-n", "deepseek-r1", "--dry-run").out)

    def test_launch_subcommand_equals_default(self):
        a = self.run_xlaunch("launch", "-n", "Deepseek-V3.1", "-f", "awq", "--download-hub", "huggingface", "--dry-run", "--json")
        b = self.run_xlaunch("-n", "Deepseek-V3.1", "-f", "awq", "--download-hub", "huggingface", "--dry-run", "--json")
        # The plan quotes libcurl's error for the closed test port, which says how long the
        # connect took ("after 2 ms"): that may differ between two runs, the rest may not.
        def without_timing(text):
            return re.sub(r"after \d+ ms", "after N ms", text)
        self.assertEqual(without_timing(a.out), without_timing(b.out))
        self.assertEqual(a.json()["repo_id"], "QuantTrio/DeepSeek-V3.1-AWQ")

    def test_modelscope_ids_and_revisions(self):
        plan = self.plan("-n", "Deepseek-V3.1", "-f", "awq", "--download_hub", "modelscope")
        self.assertEqual(plan["repo_id"], "tclf90/DeepSeek-V3.1-AWQ")
        self.assertEqual(plan["hub"]["name"], "modelscope")
        self.assertEqual(plan["revision"], {"name": "master", "source": "hub default"})
        r1 = self.plan("-n", "deepseek-r1", "--download-hub", "huggingface")
        self.assertEqual(r1["revision"], {"name": "8a58a132790c9935686eb97f042afa8013451c9f", "source": "catalog"})
        pinned = self.plan("-n", "deepseek-r1", "--download-hub", "huggingface", "--revision", "abc")
        self.assertEqual(pinned["revision"], {"name": "abc", "source": "--revision"})

    def test_auto_hub_follows_xinference(self):
        # The harness points HF_ENDPOINT at a closed port: the probe fails, ModelScope is chosen.
        probed = self.plan("-n", "Deepseek-V3.1", "-f", "awq")
        self.assertEqual(probed["hub"]["name"], "modelscope")
        self.assertIn("did not answer", probed["hub"]["reason"])
        self.assertEqual(probed["repo_id"], "tclf90/DeepSeek-V3.1-AWQ")
        by_env = self.run_xlaunch("-n", "Deepseek-V3.1", "-f", "awq", "--dry-run", "--json",
                                  env={"XINFERENCE_MODEL_SRC": "huggingface"})
        self.assertEqual(by_env.json()["hub"]["name"], "huggingface")
        self.assertIn("XINFERENCE_MODEL_SRC", by_env.json()["hub"]["reason"])
        offline = self.plan("-n", "Deepseek-V3.1", "-f", "awq", "--offline")
        self.assertEqual(offline["hub"]["name"], "huggingface")
        hf_offline = self.run_xlaunch("-n", "Deepseek-V3.1", "--dry-run", "--json", env={"HF_HUB_OFFLINE": "1"})
        self.assertEqual(hf_offline.json()["hub"]["name"], "huggingface")
        bad = self.run_xlaunch("-n", "Deepseek-V3.1", "--dry-run", env={"XINFERENCE_MODEL_SRC": "csghub"})
        self.assertExit(bad, 2)
        self.assertIn("XINFERENCE_MODEL_SRC", bad.err)

    def test_size_spellings(self):
        self.assertEqual(self.plan("-n", "deepseek-v2-chat", "-s", "236")["repo_id"], "deepseek-ai/DeepSeek-V2-Chat")
        self.assertEqual(self.plan("-n", "deepseek-v2-chat")["repo_id"], "deepseek-ai/DeepSeek-V2-Lite-Chat")

    def test_case_insensitive_name_and_quantization(self):
        plan = self.plan("-n", "DEEPSEEK-R1", "-q", "q4_k_m")
        self.assertEqual(plan["spec"]["quantization"], "Q4_K_M")
        self.assertEqual(len(plan["files"]), 9)
        self.assertTrue(any("matched 'deepseek-r1'" in note for note in plan["notes"]))

    def test_dry_run_touches_no_disk(self):
        self.run_xlaunch("-n", "deepseek-r1", "-en", "llama.cpp", "--dry-run")
        self.assertEqual(os.listdir(self.home), [])


class UsageErrors(XlaunchTestCase):
    def assertUsage(self, *args, says):
        result = self.run_xlaunch(*args)
        self.assertExit(result, 2)
        self.assertIn(says, result.err)
        self.assertEqual(result.out, "")
        return result

    def test_unknown_model_suggests(self):
        self.assertUsage("-n", "deepsek-r1", "--dry-run", says="unknown model 'deepsek-r1'; did you mean 'deepseek-r1'?")

    def test_nothing_matches_shows_a_table(self):
        result = self.assertUsage("-n", "deepseek-r1", "-f", "ggufv2", "-q", "Q9", "--dry-run",
                                  says="no spec of deepseek-r1 matches format ggufv2, quantization Q9")
        self.assertIn("FORMAT", result.err)
        self.assertIn("UD-IQ1_S", result.err)

    def test_incompatible_engine_says_why(self):
        result = self.assertUsage("-n", "deepseek-r1", "-en", "vllm", "-f", "ggufv2", "--dry-run", says="split GGUF")
        self.assertIn("vLLM can run these", result.err)

    def test_server_only_flags(self):
        self.assertUsage("-n", "deepseek-r1", "-e", "http://127.0.0.1:9997", says="-e is not supported")
        self.assertUsage("-n", "deepseek-r1", "--worker-ip", "10.0.0.1", says="--worker-ip is not supported")
        self.assertUsage("-n", "deepseek-r1", "--enable-virtual-env", says="not supported")

    def test_bad_values(self):
        self.assertUsage("-n", "deepseek-r1", "--port", "0", says="--port")
        self.assertUsage("-n", "deepseek-r1", "--download-hub", "openmind_hub", says="--download-hub")
        self.assertUsage("--dry-run", says="--model-name is required")
        self.assertUsage("-n", "deepseek-r1", "stray", says="unexpected argument 'stray'")
        self.assertUsage("-n", "", "--dry-run", says="--model-name is empty")
        self.assertUsage("download", "-n", "", says="--model-name is empty")
        self.assertUsage("-n", "deepseek-r1", "-u", "", "--dry-run", says="--model-uid is empty")
        self.assertUsage("-n", "deepseek-v3-0324", "-f", "mlx", "--download-hub", "modelscope", "--dry-run",
                         says="has no modelscope source; it is on huggingface: use --download-hub huggingface")

    def test_numbers_are_decimal(self):
        gguf = ("-n", "deepseek-r1", "-en", "llama.cpp", "-q", "UD-IQ1_S", "--dry-run", "--json")
        plan = self.run_xlaunch(*gguf, "--port", "08080", "--context-length", "0100")
        self.assertExit(plan, 0)
        argv = plan.json()["launch"]["nodes"][0]["argv"]
        self.assertEqual(argv[argv.index("--port") + 1], "8080")  # not octal, not "out of range"
        self.assertEqual(argv[argv.index("-c") + 1], "100")
        for flag, value in (("--port", "0x50"), ("--port", "1.5"), ("--context-length", "0x1000"),
                            ("--node-rank", "-1")):
            with self.subTest(flag=flag, value=value):
                result = self.assertUsage(*gguf, flag, value, says=f"{flag}: '{value}' is not a whole number; give one")
                self.assertEqual(len(result.err.strip().splitlines()), 1)
        self.assertUsage(*gguf, "--port", "65536", says="--port: 65536 is out of range; give a number from 1 to 65535")

    def test_engine_short_flags_reach_the_engine(self):
        plan = self.run_xlaunch("-n", "deepseek-r1", "-en", "llama.cpp", "-q", "UD-IQ1_S", "-ngl", "50", "-fa", "on",
                                "--dry-run", "--json")
        self.assertExit(plan, 0)
        argv = plan.json()["launch"]["nodes"][0]["argv"]
        self.assertEqual(argv[-4:], ["-ngl", "50", "-fa", "on"])

    def test_model_path_must_hold_what_the_engine_loads(self):
        folder = os.path.join(self.root, "weights")
        os.makedirs(folder)
        gguf = ("-n", "deepseek-r1", "-en", "llama.cpp", "-q", "UD-IQ1_S", "--dry-run")
        vllm = ("-n", "deepseek-v2-chat", "-en", "vllm", "--dry-run")
        missing = os.path.join(self.root, "nope")
        self.assertUsage(*gguf, "--model-path", missing, says=f"--model-path '{missing}' does not exist")
        self.assertUsage(*vllm, "--model-path", "", says="--model-path '' is empty")
        self.assertUsage(*gguf, "--model-path", folder,
                         says="has no DeepSeek-R1-UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf")
        self.assertUsage(*vllm, "--model-path", folder, says="has no config.json")
        with open(os.path.join(folder, "config.json"), "w") as f:
            f.write("{}")
        self.assertUsage(*gguf, "--model-path", os.path.join(folder, "config.json"), says="is not a .gguf file")
        self.assertUsage(*vllm, "--model-path", os.path.join(folder, "config.json"), says="is a file")
        self.assertExit(self.run_xlaunch(*vllm, "--model-path", folder), 0)

    def test_help_and_version(self):
        self.assertExit(self.run_xlaunch("--help"), 0)
        self.assertExit(self.run_xlaunch("launch", "--help"), 0)
        self.assertIn("xlaunch", self.run_xlaunch("--version").out)
        self.assertExit(self.run_xlaunch(), 2)


if __name__ == "__main__":
    unittest.main()
