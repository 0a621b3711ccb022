"""A loopback HTTP server playing the remote APIs of orchestration tests.

Each path answers from its script (`api.script("/login", Answer(...), ...)`), in order; once a
path's script is used up, or for a path without one, it echoes the request back as JSON
(`{"path", "query", "headers", "body"}`). Every request is recorded with when it arrived and
when its answer went out (`time.monotonic()`, just before the body is written). HTTP/1.1
keep-alive, as real APIs.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Answer:
    status: int = 200
    body: Any = None  # None: echo the request
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: str
    arrived: float
    answered: float = 0.0


class Api:
    def __init__(self) -> None:
        self.url = ""
        self.scripts: dict[str, list[Answer]] = {}
        self.requests: list[Seen] = []
        self.lock = threading.Lock()

    def script(self, path: str, *answers: Answer) -> None:
        with self.lock:
            self.scripts[path] = list(answers)

    def next_answer(self, path: str) -> Answer:
        with self.lock:
            answers = self.scripts.get(path)
            return answers.pop(0) if answers else Answer()

    def seen(self, path: str) -> list[Seen]:
        with self.lock:
            return [request for request in self.requests if request.path == path]


def _handler(api: Api) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body are two writes: no 40 ms ACK wait

        def _answer(self) -> None:
            arrived = time.monotonic()
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length).decode() if length else ""
            parts = urlsplit(self.path)
            seen = Seen(
                self.command, parts.path, parse_qs(parts.query), dict(self.headers), raw, arrived
            )
            with api.lock:
                api.requests.append(seen)
            answer = api.next_answer(parts.path)
            if answer.delay_s:
                time.sleep(answer.delay_s)
            payload = answer.body
            if payload is None:
                payload = {
                    "path": seen.path,
                    "query": {k: v[0] for k, v in seen.query.items()},
                    "headers": seen.headers,
                    "body": _json_or_text(raw),
                }
            data = json.dumps(payload).encode()
            self.send_response(answer.status)
            self.send_header("content-type", "application/json")
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            # Stamped before the body goes out: a client may read it and send its next request
            # before this thread runs again (then `answered` came after the next `arrived`).
            seen.answered = time.monotonic()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def _json_or_text(raw: str) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return raw


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 64

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up (a call cancelled or timed out) is part of the tests."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve() -> Iterator[Api]:
    api = Api()
    server = _Server(("127.0.0.1", 0), _handler(api))
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
