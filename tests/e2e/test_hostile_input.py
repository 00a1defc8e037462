# SPDX-License-Identifier: Apache-2.0
"""Hostile user input (catalog files, catalog.d, flags, settings) is refused with exit 2 and one
clear error line naming the thing and the fix; nothing crashes, nothing reaches a terminal raw,
and values that do reach the engine command are quoted for the shell."""
import copy
import json
import os
import shlex
import subprocess
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from harness import XLAUNCH, XlaunchTestCase  # noqa: E402

CRASH_MARKS = ("AddressSanitizer", "UndefinedBehaviorSanitizer", "ThreadSanitizer", "runtime error:",
               "internal error", "terminate called", "Segmentation fault")

FAMILY = {
    "version": 2, "context_length": 4096, "model_name": "user-tiny", "model_lang": ["en"],
    "model_ability": ["generate"], "model_description": "a user's own family",
    "model_specs": [
        {"model_format": "pytorch", "model_size_in_billions": 1, "model_src": {
            "huggingface": {"quantizations": ["none"], "model_id": "user/tiny"}}},
        {"model_format": "ggufv2", "model_size_in_billions": 1, "model_src": {
            "huggingface": {"quantizations": ["Q4_K_M"], "model_id": "user/tiny-GGUF",
                            "model_file_name_template": "tiny-{quantization}.gguf"}}}]}


def family(**changes):
    """FAMILY with `changes` applied: keys are paths like 'model_specs.1.model_src.huggingface.x'."""
    value = copy.deepcopy(FAMILY)
    for path, new in changes.items():
        node, keys = value, path.split(".")
        for key in keys[:-1]:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[int(keys[-1]) if isinstance(node, list) else keys[-1]] = new
    return value


GGUF_SOURCE = "model_specs.1.model_src.huggingface"


