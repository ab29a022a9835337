"""A stand-in for the Hugging Face Hub's API on 127.0.0.1: just what huggingface_hub 2.4's
`HfApi.create_repo`, `create_branch` and `upload_folder` call, with the files kept in memory.

- `POST /api/repos/create`: a new repo (409 if it exists, which `exist_ok` accepts; 403 under
  an owner in `forbidden_owners`);
- `POST /api/validate-yaml`: the card's front matter must parse as a YAML mapping (400 else);
- `POST /api/models/{repo}/branch/{branch}`: a branch from main (409 if it exists);
- `POST /api/models/{repo}/preupload/{revision}`: every file `regular`, so the commit carries
  the bytes itself (no LFS or xet storage to stand in for);
- `POST /api/models/{repo}/commit/{revision}`: the NDJSON commit; base64 files are stored.

Any other request is answered 404 and kept in `unexpected`, so a test sees a call it did not
plan for. Every request is logged in `requests` (method, path, Authorization header).
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import unquote, urlsplit

import yaml


@dataclass
class Repo:
    private: bool
    branches: dict[str, dict[str, bytes]] = field(default_factory=lambda: {"main": {}})
    commits: list[dict[str, Any]] = field(default_factory=list)


class HubStandin:
    """`with HubStandin() as hub:` serves on `hub.url` until the block ends."""

    def __init__(self, forbidden_owners: tuple[str, ...] = ()) -> None:
        self.forbidden_owners = forbidden_owners  # the token may not create repos there
        self.repos: dict[str, Repo] = {}
        self.requests: list[tuple[str, str, str | None]] = []
        self.unexpected: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HubStandin:
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def files(self, repo_id: str, branch: str = "main") -> dict[str, bytes]:
        return self.repos[repo_id].branches[branch]

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, Any]:
        parts = [unquote(p) for p in path.strip("/").split("/")]
        if method != "POST":
            return self._unexpected(method, path)
        if parts == ["api", "repos", "create"]:
            return self._create(json.loads(body))
        if parts == ["api", "validate-yaml"]:
            return self._validate(json.loads(body)["content"])
        if len(parts) == 6 and parts[:2] == ["api", "models"]:
            repo_id, action, revision = f"{parts[2]}/{parts[3]}", parts[4], parts[5]
            repo = self.repos.get(repo_id)
            if repo is None:
                return 404, {"error": f"Repository not found: {repo_id}"}
            if action == "branch":
                if revision in repo.branches:
                    return 409, {"error": f"Branch {revision} already exists"}
                repo.branches[revision] = dict(repo.branches["main"])
                return 200, {}
            if revision not in repo.branches:
                return 404, {"error": f"Revision not found: {revision}"}
            if action == "preupload":
                files = json.loads(body)["files"]
                return 200, {
                    "files": [
                        {"path": f["path"], "uploadMode": "regular", "shouldIgnore": False}
                        for f in files
                    ]
                }
            if action == "commit":
                return self._commit(repo_id, repo, revision, body)
        return self._unexpected(method, path)

    def _unexpected(self, method: str, path: str) -> tuple[int, Any]:
        self.unexpected.append((method, path))
        return 404, {"error": f"the stand-in does not serve {method} {path}"}

    def _create(self, payload: dict[str, Any]) -> tuple[int, Any]:
        repo_id = f"{payload['organization']}/{payload['name']}"
        if payload.get("type") not in (None, "model"):
            return 400, {"error": "the stand-in holds model repos only"}
        if payload["organization"] in self.forbidden_owners:
            return 403, {"error": f"You don't have the rights to create a model under {repo_id}"}
        if repo_id in self.repos:
            return 409, {
                "error": "You already created this model repo",
                "url": f"{self.url}/{repo_id}",
            }
        self.repos[repo_id] = Repo(private=payload.get("visibility") == "private")
        return 200, {"url": f"{self.url}/{repo_id}"}

    def _validate(self, content: str) -> tuple[int, Any]:
        head, sep, _ = content.removeprefix("---\n").partition("\n---\n")
        try:
            ok = content.startswith("---\n") and sep and isinstance(yaml.safe_load(head), dict)
        except yaml.YAMLError:
            ok = False
        if not ok:
            return 400, {"errors": [{"message": "invalid YAML front matter"}], "warnings": []}
        return 200, {"errors": [], "warnings": []}

    def _commit(self, repo_id: str, repo: Repo, revision: str, body: bytes) -> tuple[int, Any]:
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        if not lines or lines[0]["key"] != "header":
            return 400, {"error": "a commit starts with its header"}
        files = repo.branches[revision]
        for item in lines[1:]:
            value = item["value"]
            if item["key"] == "file" and value.get("encoding") == "base64":
                files[value["path"]] = base64.b64decode(value["content"])
            elif item["key"] == "deletedFile":
                files.pop(value["path"], None)
            else:
                return 400, {"error": f"the stand-in takes no {item['key']} operation"}
        oid = hashlib.sha1(body).hexdigest()
        repo.commits.append({"oid": oid, "revision": revision, "header": lines[0]["value"]})
        return 200, {"commitUrl": f"{self.url}/{repo_id}/commit/{oid}", "commitOid": oid}


def _handler(hub: HubStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            # A request body this stand-in cannot read (chunked) fails the test loudly.
            assert "chunked" not in (self.headers.get("Transfer-Encoding") or "")
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urlsplit(self.path).path
            with hub.lock:
                hub.requests.append((self.command, path, self.headers.get("Authorization")))
                status, payload = hub.answer(self.command, path, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _serve

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
