# SPDX-License-Identifier: Apache-2.0
"""A hostile or broken hub cannot crash xlaunch or make it write outside the cache.

For each hostile listing, on both hubs, `xlaunch download` must exit 3 (hub/integrity failure)
with one `xlaunch: error:` line naming the bad entry (escaped: no raw control characters reach
the terminal) and the problem, and the whole test root outside the cache folders must be
byte-for-byte what it was, including sentinel files where a `..` or absolute path would land."""
import hashlib
import json
import os
import sys
import unittest

sys.path.insert(0, os.environ.get("XLAUNCH_TEST_SUPPORT", os.path.join(os.path.dirname(__file__), "..", "support")))
from fixtures import FakeHub, sha256  # noqa: E402
from harness import XlaunchTestCase  # noqa: E402

REPO = "hostile/tiny"
COMMIT = "c0ffee" + "0" * 34
CONFIG = b'{"fixture": "hostile"}\n'
WEIGHTS = bytes(range(256)) * 8  # above the LFS threshold
FILES = {"config.json": CONFIG, "sub/weights.bin": WEIGHTS}
CATALOG = [{
    "version": 2, "context_length": 4096, "model_name": "hostile-tiny", "model_lang": ["en"],
    "model_ability": ["generate"], "model_description": "a fixture for hostile hub answers",
    "model_specs": [{"model_format": "pytorch", "model_size_in_billions": 1, "model_src": {
        "huggingface": {"quantizations": ["none"], "model_id": REPO},
        "modelscope": {"quantizations": ["none"], "model_id": REPO}}}]}]
SANITIZER_MARKS = ("AddressSanitizer", "UndefinedBehaviorSanitizer", "ThreadSanitizer", "runtime error:",
                   "internal error", "terminate called", "Segmentation fault")


def git_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def hf_item(path, size=len(CONFIG), oid=None, lfs=None):
    item = {"type": "file", "path": path, "size": size, "oid": oid if oid is not None else git_sha1(CONFIG)}
    if lfs is not None:
        item["lfs"] = lfs
    return item


def ms_item(path, size=len(CONFIG), sha=None):
    return {"Name": "x", "Path": path, "Type": "blob", "Size": size,
            "Sha256": sha if sha is not None else sha256(CONFIG), "Revision": COMMIT, "IsLFS": False}


def item(hub, path, size=len(CONFIG)):
    return hf_item(path, size) if hub == "huggingface" else ms_item(path, size)


# name -> (hub -> override answer, words the error line must contain). Paths are shown escaped.
def cases(hub):
    endpoint = "HF_ENDPOINT" if hub == "huggingface" else "MODELSCOPE_ENDPOINT"
    entries = lambda *items: {"entries": list(items)}  # noqa: E731
    bad_hash = ({"entries": [hf_item("a.bin", lfs={"oid": "zz" * 32, "size": len(CONFIG)})]} if hub == "huggingface"
                else {"entries": [ms_item("a.bin", sha="not-a-sha256")]})
    short_hash = ({"entries": [hf_item("a.bin", lfs={"oid": "abc123", "size": len(CONFIG)})]} if hub == "huggingface"
                  else {"entries": [ms_item("a.bin", sha="abc123")]})
    return {
        "dotdot": (entries(item(hub, "../../escape")), ["'../../escape'", "has a '..' segment", endpoint]),
        "deep_dotdot": (entries(item(hub, "../" * 12 + "escape")), ["has a '..' segment"]),
        "absolute": (entries(item(hub, "/etc/passwd")), ["'/etc/passwd'", "is absolute"]),
        "backslash": (entries(item(hub, "a\\b")), ["'a\\\\b'", "contains a backslash"]),
        "nul": (entries(item(hub, "a\u0000b")), ["'a\\x00b'", "contains a NUL character"]),
        "newline": (entries(item(hub, "a\nb")), ["'a\\nb'", "contains a control character"]),
        "escape_sequence": (entries(item(hub, "a\x1b[2Jb")), ["'a\\x1b[2Jb'", "contains a control character"]),
        "name_5000": (entries(item(hub, "a" * 5000)), ["(5000 bytes)", "longer than 1024 bytes"]),
        "component_256": (entries(item(hub, "d/" + "n" * 256)), ["has a name longer than 255 bytes"]),
        "deep_json": ({"body": "[" * 100000 + "]" * 100000},
                      [REPO, "not a JSON list" if hub == "huggingface" else "not a ModelScope JSON object"]),
        "negative_size": (entries(item(hub, "a.bin", -1)), ["'a.bin'", "size '-1' is not a byte count"]),
        "size_2_70": (entries(item(hub, "a.bin", 2 ** 70)), ["'a.bin'", "is not a byte count"]),
        "size_text": (entries(item(hub, "a.bin", "12")), ["'a.bin'", "is not a byte count"]),
        "size_fraction": (entries(item(hub, "a.bin", 1.5)), ["'a.bin'", "size '1.5' is not a byte count"]),
        "hash_not_hex": (bad_hash, ["'a.bin'", "not 64 hex digits"]),
        "hash_short": (short_hash, ["'a.bin'", "not 64 hex digits"]),
        "duplicate": (entries(item(hub, "config.json"), item(hub, "config.json")), ["'config.json'", "twice"]),
        "file_and_folder": (entries(item(hub, "sub"), item(hub, "sub/weights.bin", len(WEIGHTS))),
                            ["'sub'", "both as a file and as the folder of 'sub/weights.bin'"]),
    } | ({"blob_id_path": (entries(hf_item("a.bin", oid="../../../../../../escape")),
                           ["'a.bin'", "field 'oid' is '../../../../../../escape', not 40 hex digits"])}
         if hub == "huggingface" else {})


