# SPDX-License-Identifier: Apache-2.0
"""The ModelScope half of fake_hub.py (hubs.md B2-B6, Part C "ModelScope (must)")."""
import time
import urllib.parse
import uuid

from fake_hub import user_of


def envelope(data, code=200, message="success"):
    return {"Code": code, "Message": message, "Data": data, "RequestId": str(uuid.uuid4()),
            "Success": code == 200}


def ms_repo(handler, repo_id):
    """The repo when visible to this request; otherwise answers 404/403 and returns None."""
    repo = handler.state.repos.get(repo_id)
    if repo is None or "modelscope" not in repo.hubs:
        handler.send_json(404, envelope(None, 404, "模型不存在 (model does not exist)"))
        return None
    user, _bad = user_of(handler.state, handler.headers)
    allowed = user is not None and user in handler.state.config.get("access", {}).get(repo_id, [])
    if (repo.private or repo.gated) and not allowed:
        handler.send_json(403, envelope(None, 403, "Authentication token does not exist, failed to access model "
                                        "%s which may not exist or may be private. Please login first." % repo_id))
        return None
    return repo


def handle_modelscope(handler, path, query):
    if path == "/api/v1/repos/internalAccelerationInfo":
        return handler.send_json(404, envelope(None, 404, "not found"))
    parts = path[len("/api/v1/models/"):].split("/") if path.startswith("/api/v1/models/") else []
    if len(parts) < 2:
        return handler.send_json(404, envelope(None, 404, "not found"))
    repo_id = "%s/%s" % (parts[0], parts[1])
    tail = "/".join(parts[2:])
    repo = ms_repo(handler, repo_id)
    if repo is None:
        return
    first = lambda name, default="": query.get(name, [default])[0]  # noqa: E731
    if tail == "":
        return handler.send_json(200, envelope({"Name": parts[1], "Path": parts[0], "Revision": "master"}))
    if tail == "revisions" and handler.send_override("info_override", repo_id, lambda entries: envelope(entries)):
        return
    if tail == "repo/files" and handler.send_override("listing_override", repo_id,
                                                      lambda entries: envelope({"Files": entries})):
        return
    if tail == "revisions":
        now = int(time.time())
        branches = [{"Revision": r, "CreatedAt": now, "CommitId": repo.commit} for r in repo.refs]
        tags = [{"Revision": t, "CreatedAt": now, "CommitId": repo.commit} for t in repo.tags]
        return handler.send_json(200, envelope({"RevisionMap": {"Branches": branches, "Tags": tags}}))
    revision = first("Revision", "master")
    known = revision in repo.refs or revision in repo.tags
    if tail == "repo/files":
        if not known:
            return handler.send_json(200, envelope({"Files": None}))
        recursive = first("Recursive", "false").lower() in ("true", "1")
        root = first("Root").strip("/")
        prefix = root + "/" if root else ""
        files = []
        for directory in sorted(repo.directories()):
            rest = directory[len(prefix):]
            if directory.startswith(prefix) and (recursive or "/" not in rest):
                files.append({"Name": directory.rsplit("/", 1)[-1], "Path": directory, "Type": "tree", "Size": 0,
                              "Sha256": "", "Revision": repo.commit})
        for file_path in sorted(repo.files):
            rest = file_path[len(prefix):]
            if not file_path.startswith(prefix) or (not recursive and "/" in rest):
                continue
            meta = repo.meta[file_path]
            files.append({"Name": file_path.rsplit("/", 1)[-1], "Path": file_path, "Type": "blob",
                          "Size": meta["size"], "Sha256": meta["sha256"], "Revision": repo.commit,
                          "IsLFS": meta["lfs"], "Mode": "33188", "InCheck": False,
                          "CommitMessage": "upload", "CommittedDate": 1700000000, "CommitterName": "fake"})
        return handler.send_json(200, envelope({"Files": files}))
    if tail == "repo":
        file_path = first("FilePath")
        if not known or file_path not in repo.files:
            return handler.send_json(404, envelope(None, 404, "file %s not found" % file_path))
        meta = repo.meta[file_path]
        threshold = int(handler.state.setting("ms_cdn_threshold", 1024 * 1024))
        if meta["size"] > threshold:
            return handler.send_plain(302, b"", {"Location": handler.cdn_url(meta["sha256"], file_path)})
        return handler.send_file(repo.files[file_path], {})
    return handler.send_json(404, envelope(None, 404, "not found: %s" % urllib.parse.quote(tail)))
