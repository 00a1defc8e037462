# SPDX-License-Identifier: Apache-2.0
"""xlaunch and the official Hugging Face JS client (@huggingface/hub, pinned in tests/interop/)
share one hub cache: what either one downloads, the other finds with no file transfer.

The JS client runs for real (node tests/interop/snapshot.mjs) against the same fake hub as
xlaunch; "no transfer" is judged by the fake hub's request log, and every snapshot file is
checked against the fixture bytes. Needs node and `npm ci` in tests/interop/ (done by
scripts/install-deps.sh --test); without them the test fails, unless XLAUNCH_SKIP_INTEROP=1.
"""
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from download_case import DownloadTestCase, repo_folder  # noqa: E402
from fixtures import catalog_source  # noqa: E402

INTEROP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop")
SNAPSHOT_JS = os.path.join(INTEROP_DIR, "snapshot.mjs")
HOW_TO_FIX = ("run scripts/install-deps.sh --test (it installs node/npm and runs "
              "`npm ci --prefix tests/interop`), or set XLAUNCH_SKIP_INTEROP=1 to skip this test")

# Whole-repository specs, so xlaunch and snapshotDownload want the same set of files: one on a
# branch (refs/main is written) and one pinned to a commit by the catalog.
WHOLE_REPO = [("deepseek-r1", "awq", None, None), ("deepseek-v2-chat", "pytorch", 16, None)]
# A GGUF spec wants only its quantization's parts, a subset of what snapshotDownload fetches.
GGUF = ("deepseek-r1", "ggufv2", None, "UD-IQ1_S")


def js_client_problem():
    """Why the pinned JS client cannot run here, or None."""
    node = shutil.which("node")
    if node is None:
        return "node is not installed"
    version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
    if int(version.lstrip("v").split(".")[0] or 0) < 18:
        return "node %s is too old (@huggingface/hub needs node >= 18)" % version
    with open(os.path.join(INTEROP_DIR, "package.json"), encoding="utf-8") as f:
        pinned = json.load(f)["dependencies"]["@huggingface/hub"]
    installed = os.path.join(INTEROP_DIR, "node_modules", "@huggingface", "hub", "package.json")
    if not os.path.exists(installed):
        return "@huggingface/hub is not installed in tests/interop/node_modules"
    with open(installed, encoding="utf-8") as f:
        version = json.load(f)["version"]
    if version != pinned:
        return "tests/interop/node_modules has @huggingface/hub %s, package.json pins %s" % (version, pinned)
    return None


