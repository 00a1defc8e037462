# SPDX-License-Identifier: Apache-2.0
"""Secrets: the hub token (HF_TOKEN, MODELSCOPE_API_TOKEN) never appears in any output (download,
--dry-run, --json, error messages, `xlaunch config`) nor on the engine's command line, is not
sent to another host after a redirect, and a token file other users can read gets a warning.
The engine's API key (-ak) reaches the engine but is shown as '***'."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from download_case import HF_TOKEN, DownloadTestCase  # noqa: E402
from fake_bin import make_fake_bin  # noqa: E402

MODEL = ("deepseek-r1", "ggufv2", None, "UD-IQ1_S")
API_KEY = "sk-e2e-api-key-secret"
WRONG_TOKEN = "hf_e2e_wrong_secret_token"


class SecretChecks:
    """Mixin for a DownloadTestCase; subclasses set HUB, TOKEN_VARIABLE and API_PATH (a part of
    the revision request's path)."""
    SOURCES = [MODEL]

    def setUp(self):
        super().setUp()
        self.env[self.TOKEN_VARIABLE] = HF_TOKEN

    def args(self):
        name, fmt, size, quant = MODEL
        return self.spec_args(name, fmt, size, quant)

    def run_clean(self, *args, code=0, env=None, secrets=(HF_TOKEN, WRONG_TOKEN)):
        """Runs xlaunch and checks that no secret is in its output; returns the result."""
        result = self.run_xlaunch(*args, env=env, timeout=120)
        self.assertExit(result, code)
        for secret in secrets:
            self.assertNotIn(secret, result.out + result.err)
        return result

    def test_download_and_dry_run_outputs_never_show_the_token(self):
        self.run_clean(*self.args(), "--dry-run")
        plan = self.run_clean(*self.args(), "--dry-run", "--json")
        self.assertEqual(len(plan.json()["files"]), 3)  # the plan did ask the hub, with the token
        self.run_clean("download", *self.args())
        self.run_clean("download", *self.args(), "--json")
        self.assertTrue(all(r["authorization"] for r in self.hub.requests() if r["listener"] == "hub"))
        self.run_clean("config")
        self.run_clean("config", "--json")
        self.run_clean("cached", "--json")

    def test_error_messages_never_show_the_token(self):
        self.hub.set_faults([{"fault": "status", "status": 500, "listener": "hub", "path_contains": self.API_PATH}])
        failed = self.run_clean("download", *self.args(), code=3, env={"XLAUNCH_RETRIES": "0"})
        self.assertIn("500", failed.err)
        self.run_clean(*self.args(), "--dry-run", "--json")  # the plan notes the failure
        self.hub.set_faults([{"fault": "not_found", "listener": "hub", "path_contains": "00002-of"}])
        missing = self.run_clean("download", *self.args(), code=3)
        self.assertIn("404", missing.err)
        self.hub.set_faults([])
        self.run_clean("download", *self.args(), "--revision", "no-such-revision", code=3)

    def test_engine_command_line_never_has_the_token_and_the_api_key_is_masked(self):
        bin_dir = make_fake_bin(os.path.join(self.root, "bin"), engines=["llama.cpp"])
        record = os.path.join(self.root, "engine.json")
        engine_env = {"PATH": bin_dir + os.pathsep + "/usr/bin:/bin", "FAKE_GPUS": "2x81920",
                      "FAKE_ENGINE_RECORD": record}
        launch = (*self.args(), "-en", "llama.cpp", "-ak", API_KEY)
        secrets = (HF_TOKEN, API_KEY)
        text = self.run_clean(*launch, "--dry-run", env=engine_env, secrets=secrets)
        self.assertIn("--api-key '***'", text.out)
        plan = self.run_clean(*launch, "--dry-run", "--json", env=engine_env, secrets=secrets)
        self.assertIn("--api-key '***'", json.dumps(plan.json()["launch"]))
        result = self.run_clean(*launch, env=engine_env, secrets=secrets)
        self.assertIn("xlaunch: exec ", result.err)
        with open(record) as f:
            argv = json.load(f)["argv"]
        self.assertFalse([word for word in argv if HF_TOKEN in word], argv)
        self.assertEqual(argv[argv.index("--api-key") + 1], API_KEY)  # the engine does get its key

    def test_token_stays_on_the_hub_after_an_absolute_redirect(self):
        # 'localhost' is another origin than '127.0.0.1', even though the same server answers.
        elsewhere = "http://localhost:%d" % self.hub.ports["hub"]
        self.hub.set_faults([
            {"fault": "redirect_absolute", "listener": "hub", "path_contains": self.API_PATH, "to": elsewhere, "times": 1},
            {"fault": "redirect_absolute", "listener": "hub", "path_contains": "00001-of", "to": elsewhere, "times": 1},
        ])
        self.run_clean("download", *self.args(), "--json")
        requests = self.hub.requests()
        redirected = [r for r in requests if r["fault"] == "redirect_absolute"]
        followed = [r for r in requests if r["headers"].get("host", "").startswith("localhost:")]
        self.assertEqual(len(redirected), 2)
        self.assertTrue(all(r["authorization"] for r in redirected))
        self.assertEqual(len(followed), 2)  # the API request and the file request both followed
        self.assertFalse(any(r["authorization"] or r["cookie"] for r in followed), followed)
        cdn = [r for r in requests if r["listener"] == "cdn"]
        self.assertEqual(len(cdn), 3)
        self.assertFalse(any(r["authorization"] or r["cookie"] for r in cdn), cdn)


class HuggingFaceSecrets(SecretChecks, DownloadTestCase):
    HUB = "huggingface"
    TOKEN_VARIABLE = "HF_TOKEN"
    API_PATH = "/revision/"

    def test_wrong_token_is_named_by_its_variable_only(self):
        result = self.run_clean("download", *self.args(), code=3, env={"HF_TOKEN": WRONG_TOKEN})
        self.assertIn("HF_TOKEN", result.err)

    def test_token_file_readable_by_others_gets_a_warning(self):
        del self.env["HF_TOKEN"]
        token_file = os.path.join(self.env["HF_HOME"], "token")
        os.makedirs(self.env["HF_HOME"], exist_ok=True)
        with open(token_file, "w") as f:
            f.write(HF_TOKEN + "\n")
        os.chmod(token_file, 0o644)
        shared = self.run_clean("download", *self.args(), "--json")
        warnings = [line for line in shared.err.splitlines() if line.startswith("xlaunch: warning:")]
        self.assertEqual(len(warnings), 1, shared.err)
        self.assertIn(token_file, warnings[0])
        self.assertIn("mode 0644", warnings[0])
        self.assertIn("chmod 600", warnings[0])
        self.assertTrue(all(r["authorization"] for r in self.hub.requests() if r["listener"] == "hub"))
        os.chmod(token_file, 0o600)
        private = self.run_clean("download", *self.args(), "--json")
        self.assertNotIn("warning", private.err)


class ModelScopeSecrets(SecretChecks, DownloadTestCase):
    HUB = "modelscope"
    TOKEN_VARIABLE = "MODELSCOPE_API_TOKEN"
    API_PATH = "/revisions"
    HUB_SETTINGS = {"ms_cdn_threshold": 1024}


if __name__ == "__main__":
    unittest.main()
