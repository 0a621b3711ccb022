"""A loopback stand-in for the APIs the templates call (ticketing, CI, CRM, accounting, …).

Every request is recorded (method, path, query, lower-case headers, parsed JSON body). Answers
are looked up by `"METHOD /path"` (exact path first, then the longest matching prefix), each a
list used in order (the last one repeats); anything unlisted answers 200 `{"ok": true}`.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, Any]


@dataclass
class Remote:
    base_url: str = ""
    requests: list[dict[str, Any]] = field(default_factory=list)
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, route: str, *answers: Answer) -> None:
        """`route` like `"POST /tickets/issues"`; the answers in order, the last repeating."""
        self.answers[route] = list(answers)

    def to(self, method: str, path: str, *, under: bool = False) -> list[dict[str, Any]]:
        """The requests with this method to `path` (with `under`: to `path` or below it)."""
        with self.lock:
            return [
                r
                for r in self.requests
                if r["method"] == method
                and (r["path"].startswith(path) if under else r["path"] == path)
            ]

    def _pick(self, method: str, path: str) -> Answer:
        with self.lock:
            routes = [r for r in self.answers if r.split(" ", 1)[0] == method]
            exact = f"{method} {path}"
            prefixed = sorted(
                (r for r in routes if path.startswith(r.split(" ", 1)[1])), key=len, reverse=True
            )
            route = exact if exact in self.answers else (prefixed[0] if prefixed else None)
            if route is None:
                return 200, {"ok": True}
            queue = self.answers[route]
            return queue.pop(0) if len(queue) > 1 else queue[0]


def _handler(state: Remote) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            with state.lock:
                state.requests.append(
                    {
                        "method": self.command,
                        "path": parts.path,
                        "query": {k: v[-1] for k, v in parse_qs(parts.query).items()},
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "json": body,
                    }
                )
            status, payload = state._pick(self.command, parts.path)
            data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            self.send_response(status)
            kind = "text/html" if isinstance(payload, str) else "application/json"
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@contextmanager
def serve_remote() -> Iterator[Remote]:
    state = Remote()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
