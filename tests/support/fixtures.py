# SPDX-License-Identifier: Apache-2.0
"""Fixture repositories mirroring the seed repos' real layouts, and a running fake hub.

    from fixtures import FakeHub, catalog_repo
    repo = catalog_repo("deepseek-r1", "ggufv2", "huggingface")      # every quantization's files
    with FakeHub(workdir, [repo]) as hub:
        env = hub.env()                     # HF_ENDPOINT + MODELSCOPE_ENDPOINT -> the fake
        ...
        hub.requests()                      # the JSON-lines request log, parsed
        hub.sent()                          # file bodies sent, with bytes_sent each

Files are tiny but named exactly as on the hubs: the R1 GGUF repo's per-quantization folders
with split parts (DeepSeek-R1-UD-IQ1_S/DeepSeek-R1-UD-IQ1_S-00001-of-00003.gguf), 163
safetensors shards for deepseek-ai/DeepSeek-R1 (model-00001-of-000163.safetensors +
model.safetensors.index.json + config.json ...), ModelScope's configuration.json.
Weights are bigger than the LFS threshold (so they redirect to the CDN); configs are not.
"""
import hashlib
import json
import os
import ssl
import subprocess
import sys
import time
import urllib.request

SUPPORT_DIR = os.path.dirname(os.path.abspath(__file__))
CATALOG = os.path.join(SUPPORT_DIR, "..", "..", "catalog", "llm_family.json")
LFS_THRESHOLD = 1024

# Real shard counts of the seed repos (total, digits of the "-of-" number).
SHARDS = {
    "deepseek-ai/DeepSeek-R1": (163, 6),
    "deepseek-ai/DeepSeek-V3-0324": (163, 6),
    "deepseek-ai/DeepSeek-V3.1": (163, 6),
    "deepseek-ai/DeepSeek-V2-Lite-Chat": (4, 6),
    "deepseek-ai/DeepSeek-V2-Chat": (55, 6),
}


