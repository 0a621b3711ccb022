"""Loopback stand-ins that speak the contracts alert channels talk to.

- Slack incoming webhooks (api.slack.com/messaging/webhooks): `POST /services/T…/B…/<secret>`
  with JSON `text` and/or `blocks` → 200 `ok`; unknown hook → 404 `no_service`; bad JSON →
  400 `invalid_payload`; neither text nor blocks → 400 `no_text`; malformed blocks → 400
  `invalid_blocks`; rate limit → 429 `rate_limited` with `Retry-After`.
- Telegram Bot API (core.telegram.org/bots/api#sendmessage): `POST /bot<token>/sendMessage`
  → `{"ok": true, "result": Message}`; wrong token → 401 `Unauthorized`; unknown chat → 400
  `Bad Request: chat not found`; bad HTML → 400 `Bad Request: can't parse entities`; rate
  limit → 429 with `parameters.retry_after`.
- A webhook receiver that checks `X-Flowdeck-Signature` with the secret it was given, as a
  user's receiver would (401 when it does not verify).
- `/api/fail`: a remote API that is down (500), for workflows that must fail.

Tests script answers in advance (`slack_answers`, …): each entry is used once, in order.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from app.core.signatures import verify_flowdeck

SLACK_HOOK = "/services/T0ALERTS/B0ALERTS/q8Zr4LwN2xVt7KmPs3HyJd5F"
TELEGRAM_TOKEN = "555000111:AAF-alerts_Test_Token_0123456789abcd"
CHAT_ID = "-1001234567890"
WEBHOOK_PATH = "/hooks/flowdeck-alerts-7Tq2"
WEBHOOK_SECRET = "whsec-alerts-Vd8kQ2mZr5xL0pNw"

Answer = tuple[int, dict[str, str], bytes]  # status, headers, body


@dataclass
class Counterparts:
    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    slack_answers: list[Answer] = field(default_factory=list)
    telegram_answers: list[Answer] = field(default_factory=list)
    webhook_answers: list[Answer] = field(default_factory=list)
    delay_s: float = 0.0
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def to(self, prefix: str) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["path"].startswith(prefix)]

    @property
    def slack(self) -> list[dict[str, Any]]:
        return self.to("/services/")

    @property
    def telegram(self) -> list[dict[str, Any]]:
        return self.to("/bot")

    @property
    def webhook(self) -> list[dict[str, Any]]:
        return self.to("/hooks/")


def _json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Answer:
    return (
        status,
        {"content-type": "application/json", **(headers or {})},
        json.dumps(payload).encode(),
    )


def _text(status: int, text: str, headers: dict[str, str] | None = None) -> Answer:
    return status, {"content-type": "text/html", **(headers or {})}, text.encode()


def slack_rate_limited(retry_after: int) -> Answer:
    return _text(429, "rate_limited", {"Retry-After": str(retry_after)})


def slack_error(status: int, body: str) -> Answer:
    return _text(status, body)


def slack_compatible_accepted() -> Answer:
    """What a Slack-compatible server (Rocket.Chat) answers where Slack says `ok`."""
    return _json(200, {"success": True})


def telegram_rate_limited(retry_after: int) -> Answer:
    return _json(
        429,
        {"ok": False, "error_code": 429,
         "description": f"Too Many Requests: retry after {retry_after}",
         "parameters": {"retry_after": retry_after}},
    )  # fmt: skip


def telegram_error(status: int, description: str) -> Answer:
    return _json(status, {"ok": False, "error_code": status, "description": description})


class _EntityCheck(HTMLParser):
    allowed = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in self.allowed:
            raise ValueError(f'unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            raise ValueError(f'unexpected end tag "{tag}"')

    def handle_data(self, data: str) -> None:
        self.text += data


def _slack(path: str, body: bytes) -> Answer:
    if path != SLACK_HOOK:
        return _text(404, "no_service")
    try:
        payload = json.loads(body or b"")
    except ValueError:
        return _text(400, "invalid_payload")
    if not payload.get("text") and not payload.get("blocks"):
        return _text(400, "no_text")
    for block in payload.get("blocks") or []:
        if block.get("type") not in ("header", "section", "context", "divider", "actions"):
            return _text(400, "invalid_blocks")
        if block["type"] == "header" and (
            block["text"]["type"] != "plain_text" or len(block["text"]["text"]) > 150
        ):
            return _text(400, "invalid_blocks")
    return _text(200, "ok")


def _telegram(state: Counterparts, path: str, body: bytes) -> Answer:
    token, _, method = path.removeprefix("/bot").partition("/")
    if token != TELEGRAM_TOKEN:
        return telegram_error(401, "Unauthorized")
    if method != "sendMessage":
        return telegram_error(404, "Not Found")
    payload = json.loads(body or b"{}")
    if str(payload.get("chat_id")) != CHAT_ID:
        return telegram_error(400, "Bad Request: chat not found")
    text = payload.get("text") or ""
    if not text.strip():
        return telegram_error(400, "Bad Request: message text is empty")
    if payload.get("parse_mode") == "HTML":
        check = _EntityCheck()
        try:
            check.feed(text)
            check.close()
            if check.stack:
                raise ValueError(f'unclosed tag "{check.stack[-1]}"')
        except ValueError as exc:
            return telegram_error(400, f"Bad Request: can't parse entities: {exc}")
        text = check.text
    message = {"message_id": len(state.telegram), "date": int(time.time()), "text": text,
               "chat": {"id": int(CHAT_ID), "type": "supergroup"}}  # fmt: skip
    return _json(200, {"ok": True, "result": message})


def _webhook(path: str, headers: dict[str, str], body: bytes) -> Answer:
    if path != WEBHOOK_PATH:
        return _json(404, {"error": f"nothing at {path}"})  # echoes the path, like many servers
    if not verify_flowdeck(WEBHOOK_SECRET, body, headers.get("x-flowdeck-signature"), time.time()):
        return _json(401, {"error": "bad signature"})
    return _json(200, {"received": True})


def _handler(state: Counterparts) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            path = self.path.split("?", 1)[0]
            with state.lock:
                state.requests.append({"path": path, "headers": headers, "body": body})
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                if state.delay_s and not path.startswith("/api/"):  # slow channels only
                    time.sleep(state.delay_s)
                status, extra, data = self._answer(path, headers, body)
            finally:
                with state.lock:
                    state.in_flight -= 1
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _answer(self, path: str, headers: dict[str, str], body: bytes) -> Answer:
            with state.lock:
                if path.startswith("/services/") and state.slack_answers:
                    return state.slack_answers.pop(0)
                if path.startswith("/bot") and state.telegram_answers:
                    return state.telegram_answers.pop(0)
                if path.startswith("/hooks/") and state.webhook_answers:
                    return state.webhook_answers.pop(0)
            if path.startswith("/services/"):
                return _slack(path, body)
            if path.startswith("/bot"):
                return _telegram(state, path, body)
            if path.startswith("/hooks/"):
                return _webhook(path, headers, body)
            if path == "/api/fail":
                return _json(500, {"error": "upstream is down"})
            return _json(404, {"error": "not found"})

        do_GET = do_POST

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve_counterparts() -> Iterator[Counterparts]:
    state = Counterparts()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
