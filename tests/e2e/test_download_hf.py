# SPDX-License-Identifier: Apache-2.0
"""`xlaunch download` from a fake Hugging Face Hub: every format of the four seed families."""
import json
import os
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from download_case import HF_TOKEN, DownloadTestCase  # noqa: E402

SOURCES = [
    ("deepseek-r1", "pytorch", None, None),
    ("deepseek-r1", "awq", None, None),
    ("deepseek-r1", "ggufv2", None, "UD-IQ1_S"),
    ("deepseek-r1", "mlx", None, "4bit"),
    ("deepseek-v3-0324", "pytorch", None, None),
    ("deepseek-v3-0324", "awq", None, None),
    ("deepseek-v3-0324", "mlx", None, "4bit"),
    ("Deepseek-V3.1", "pytorch", None, None),
    ("Deepseek-V3.1", "gptq", None, None),
    ("Deepseek-V3.1", "awq", None, None),
    ("Deepseek-V3.1", "mlx", None, "4bit"),
    ("deepseek-v2-chat", "pytorch", 16, None),
    ("deepseek-v2-chat", "pytorch", 236, None),
]


class HuggingFaceDownloads(DownloadTestCase):
    HUB = "huggingface"
    SOURCES = SOURCES
    HUB_SETTINGS = {"page_size": 50, "redirect_style": "relative"}

    def test_every_seed_format(self):
        for name, fmt, size, quant in SOURCES:
            with self.subTest(model=name, format=fmt, size=size):
                self.hub.clear_log()
                out = self.download(*self.spec_args(name, fmt, size, quant)).json()
                expected = self.expected_files(name, fmt, size, quant, out["repo_id"])
                self.assert_files(out, expected)
                pinned = len(out["revision"]) == 40
                self.assert_hf_layout(out["repo_id"], out["commit"], expected, None if pinned else "main")
                self.assertEqual(out["files_fetched"], len(expected))
                fetched = {r["path"] for r in self.file_requests() if r["listener"] == "hub"}
                self.assertEqual(len(fetched), len(expected))

                self.hub.clear_log()
                again = self.download(*self.spec_args(name, fmt, size, quant)).json()
                self.assertEqual(again["files_fetched"], 0)
                self.assertEqual(len(self.hub.requests()), 0 if pinned else 1)

    def test_gguf_requests_only_the_chosen_parts_and_the_token_stays_on_the_hub(self):
        env = {"HF_TOKEN": HF_TOKEN}
        out = self.download(*self.spec_args("deepseek-r1", "ggufv2", quant="UD-IQ1_M"), env=env).json()
        self.assertEqual([os.path.basename(f) for f in out["files"]],
                         ["DeepSeek-R1-UD-IQ1_M-%05d-of-00004.gguf" % k for k in range(1, 5)])
        requests = self.hub.requests()
        resolved = [r["path"] for r in requests if "/resolve/" in r["path"]]
        self.assertEqual(len(resolved), 4)
        self.assertTrue(all("DeepSeek-R1-UD-IQ1_M/" in p for p in resolved), resolved)
        cdn = [r for r in requests if r["listener"] == "cdn"]
        self.assertTrue(cdn)
        self.assertFalse(any(r["authorization"] for r in cdn), "the token reached the CDN")
        self.assertTrue(all(r["authorization"] for r in requests if r["listener"] == "hub"))

    def test_offline_relaunch_sends_nothing(self):
        args = self.spec_args("deepseek-r1", "ggufv2", quant="UD-IQ1_S")
        self.download(*args)
        self.hub.clear_log()
        offline = self.download(*args, "--offline").json()
        self.assertEqual(offline["files_fetched"], 0)
        self.download(*args, env={"HF_HUB_OFFLINE": "1"})
        plan = self.run_xlaunch(*args, "--offline", "--dry-run", "--json")
        self.assertExit(plan, 0)
        self.assertEqual(plan.json()["download"]["bytes_to_fetch"], 0)
        self.assertEqual(self.hub.requests(), [])

    def test_offline_without_cache_says_how_to_fix(self):
        result = self.download(*self.spec_args("deepseek-r1", "awq"), "--offline", code=3)
        self.assertIn("not in the Hugging Face cache", result.err)
        self.assertIn("without --offline", result.err)
        self.assertEqual(self.hub.requests(), [])

    def test_resume_after_an_interrupted_transfer(self):
        args = self.spec_args("deepseek-r1", "ggufv2", quant="UD-IQ1_S")
        # Part 1 breaks after 700 bytes, then the CDN fails until the run gives up.
        self.hub.set_faults([
            {"fault": "reset", "listener": "cdn", "path_contains": "00001-of-00003", "after_bytes": 700, "times": 1},
            {"fault": "status", "status": 500, "listener": "cdn", "times": 1000},
        ])
        first = self.run_xlaunch("download", *args, "--json", timeout=300)
        self.assertExit(first, 3)
        self.assertIn("run the same command again to resume", first.err)
        self.assertIn("500", first.err)
        self.hub.set_faults([])
        self.hub.clear_log()
        out = self.download(*args).json()
        repo = self.repos["unsloth/DeepSeek-R1-GGUF"]
        self.assert_files(out, {p: repo["files"][p] for p in repo["files"] if "UD-IQ1_S/" in p})
        part1 = [r for r in self.hub.requests() if r["listener"] == "cdn" and "00001-of-00003" in r["path"]]
        self.assertEqual([r["range"] for r in part1], ["bytes=700-1535"])  # resumed, not restarted
        self.assertGreater(out["bytes_reused"], 0)

    def test_dry_run_shows_sizes_cached_and_free_space(self):
        args = self.spec_args("deepseek-r1", "ggufv2", quant="UD-IQ1_S")
        plan = self.run_xlaunch(*args, "--dry-run", "--json")
        self.assertExit(plan, 0)
        data = plan.json()
        self.assertEqual([f["size"] for f in data["files"]], [1536, 1536, 1536])
        self.assertEqual(data["download"]["bytes_to_fetch"], 3 * 1536)
        self.assertTrue(data["download"]["enough_space"])
        self.assertIsNotNone(data["download"]["free_bytes"])
        self.assertFalse(any(r["listener"] == "cdn" for r in self.hub.requests()))
        text = self.run_xlaunch(*args, "--dry-run")
        self.assertIn("to fetch 4.50 KiB", text.out)

    def test_errors_a_user_can_act_on(self):
        missing = self.download(*self.spec_args("deepseek-r1", "awq"), "--revision", "no-such-branch", code=3)
        self.assertIn("revision 'no-such-branch' not found in cognitivecomputations/DeepSeek-R1-AWQ", missing.err)
        self.hub.set_faults([{"fault": "status", "status": 503, "listener": "hub", "path_contains": "/api/models/"}])
        busy = self.download(*self.spec_args("deepseek-r1", "awq"), code=3)
        self.assertIn("Hugging Face answered 503", busy.err)

    def test_cached_and_remove_cache(self):
        q1 = self.spec_args("deepseek-r1", "ggufv2", quant="UD-IQ1_S")
        q2 = self.spec_args("deepseek-r1", "ggufv2", quant="UD-IQ1_M")
        self.download(*q1)
        self.download(*q2)
        listed = self.run_xlaunch("cached", "-n", "deepseek-r1", "--json").json()
        self.assertEqual(sorted(e["model_version"] for e in listed),
                         ["deepseek-r1--671B--ggufv2--UD-IQ1_M", "deepseek-r1--671B--ggufv2--UD-IQ1_S"])
        self.assertTrue(all(e["state"] == "complete" and e["bytes"] > 0 for e in listed))
        no_tty = self.run_xlaunch("remove-cache", "--model-version", "deepseek-r1--671B--ggufv2--UD-IQ1_S")
        self.assertExit(no_tty, 2)
        self.assertIn("--yes", no_tty.err)
        removed = self.run_xlaunch("remove-cache", "--model-version", "deepseek-r1--671B--ggufv2--UD-IQ1_S", "--yes")
        self.assertExit(removed, 0)
        self.assertIn("DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf", removed.out)
        blobs = os.path.join(self.hf_cache(), "models--unsloth--DeepSeek-R1-GGUF", "blobs")
        self.assertEqual(len(os.listdir(blobs)), 4)  # only UD-IQ1_M's parts remain
        left = self.run_xlaunch("cached", "--json").json()
        self.assertEqual([e["model_version"] for e in left], ["deepseek-r1--671B--ggufv2--UD-IQ1_M"])
        self.hub.clear_log()
        self.assertEqual(self.download(*q2, "--offline").json()["files_fetched"], 0)

        # The version may also come as an argument, as the man page and completion offer it.
        for args, message in (((), "needs the model version"),
                              (("a--1B--pytorch--none", "--model-version", "b--1B--pytorch--none"), "two model versions")):
            refused = self.run_xlaunch("remove-cache", *args, "--yes")
            self.assertExit(refused, 2)
            self.assertIn(message, refused.err)
        self.assertExit(self.run_xlaunch("remove-cache", "deepseek-r1--671B--ggufv2--UD-IQ1_M", "--yes"), 0)
        self.assertEqual(self.run_xlaunch("cached", "--json").json(), [])

    def test_a_second_cache_root_keeps_the_first_known_and_a_damaged_record_deletes_nothing(self):
        q1 = self.spec_args("deepseek-r1", "ggufv2", quant="UD-IQ1_S")
        self.download(*q1)
        other = os.path.join(self.root, "other-cache")
        self.download(*q1, "--cache-dir", other)
        # A run that fails in a third root (its blobs folder is a file) leaves the others alone.
        broken = os.path.join(self.root, "broken-cache")
        os.makedirs(os.path.join(broken, "models--unsloth--DeepSeek-R1-GGUF"))
        with open(os.path.join(broken, "models--unsloth--DeepSeek-R1-GGUF", "blobs"), "w") as f:
            f.write("in the way")
        self.download(*q1, "--cache-dir", broken, code=3)
        listed = self.run_xlaunch("cached", "--json").json()
        complete = sorted(e["path"] for e in listed if e["state"] == "complete")
        self.assertEqual(len(complete), 2)
        self.assertTrue(complete[0].startswith(self.hf_cache()) or complete[1].startswith(self.hf_cache()))
        self.assertTrue(any(path.startswith(other) for path in complete))
        self.hub.clear_log()
        self.assertEqual(self.download(*q1, "--offline").json()["files_fetched"], 0)

        # A record edited to name a file outside the cache is not trusted: listed as damaged,
        # and removing the version deletes nothing outside.
        victim = os.path.join(self.root, "victim.txt")
        with open(victim, "w") as f:
            f.write("not the cache's")
        records = os.path.join(self.env["XLAUNCH_HOME"], "downloads")
        for name in os.listdir(records):
            with open(os.path.join(records, name)) as f:
                record = json.load(f)
            record["files"][0]["path"] = os.path.relpath(victim, record["snapshot_dir"])
            with open(os.path.join(records, name), "w") as f:
                json.dump(record, f)
        damaged = self.run_xlaunch("cached")
        self.assertExit(damaged, 0)
        self.assertIn("skipped the damaged download record", damaged.err)
        refused = self.run_xlaunch("remove-cache", "deepseek-r1--671B--ggufv2--UD-IQ1_S", "--yes")
        self.assertExit(refused, 2)
        self.assertTrue(os.path.exists(victim))

    def test_a_cache_or_home_that_cannot_be_written_is_refused_before_any_request(self):
        in_the_way = os.path.join(self.root, "a-file")
        with open(in_the_way, "w") as f:
            f.write("not a folder")
        q1 = self.spec_args("deepseek-r1", "ggufv2", quant="UD-IQ1_S")
        for variable, value, named in (("XLAUNCH_HOME", in_the_way, "XLAUNCH_HOME"),
                                       ("HF_HOME", os.path.join(in_the_way, "hf"), "HF_HOME"),
                                       ("HF_HUB_CACHE", in_the_way, "HF_HUB_CACHE"),
                                       ("XLAUNCH_CACHE_DIR", in_the_way, "XLAUNCH_CACHE_DIR")):
            with self.subTest(variable=variable):
                self.hub.clear_log()
                for command in (("download",), ("launch", "--dry-run")):
                    refused = self.run_xlaunch(*command, *q1, env={variable: value})
                    self.assertExit(refused, 2)
                    self.assertIn(named, refused.err)
                    self.assertIn(in_the_way + " is a file, not a folder", refused.err)
                    self.assertEqual(len(refused.err.strip().splitlines()), 1, refused.err)
                self.assertEqual(self.hub.requests(), [])


if __name__ == "__main__":
    unittest.main()
