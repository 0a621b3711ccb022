"""Schemathesis against the real API, in process (no network): every operation of the published
OpenAPI document, positive and negative cases, a bounded number of examples each.

Each operation gets a fresh, migrated SQLite file with a little data (a workflow, an article, a
connection, an alert) so that small ids reach real rows, an admin API key, and the engine
running on the event loop that serves the requests. The outbound allow list is emptied for the
run: no generated URL can reach anything, loopback included, and every call has a deadline.

Runs are derandomized (the same cases each time, so CI is stable); set FLOWDECK_FUZZ_EXAMPLES
to explore more (the default, 25 per operation, takes one to two minutes on two cores).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from starlette.types import Receive, Scope, Send

from app.api import create_api
from app.core.statuses import Role
from app.db.settings import get_settings
from app.engine import runtime
from app.engine.runner import Engine
from app.services import alerts, api_keys, articles, connections, users, workflows
from app.services.actor import SYSTEM, Actor

MAX_EXAMPLES = int(os.environ.get("FLOWDECK_FUZZ_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    unsupported_method,  # a method the path does not take: 405 with Allow
    allow_header_conformance,  # OPTIONS: Allow lists the documented methods
]


class _ApiWithEngine:
    """The REST API; the first request of a test starts an engine on the serving loop."""

    def __init__(self) -> None:
        self.api = create_api()
        self.engine: Engine | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.wanted = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and self.wanted and self.engine is None:
            self.loop = asyncio.get_running_loop()
            self.engine = Engine(max_concurrent=4)
            runtime.install(self.engine)
            await self.engine.start()
        await self.api(scope, receive, send)

    def stop_engine(self) -> None:
        self.wanted = False
        if self.engine is not None and self.loop is not None:
            asyncio.run_coroutine_threadsafe(self.engine.stop(), self.loop).result(timeout=30)
            runtime.install(None)
        self.engine = None


APP = _ApiWithEngine()
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP)


def _seed(admin: Actor) -> None:
    """One of each thing, so that id 1 exists for every kind."""
    flow = {
        "name": "seeded",
        "trigger": {"type": "manual"},
        "actions": [{"id": "calc", "type": "transform", "config": {"values": {"n": 1}}}],
    }
    workflows.create_workflow(admin, flow)
    articles.create_article(admin, title="Seeded article", body="text", status="ready")
    connection = {
        "name": "seeded hook",
        "platform": "http",
        "connection_type": "api_key",
        "credentials": {"api_key": "secret-token-1234"},
        "config": {"base_url": "https://example.invalid"},
    }
    connections.create_connection(admin, connection)
    alerts.create_alert(
        admin,
        {"alert_type": "in_app", "channel": "", "events": ["workflow_fail"], "severity": "error"},
    )


@pytest.fixture
def admin_key(db: Path) -> Iterator[str]:
    saved = os.environ.get("FLOWDECK_OUTBOUND_ALLOW")
    os.environ["FLOWDECK_OUTBOUND_ALLOW"] = ""  # nothing outbound, loopback included
    get_settings.cache_clear()
    user = users.create_user(SYSTEM, email="fuzz@example.com", role="admin", password="p" * 12)
    admin = Actor(kind="user", user_id=user.id, email=user.email, role=Role.ADMIN)
    _seed(admin)
    key, _ = api_keys.create_api_key(SYSTEM, user_id=user.id, name="fuzz")
    APP.wanted = True
    try:
        yield key
    finally:
        APP.stop_engine()
        if saved is None:
            os.environ.pop("FLOWDECK_OUTBOUND_ALLOW", None)
        else:
            os.environ["FLOWDECK_OUTBOUND_ALLOW"] = saved
        get_settings.cache_clear()


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: Any, admin_key: str) -> None:
    headers = {"Authorization": f"Bearer {admin_key}"}
    case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)