class HostileInput(XlaunchTestCase):
    def write(self, name, text):
        path = os.path.join(self.root, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def assert_usage_error(self, result, *words):
        self.assertEqual(result.code, 2, msg=repr(result))
        for mark in CRASH_MARKS:
            self.assertNotIn(mark, result.err)
        self.assertNotIn("\x1b", result.err)
        first = result.err.splitlines()[0] if result.err else ""
        self.assertRegex(first, r"^xlaunch( \w+)?: error: ", msg=repr(result))
        for word in words:
            self.assertIn(word, first, msg=repr(result))

    # ---- catalog files ------------------------------------------------------------------------
    def test_malformed_catalog_files(self):
        text = json.dumps([FAMILY], indent=1)
        cases = {
            "truncated": (text[:len(text) // 2], ["truncated.json", "not valid JSON at line"]),
            "empty": ("", ["empty.json", "not valid JSON"]),
            "wrong_type_specs": (json.dumps(family(model_specs="none")),
                                 ["$.model_specs", "expected a non-empty list of specs"]),
            "wrong_type_size": (json.dumps(family(**{"model_specs.0.model_size_in_billions": [1]})),
                                ["$.model_specs[0].model_size_in_billions", "expected a positive size"]),
            "wrong_type_quantizations": (json.dumps(family(**{GGUF_SOURCE + ".quantizations": "Q4_K_M"})),
                                         ["quantizations", "expected a list of strings, got string"]),
            "nul_in_name": (json.dumps(family(model_name="a\u0000b")), ["$.model_name", "contains a NUL"]),
            "deeply_nested": ("[" * 100000 + "]" * 100000, ["deeply_nested.json", "nested deeper than 64 levels"]),
            "number_overflow": (json.dumps(family()).replace('"context_length": 4096', '"context_length": 1e400'),
                                ["number_overflow.json", "number overflow", "must fit in 64 bits"]),
            "huge_integer": (json.dumps(family(context_length=2 ** 64 + 5)),
                             ["$.context_length", "expected a positive integer"]),
            "huge_size": (json.dumps(family(**{"model_specs.0.model_size_in_billions": 2 ** 70})),
                          ["model_size_in_billions", "expected a positive size"]),
            "template_dotdot": (json.dumps(family(**{GGUF_SOURCE + ".model_file_name_template": "../../{quantization}.gguf"})),
                                ["model_file_name_template", "'../../Q4_K_M.gguf'", "has a '..' segment"]),
            "template_absolute": (json.dumps(family(**{GGUF_SOURCE + ".model_file_name_template": "/etc/{quantization}"})),
                                  ["model_file_name_template", "'/etc/Q4_K_M'", "is absolute"]),
            "quantization_dotdot": (json.dumps(family(**{GGUF_SOURCE + ".quantizations": ["../../x"]})),
                                    ["model_file_name_template", "'tiny-../../x.gguf'", "has a '..' segment"]),
            "split_template_escape": (json.dumps(family(**{
                GGUF_SOURCE + ".model_file_name_split_template": "{quantization}/../../{part}.gguf",
                GGUF_SOURCE + ".quantization_parts": {"Q4_K_M": ["00001-of-00002", "00002-of-00002"]}})),
                ["model_file_name_split_template", "'Q4_K_M/../../00001-of-00002.gguf'", "has a '..' segment"]),
            "template_control": (json.dumps(family(**{GGUF_SOURCE + ".model_file_name_template": "a\u001b[2J{quantization}"})),
                                 ["model_file_name_template", "'a\\x1b[2JQ4_K_M'", "contains a control character"]),
        }
        for name, (text, words) in cases.items():
            with self.subTest(case=name):
                path = self.write(name + ".json", text)
                for argv in (["list", "--catalog", path], ["-n", "user-tiny", "--catalog", path, "--dry-run"]):
                    self.assert_usage_error(self.run_xlaunch(*argv), *words)

    def test_catalog_d_is_held_to_the_same_standard(self):
        folder = os.path.join(self.env["XLAUNCH_HOME"], "catalog.d")
        os.makedirs(folder)
        with open(os.path.join(folder, "evil.json"), "w") as f:
            json.dump(family(**{GGUF_SOURCE + ".model_file_name_template": "../../{quantization}.gguf"}), f)
        self.assert_usage_error(self.run_xlaunch("list"), "evil.json", "has a '..' segment")

    def test_unknown_fields_keep_working(self):
        extra = family(x_future_field={"nested": [1, 2, {"deep": True}]},
                       **{"model_specs.0.x_spec_note": "hi", GGUF_SOURCE + ".x_source_note": 12345678901234567890})
        path = self.write("extra.json", json.dumps(extra))
        listed = self.run_xlaunch("list", "--catalog", path, "--json")
        self.assertEqual(listed.code, 0, msg=repr(listed))
        self.assertIn("user-tiny", listed.out)
        plan = self.run_xlaunch("-n", "user-tiny", "-f", "ggufv2", "--catalog", path, "--dry-run", "--json",
                                "--offline")
        self.assertIn(plan.code, (0, 4), msg=repr(plan))  # 4: no llama.cpp here; the plan is still printed
        self.assertIn("tiny-Q4_K_M.gguf", plan.out)

    def test_catalog_revision_and_repo_id_are_checked(self):
        path = self.write("rev.json", json.dumps(family(**{"model_specs.0.model_src.huggingface.model_revision": "../../x"})))
        self.assert_usage_error(self.run_xlaunch("download", "-n", "user-tiny", "-f", "pytorch", "--catalog", path),
                                "revision '../../x' (from catalog) has a '..' segment")
        path = self.write("id.json", json.dumps(family(**{"model_specs.0.model_src.huggingface.model_id": "../etc"})))
        self.assert_usage_error(self.run_xlaunch("download", "-n", "user-tiny", "-f", "pytorch", "--catalog", path),
                                "invalid repository id '../etc'")

    # ---- flags and settings -------------------------------------------------------------------
    def test_hostile_flag_values(self):
        afile = self.write("afile", "not a folder")
        cases = {
            "name_control_chars": (["-n", "deep\x1bseek\n-r1", "--dry-run"], ["unknown model 'deep\\x1bseek\\n-r1'"]),
            "size_not_a_number": (["-n", "deepseek-r1", "-s", "abc", "--dry-run"], ["no spec of deepseek-r1", "size abcB"]),
            "quantization_control": (["-n", "deepseek-r1", "-q", "Q4\x1b", "--dry-run"], ["quantization Q4\\x1b"]),
            "port_too_big": (["-n", "deepseek-r1", "--port", "99999", "--dry-run"], ["--port", "99999", "1 to 65535"]),
            "port_negative": (["-n", "deepseek-r1", "--port", "-1", "--dry-run"], ["--port", "-1", "1 to 65535"]),
            "port_text": (["-n", "deepseek-r1", "--port", "http", "--dry-run"], ["--port"]),
            "env_with_equals": (["-n", "deepseek-r1", "-ev", "A=B", "1", "--dry-run"], ["-ev 'A=B'", "-ev NAME VALUE"]),
            "env_empty_name": (["-n", "deepseek-r1", "-ev", "", "1", "--dry-run"], ["-ev ''", "-ev NAME VALUE"]),
            "revision_dotdot": (["-n", "deepseek-r1", "--revision", "../x", "--dry-run"],
                                ["revision '../x' (from --revision) has a '..' segment"]),
            "revision_absolute": (["download", "-n", "deepseek-r1", "--revision", "/etc", "--download-hub", "modelscope"],
                                  ["revision '/etc' (from --revision) is absolute"]),
            "cache_dir_is_a_file": (["download", "-n", "deepseek-r1", "--cache-dir", afile],
                                    ["--cache-dir", "is a file, not a folder"]),
            "cache_dir_below_a_file": (["-n", "deepseek-r1", "--cache-dir", os.path.join(afile, "sub"), "--dry-run"],
                                       ["--cache-dir", "is a file, not a folder"]),
            "replica": (["-n", "deepseek-r1", "-r", "1000000000000", "--dry-run"], ["--replica"]),
            "context_length": (["-n", "deepseek-r1", "--context-length", "-5", "--dry-run"],
                               ["--context-length", "give one from 1 to"]),
            "nnodes_zero": (["-n", "deepseek-r1", "--nnodes", "0", "--dry-run"], ["--nnodes", "give a number from 1 to"]),
        }
        for name, (argv, words) in cases.items():
            with self.subTest(case=name):
                self.assert_usage_error(self.run_xlaunch(*argv), *words)

    def test_hostile_settings_values(self):
        for name, value in (("XLAUNCH_MAX_CONNECTIONS", "0"), ("XLAUNCH_MAX_CONNECTIONS", "9" * 30),
                            ("XLAUNCH_MAX_CONNECTIONS", "-3"), ("XLAUNCH_PORT", "99999"), ("XLAUNCH_RETRIES", "1e3")):
            with self.subTest(variable=name, value=value):
                result = self.run_xlaunch("download", "-n", "deepseek-r1", "--download-hub", "modelscope",
                                          env={name: value})
                self.assert_usage_error(result, name, "expected an integer from")

    def test_hub_detect_timeout_is_bounded(self):
        # Huge values overflowed into "the hub did not answer", and nan slipped past the minimum.
        for value in ("1e99", "inf", "nan", "3abc", "-1"):
            with self.subTest(value=value):
                result = self.run_xlaunch("-n", "deepseek-r1", "--dry-run",
                                          env={"XINFERENCE_HUB_DETECT_TIMEOUT": value, "HF_ENDPOINT": "http://127.0.0.1:1"})
                self.assert_usage_error(result, "XINFERENCE_HUB_DETECT_TIMEOUT", "from 0 to 3600")

    def test_output_that_cannot_be_written_fails_the_run(self):
        if not os.path.exists("/dev/full"):
            self.skipTest("no /dev/full")
        for argv in (("list",), ("list", "--json"), ("completion", "bash"), ("--version",)):
            with self.subTest(argv=argv), open("/dev/full", "w") as full:
                completed = subprocess.run([XLAUNCH, *argv], env=self.env, stdout=full, stderr=subprocess.PIPE,
                                           text=True, timeout=60)
                self.assertEqual(completed.returncode, 1, completed.stderr)
                self.assertIn("cannot write the output (No space left on device)", completed.stderr)

    def test_model_uid_reaches_the_engine_command_quoted(self):
        uid = "a/b; rm -rf $(echo ~) `id` \"q\" 'x' \x1b"
        result = self.run_xlaunch("-n", "deepseek-v2-chat", "-s", "16", "-en", "vllm", "--offline", "--dry-run",
                                  "-u", uid, "-ev", "NOTE", "$(reboot)")
        self.assertIn(result.code, (0, 4), msg=repr(result))
        for mark in CRASH_MARKS:
            self.assertNotIn(mark, result.err)
        command = [line for line in result.out.splitlines() if line.startswith("command")]
        self.assertEqual(len(command), 1, msg=repr(result))
        words = shlex.split(command[0][len("command"):])
        self.assertEqual(words[words.index("--served-model-name") + 1], uid)


if __name__ == "__main__":
    unittest.main()
