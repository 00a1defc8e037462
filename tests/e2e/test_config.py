# SPDX-License-Identifier: Apache-2.0
"""`xlaunch config`: precedence flag > XLAUNCH_* > config.json > default, sources, and errors."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from harness import XlaunchTestCase  # noqa: E402


class Config(XlaunchTestCase):
    def write_config(self, content):
        os.makedirs(self.env["XLAUNCH_HOME"], exist_ok=True)
        path = os.path.join(self.env["XLAUNCH_HOME"], "config.json")
        with open(path, "w") as handle:
            handle.write(content if isinstance(content, str) else json.dumps(content))
        return path

    def settings(self, *args, env=None):
        result = self.run_xlaunch("config", "--json", *args, env=env)
        self.assertExit(result, 0)
        return result.json(), {row["name"]: row for row in result.json()["settings"]}

    def test_defaults(self):
        document, rows = self.settings()
        self.assertEqual(document["config_file"], os.path.join(self.env["XLAUNCH_HOME"], "config.json"))
        self.assertFalse(document["config_file_found"])
        self.assertEqual(rows["port"]["value"], 8000)
        self.assertEqual(rows["hub"]["value"], "auto")
        self.assertEqual(rows["home"]["value"], self.env["XLAUNCH_HOME"])
        self.assertEqual(rows["home"]["source"], "environment")  # the harness sets XLAUNCH_HOME
        self.assertEqual({row["source"] for name, row in rows.items() if name != "home"}, {"default"})

    def test_variable_beats_file_beats_default(self):
        path = self.write_config({"port": 9000, "host": "0.0.0.0", "hub": "modelscope"})
        document, rows = self.settings(env={"XLAUNCH_PORT": "9100", "XLAUNCH_OFFLINE": "yes"})
        self.assertTrue(document["config_file_found"])
        self.assertEqual((rows["port"]["value"], rows["port"]["source"], rows["port"]["origin"]), (9100, "environment", "XLAUNCH_PORT"))
        self.assertEqual((rows["host"]["value"], rows["host"]["source"], rows["host"]["origin"]), ("0.0.0.0", "config_file", path))
        self.assertEqual(rows["offline"]["value"], True)
        self.assertEqual(rows["connections"]["source"], "default")

    def test_text_output_names_sources(self):
        self.write_config({"hub": "huggingface"})
        result = self.run_xlaunch("config", env={"XLAUNCH_PORT": "9100"})
        self.assertExit(result, 0)
        self.assertIn("environment XLAUNCH_PORT", result.out)
        self.assertIn("config file " + os.path.join(self.env["XLAUNCH_HOME"], "config.json"), result.out)
        self.assertEqual(result.err, "")

    def test_invalid_values_exit_2_naming_the_fix(self):
        result = self.run_xlaunch("config", env={"XLAUNCH_PORT": "http"})
        self.assertExit(result, 2)
        self.assertIn("XLAUNCH_PORT", result.err)
        self.assertEqual(result.out, "")
        path = self.write_config('{"port": 8000,')
        result = self.run_xlaunch("config")
        self.assertExit(result, 2)
        self.assertIn(path, result.err)
        self.write_config({"prot": 1})
        result = self.run_xlaunch("config")
        self.assertExit(result, 2)
        self.assertIn("unknown setting 'prot'", result.err)

    def test_settings_feed_download_too(self):
        # XLAUNCH_HUB names the hub for `download` as for `launch`: deepseek-v3-0324's mlx spec
        # has no ModelScope source, so the chosen hub is refused rather than switched.
        result = self.run_xlaunch("download", "-n", "deepseek-v3-0324", "-f", "mlx", "--offline",
                                  env={"XLAUNCH_HUB": "modelscope"})
        self.assertExit(result, 2)
        self.assertIn("has no modelscope source", result.err)
        bad = self.run_xlaunch("download", "-n", "deepseek-r1", "--offline", env={"XLAUNCH_MAX_CONNECTIONS": "0"})
        self.assertExit(bad, 2)
        self.assertIn("XLAUNCH_MAX_CONNECTIONS", bad.err)

    def test_settings_feed_the_launch_defaults_and_flags_win(self):
        self.write_config({"port": 9000, "host": "0.0.0.0"})
        args = ("-n", "deepseek-v2-chat", "-s", "16", "--dry-run", "--json")
        plan = self.run_xlaunch(*args, env={"XLAUNCH_HUB": "modelscope"})
        self.assertExit(plan, 0)
        self.assertEqual(plan.json()["hub"]["name"], "modelscope")
        flagged = self.run_xlaunch(*args, "--download-hub", "huggingface", env={"XLAUNCH_HUB": "modelscope"})
        self.assertEqual(flagged.json()["hub"]["name"], "huggingface")
        self.assertExit(self.run_xlaunch(*args, env={"XLAUNCH_HUB": "github"}), 2)


if __name__ == "__main__":
    unittest.main()
