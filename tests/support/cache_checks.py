# SPDX-License-Identifier: Apache-2.0
"""Checks that a Hugging Face hub cache holds nothing bad under a final name, whatever moment a
download was stopped at: every blob is named by the digest of its content (sha256 for LFS files,
git blob sha1 for the others) and every snapshot entry points to such a blob. Partial state
(`*.incomplete`, its sidecar) may exist; it is never a final name."""
import hashlib
import os

PARTIAL_SUFFIXES = (".incomplete", ".incomplete.json", ".incomplete.json.tmp")


def blob_problems(hf_cache):
    """Human-readable problems found in every repo folder of the cache; [] when sound."""
    problems = []
    if not os.path.isdir(hf_cache):
        return problems
    for repo in sorted(os.listdir(hf_cache)):
        blobs = os.path.join(hf_cache, repo, "blobs")
        if os.path.isdir(blobs):
            for name in sorted(os.listdir(blobs)):
                if name.endswith(PARTIAL_SUFFIXES):
                    continue
                with open(os.path.join(blobs, name), "rb") as f:
                    data = f.read()
                if name not in (hashlib.sha256(data).hexdigest(),
                                hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()):
                    problems.append("blob %s/%s holds %d bytes that do not hash to its name" % (repo, name, len(data)))
        snapshots = os.path.join(hf_cache, repo, "snapshots")
        for folder, _dirs, names in os.walk(snapshots):
            for name in names:
                path = os.path.join(folder, name)
                if not os.path.islink(path):
                    problems.append("snapshot entry %s is not a symlink" % path)
                elif not os.path.isfile(path):
                    problems.append("snapshot entry %s points to a missing blob" % path)
    return problems


def partial_files(hf_cache):
    """Paths of `*.incomplete` files anywhere in the cache."""
    found = []
    for folder, _dirs, names in os.walk(hf_cache):
        found += [os.path.join(folder, n) for n in names if n.endswith(".incomplete")]
    return found
