"""Shared integration fixtures: the engine on a real SQLite file, a member, a loopback HTTP
server that plays a remote API, and a REST client that authenticates as the member."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from app.api import create_api
from app.core.statuses import Role
from app.engine import runtime
from app.engine.runner import Engine
from app.services import api_keys
from app.services.actor import SYSTEM, Actor
from app.services.users import create_user


@pytest.fixture
async def engine(db: Path) -> AsyncIterator[Engine]:
    eng = Engine(max_concurrent=8)
    runtime.install(eng)
    await eng.start()
    yield eng
    await eng.stop()
    runtime.install(None)


@pytest.fixture
def member(db: Path) -> Actor:
    user = create_user(
        SYSTEM, email="member@example.com", role="member", password="member-password"
    )
    return Actor(kind="user", user_id=user.id, email=user.email, role=Role.MEMBER)


@pytest.fixture
def member_key(member: Actor) -> str:
    """A REST API key of the `member` user."""
    key, _ = api_keys.create_api_key(SYSTEM, user_id=member.user_id or 0, name="tests")
    return key


@pytest.fixture
async def api(engine: Engine, member_key: str) -> AsyncIterator[httpx.AsyncClient]:
    """The mounted REST API, called as the member, with the engine running on this loop."""
    transport = httpx.ASGITransport(app=create_api())
    headers = {"Authorization": f"Bearer {member_key}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as client:
        yield client


class Script:
    """What the loopback server answers, in order; then 200 {"ok": true} forever."""

    def __init__(self) -> None:
        self.answers: list[tuple[int, dict]] = []
        self.requests: list[dict] = []
        self.delay_s = 0.0


@pytest.fixture
def http_server() -> Iterator[tuple[str, Script]]:
    script = Script()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            record = {
                "method": self.command,
                "path": self.path,
                "headers": dict(self.headers),
                "body": body.decode(),
                "received_at": time.monotonic(),
            }
            script.requests.append(record)
            if script.delay_s:
                threading.Event().wait(script.delay_s)
            record["answered_at"] = time.monotonic()  # when the answer starts going out
            status, payload = script.answers.pop(0) if script.answers else (200, {"ok": True})
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = _answer

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", script
    server.shutdown()
    server.server_close()