def weight_bytes(model_id, path, size=1536):
    """Deterministic content, distinct per file, above the LFS threshold."""
    seed = hashlib.sha256(("%s/%s" % (model_id, path)).encode()).digest()
    return (seed * (size // len(seed) + 1))[:size]


def text_bytes(model_id, path):
    return json.dumps({"fixture": model_id, "file": path}).encode() + b"\n"


def safetensors_files(model_id, shards, digits, hub):
    files = {}
    names = ["model-%05d-of-%0*d.safetensors" % (i, digits, shards) for i in range(1, shards + 1)]
    for name in names:
        files[name] = weight_bytes(model_id, name)
    files["model.safetensors.index.json"] = json.dumps(
        {"metadata": {"total_size": sum(len(files[n]) for n in names)},
         "weight_map": {"layer.%d.weight" % i: n for i, n in enumerate(names)}}).encode()
    for name in ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "README.md"):
        files[name] = text_bytes(model_id, name)
    files[".gitattributes"] = b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n"
    if hub == "modelscope":
        files["configuration.json"] = json.dumps({"framework": "pytorch", "task": "text-generation"}).encode()
    return files


def gguf_files(source, model_id):
    """Every quantization's files of a GGUF source, as the catalog's templates name them."""
    files = {"README.md": text_bytes(model_id, "README.md"), ".gitattributes": b"*.gguf filter=lfs\n"}
    parts = source.get("quantization_parts") or {}
    for quantization in source["quantizations"]:
        if quantization in parts:
            for part in parts[quantization]:
                name = source["model_file_name_split_template"].format(quantization=quantization, part=part)
                files[name] = weight_bytes(model_id, name)
        else:
            name = source["model_file_name_template"].format(quantization=quantization)
            files[name] = weight_bytes(model_id, name)
    return files


def load_catalog():
    with open(CATALOG, encoding="utf-8") as f:
        return json.load(f)


def catalog_source(model_name, model_format, hub, size=None):
    for family in load_catalog():
        if family["model_name"] != model_name:
            continue
        for spec in family["model_specs"]:
            if spec["model_format"] != model_format:
                continue
            if size is not None and str(spec["model_size_in_billions"]) != str(size):
                continue
            if hub in spec["model_src"]:
                return spec["model_src"][hub]
    raise KeyError("%s %s %s not in the catalog" % (model_name, model_format, hub))


def catalog_repo(model_name, model_format, hub, quantization=None, size=None, **options):
    """A fixture repo for one catalog source (model id expanded with `quantization`), with the
    commit pinned by the catalog when it pins one."""
    source = catalog_source(model_name, model_format, hub, size)
    quantization = quantization or source["quantizations"][0]
    model_id = source["model_id"].format(quantization=quantization)
    if model_format == "ggufv2":
        files = gguf_files(source, model_id)
    elif model_id in SHARDS:
        files = safetensors_files(model_id, *SHARDS[model_id], hub=hub)
    else:
        files = safetensors_files(model_id, 5, 5, hub=hub)
    revision = source.get("model_revision")
    repo = {"id": model_id, "hubs": [hub], "files": files}
    if revision and len(revision) == 40:
        repo["commit"] = revision
    repo.update(options)
    return repo


def wanted_files(model_name, model_format, hub, quantization=None, size=None):
    """The files xlaunch must fetch for that spec: the quantization's parts for GGUF, else None
    (the whole repository)."""
    source = catalog_source(model_name, model_format, hub, size)
    if model_format != "ggufv2":
        return None
    quantization = quantization or source["quantizations"][0]
    parts = (source.get("quantization_parts") or {}).get(quantization)
    if parts:
        return [source["model_file_name_split_template"].format(quantization=quantization, part=p) for p in parts]
    return [source["model_file_name_template"].format(quantization=quantization)]


def sha256(data):
    return hashlib.sha256(data).hexdigest()


class FakeHub:
    """Runs tests/support/fake_hub.py on fixture repos; a context manager."""

    def __init__(self, workdir, repos, **settings):
        self.workdir = os.path.abspath(workdir)
        os.makedirs(self.workdir, exist_ok=True)
        self.log_path = os.path.join(self.workdir, "requests.jsonl")
        self.repos = {}
        config_repos = []
        for repo in repos:
            root = os.path.join(self.workdir, "repos", repo["id"].replace("/", "--"))
            for path, data in repo["files"].items():
                full = os.path.join(root, path)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "wb") as f:
                    f.write(data)
            entry = {k: v for k, v in repo.items() if k != "files"}
            entry["root"] = root
            entry.setdefault("lfs_threshold", LFS_THRESHOLD)
            config_repos.append(entry)
            self.repos[repo["id"]] = repo
        self.config = dict(settings, repos=config_repos, log=self.log_path)
        self.process = None
        self.ports = None

    def start(self):
        config_path = os.path.join(self.workdir, "fake_hub.json")
        with open(config_path, "w", encoding="utf-8") as f:
            json.dump(self.config, f)
        ports_file = os.path.join(self.workdir, "ports.json")
        self.process = subprocess.Popen([sys.executable, os.path.join(SUPPORT_DIR, "fake_hub.py"), config_path, ports_file],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("fake hub did not start: " + self.process.stderr.read())
        self.ports = json.loads(line)
        return self

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process.stdout.close()
            self.process.stderr.close()
            self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % (self.ports.get("scheme", "http"), self.ports["hub"])

    @property
    def cdn_url(self):
        return "http://127.0.0.1:%d" % self.ports["cdn"]

    def env(self):
        return {"HF_ENDPOINT": self.url, "MODELSCOPE_ENDPOINT": self.url}

    def requests(self):
        if not os.path.exists(self.log_path):
            return []
        with open(self.log_path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def sent(self):
        """The file bodies the hub sent, one entry per answer with its bytes_sent (fake_hub.py)."""
        path = self.log_path + ".sent"
        if not os.path.exists(path):
            return []
        with open(path, encoding="utf-8") as f:
            return [json.loads(line) for line in f if line.strip()]

    def wait_answers_ended(self, seconds=30):
        """Waits until every file answer the hub started has ended (and is in sent()): a client
        that was killed leaves the hub writing until the socket errors, and a log cleared
        before that would get the old answer's line."""
        deadline = time.monotonic() + seconds
        while sum(1 for r in self.requests() if r.get("file_body")) > len(self.sent()):
            if time.monotonic() > deadline:
                raise AssertionError("file answers of the hub still running after %d s" % seconds)
            time.sleep(0.02)

    def clear_log(self):
        for path in (self.log_path, self.log_path + ".sent"):
            if os.path.exists(path):
                os.remove(path)

    def _admin(self, what, payload):
        request = urllib.request.Request(self.url + "/_admin/" + what, data=json.dumps(payload).encode(), method="POST")
        # Test plumbing, not the client under test: a hub serving a test certificate is trusted.
        context = ssl._create_unverified_context() if self.url.startswith("https:") else None
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            response.read()

    def set_faults(self, rules):
        self._admin("faults", rules)

    def set_config(self, **settings):
        self._admin("config", settings)

    def wait_idle(self, seconds=0.2):
        time.sleep(seconds)
