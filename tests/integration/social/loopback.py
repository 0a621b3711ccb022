"""A loopback HTTP server for the platform stand-ins: it records every request and asks the
stand-in for the answer; answers queued with `then` go first (a 429, a 500), in order.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from app.integrations.credentials import ResolvedConnection
from app.integrations.platforms import parse_connection

Answer = tuple[int, dict[str, str], Any]


@dataclass(frozen=True)
class Seen:
    """One request as the stand-in received it (header names lower-case)."""

    method: str
    path: str
    headers: dict[str, str]
    raw: bytes
    query: str = ""  # the query string, without "?"

    def json(self) -> Any:
        return json.loads(self.raw or b"null")


@dataclass
class StandIn:
    """Base of a stand-in: `answer` speaks the contract, `then` queues scripted answers."""

    base_url: str = ""
    requests: list[Seen] = field(default_factory=list)
    queued: list[Answer] = field(default_factory=list)

    def then(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.queued.append((status, headers or {}, body))

    def queue(self, answer: Answer) -> None:
        """Queue a ready answer `(status, headers, body)`, such as a stand-in's `rate_limited`."""
        self.queued.append(answer)

    def to(self, path: str) -> list[Seen]:
        return [r for r in self.requests if r.path == path]

    def answer(self, seen: Seen) -> Answer:  # pragma: no cover - overridden
        return 404, {}, {"error": "not found"}


@contextmanager
def serving(stand_in: StandIn) -> Iterator[StandIn]:
    """Serve `stand_in` on 127.0.0.1 (a free port) while the block runs."""
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            path, _, query = self.path.partition("?")
            seen = Seen(self.command, path, headers, raw, query)
            with lock:
                stand_in.requests.append(seen)
                queued = stand_in.queued.pop(0) if stand_in.queued else None
            status, extra, body = queued or stand_in.answer(seen)
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stand_in.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def connection(body: dict[str, Any], conn_id: int = 1) -> ResolvedConnection:
    """A connection body checked as the connections API checks it, then used as an action does."""
    spec = parse_connection(body)
    return ResolvedConnection(
        conn_id, spec.name, spec.platform, spec.connection_type, spec.config, spec.credentials
    )
