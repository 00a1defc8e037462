# SPDX-License-Identifier: Apache-2.0
"""The download benchmark harness (bench/) at a tiny scale: its fake hub speaks the Hub protocol,
every client adapter runs, every output is verified, and a corrupted download is caught.
Nothing here judges a time: the one test that reads CPU times checks that two accounts of the
same CPU time agree."""
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest
from pathlib import Path

BENCH = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                     "bench"))
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK)
                                  else None)

# A stand-in for `xlaunch download`: a minimal hf_hub_download-style client (hubs.md A6) that
# reads the catalog the harness wrote and fills HF_HOME the way the real command must.
FAKE_XLAUNCH = textwrap.dedent('''\
    #!{python}
    import hashlib, http.client, json, os, sys, urllib.parse
    args = sys.argv[1:]
    if args[:1] != ["download"]:
        sys.exit(2)
    if "--help" in args:
        print("usage: xlaunch download -n NAME -f FORMAT --catalog FILE --download-hub HUB")
        sys.exit(0)
    catalog = json.load(open(args[args.index("--catalog") + 1]))
    src = catalog[0]["model_specs"][0]["model_src"]["huggingface"]
    repo, rev = src["model_id"], src["model_revision"]
    endpoint = urllib.parse.urlsplit(os.environ["HF_ENDPOINT"])

    def request(method, target):
        u = urllib.parse.urlsplit(target)
        conn = http.client.HTTPConnection(u.hostname or endpoint.hostname,
                                          u.port or endpoint.port)
        conn.request(method, u.path + ("?" + u.query if u.query else ""),
                     headers={{"Accept-Encoding": "identity"}})
        res = conn.getresponse()
        return res, res.read()

    res, body = request("GET", f"/api/models/{{repo}}/revision/{{rev}}")
    commit = json.loads(body)["sha"]
    res, body = request("GET", f"/api/models/{{repo}}/tree/{{commit}}?recursive=true")
    storage = os.path.join(os.environ["HF_HOME"], "hub", "models--" + repo.replace("/", "--"))
    os.makedirs(os.path.join(storage, "blobs"), exist_ok=True)
    os.makedirs(os.path.join(storage, "refs"), exist_ok=True)
    for entry in json.loads(body):
        path = entry["path"]
        head, _ = request("HEAD", f"/{{repo}}/resolve/{{commit}}/{{path}}")
        etag = (head.getheader("X-Linked-Etag") or head.getheader("ETag")).strip('"')
        size = int(head.getheader("X-Linked-Size") or head.getheader("Content-Length"))
        location = head.getheader("Location") or f"/{{repo}}/resolve/{{commit}}/{{path}}"
        res, data = request("GET", location)
        assert res.status == 200 and len(data) == size, (path, res.status, len(data), size)
        if "lfs" in entry:
            assert hashlib.sha256(data).hexdigest() == etag == entry["lfs"]["oid"], path
        if ({corrupt} or os.environ.get("XLAUNCH_TEST_CORRUPT")) and path.endswith(".safetensors"):
            data = bytes([data[0] ^ 0xFF]) + data[1:]  # a changed byte; b"x" was none for data starting with x
        blob = os.path.join(storage, "blobs", etag)
        with open(blob, "wb") as fh:
            fh.write(data)
        pointer = os.path.join(storage, "snapshots", commit, path)
        os.makedirs(os.path.dirname(pointer), exist_ok=True)
        os.symlink(os.path.relpath(blob, os.path.dirname(pointer)), pointer)
    with open(os.path.join(storage, "refs", "main"), "w") as fh:
        fh.write(commit)
    ''')


@unittest.skipUnless(NGINX and shutil.which("aria2c") and shutil.which("curl")
                     and (shutil.which("c++") or shutil.which("g++")),
                     "needs nginx, aria2c, curl and a C++ compiler: scripts/install-deps.sh --test")
