# SPDX-License-Identifier: Apache-2.0
"""Shell completion in real shells (bash + bash-completion, zsh, fish) and `xlaunch __complete`."""
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from harness import XLAUNCH, XlaunchTestCase  # noqa: E402
import shell_completion  # noqa: E402

SOURCE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
SCRIPT_FILES = {"bash": "xlaunch.bash", "zsh": "_xlaunch", "fish": "xlaunch.fish"}
DRIVERS = {"bash": shell_completion.bash_candidates, "zsh": shell_completion.zsh_candidates,
           "fish": shell_completion.fish_candidates}


class CompleteCommand(XlaunchTestCase):
    def complete(self, *words):
        result = self.run_xlaunch("__complete", *words)
        self.assertExit(result, 0)
        return [line.split("\t")[0] for line in result.out.splitlines()]

    def test_commands_and_flags(self):
        first = self.complete("")
        for command in ("launch", "list", "engines", "config", "completion"):
            self.assertIn(command, first)
        self.assertNotIn("__complete", first)
        self.assertIn("--model-name", self.complete("--model-n"))
        self.assertEqual(sorted(self.complete("-e")), ["-en", "-ev"])

    def test_values_follow_the_catalog_and_the_flags_typed(self):
        self.assertEqual(self.complete("-n", "deepseek-v2"), ["deepseek-v2-chat"])
        self.assertEqual(self.complete("-n", "deepseek-r1", "-en", "llama.cpp", "-f", ""), ["ggufv2"])
        self.assertEqual(self.complete("-n", "deepseek-r1", "-en", "vllm", "-q", ""), ["none", "Int4"])
        self.assertEqual(self.complete("-n", "deepseek-v2-chat", "-s", ""), ["16", "236"])
        self.assertEqual(self.complete("-n", "deepseek-r1", "-f", "ggufv2", "-en", ""), ["llama.cpp"])
        self.assertEqual(self.complete("--download-hub", ""), ["auto", "huggingface", "modelscope"])
        self.assertEqual(self.complete("-n", "deepseek-v3-0324", "-f", "mlx", "--download-hub", ""), ["auto", "huggingface"])
        self.assertEqual(self.complete("completion", ""), ["bash", "zsh", "fish"])
        self.assertEqual(self.complete("-n", "deepseek-r1", "--", ""), [])

    def test_engine_list_agrees_with_the_engines_command(self):
        rows = self.run_xlaunch("engines", "-n", "deepseek-v3-0324", "--json").json()
        expected = []
        for row in rows:
            if row["model_engine"] not in expected:
                expected.append(row["model_engine"])
        self.assertEqual(self.complete("-n", "deepseek-v3-0324", "-en", ""), expected)

    def test_every_command_is_offered_its_own_long_options_and_no_other(self):
        for command in ("launch", "list", "engines", "download", "cached", "remove-cache", "config", "completion"):
            help_text = self.run_xlaunch(command, "--help").out
            options = set(re.findall(r"^\s+(?:-\w+, ?)*(--[a-z][a-z0-9_-]+)", help_text, re.MULTILINE))
            self.assertTrue(options, help_text)
            offered = set(self.complete(command, "--"))
            self.assertEqual(options - offered, set(), f"{command}: --help lists options completion lacks")
            # The other way, every name the help mentions counts (aliases: "--download_hub").
            mentioned = set(re.findall(r"--[a-z][a-z0-9_-]+", help_text))
            self.assertEqual(offered - mentioned, set(), f"{command}: completion offers options it refuses")

    def test_cached_versions_for_remove_cache(self):
        if "remove-cache" not in self.run_xlaunch("--help").out:
            self.skipTest("this build has no remove-cache command yet")
        downloads = os.path.join(self.env["XLAUNCH_HOME"], "downloads")
        os.makedirs(downloads)
        version = "deepseek-v2-chat--16B--pytorch--none"
        record = ('{"format_version": 1, "model_version": "%s", "hub": "huggingface", "model_id": "x/y",'
                  ' "revision": "main", "commit": "c", "cache_root": "/nonexistent", "snapshot_dir": "/nonexistent/snap",'
                  ' "state": "partial", "files": []}' % version)
        with open(os.path.join(downloads, "huggingface--" + version + ".json"), "w") as handle:
            handle.write(record)
        self.assertEqual(self.complete("remove-cache", "deepseek-v2"), [version])
        self.assertEqual(self.complete("remove-cache", "deepseek-r"), [])

    def test_completion_prints_the_installed_scripts(self):
        for shell, name in SCRIPT_FILES.items():
            result = self.run_xlaunch("completion", shell)
            self.assertExit(result, 0)
            with open(os.path.join(SOURCE_DIR, "completions", name), encoding="utf-8") as handle:
                self.assertEqual(result.out, handle.read())
            self.assertEqual(self.run_xlaunch("completion", shell, "--json").json()["script"], result.out)
        self.assertExit(self.run_xlaunch("completion", "powershell"), 2)