class InteropWithHfJs(DownloadTestCase):
    HUB = "huggingface"
    SOURCES = WHOLE_REPO + [GGUF]
    # The current Hub's shape: regular files 307 to /api/resolve-cache, LFS files 302 to the CDN;
    # small listing pages, so both clients follow the tree API's Link header (the GGUF repo).
    HUB_SETTINGS = {"redirect_style": "relative", "page_size": 50}

    @classmethod
    def setUpClass(cls):
        problem = js_client_problem()
        if problem:
            if os.environ.get("XLAUNCH_SKIP_INTEROP") == "1":
                raise unittest.SkipTest(problem + " (XLAUNCH_SKIP_INTEROP=1)")
            raise AssertionError("cannot run the Hugging Face JS client: %s; %s" % (problem, HOW_TO_FIX))
        super().setUpClass()

    def setUp(self):
        super().setUp()
        # Both clients find the cache through HF_HUB_CACHE; each case starts from an empty one.
        self.env["HF_HUB_CACHE"] = os.path.join(self.root, "hub-cache")

    def hf_cache(self):
        return self.env["HF_HUB_CACHE"]

    def fresh_cache(self, name):
        self.env["HF_HUB_CACHE"] = os.path.join(self.root, "hub-cache-" + name)

    # ---- the JS client -----------------------------------------------------------------------
    def run_js(self, *args):
        completed = subprocess.run(["node", SNAPSHOT_JS, *args], env=self.env, cwd=INTEROP_DIR,
                                   capture_output=True, text=True, timeout=300)
        self.assertEqual(completed.returncode, 0, "snapshot.mjs %s failed:\n%s" % (args[0], completed.stderr))
        return json.loads(completed.stdout), completed.stderr

    def js_snapshot(self, model_id, revision):
        out, log = self.run_js("download", "--hub-url", self.hub.url, "--repo", model_id, "--revision", revision)
        # The library says "Downloading <path> to <blob>.incomplete" for each file it fetches.
        fetched = [line.split(" ")[1] for line in log.splitlines() if line.startswith("Downloading ")]
        return out["snapshot"], fetched

    # ---- helpers -----------------------------------------------------------------------------
    def spec_revision(self, name, fmt, size):
        return catalog_source(name, fmt, self.HUB, size).get("model_revision") or "main"

    def api_calls(self, model_id):
        """The hub requests since the last clear_log(), as "revision"/"tree" (one per listing
        page, pages folded into one "tree"); fails on any other (a file transfer, paths-info, a
        resolve HEAD): no byte of any file may move."""
        self.assertEqual(self.file_requests(), [], "a file was transferred")
        api = "/api/models/%s/" % model_id
        calls = []
        for request in self.hub.requests():
            kind = request["path"][len(api):].split("/", 1)[0] if request["path"].startswith(api) else None
            self.assertEqual(request["method"], "GET", request["path"])
            self.assertIn(kind, ("revision", "tree"), request["path"])
            if not (kind == "tree" and calls[-1:] == ["tree"]):
                calls.append(kind)
        return calls

    def layout(self, model_id):
        """The repo folder as data: top-level folders, snapshot links, blob names, refs contents."""
        repo = os.path.join(self.hf_cache(), repo_folder(model_id))
        links, refs = {}, {}
        for folder, dirs, files in os.walk(os.path.join(repo, "snapshots")):
            for name in files + dirs:
                full = os.path.join(folder, name)
                if os.path.islink(full):
                    links[os.path.relpath(full, repo)] = os.readlink(full)
        for folder, _dirs, files in os.walk(os.path.join(repo, "refs")):
            for name in files:
                with open(os.path.join(folder, name), "rb") as f:
                    refs[os.path.relpath(os.path.join(folder, name), repo)] = f.read()
        return {"folders": sorted(os.listdir(repo)), "links": links, "refs": refs,
                "blobs": sorted(os.listdir(os.path.join(repo, "blobs")))}

    def assert_snapshot_matches(self, snapshot, expected):
        for path, data in expected.items():
            with open(os.path.join(snapshot, path), "rb") as f:
                self.assertEqual(f.read(), data, path)

    # ---- the JS client first, then xlaunch ---------------------------------------------------
    def test_xlaunch_finds_what_the_js_client_downloaded(self):
        for name, fmt, size, quant in WHOLE_REPO + [GGUF]:
            with self.subTest(model=name, format=fmt):
                self.fresh_cache("js-first-%s-%s" % (name, fmt))
                model_id = catalog_source(name, fmt, self.HUB, size)["model_id"]
                revision = self.spec_revision(name, fmt, size)

                self.hub.clear_log()
                js_snapshot, js_fetched = self.js_snapshot(model_id, revision)
                self.assertEqual(sorted(js_fetched), sorted(self.repos[model_id]["files"]))
                self.assertTrue(self.file_requests(), "the JS client fetched nothing: the test proves nothing")
                by_js = self.layout(model_id)

                self.hub.clear_log()
                out = self.download(*self.spec_args(name, fmt, size, quant)).json()
                expected = self.expected_files(name, fmt, size, quant, model_id)
                pinned = revision == out["commit"]
                self.assertEqual(out["files_fetched"], 0)
                self.assertEqual(out["snapshot_dir"], js_snapshot)
                # Without xlaunch's completion record, the revision check and the listing.
                self.assertEqual(self.api_calls(model_id), ([] if pinned else ["revision"]) + ["tree"])
                self.assert_files(out, expected)
                self.assert_hf_layout(model_id, out["commit"], expected, None if pinned else "main")

                # Now recorded as complete: a relaunch needs the revision check at most.
                self.hub.clear_log()
                again = self.download(*self.spec_args(name, fmt, size, quant)).json()
                self.assertEqual(again["files_fetched"], 0)
                self.assertEqual(self.api_calls(model_id), [] if pinned else ["revision"])

                # xlaunch alone, into an empty cache, writes what the JS client wrote: the same
                # relative links (depth follows the path), blob names (git sha1 for regular
                # files, sha256 for LFS) and refs bytes; plus trees/{commit}.json, the listing
                # cache huggingface_hub >= 1.22 keeps too.
                self.fresh_cache("xlaunch-alone-%s-%s" % (name, fmt))
                self.download(*self.spec_args(name, fmt, size, quant))
                alone = self.layout(model_id)
                self.assertEqual(len(alone["links"]), len(expected))
                for link, target in alone["links"].items():
                    self.assertEqual(target, by_js["links"].get(link), link)
                self.assertLessEqual(set(alone["blobs"]), set(by_js["blobs"]))
                self.assertEqual(alone["refs"], by_js["refs"])
                self.assertEqual(by_js["folders"], ["blobs", "refs", "snapshots"] if not pinned else ["blobs", "snapshots"])
                self.assertEqual(alone["folders"], sorted(by_js["folders"] + ["trees"]))

    # ---- xlaunch first, then the JS client ---------------------------------------------------
    def test_js_client_finds_what_xlaunch_downloaded(self):
        for name, fmt, size, quant in WHOLE_REPO:
            with self.subTest(model=name, format=fmt):
                self.fresh_cache("xlaunch-first-%s-%s" % (name, fmt))
                out = self.download(*self.spec_args(name, fmt, size, quant)).json()
                model_id = out["repo_id"]
                expected = self.expected_files(name, fmt, size, quant, model_id)
                self.assertEqual(out["files_fetched"], len(expected))

                self.hub.clear_log()
                js_snapshot, js_fetched = self.js_snapshot(model_id, self.spec_revision(name, fmt, size))
                self.assertEqual(js_fetched, [])
                # snapshotDownload always resolves the revision and lists the tree.
                self.assertEqual(self.api_calls(model_id), ["revision", "tree"])
                self.assertEqual(js_snapshot, out["snapshot_dir"])
                self.assert_snapshot_matches(js_snapshot, expected)

    def test_js_cache_scan_reads_xlaunch_cache(self):
        """scanCacheDir, the library's network-free view, sees xlaunch's repo, commit, ref and
        blobs (a branch revision: this library version cannot scan a repo without refs/)."""
        name, fmt, size, quant = WHOLE_REPO[0]
        out = self.download(*self.spec_args(name, fmt, size, quant)).json()
        model_id = out["repo_id"]
        expected = self.expected_files(name, fmt, size, quant, model_id)
        self.hub.clear_log()

        scan, _ = self.run_js("scan")
        self.assertEqual(self.hub.requests(), [])
        self.assertEqual(scan["warnings"], [])
        self.assertEqual([r["id"] for r in scan["repos"]], [model_id])
        repo = scan["repos"][0]
        self.assertEqual(repo["path"], os.path.join(self.hf_cache(), repo_folder(model_id)))
        self.assertEqual(repo["files_count"], len(expected))
        self.assertEqual(repo["size"], sum(len(data) for data in expected.values()))
        self.assertEqual(len(repo["revisions"]), 1)
        revision = repo["revisions"][0]
        self.assertEqual(revision["commit"], out["commit"])
        self.assertEqual(revision["refs"], ["main"])
        top_level = {p: d for p, d in expected.items() if "/" not in p}
        self.assertEqual(sorted(f["path"] for f in revision["files"]), sorted(top_level))
        blobs = os.path.join(repo["path"], "blobs")
        for entry in revision["files"]:
            self.assertEqual(os.path.dirname(entry["blob"]), blobs, entry)
            self.assertEqual(entry["size"], len(top_level[entry["path"]]), entry)


if __name__ == "__main__":
    unittest.main()
