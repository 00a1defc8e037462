# SPDX-License-Identifier: Apache-2.0
"""The man page renders without warnings and documents every option, setting and exit code."""
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from harness import XlaunchTestCase  # noqa: E402

MAN_PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "man", "xlaunch.1")
COMMANDS = ("launch", "list", "engines", "config", "completion")


def man_text():
    with open(MAN_PAGE, encoding="utf-8") as handle:
        source = handle.read()
    # Undo roff escapes that matter for names: \- is a hyphen, \fB/\fI/\fR change fonts.
    return re.sub(r"\\f[BIRP]", "", source.replace("\\-", "-"))


class ManPage(XlaunchTestCase):
    @unittest.skipIf(shutil.which("groff") is None, "needs groff (scripts/install-deps.sh --test)")
    def test_renders_without_warnings(self):
        result = subprocess.run(["groff", "-man", "-ww", "-z", MAN_PAGE], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, "")

    def test_every_long_option_of_help_is_documented(self):
        text = man_text()
        for command in COMMANDS:
            help_text = self.run_xlaunch(command, "--help").out
            options = set(re.findall(r"^\s+(?:-\w+, ?)*(--[a-z][a-z0-9_-]+)", help_text, re.MULTILINE))
            self.assertTrue(options)
            missing = sorted(o for o in options if not re.search(re.escape(o) + r"(?![\w-])", text))
            self.assertEqual(missing, [], f"'xlaunch {command} --help' lists options the man page lacks")

    def test_every_command_and_setting_is_documented(self):
        text = man_text()
        overview = self.run_xlaunch("--help").out
        commands = re.findall(r"^  ([a-z][a-z-]+) ", overview, re.MULTILINE)
        self.assertIn("launch", commands)
        for command in commands:
            self.assertIn(f".B {command}", text)
        for setting in self.run_xlaunch("config", "--json").json()["settings"]:
            self.assertIn(setting["env_var"], text)
            self.assertIn(setting["name"], text)

    def test_exit_codes_and_seed_models(self):
        text = man_text()
        section = text.split(".SH EXIT STATUS", 1)[1].split(".SH", 1)[0]
        for code in ("0", "1", "2", "3", "4", "5", "130"):
            self.assertIn(f".B {code}\n", section)
        examples = text.split(".SH EXAMPLES", 1)[1]
        for name in self.run_xlaunch("list", "--json").json():
            self.assertIn(f"-n {name['model_name']} ", examples)
        for engine in ("vLLM", "SGLang", "llama.cpp", "MLX", "Transformers"):
            self.assertIn(f"-en {engine} ", examples)
        self.assertIn("--node-rank 1", examples)


if __name__ == "__main__":
    unittest.main()
