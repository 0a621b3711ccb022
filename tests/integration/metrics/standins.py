"""Loopback stand-ins for the metric sources, speaking each API's documented contract.

One server plays Plausible (`POST /api/v2/query`), Umami (`GET /api/websites/{id}` and
`/stats`) and Google (`POST /token`, `GET /webmasters/v3/sites/{site}` and
`POST …/searchAnalytics/query`). Each checks the auth its API wants and answers that API's
error bodies; answers queued with `then` go first (a 429, a 500), in order.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

PLAUSIBLE_KEY = "plausible-key-0123456789abcdef"
PLAUSIBLE_SITE = "blog.example.com"
UMAMI_KEY = "umami-key-0123456789abcdef"
UMAMI_WEBSITE = "4fb7fa4c-5b46-438d-94b3-3a8fb9bc2e8b"
GOOGLE_REFRESH = "1//refresh-0123456789abcdef"
GOOGLE_CLIENT = ("client-123.apps.googleusercontent.com", "client-secret-0123456789")
GOOGLE_ACCESS = "ya29.fresh-access-0123456789"
SC_SITE = "https://blog.example.com/"
PLAUSIBLE_METRICS = {"visitors", "visits", "pageviews", "bounce_rate", "visit_duration"}
Answer = tuple[int, dict[str, str], Any]


@dataclass(frozen=True)
class Seen:
    method: str
    path: str  # as sent, percent-encoding kept
    query: dict[str, str]
    headers: dict[str, str]
    raw: bytes

    def json(self) -> Any:
        return json.loads(self.raw or b"null")


@dataclass
class Sources:
    """The three APIs; `umami_shape` is "v2" (`{"value", "prev"}`) or "v3" (flat numbers)."""

    base_url: str = ""
    requests: list[Seen] = field(default_factory=list)
    queued: list[Answer] = field(default_factory=list)
    umami_shape: str = "v2"
    sc_rows: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"keys": ["?"], "clicks": 12, "impressions": 340, "ctr": 0.0353, "position": 7.4}
        ]
    )

    def then(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.queued.append((status, headers or {}, body))

    def to(self, prefix: str) -> list[Seen]:
        return [r for r in self.requests if r.path.startswith(prefix)]

    def answer(self, seen: Seen) -> Answer:
        if seen.path == "/api/v2/query":
            return self._plausible(seen)
        if seen.path.startswith(f"/api/websites/{UMAMI_WEBSITE}"):
            return self._umami(seen)
        if seen.path == "/token":
            return self._token(seen)
        if seen.path.startswith("/webmasters/v3/sites/"):
            return self._search_console(seen)
        return 404, {}, {"error": "not found"}

    def _plausible(self, seen: Seen) -> Answer:
        if seen.headers.get("authorization") != f"Bearer {PLAUSIBLE_KEY}":
            return 401, {}, {"error": "Invalid API key or site ID."}
        body = seen.json()
        if body.get("site_id") != PLAUSIBLE_SITE:
            return 401, {}, {"error": "Invalid API key or site ID."}
        metrics = body.get("metrics") or []
        if not metrics or not set(metrics) <= PLAUSIBLE_METRICS or "date_range" not in body:
            return 400, {}, {"error": "#/metrics: Invalid metric"}
        table = {"visitors": 310, "pageviews": 455, "bounce_rate": 41, "visit_duration": 73}
        table["visits"] = 330
        row = [table[m] for m in metrics]
        return 200, {}, {"results": [{"metrics": row, "dimensions": []}], "query": body}

    def _umami(self, seen: Seen) -> Answer:
        key_ok = seen.headers.get("x-umami-api-key") == UMAMI_KEY
        if not key_ok and seen.headers.get("authorization") != f"Bearer {UMAMI_KEY}":
            return 401, {}, b"Unauthorized"
        if not seen.path.endswith("/stats"):
            return 200, {}, {"id": UMAMI_WEBSITE, "name": "Blog", "domain": PLAUSIBLE_SITE}
        if "startAt" not in seen.query or "endAt" not in seen.query:
            return 400, {}, {"error": {"message": "startAt: Required", "code": "bad-request"}}
        flat = {"pageviews": 90, "visitors": 40, "visits": 50, "bounces": 20, "totaltime": 3000}
        if self.umami_shape == "v3":
            return 200, {}, {**flat, "comparison": {k: 0 for k in flat}}
        return 200, {}, {k: {"value": v, "prev": 0} for k, v in flat.items()}

    def _token(self, seen: Seen) -> Answer:
        form = {k: v[0] for k, v in parse_qs(seen.raw.decode()).items()}
        good = (
            form.get("grant_type") == "refresh_token"
            and form.get("refresh_token") == GOOGLE_REFRESH
            and (form.get("client_id"), form.get("client_secret")) == GOOGLE_CLIENT
        )
        if not good:
            return 400, {}, {"error": "invalid_grant", "error_description": "Bad Request"}
        return 200, {}, {"access_token": GOOGLE_ACCESS, "expires_in": 3599, "token_type": "Bearer"}

    def _search_console(self, seen: Seen) -> Answer:
        if seen.headers.get("authorization") != f"Bearer {GOOGLE_ACCESS}":
            error = {"code": 401, "message": "Request had invalid authentication credentials.",
                     "status": "UNAUTHENTICATED"}  # fmt: skip
            return 401, {}, {"error": error}
        site = f"/webmasters/v3/sites/{quote(SC_SITE, safe='')}"
        if not seen.path.startswith(site):
            error = {"code": 403, "message": "User does not have sufficient permission for site.",
                     "status": "PERMISSION_DENIED"}  # fmt: skip
            return 403, {}, {"error": error}
        if seen.method == "GET":
            return 200, {}, {"siteUrl": SC_SITE, "permissionLevel": "siteOwner"}
        body = seen.json()
        page = body["dimensionFilterGroups"][0]["filters"][0]["expression"]
        rows = [{**row, "keys": [page]} for row in self.sc_rows]
        return 200, {}, ({"rows": rows, "responseAggregationType": "byPage"} if rows else {})


@contextmanager
def serving(sources: Sources) -> Iterator[Sources]:
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            seen = Seen(self.command, parts.path, query, headers, raw)
            with lock:
                sources.requests.append(seen)
                queued = sources.queued.pop(0) if sources.queued else None
            status, extra, body = queued or sources.answer(seen)
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    sources.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield sources
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
