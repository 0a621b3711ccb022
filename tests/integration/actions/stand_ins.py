"""Loopback stand-ins for the content actions (Slack and Telegram come from the alerts suite's
`counterparts`, which speak those contracts already).

- A website with a stats API: `GET /articles/<slug>` → an HTML page; `GET /api/stats` → JSON
  `{"data": {"visitors": …, "ranking": …, "engagement": {"rate": "…"}}}` (values settable);
  `GET /status/<code>` answers that code.
- n8n webhooks: `POST /webhook/<id>` → 200 `{"message": "Workflow was started"}` for the
  registered id; any other id → 404 with n8n's "is not registered" message.
- A CMS endpoint behind an API key: `POST /cms/articles` → 201 `{"received": true}` with the
  right `X-API-Key`, 401 otherwise; `POST /cms/down` → 503.
- A git remote over smart HTTP: `git http-backend` (the CGI git ships) behind a small server
  that demands `Authorization: Basic base64(x-access-token:<token>)`, as GitHub does for
  tokens, and records every Authorization header and path it saw.
"""

from __future__ import annotations

import base64
import json
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

N8N_HOOK = "/webhook/7d0c1e55-3b9a-4f3e-9c61-2a8f4b6d9e01"
CMS_KEY = "cms-key-Zq7Vw3Lp9Xr2Tn5K"
GIT_TOKEN = "ghp_ActionsPushToken0123456789abcdefABCD"
GIT_REPO = "octo-org/site"


@dataclass
class Site:
    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    stats: dict[str, Any] = field(
        default_factory=lambda: {"visitors": 1234, "ranking": 3, "engagement": {"rate": "0.42"}}
    )

    def to(self, prefix: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].startswith(prefix)]


def _site_answer(state: Site, method: str, path: str, headers: dict[str, str]) -> tuple:
    if method == "GET" and path.startswith("/articles/"):
        page = f"<html><body><h1>{path.rsplit('/', 1)[-1]}</h1>{'x' * 2000}</body></html>"
        return 200, "text/html", page.encode()
    if method == "GET" and path == "/api/stats":
        return 200, "application/json", json.dumps({"data": state.stats}).encode()
    if path.startswith("/status/"):
        return int(path.rsplit("/", 1)[-1]), "application/json", b"{}"
    if method == "POST" and path.startswith("/webhook/"):
        if path == N8N_HOOK:
            return 200, "application/json", b'{"message": "Workflow was started"}'
        hook = path.rsplit("/", 1)[-1]
        body = {"code": 404, "message": f'The requested webhook "POST {hook}" is not registered.'}
        return 404, "application/json", json.dumps(body).encode()
    if method == "POST" and path == "/cms/articles":
        if headers.get("x-api-key") != CMS_KEY:
            return 401, "application/json", b'{"error": "bad api key"}'
        return 201, "application/json", b'{"received": true}'
    if method == "POST" and path == "/cms/down":
        return 503, "application/json", b'{"error": "maintenance"}'
    return 404, "application/json", b'{"error": "not found"}'


@contextmanager
def serve_site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            path = self.path.split("?", 1)[0]
            state.requests.append(
                {"method": self.command, "path": path, "headers": headers, "body": body}
            )
            status, ctype, data = _site_answer(state, self.command, path, headers)
            self.send_response(status)
            self.send_header("content-type", ctype)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    with _serving(Handler) as base_url:
        state.base_url = base_url
        yield state


@dataclass
class GitRemote:
    """A bare repository served over smart HTTP, and what the server saw."""

    root: Path
    token: str = GIT_TOKEN
    base_url: str = ""
    authorizations: list[str | None] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    @property
    def bare(self) -> Path:
        return self.root / f"{GIT_REPO}.git"

    def expected(self) -> str:
        pair = base64.b64encode(f"x-access-token:{self.token}".encode()).decode()
        return f"Basic {pair}"

    def head(self, branch: str = "main") -> str:
        return subprocess.run(
            ["git", "--git-dir", str(self.bare), "rev-parse", f"refs/heads/{branch}"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip


def _cgi_response(raw: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    for separator in (b"\r\n\r\n", b"\n\n"):
        if separator in raw:
            head, _, body = raw.partition(separator)
            break
    else:
        return 500, [], raw
    status, headers = 200, []
    for line in head.decode().splitlines():
        name, _, value = line.partition(":")
        if name.lower() == "status":
            status = int(value.split()[0])
        elif name:
            headers.append((name, value.strip()))
    return status, headers, body


@contextmanager
def serve_git(root: Path) -> Iterator[GitRemote]:
    remote = GitRemote(root)
    subprocess.run(["git", "init", "--quiet", "--bare", str(remote.bare)], check=True)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _cgi(self) -> None:
            auth = self.headers.get("Authorization")
            remote.authorizations.append(auth)
            remote.paths.append(self.path)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            if auth != remote.expected():
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="GitHub"')
                self.send_header("content-length", "0")
                self.end_headers()
                return
            path, _, query = self.path.partition("?")
            env = {"GIT_PROJECT_ROOT": str(remote.root), "GIT_HTTP_EXPORT_ALL": "1",
                   "REMOTE_USER": "x-access-token", "REQUEST_METHOD": self.command,
                   "PATH_INFO": path, "QUERY_STRING": query, "CONTENT_LENGTH": str(len(body)),
                   "CONTENT_TYPE": self.headers.get("content-type", ""), "PATH": "/usr/bin:/bin",
                   "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(remote.root)}  # fmt: skip
            if encoding := self.headers.get("content-encoding"):
                env["HTTP_CONTENT_ENCODING"] = encoding
            if protocol := self.headers.get("git-protocol"):
                env["GIT_PROTOCOL"] = protocol
            raw = subprocess.run(
                ["git", "http-backend"], input=body, env=env, capture_output=True, check=False
            ).stdout
            status, headers, payload = _cgi_response(raw)
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("content-length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _cgi

        def log_message(self, *args: object) -> None:
            pass

    with _serving(Handler) as base_url:
        remote.base_url = base_url
        yield remote


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
