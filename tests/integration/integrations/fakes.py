"""Stand-ins on loopback that speak the documented contracts of the platforms Flowdeck calls.

- Slack incoming webhooks: `POST /services/T…/B…/<secret>` with JSON `{"text"}` → 200 `ok`;
  an unknown hook → 404 `no_service`; a revoked one → 403 `invalid_token`; no text → 400
  `no_text`; over the rate limit → 429 `rate_limited` with `Retry-After`.
- A Slack-compatible incoming webhook that is not Slack (Rocket.Chat): `POST /hooks/<id>/<token>`
  → 200 `{"success": true}` (JSON, where Slack says `ok`).
- Telegram Bot API: `/bot<token>/getMe` → `{"ok": true, "result": {...}}`; a wrong token →
  401 `{"ok": false, "error_code": 401, "description": "Unauthorized"}`.
- GitHub REST: `GET /user` with `Authorization: Bearer <token>` → the user; otherwise 401
  `{"message": "Bad credentials"}`; `GET /repos/<owner>/<name>` → 200 or 404 `Not Found`.
- n8n webhooks: `/webhook/<id>` → 200 `{"message": "Workflow was started"}`; an unregistered
  id → 404 with n8n's message; `/webhook-test/<id>` only while "listening".
- `/api/…`: answers with what it received, auth header value included (like httpbin);
  401 unless `X-API-Key` is right.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

SLACK_HOOK = "/services/T0001/B0001/Xk9fLq2ZsQw8RtYv3NmPa7Hc"
SLACK_REVOKED = "/services/T0001/B0002/RevokedRevokedRevoked01"
ROCKETCHAT_HOOK = "/hooks/6a1f0c3e9b7d2a4c/Qm8rT2vXk4LpZs9wNd3Hy6Fb"
TELEGRAM_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
GITHUB_TOKEN = "ghp_16C7e42F292c6912E7710c838347Ae178B4a"
GITHUB_REPO = "octo-org/site"
N8N_HOOK = "/webhook/4f1b7c2e-9a0d-4e55-b1c3-7d2f9e8a6b10"
API_KEY = "sk-live-4b8e1d9c7a2f6e3b5d0c"
SMTP_USER, SMTP_PASSWORD = "mailer@example.com", "smtp-Pa55word-9f3k2"


@dataclass
class Platforms:
    """What the stand-in received, and switches that change its answers."""

    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    slack_rate_limited: bool = False
    n8n_test_listening: bool = False

    def paths(self) -> list[str]:
        return [r["path"] for r in self.requests]


def _slack(state: Platforms, path: str, body: bytes) -> tuple[int, str, bytes]:
    if state.slack_rate_limited:
        return 429, "text/plain", b"rate_limited"
    if path == SLACK_REVOKED:
        return 403, "text/plain", b"invalid_token"
    if path != SLACK_HOOK:
        return 404, "text/plain", b"no_service"
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return 400, "text/plain", b"invalid_payload"
    if not payload.get("text") and not payload.get("blocks"):
        return 400, "text/plain", b"no_text"
    return 200, "text/html", b"ok"


def _telegram(path: str) -> tuple[int, dict[str, Any]]:
    token, _, method = path.removeprefix("/bot").partition("/")
    if token != TELEGRAM_TOKEN:
        return 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
    if method == "getMe":
        bot = {"id": 123456789, "is_bot": True, "first_name": "Flowdeck", "username": "fd_bot"}
        return 200, {"ok": True, "result": bot}
    return 404, {"ok": False, "error_code": 404, "description": "Not Found"}


def _github(path: str, headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    if headers.get("authorization") != f"Bearer {GITHUB_TOKEN}":
        return 401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com"}
    if path == "/user":
        return 200, {"login": "octocat", "id": 1, "type": "User"}
    if path == f"/repos/{GITHUB_REPO}":
        return 200, {"full_name": GITHUB_REPO, "private": True}
    return 404, {"message": "Not Found", "documentation_url": "https://docs.github.com"}


def _n8n(state: Platforms, method: str, path: str) -> tuple[int, dict[str, Any]]:
    hook_id = path.rsplit("/", 1)[-1]
    if path == N8N_HOOK or (
        state.n8n_test_listening and path == N8N_HOOK.replace("/webhook/", "/webhook-test/")
    ):
        return 200, {"message": "Workflow was started"}
    return 404, {
        "code": 404,
        "message": f'The requested webhook "{method} {hook_id}" is not registered.',
        "hint": "Click the 'Execute workflow' button on the canvas, then try again.",
    }


def _handler(state: Platforms) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            path = self.path.split("?", 1)[0]
            state.requests.append(
                {"method": self.command, "path": path, "headers": headers, "body": body.decode()}
            )
            extra: dict[str, str] = {}
            if path.startswith("/services/"):
                status, ctype, data = _slack(state, path, body)
                if status == 429:
                    extra["Retry-After"] = "30"
            else:
                if path.startswith("/bot"):
                    status, payload = _telegram(path)
                elif path.startswith(("/user", "/repos/")):
                    status, payload = _github(path, headers)
                elif path == ROCKETCHAT_HOOK and self.command == "POST":
                    status, payload = 200, {"success": True}
                elif path.startswith(("/webhook/", "/webhook-test/")):
                    status, payload = _n8n(state, self.command, path)
                elif path.startswith("/api/"):
                    ok = headers.get("x-api-key") == API_KEY
                    status = 200 if ok else 401
                    payload = {
                        "path": self.path,
                        "body": body.decode(),
                        "headers": headers,
                        "auth": headers.get("x-api-key") or headers.get("authorization"),
                    }
                else:
                    status, payload = 404, {"error": "not found"}
                ctype, data = "application/json", json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", ctype)
            self.send_header("content-length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_HEAD = _answer

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve_platforms(host: str = "127.0.0.1") -> Iterator[Platforms]:
    """All stand-ins on one loopback server (paths do not clash)."""
    state = Platforms()
    server = ThreadingHTTPServer((host, 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    state.base_url = f"http://{host}:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
