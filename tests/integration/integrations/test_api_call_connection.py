"""`api_call` authenticating with a connection, run by the real engine on a SQLite file.

The credential must reach the remote service, and nowhere else: not the stored step input,
output, error or attempts, not the logs.
"""

from __future__ import annotations

import json
import logging

import pytest
import sqlalchemy as sa

from app.db.engine import get_engine, session_scope
from app.db.models import Connection
from app.engine.runner import Engine
from app.services import connections, executions, workflows
from app.services.actor import Actor
from tests.integration.integrations.fakes import API_KEY, GITHUB_TOKEN, Platforms


def _stored_text() -> str:
    """Every stored column of executions, steps and attempts, as text."""
    with get_engine().connect() as conn:
        found = []
        for table in ("execution", "execution_step", "step_attempt"):
            found += conn.execute(sa.text(f"SELECT * FROM {table}")).fetchall()
    return json.dumps([list(map(str, r)) for r in found])


async def _run(member: Actor, engine: Engine, actions: list[dict]) -> dict:
    wf = workflows.create_workflow(
        member, {"name": "wf", "trigger": {"type": "manual"}, "actions": actions}
    ).workflow["id"]
    started = await executions.execute_workflow(member, wf)
    await engine.drain()
    return executions.get_execution(member, started["id"])


def _service(member: Actor, platforms: Platforms) -> int:
    return connections.create_connection(
        member,
        {
            "name": "svc",
            "platform": "http",
            "connectionType": "api_key",
            "credentials": {"apiKey": API_KEY},
            "config": {"baseUrl": platforms.base_url + "/api/v1"},
        },
    )["id"]


async def test_the_credential_goes_to_the_service_and_nowhere_else(
    engine: Engine, member: Actor, platforms: Platforms, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cid = _service(member, platforms)
    result = await _run(
        member,
        engine,
        [
            {
                "id": "call",
                "type": "api_call",
                "config": {"connection": "svc", "method": "POST", "url": "/echo", "json": {"a": 1}},
            },
            {  # the next step gets the real output (masking is for storage only)
                "id": "next",
                "type": "transform",
                "condition": "steps.call.output.body.auth.startswith('sk-live-')",
                "config": {"values": {"seen": "yes"}},
            },
        ],
    )
    assert result["status"] == "succeeded", result
    call, nxt = result["steps"]
    assert platforms.requests[-1]["path"] == "/api/v1/echo"
    assert platforms.requests[-1]["headers"]["x-api-key"] == API_KEY
    assert call["input"]["connection"] == "svc" and call["input"]["url"] == "/echo"
    assert call["output"]["body"]["auth"] == "[redacted]"
    assert nxt["status"] == "succeeded"
    assert API_KEY not in json.dumps(result)
    assert API_KEY not in _stored_text()
    assert API_KEY not in caplog.text

    with session_scope() as session:
        row = session.get(Connection, cid)
        assert row is not None and row.usage_count == 1 and row.last_used_at is not None


async def test_connection_by_id_with_bearer_auth(
    engine: Engine, member: Actor, platforms: Platforms
) -> None:
    cid = connections.create_connection(
        member,
        {
            "name": "gh",
            "platform": "github",
            "credentials": {"token": GITHUB_TOKEN},
            "config": {"api_base": platforms.base_url},
        },
    )["id"]
    result = await _run(
        member,
        engine,
        [{"id": "me", "type": "api_call", "config": {"connection": cid, "url": "user"}}],
    )
    assert result["status"] == "succeeded"
    assert result["steps"][0]["output"]["body"]["login"] == "octocat"
    assert platforms.requests[-1]["headers"]["authorization"] == f"Bearer {GITHUB_TOKEN}"
    assert GITHUB_TOKEN not in _stored_text()
    assert connections.get_connection(member, cid)["usage_count"] == 1


async def test_unreadable_credentials_fail_the_step_and_send_nothing(
    engine: Engine, member: Actor, platforms: Platforms
) -> None:
    cid = _service(member, platforms)
    with session_scope() as session:
        row = session.get(Connection, cid)
        assert row is not None and row.credentials_enc
        row.credentials_enc = row.credentials_enc[:-8] + "AAAAAAAA"
        session.add(row)
    result = await _run(
        member,
        engine,
        [{"id": "call", "type": "api_call", "config": {"connection": "svc", "url": "/echo"}}],
    )
    assert result["status"] == "failed"
    assert "credentials of connection 'svc'" in result["steps"][0]["error"]
    assert "cannot be read" in result["steps"][0]["error"]
    assert platforms.requests == []


async def test_credentials_are_only_sent_under_the_connection_base_url(
    engine: Engine, member: Actor, platforms: Platforms
) -> None:
    _service(member, platforms)
    result = await _run(
        member,
        engine,
        [
            {
                "id": "call",
                "type": "api_call",
                "config": {"connection": "svc", "url": "http://127.0.0.1:9/steal"},
            }
        ],
    )
    assert result["status"] == "failed"
    assert "give a path relative to the connection's base URL" in result["steps"][0]["error"]
    assert platforms.requests == []


async def test_unknown_connection_and_blocked_address(engine: Engine, member: Actor) -> None:
    result = await _run(
        member,
        engine,
        [
            {"id": "a", "type": "api_call", "config": {"connection": "nope", "url": "/x"}},
        ],
    )
    assert result["steps"][0]["error"] == (
        "connection 'nope' does not exist: add an HTTP API connection named 'nope' under "
        "Connections (/x is called on its base URL)"
    )
    result = await _run(
        member,
        engine,
        [{"id": "b", "type": "api_call", "config": {"url": "http://169.254.169.254/latest"}}],
    )
    assert "169.254.169.254 blocked: a cloud metadata address" in result["steps"][0]["error"]