class BenchHarnessTest(unittest.TestCase):
    def setUp(self):
        self.root = tempfile.mkdtemp(prefix="xlaunch-bench-test-")
        self.addCleanup(shutil.rmtree, self.root, ignore_errors=True)

    def bench_modules(self):
        """The harness's own modules, for the tests that call into them."""
        sys.path.insert(0, BENCH)
        self.addCleanup(sys.path.remove, BENCH)
        import download_bench
        import fakehub
        return download_bench, fakehub

    def fake_xlaunch(self, corrupt=False):
        os.makedirs(os.path.join(self.root, "bin"), exist_ok=True)
        path = os.path.join(self.root, "bin", "corrupt-xlaunch" if corrupt else "xlaunch")
        with open(path, "w") as fh:
            fh.write(FAKE_XLAUNCH.format(python=sys.executable, corrupt=corrupt))
        os.chmod(path, 0o755)
        return path

    def run_bench(self, *args):
        result_file = os.path.join(self.root, "results.json")
        env = {k: v for k, v in os.environ.items() if k != "XLAUNCH"}
        completed = subprocess.run(
            [sys.executable, os.path.join(BENCH, "download_bench.py"), "--reps", "1",
             "--scale", "0.0005", "--work-dir", self.root, "--json", result_file,
             "--nginx", NGINX, "--timeout", "120", *args],
            capture_output=True, text=True, timeout=300, env=env)
        results = None
        if os.path.exists(result_file):
            with open(result_file) as fh:
                results = json.load(fh)
        return completed, results

    def test_every_client_and_floor_downloads_verified_files(self):
        # Scenario c (500 files) runs in the skip test below: aria2c needs ~25 ms per file.
        completed, results = self.run_bench("--scenario", "a,b",
                                            "--xlaunch", self.fake_xlaunch())
        msg = completed.stdout + completed.stderr
        self.assertEqual(completed.returncode, 0, msg)
        self.assertEqual(sorted(results["scenarios"]), ["a", "b"])
        counts = {"a": 16 + 2, "b": 1 + 1}  # weights + config (+ index)
        names = {"xlaunch", "aria2c", "curl", "reference: lean verifying client",
                 "floor: cp+sync", "floor: hub layout+sync", "floor: loopback read",
                 "floor: sha256"}
        for key, scenario in results["scenarios"].items():
            self.assertEqual(scenario["files"], counts[key])
            self.assertEqual(set(scenario["summary"]), names)
            for run in scenario["runs"]:
                self.assertTrue(run["ok"], run)
                self.assertGreater(run["peak_rss_bytes"], 0, run)
                if not run["client"].startswith("floor"):  # a client waits on its sockets
                    self.assertGreater(run["switches"], 0, run)
        self.assertIn("| xlaunch |", completed.stdout)
        self.assertIn("xlaunch target wall <= 1.0x best peer", completed.stdout)
        self.assertEqual(sorted(os.listdir(self.root)), ["bin", "results.json"],
                         "the harness left its work dir behind")

    def test_a_corrupted_download_fails_the_run(self):
        completed, results = self.run_bench("--scenario", "b", "--no-floors", "--clients",
                                            "xlaunch,curl", "--xlaunch",
                                            self.fake_xlaunch(corrupt=True))
        self.assertEqual(completed.returncode, 1, completed.stdout + completed.stderr)
        runs = {r["client"]: r for r in results["scenarios"]["b"]["runs"]}
        self.assertFalse(runs["xlaunch"]["ok"])
        self.assertIn("sha256 mismatch", runs["xlaunch"]["error"])
        self.assertTrue(runs["curl"]["ok"], runs["curl"])

    def test_a_variant_runs_the_same_binary_with_its_variables_set(self):
        completed, results = self.run_bench("--scenario", "b", "--no-floors", "--clients",
                                            "xlaunch,curl", "--xlaunch", self.fake_xlaunch(),
                                            "--xlaunch-variant", "corrupt=XLAUNCH_TEST_CORRUPT")
        self.assertEqual(completed.returncode, 1, completed.stdout + completed.stderr)
        runs = {r["client"]: r for r in results["scenarios"]["b"]["runs"]}
        self.assertTrue(runs["xlaunch"]["ok"], runs["xlaunch"])
        self.assertFalse(runs["xlaunch-corrupt"]["ok"])
        self.assertIn("sha256 mismatch", runs["xlaunch-corrupt"]["error"])
        bad = self.run_bench("--scenario", "b", "--xlaunch-variant", "no-vars=")[0]
        self.assertEqual(bad.returncode, 2)
        self.assertIn("expected NAME=VAR", bad.stderr)

    @unittest.skipUnless(shutil.which("git") and os.path.exists(os.path.join(BENCH, "..", ".git")),
                         "needs a git checkout")
    def test_the_duty_costs_patch_still_applies(self):
        # bench/duty_costs.sh builds HEAD with this patch; it must follow the code it patches.
        completed = subprocess.run(["git", "-C", os.path.join(BENCH, ".."), "apply", "--check",
                                    os.path.join(BENCH, "duty_costs.patch")],
                                   capture_output=True, text=True, timeout=60)
        self.assertEqual(completed.returncode, 0, completed.stderr)

    def test_the_layout_floor_writes_huggingface_hubs_cache(self):
        # The floor is only a fair reference if it does what huggingface_hub's layout asks of a
        # client: a lock per blob, the blob under its hash, a relative link per file.
        download_bench, fakehub = self.bench_modules()
        root = Path(self.root)
        layout, why_not = download_bench.LayoutFloor.build(root)
        self.assertIsNone(why_not)
        repo = fakehub.ensure_repo(root / "data", "c", 3, 4096, log=lambda _: None)
        (root / "out").mkdir()
        (root / "scratch").mkdir()
        argv, env = layout.command(repo, None, root / "out", root / "scratch")
        completed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
        self.assertEqual(completed.returncode, 0, completed.stderr)
        self.assertIsNone(download_bench.verify(layout.expected(repo, root / "out"), repo))
        storage = root / "out" / "hf" / "hub" / repo.cache_folder
        locks = root / "out" / "hf" / "hub" / ".locks" / repo.cache_folder
        for f in repo.files:
            blob = download_bench.blob_name(f)
            link = storage / "snapshots" / repo.commit / f.path
            self.assertTrue(link.is_symlink(), f.path)
            self.assertEqual(os.readlink(link),
                             "../" * f.path.count("/") + "../../blobs/" + blob)
            self.assertTrue((locks / (blob + ".lock")).is_file(), f.path)
        self.assertEqual(sorted(p.name for p in (storage / "blobs").iterdir()),
                         sorted(download_bench.blob_name(f) for f in repo.files))

    def lean_client_run(self, corrupt_path=None):
        """Builds bench/lean_client.cpp and runs it once against a 3-file repo on the harness's
        own nginx; `corrupt_path` gets a wrong sha256 in its manifest. (the completed process,
        the repo, the output dir)."""
        download_bench, fakehub = self.bench_modules()
        root = Path(self.root)
        lean, why_not = download_bench.LeanClient.build(root)
        self.assertIsNone(why_not)
        repo = fakehub.ensure_repo(root / "data", "c", 3, 70000, log=lambda _: None)
        out, scratch = root / "out", root / "scratch"
        out.mkdir()
        scratch.mkdir()
        with fakehub.Server(NGINX, [repo], root / "nginx") as server:
            argv, env = lean.command(repo, server, out, scratch)
            if corrupt_path:
                manifest = scratch / "manifest.txt"
                lines = manifest.read_text().splitlines()
                lines = [line.rsplit("\t", 1)[0] + "\t" + "0" * 64
                         if line.split("\t")[2] == corrupt_path else line for line in lines]
                manifest.write_text("\n".join(lines) + "\n")
            completed = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
        return completed, repo, out

    def test_the_lean_reference_client_downloads_into_huggingface_hubs_cache(self):
        # A reference is only fair if it does xlaunch's duties: the hub's layout, every file
        # fetched through the hub's redirect and checked.
        download_bench, _ = self.bench_modules()
        completed, repo, out = self.lean_client_run()
        self.assertEqual(completed.returncode, 0, completed.stderr)
        lean = download_bench.LeanClient(Path("unused"))
        self.assertIsNone(download_bench.verify(lean.expected(repo, out), repo))
        storage = out / "hf" / "hub" / repo.cache_folder
        locks = out / "hf" / "hub" / ".locks" / repo.cache_folder
        self.assertTrue(any(not f.lfs for f in repo.files), "no git blob to check by its sha1")
        for f in repo.files:
            blob = download_bench.blob_name(f)
            link = storage / "snapshots" / repo.commit / f.path
            self.assertEqual(os.readlink(link),
                             "../" * f.path.count("/") + "../../blobs/" + blob)
            self.assertTrue((locks / (blob + ".lock")).is_file(), f.path)
        self.assertEqual(sorted(p.name for p in (storage / "blobs").iterdir()),
                         sorted(download_bench.blob_name(f) for f in repo.files))

    def test_the_lean_reference_client_refuses_a_file_whose_hash_differs(self):
        download_bench, _ = self.bench_modules()
        completed, repo, out = self.lean_client_run(corrupt_path="model-00002-of-00003.safetensors")
        self.assertEqual(completed.returncode, 1, completed.stderr)
        self.assertIn("model-00002-of-00003.safetensors: hash mismatch", completed.stderr)
        storage = out / "hf" / "hub" / repo.cache_folder
        bad = next(f for f in repo.files if f.path == "model-00002-of-00003.safetensors")
        self.assertFalse((storage / "blobs" / download_bench.blob_name(bad)).exists(),
                         "the file whose hash differs took its final name")
        self.assertFalse(os.path.lexists(storage / "snapshots" / repo.commit / bad.path))

    def measure(self, argv):
        """Runs argv as the harness runs a client, under bench/measure_run.cpp."""
        download_bench, _ = self.bench_modules()
        root = Path(self.root)
        measurer = root / "measure_run"
        if not measurer.exists():
            self.assertIsNone(download_bench.build_with_compiler(download_bench.MEASURER_SOURCE,
                                                                 measurer, []))
        return download_bench.spawn_measured(measurer, argv, dict(os.environ),
                                             root / "stdout.txt", root / "stderr.txt", 60,
                                             with_sync=False)

    def test_the_measurer_reports_the_exit_code_and_the_signal(self):
        self.assertEqual(self.measure(["sh", "-c", "exit 3"]).code, 3)
        self.assertEqual(self.measure(["sh", "-c", "kill -9 $$"]).code, 128 + 9)
        self.assertEqual(self.measure(["/nonexistent/client"]).code, 127)

    def test_the_measurer_counts_the_cpu_time_to_the_microsecond(self):
        # The child reports its own CPU time just before it exits. The measurer's figure must be
        # at least that (plus what the exit itself costs, up to a few ms on a loaded machine),
        # and not in GNU time's 10 ms steps: of three figures to the microsecond, one falling on
        # a multiple of 10 ms happens once in 10,000; three, never.
        burn = ("import os, resource\n"
                "x = 0\n"
                "for i in range(2_000_000): x += i\n"
                "u = resource.getrusage(resource.RUSAGE_SELF)\n"
                "print(u.ru_utime + u.ru_stime, flush=True)\n"
                "os._exit(0)\n")
        figures = []
        for _ in range(3):
            m = self.measure([sys.executable, "-c", burn])
            self.assertEqual(m.code, 0)
            reported = float((Path(self.root) / "stdout.txt").read_text())
            self.assertGreaterEqual(m.cpu, reported - 0.0005)
            self.assertLess(m.cpu, reported + 0.05)
            figures.append(round(m.cpu * 1e6))
        self.assertFalse(all(us % 10_000 == 0 for us in figures), figures)

    def test_the_measurer_does_not_charge_the_harness_memory_to_the_client(self):
        # Linux carries the peak RSS of the process that execs over into the program: spawned
        # from this Python process, `true` would report this process's peak RSS.
        own_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        self.assertLess(self.measure(["true"]).rss, own_peak / 2)

    def test_the_report_compares_a_reference_without_making_it_a_peer(self):
        download_bench, fakehub = self.bench_modules()
        repo = fakehub.ensure_repo(Path(self.root) / "data", "c", 3, 4096, log=lambda _: None)

        def run(wall):
            return {"wall_s": wall, "wall_min_s": wall, "wall_max_s": wall, "cpu_s": 0.1,
                    "switches": 1, "peak_rss_bytes": 1 << 20, "ok_runs": 1, "runs": 1}
        lean = "reference: lean verifying client"
        summary = {"xlaunch": run(0.3), "curl": run(0.2), lean: run(0.1)}
        text = "\n".join(download_bench.report_scenario(
            download_bench.SCENARIOS["c"], repo, ["xlaunch", "curl", lean], [], summary, 1, 1.0,
            references=(lean,)))
        self.assertIn("xlaunch target wall <= 1.0x best peer: MISSED (1.50x)", text)
        self.assertAlmostEqual(summary[lean]["vs_best_peer"], 0.5)
        self.assertAlmostEqual(summary["curl"]["vs_best_peer"], 0.2 / 0.3)  # not 0.2 / 0.1

    def test_the_report_sets_xlaunch_cpu_against_both_floors(self):
        # At the tests' scale every CPU time rounds to 0: the ratios are checked on made-up runs.
        download_bench, fakehub = self.bench_modules()
        repo = fakehub.ensure_repo(Path(self.root) / "data", "c", 3, 4096, log=lambda _: None)

        def run(wall, cpu):
            return {"wall_s": wall, "wall_min_s": wall, "wall_max_s": wall, "cpu_s": cpu,
                    "switches": 1, "peak_rss_bytes": 1 << 20, "ok_runs": 1, "runs": 1}
        summary = {"xlaunch": run(0.2, 0.3), "curl": run(0.25, 0.1),
                   "floor: cp+sync": run(0.1, 0.05), "floor: hub layout+sync": run(0.1, 0.15),
                   "floor: sha256": run(0.05, 0.05)}
        lines = download_bench.report_scenario(
            download_bench.SCENARIOS["c"], repo, ["xlaunch", "curl"],
            ["floor: cp+sync", "floor: hub layout+sync", "floor: sha256"], summary, 1, 1.0)
        text = "\n".join(lines)
        self.assertIn("xlaunch target CPU <= 1.3x floor (cp + sha256): MISSED (3.00x)", text)
        self.assertIn("xlaunch CPU vs the hub layout's floor (hub layout + sha256; for "
                      "comparison, not a target): 1.50x", text)
        self.assertAlmostEqual(summary["xlaunch"]["cpu_vs_layout_floor"], 1.5)
        self.assertAlmostEqual(summary["xlaunch"]["cpu_vs_floor"], 3.0)

    def test_xlaunch_without_download_command_is_skipped_with_a_reason(self):
        completed, results = self.run_bench("--scenario", "c", "--no-floors", "--clients",
                                            "xlaunch,curl", "--xlaunch", shutil.which("false"))
        self.assertEqual(completed.returncode, 0, completed.stdout + completed.stderr)
        self.assertIn("xlaunch skipped", completed.stdout)
        scenario = results["scenarios"]["c"]
        self.assertEqual(scenario["files"], 500 + 2)
        self.assertEqual(set(scenario["summary"]), {"curl"})
        self.assertTrue(all(run["ok"] for run in scenario["runs"]), scenario["runs"])
        self.assertIsNone(scenario["warning"])  # room to keep every output until the end
        self.assertNotIn("warning", completed.stdout)

    def test_phases_split_each_run_from_the_hub_access_log(self):
        completed, results = self.run_bench("--scenario", "b", "--clients", "xlaunch,curl",
                                            "--xlaunch", self.fake_xlaunch(), "--phases")
        msg = completed.stdout + completed.stderr
        self.assertEqual(completed.returncode, 0, msg)
        self.assertIn("Where the wall time went (--phases", completed.stdout)
        keys = ["to_first_request_ms", "to_first_file_ms", "transfers_ms", "after_last_answer_ms",
                "final_sync_ms"]
        for run in results["scenarios"]["b"]["runs"]:
            phases = run["phases_ms"]
            if run["client"] in ("floor: cp+sync", "floor: hub layout+sync", "floor: sha256"):
                # no request at all
                self.assertIsNone(phases, run)
                continue
            self.assertEqual(sorted(phases), sorted(keys), run)
            self.assertTrue(all(value >= 0 for value in phases.values()), run)
            # The fake xlaunch asks the API twice before its first file; curl starts with one.
            self.assertLessEqual(phases["to_first_request_ms"], phases["to_first_file_ms"], run)
            self.assertLessEqual(sum(phases[k] for k in keys[1:]) / 1000, run["wall_s"] + 0.01, run)
        summary = results["scenarios"]["b"]["summary"]
        self.assertEqual(sorted(summary["curl"]["phases_ms"]), sorted(keys))

    def test_phases_come_from_the_requests_of_that_run_only(self):
        download_bench, _ = self.bench_modules()
        lines = [
            "99.900 0.010 200 /cdn/c/aa/old",  # an earlier run's
            "100.020 0.005 200 /api/models/x/tree/abc?recursive=true",
            "100.030 0.000 200 /healthz",
            "100.050 0.010 302 /x/resolve/abc/f1",
            "100.150 0.060 200 /cdn/c/bb/f1",
            "garbage",
        ]
        phases = download_bench.phases_from_log(lines, started_at=100.0, exited_at=100.2,
                                                synced_at=100.25)
        self.assertEqual(phases, {"to_first_request_ms": 15.0, "to_first_file_ms": 40.0,
                                  "transfers_ms": 110.0, "after_last_answer_ms": 50.0,
                                  "final_sync_ms": 50.0})
        self.assertIsNone(download_bench.phases_from_log(lines[:3], 100.0, 100.2, 100.25))

    def test_many_files_deleted_between_runs_come_with_a_warning(self):
        download_bench, _ = self.bench_modules()
        self.assertIsNone(download_bench.deletion_note(502, 3 << 30, 4 << 30))
        note = download_bench.deletion_note(502, 3 << 30, 2 << 30)
        self.assertIn("502 output files were deleted before the next run", note)
        self.assertIn("3.0 GiB", note)
        self.assertIn("2.0 GiB were free", note)
        self.assertIn("--work-dir with more room", note)


if __name__ == "__main__":
    unittest.main()
