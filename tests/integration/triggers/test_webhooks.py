"""POST /api/hooks/{hook_id} through the real mounted API, engine and SQLite file."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlmodel import select

from app.core.signatures import flowdeck_signature, github_signature
from app.db.engine import session_scope
from app.db.models import AuditEvent, Execution
from app.db.settings import get_settings
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor

GITHUB_SECRET = "It's a Secret to Everybody"  # GitHub's published test vector
GITHUB_BODY = b"Hello, World!"
GITHUB_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
FLOWDECK_SECRET = "flowdeck-test-secret-0123456789"
ACTIONS = [
    {"id": "greet", "type": "transform", "config": {"values": {"who": "{{ trigger.body.name }}"}}}
]


def _hook(
    member: Actor,
    signature: str = "none",
    secret: str | None = None,
    actions: list[dict] | None = None,
) -> tuple[int, str]:
    config: dict[str, Any] = {"signature": signature}
    if secret:
        config["secret"] = secret
    saved = workflows.create_workflow(
        member,
        {
            "name": "hook",
            "trigger": {"type": "webhook", "config": config},
            "actions": actions or ACTIONS,
        },
    )
    url = saved.workflow["webhook_url"]
    return saved.workflow["id"], url.removeprefix(get_settings().base_url)


def _executions(workflow_id: int) -> list[Execution]:
    with session_scope() as session:
        return list(session.exec(select(Execution).where(Execution.workflow_id == workflow_id)))


def _rejections() -> list[AuditEvent]:
    with session_scope() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == "webhook.rejected")))


def _envelope(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


async def test_accepted_delivery_queues_a_run_with_the_payload(
    client: httpx.AsyncClient, engine: Engine, member: Actor
) -> None:
    wf, path = _hook(member)
    assert path.startswith("/api/hooks/") and len(path) > len("/api/hooks/") + 20
    response = await client.post(
        path, json={"name": "Ada"}, headers={"User-Agent": "tests/1", "X-Secret-Thing": "no"}
    )
    assert response.status_code == 202
    body = response.json()
    assert body == {"execution_id": body["execution_id"], "status": "queued", "duplicate": False}
    await engine.drain()
    run = executions.get_execution(member, body["execution_id"])
    assert run["workflow_id"] == wf and run["trigger_type"] == "webhook"
    assert run["status"] == "succeeded" and run["steps"][0]["output"] == {"who": "Ada"}
    assert run["trigger_payload"] == {
        "body": {"name": "Ada"},
        "headers": {"content-type": "application/json", "user-agent": "tests/1"},
    }
    assert _rejections() == []  # accepted deliveries are not audited


async def test_non_json_body_is_kept_as_text(client: httpx.AsyncClient, member: Actor) -> None:
    _, path = _hook(member, actions=[{"id": "noop", "type": "transform", "config": {"values": {}}}])
    response = await client.post(
        path,
        content=b"a=1&b={{ 7*7 }}",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 202
    run = executions.get_execution(member, response.json()["execution_id"])
    assert run["trigger_payload"]["body"] == "a=1&b={{ 7*7 }}"


async def test_github_signature_with_githubs_test_vector(
    client: httpx.AsyncClient, member: Actor
) -> None:
    assert github_signature(GITHUB_SECRET, GITHUB_BODY) == GITHUB_SIGNATURE
    wf, path = _hook(
        member,
        "github",
        GITHUB_SECRET,
        actions=[{"id": "noop", "type": "transform", "config": {"values": {}}}],
    )
    response = await client.post(
        path,
        content=GITHUB_BODY,
        headers={
            "X-Hub-Signature-256": GITHUB_SIGNATURE,
            "X-GitHub-Event": "ping",
            "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        },
    )
    assert response.status_code == 202, response.text
    payload = _executions(wf)[0].trigger_payload
    assert payload["body"] == "Hello, World!"
    assert payload["headers"]["x-github-event"] == "ping"
    assert payload["headers"]["x-github-delivery"] == "72d3162e-cc78-11e3-81ab-4c9367dc0958"


@pytest.mark.parametrize("header", [None, "sha256=" + "0" * 64, GITHUB_SIGNATURE.upper()])
async def test_bad_github_signature_is_401_and_audited(
    client: httpx.AsyncClient, member: Actor, header: str | None
) -> None:
    wf, path = _hook(member, "github", GITHUB_SECRET)
    headers = {"X-Hub-Signature-256": header} if header else {}
    response = await client.post(path, content=GITHUB_BODY, headers=headers)
    _envelope(response, 401, "invalid_signature")
    assert _executions(wf) == []
    (event,) = _rejections()
    assert event.actor_type == "anonymous" and event.actor_id is None
    assert event.target_type == "workflow" and event.target_id == str(wf)
    assert event.details["scheme"] == "github"
    stored = json.dumps(event.details)
    assert GITHUB_SECRET not in stored and path.rsplit("/", 1)[1] not in stored
    assert (header or "sha256=") not in stored


# 302 rather than 301: the signed timestamp is whole seconds, so up to 1 s is lost to rounding.
@pytest.mark.parametrize(
    ("skew_s", "accepted"), [(0, True), (-290, True), (290, True), (-302, False), (302, False)]
)
async def test_flowdeck_signature_tolerance(
    client: httpx.AsyncClient, member: Actor, skew_s: int, accepted: bool
) -> None:
    wf, path = _hook(member, "flowdeck", FLOWDECK_SECRET)
    body = b'{"name": "Grace"}'
    signature = flowdeck_signature(FLOWDECK_SECRET, int(time.time()) + skew_s, body)
    response = await client.post(path, content=body, headers={"X-Flowdeck-Signature": signature})
    if accepted:
        assert response.status_code == 202, response.text
        assert len(_executions(wf)) == 1
    else:
        _envelope(response, 401, "invalid_signature")
        assert _executions(wf) == [] and len(_rejections()) == 1


async def test_flowdeck_signature_with_another_secret_is_refused(
    client: httpx.AsyncClient, member: Actor
) -> None:
    _, path = _hook(member, "flowdeck", FLOWDECK_SECRET)
    signature = flowdeck_signature("not-the-secret", int(time.time()), b"{}")
    response = await client.post(path, content=b"{}", headers={"X-Flowdeck-Signature": signature})
    _envelope(response, 401, "invalid_signature")


@pytest.mark.parametrize("header", ["Idempotency-Key", "X-GitHub-Delivery"])
async def test_replayed_delivery_gets_the_first_execution(
    client: httpx.AsyncClient, member: Actor, header: str
) -> None:
    wf, path = _hook(member)
    first = await client.post(path, json={"name": "a"}, headers={header: "delivery-1"})
    again = await client.post(path, json={"name": "a"}, headers={header: "delivery-1"})
    other = await client.post(path, json={"name": "a"}, headers={header: "delivery-2"})
    assert (first.status_code, again.status_code, other.status_code) == (202, 200, 202)
    assert again.json()["execution_id"] == first.json()["execution_id"]
    assert again.json()["duplicate"] is True
    assert other.json()["execution_id"] != first.json()["execution_id"]
    assert len(_executions(wf)) == 2


async def test_identical_deliveries_at_once_make_one_execution(
    client: httpx.AsyncClient, member: Actor
) -> None:
    wf, path = _hook(member, "github", GITHUB_SECRET)
    headers = {"X-Hub-Signature-256": GITHUB_SIGNATURE, "X-GitHub-Delivery": "same-delivery"}
    responses = await asyncio.gather(
        *[client.post(path, content=GITHUB_BODY, headers=headers) for _ in range(2)]
    )
    assert sorted(r.status_code for r in responses) == [200, 202]
    assert len({r.json()["execution_id"] for r in responses}) == 1
    assert len(_executions(wf)) == 1


async def test_declared_oversized_body_is_413(client: httpx.AsyncClient, member: Actor) -> None:
    wf, path = _hook(member)
    limit = get_settings().webhook_max_body_bytes
    response = await client.post(path, content=b"x" * (limit + 1))
    _envelope(response, 413, "payload_too_large")
    assert _executions(wf) == []


async def test_streamed_oversized_body_is_413_before_it_is_all_read(
    client: httpx.AsyncClient, member: Actor
) -> None:
    wf, path = _hook(member)
    limit, chunk = get_settings().webhook_max_body_bytes, 64 * 1024
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        for _ in range(10 * limit // chunk):  # a 10 MiB body, sent without a length
            pulled += 1
            yield b"y" * chunk

    response = await client.post(path, content=endless())
    _envelope(response, 413, "payload_too_large")
    assert pulled <= limit // chunk + 2  # stopped right after the limit, not at 10 MiB
    assert _executions(wf) == []


async def test_unknown_and_paused_hooks_are_404(client: httpx.AsyncClient, member: Actor) -> None:
    _envelope(await client.post("/api/hooks/no-such-hook", json={}), 404, "not_found")
    wf, path = _hook(member)
    workflows.set_active(member, wf, False)
    _envelope(await client.post(path, json={}), 404, "not_found")
    assert _executions(wf) == []