def tree(root, skip):
    """Every path under root (not following symlinks) -> content hash, link target or 'dir'."""
    found = {}
    for folder, dirs, names in os.walk(root):
        if any(folder == s or folder.startswith(s + os.sep) for s in skip):
            dirs[:] = []
            continue
        for name in dirs + names:
            full = os.path.join(folder, name)
            if os.path.islink(full):
                found[full] = "-> " + os.readlink(full)
            elif os.path.isdir(full):
                found[full] = "dir"
            else:
                with open(full, "rb") as f:
                    found[full] = hashlib.sha256(f.read()).hexdigest()
    return found


class HostileHub(XlaunchTestCase):
    @classmethod
    def setUpClass(cls):
        import tempfile
        cls.hub_dir = tempfile.mkdtemp(prefix="xlaunch-hostile-")
        repo = {"id": REPO, "hubs": ["huggingface", "modelscope"], "files": FILES, "commit": COMMIT}
        cls.hub = FakeHub(cls.hub_dir, [repo], ms_cdn_threshold=1024).start()
        cls.catalog = os.path.join(cls.hub_dir, "hostile.json")
        with open(cls.catalog, "w") as f:
            json.dump(CATALOG, f)

    @classmethod
    def tearDownClass(cls):
        import shutil
        cls.hub.stop()
        shutil.rmtree(cls.hub_dir, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.env.update(self.hub.env())
        self.hub.set_config(listing_override={}, info_override={})
        # Sentinels where escaping paths would land: the test root, the home, the cache parents.
        self.sentinels = {}
        for folder in (self.root, self.home, os.path.join(self.home, ".cache")):
            os.makedirs(folder, exist_ok=True)
            for name in ("escape", "passwd"):
                path = os.path.join(folder, name)
                with open(path, "w") as f:
                    f.write("sentinel " + path)
                self.sentinels[path] = "sentinel " + path
        self.outside = os.path.join(self.root, "outside")
        os.makedirs(self.outside)

    def caches(self):
        return [os.path.join(self.env["HF_HOME"], "hub"), self.env["MODELSCOPE_CACHE"], self.env["XLAUNCH_HOME"]]

    def download(self, hub):
        return self.run_xlaunch("download", "-n", "hostile-tiny", "--download-hub", hub, "--catalog", self.catalog,
                                "--json", timeout=120)

    def assert_refused(self, result, words):
        self.assertEqual(result.code, 3, msg=repr(result))
        for mark in SANITIZER_MARKS:
            self.assertNotIn(mark, result.err)
        lines = [line for line in result.err.splitlines() if line.strip()]
        self.assertEqual(len(lines), 1, msg=repr(result))
        self.assertTrue(lines[0].startswith("xlaunch: error: "), msg=repr(result))
        self.assertNotIn("\x1b", result.err)
        self.assertLess(len(lines[0]), 600, msg=repr(result))
        for word in words:
            self.assertIn(word, lines[0])
        self.assertEqual(result.out, "")

    def assert_nothing_outside(self, before):
        self.assertEqual(tree(self.root, self.caches()), before)
        for path, content in self.sentinels.items():
            with open(path) as f:
                self.assertEqual(f.read(), content)

    def test_hostile_listings_are_refused_on_both_hubs(self):
        for hub in ("huggingface", "modelscope"):
            for name, (answer, words) in cases(hub).items():
                with self.subTest(hub=hub, case=name):
                    self.hub.set_config(listing_override={REPO: answer})
                    before = tree(self.root, self.caches())
                    self.assert_refused(self.download(hub), words)
                    self.assert_nothing_outside(before)
                    # Refused while reading the listing: no file request was ever sent.
                    self.assertEqual([r for r in self.hub.requests() if "/resolve/" in r["path"] or "/repo?" in r["path"]], [])
                    self.hub.clear_log()

    def test_hostile_revision_answers_are_refused(self):
        bodies = {"deep_json": "[" * 100000 + "]" * 100000, "not_json": "<html>\x1b[2J</html>",
                  "wrong_types": json.dumps({"sha": 42, "Data": "x", "Code": "200"})}
        for hub in ("huggingface", "modelscope"):
            for name, body in bodies.items():
                with self.subTest(hub=hub, case=name):
                    self.hub.set_config(info_override={REPO: {"body": body}})
                    before = tree(self.root, self.caches())
                    self.assert_refused(self.download(hub), [REPO])
                    self.assert_nothing_outside(before)

    def test_huge_listing_is_refused_in_bounded_memory(self):
        # 50 MiB of valid-looking entries: API answers are capped at 16 MiB (core/http/curl_client.cpp).
        body_file = os.path.join(self.root, "huge.json")
        with open(body_file, "w") as f:
            f.write("[")
            entry = json.dumps(hf_item("f/%08d.bin", len(CONFIG)))
            count = 50 * 1024 * 1024 // len(entry) + 1
            f.write(",".join(entry.replace("%08d", "%08d" % i) for i in range(count)))
            f.write("]")
        self.assertGreater(os.path.getsize(body_file), 50 * 1024 * 1024)
        for hub in ("huggingface", "modelscope"):
            with self.subTest(hub=hub):
                self.hub.set_config(listing_override={REPO: {"body_file": body_file}})
                before = tree(self.root, self.caches())
                self.assert_refused(self.download(hub), ["larger than 16 MiB"])
                self.assert_nothing_outside(before)

    def test_no_write_through_a_symlink_in_the_snapshot_folder(self):
        snapshots = {"huggingface": os.path.join(self.env["HF_HOME"], "hub", "models--hostile--tiny", "snapshots", COMMIT),
                     "modelscope": os.path.join(self.env["MODELSCOPE_CACHE"], "models", "hostile--tiny", "snapshots",
                                                "master")}
        for hub, snapshot in snapshots.items():
            with self.subTest(hub=hub):
                os.makedirs(snapshot, exist_ok=True)
                link = os.path.join(snapshot, "sub")
                os.symlink(self.outside, link)
                before = tree(self.root, self.caches())
                self.assert_refused(self.download(hub), ["sub", "is a symbolic link", self.outside,
                                                         "remove the link and run again"])
                self.assert_nothing_outside(before)
                self.assertEqual(os.listdir(self.outside), [])
                # With the link gone, the same download completes into the cache.
                os.remove(link)
                result = self.download(hub)
                self.assertEqual(result.code, 0, msg=repr(result))
                with open(os.path.join(snapshot, "sub", "weights.bin"), "rb") as f:
                    self.assertEqual(f.read(), WEIGHTS)
                self.assertFalse(os.path.islink(os.path.join(snapshot, "sub")))


if __name__ == "__main__":
    unittest.main()