@unittest.skipIf(shell_completion.missing_shells(), "needs bash, bash-completion, zsh and fish (scripts/install-deps.sh --test)")
class RealShells(XlaunchTestCase):
    def setUp(self):
        super().setUp()
        self.env["PATH"] = os.path.dirname(os.path.abspath(XLAUNCH)) + os.pathsep + self.env.get("PATH", "")
        self.scripts = {shell: self.run_xlaunch("completion", shell).out for shell in DRIVERS}

    def candidates(self, shell, line):
        return DRIVERS[shell](self.scripts[shell], line, self.env)

    def check_all(self, line, expected):
        for shell in DRIVERS:
            with self.subTest(shell=shell, line=line):
                self.assertEqual(sorted(self.candidates(shell, line)), sorted(expected))

    def test_model_names(self):
        self.check_all("xlaunch -n deepseek-r", ["deepseek-r1"])
        self.check_all("xlaunch launch --model-name deepseek-v2", ["deepseek-v2-chat"])
        self.check_all("xlaunch engines -n deepseek-r", ["deepseek-r1"])

    def test_values_in_context(self):
        self.check_all("xlaunch -n deepseek-r1 -en llama.cpp -q UD-IQ1", ["UD-IQ1_S", "UD-IQ1_M"])
        self.check_all("xlaunch -n Deepseek-V3.1 -en vLLM -f ", ["pytorch", "gptq", "awq"])
        self.check_all("xlaunch -n deepseek-v2-chat -s 2", ["236"])
        self.check_all("xlaunch --download-hub model", ["modelscope"])
        self.check_all("xlaunch completion ", ["bash", "zsh", "fish"])

    def test_subcommands_and_flags(self):
        self.check_all("xlaunch con", ["config"])
        self.check_all("xlaunch engines --model-f", ["--model-format"])

    def test_equals_form(self):
        # bash completes the part after '=' (readline splits words there); zsh and fish the word.
        self.assertEqual(self.candidates("bash", "xlaunch --model-name=deepseek-r"), ["deepseek-r1"])
        self.assertEqual(self.candidates("zsh", "xlaunch --model-name=deepseek-r"), ["--model-name=deepseek-r1"])
        self.assertEqual(self.candidates("fish", "xlaunch --model-name=deepseek-r"), ["--model-name=deepseek-r1"])

    def test_model_path_completes_files(self):
        folder = os.path.join(self.root, "weights")
        os.makedirs(folder)
        open(os.path.join(folder, "model-Q4.gguf"), "w").close()
        for shell in DRIVERS:
            with self.subTest(shell=shell):
                found = self.candidates(shell, f"xlaunch -n deepseek-r1 --model-path {folder}/mod")
                self.assertTrue(any(c.endswith("model-Q4.gguf") for c in found), found)


if __name__ == "__main__":
    unittest.main()
