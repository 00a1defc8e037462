# SPDX-License-Identifier: Apache-2.0
"""Base class for end-to-end download tests: one fake hub per test class, a fresh home per test,
and checks of the hub caches against the fixture content."""
import hashlib
import os
import shutil
import tempfile

from fixtures import FakeHub, catalog_repo, wanted_files, weight_bytes
from harness import XlaunchTestCase

HF_TOKEN = "hf_e2e_secret_token"


def repo_folder(model_id):
    return "models--" + model_id.replace("/", "--")


class DownloadTestCase(XlaunchTestCase):
    """Subclasses set HUB and SOURCES: [(model_name, format, size or None, quantization or None)]."""
    HUB = "huggingface"
    SOURCES = []
    HUB_SETTINGS = {}

    @classmethod
    def setUpClass(cls):
        cls.hub_dir = tempfile.mkdtemp(prefix="xlaunch-fakehub-")
        cls.repos = {}
        repos = []
        for name, fmt, size, quant in cls.SOURCES:
            repo = cls.fixture_repo(name, fmt, size, quant)
            if repo["id"] not in cls.repos:
                cls.repos[repo["id"]] = repo
                repos.append(repo)
        settings = dict({"tokens": {HF_TOKEN: "alice"}}, **cls.HUB_SETTINGS)
        cls.hub = FakeHub(cls.hub_dir, repos, **settings).start()

    # Sizes of the .safetensors shards, in path order (the last size repeats); empty keeps the
    # fixture's tiny shards. Tests that kill, throttle or fill a disk need bigger ones.
    SHARD_SIZES = ()

    @classmethod
    def fixture_repo(cls, name, fmt, size, quant):
        """The repo served for one source; override to change its files further."""
        repo = catalog_repo(name, fmt, cls.HUB, quantization=quant, size=size)
        shards = sorted(p for p in repo["files"] if p.endswith(".safetensors"))
        for index, path in enumerate(shards if cls.SHARD_SIZES else []):
            length = cls.SHARD_SIZES[min(index, len(cls.SHARD_SIZES) - 1)]
            repo["files"][path] = weight_bytes(repo["id"], path, length)
        return repo

    @classmethod
    def tearDownClass(cls):
        cls.hub.stop()
        shutil.rmtree(cls.hub_dir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.env.update(self.hub.env())
        self.hub.set_faults([])
        self.hub.clear_log()

    # ---- running ---------------------------------------------------------------------------
    def spec_args(self, name, fmt, size=None, quant=None):
        args = ["-n", name, "-f", fmt, "--download-hub", self.HUB]
        if size is not None:
            args += ["-s", str(size)]
        if quant is not None:
            args += ["-q", quant]
        return args

    def download(self, *args, code=0, env=None):
        result = self.run_xlaunch("download", *args, "--json", env=env, timeout=300)
        self.assertExit(result, code)
        return result

    # ---- checking --------------------------------------------------------------------------
    def expected_files(self, name, fmt, size, quant, model_id):
        wanted = wanted_files(name, fmt, self.HUB, quantization=quant, size=size)
        files = self.repos[model_id]["files"]
        if wanted is None:
            wanted = [p for p in files if not (self.HUB == "modelscope" and p in (".gitattributes", ".gitignore"))]
        return {p: files[p] for p in wanted}

    def assert_files(self, result_json, expected):
        snapshot = result_json["snapshot_dir"]
        self.assertEqual(len(result_json["files"]), len(expected))
        for path, data in expected.items():
            full = os.path.join(snapshot, path)
            with open(full, "rb") as f:
                self.assertEqual(hashlib.sha256(f.read()).hexdigest(), hashlib.sha256(data).hexdigest(), path)

    def hf_cache(self):
        return os.path.join(self.env["HF_HOME"], "hub")

    def assert_hf_layout(self, model_id, commit, expected, revision=None):
        repo = os.path.join(self.hf_cache(), repo_folder(model_id))
        snapshot = os.path.join(repo, "snapshots", commit)
        for path, data in expected.items():
            pointer = os.path.join(snapshot, path)
            self.assertTrue(os.path.islink(pointer), pointer)
            target = os.readlink(pointer)
            self.assertFalse(os.path.isabs(target), target)
            depth = path.count("/") + 2
            self.assertTrue(target.startswith("../" * depth + "blobs/"), target)
            blob = os.path.basename(target)
            git_sha1 = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
            self.assertIn(blob, (hashlib.sha256(data).hexdigest(), git_sha1))
        if revision is not None:
            with open(os.path.join(repo, "refs", revision)) as f:
                self.assertEqual(f.read(), commit)

    def assert_ms_layout(self, model_id, revision, expected):
        owner, name = model_id.split("/")
        snapshot = os.path.join(self.env["MODELSCOPE_CACHE"], "models", owner + "--" + name, "snapshots", revision)
        for path in expected:
            full = os.path.join(snapshot, path)
            self.assertTrue(os.path.isfile(full) and not os.path.islink(full), full)
        return snapshot

    def file_requests(self):
        """Requests that moved file bytes (resolve/CDN/ModelScope repo?FilePath=)."""
        return [r for r in self.hub.requests()
                if "/resolve/" in r["path"] or r["listener"] == "cdn" or "/repo?" in r["path"]]
