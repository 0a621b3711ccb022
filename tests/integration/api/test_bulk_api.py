"""Bulk operations over REST with the real engine and a real SQLite file: every item answered
(done, or failed with its reason), each audited as the single action is, viewers refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from app.api import create_api
from app.db.engine import session_scope
from app.db.models import Workflow
from app.engine.runner import Engine
from app.services import api_keys, audit_query, users
from app.services.actor import SYSTEM
from tests.integration.api.deployed import problems
from tests.integration.api.test_execution_api import (
    BASE,
    TERMINAL,
    delay,
    poll,
    transform,
    workflow,
)

BULK = f"{BASE}/workflows/bulk"
MISSING = 987654


@pytest.fixture
async def viewer(engine: Engine) -> AsyncIterator[httpx.AsyncClient]:
    user = users.create_user(SYSTEM, email="viewer@example.com", role="viewer", password="v" * 12)
    key, _ = api_keys.create_api_key(SYSTEM, user_id=user.id, name="viewer")
    transport = httpx.ASGITransport(app=create_api())
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers
    ) as client:
        yield client


def by_id(answer: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {item["id"]: item for item in answer["results"]}


def audited(action: str) -> list[str]:
    """target ids of the audit rows of `action`, oldest first."""
    items = audit_query.list_events(SYSTEM, limit=500)["items"]
    return sorted(e["target_id"] for e in items if e["action"] == action)


async def active(api: httpx.AsyncClient, workflow_id: int) -> bool:
    response = await api.get(f"{BASE}/workflows/{workflow_id}")
    assert response.status_code == 200, response.text
    return response.json()["is_active"]


async def test_pause_reports_each_item_and_audits_each_one(api: httpx.AsyncClient) -> None:
    a = await workflow(api, transform(n=1), "a")
    b = await workflow(api, transform(n=1), "b")
    c = await workflow(api, transform(n=1), "c")
    assert (await api.post(f"{BASE}/workflows/{c}/pause")).status_code == 200

    response = await api.post(BULK, json={"action": "pause", "ids": [a, b, c, MISSING, a]})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["action"] == "pause" and (answer["done"], answer["failed"]) == (2, 2)
    assert [item["id"] for item in answer["results"]] == [a, b, c, MISSING]  # each once
    items = by_id(answer)
    assert items[a] == {"id": a, "ok": True, "name": "a"}
    assert items[c]["ok"] is False and items[c]["code"] == "conflict"
    assert items[c]["error"] == "workflow 'c' is already paused"
    assert items[MISSING]["code"] == "not_found" and "does not exist" in items[MISSING]["error"]
    assert [await active(api, i) for i in (a, b, c)] == [False, False, False]
    # One audit row per workflow paused (c was paused one at a time, before the bulk).
    assert audited("workflow.paused") == sorted([str(a), str(b), str(c)])

    again = (await api.post(BULK, json={"action": "activate", "ids": [a, c]})).json()
    assert (again["done"], again["failed"]) == (2, 0)
    assert [await active(api, i) for i in (a, b, c)] == [True, False, True]
    twice = by_id((await api.post(BULK, json={"action": "activate", "ids": [a]})).json())
    assert twice[a]["error"] == "workflow 'a' is already active"


async def test_a_viewer_is_refused_and_nothing_changes(
    api: httpx.AsyncClient, viewer: httpx.AsyncClient
) -> None:
    a = await workflow(api, transform(n=1), "a")
    for body in ({"action": "pause", "ids": [a]}, {"action": "delete", "filter": {}}):
        response = await viewer.post(BULK, json=body)
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "forbidden"
    response = await viewer.post(f"{BASE}/executions/bulk", json={"action": "cancel", "ids": [1]})
    assert response.status_code == 403
    assert await active(api, a) is True
    assert audited("workflow.paused") == [] and audited("workflow.deleted") == []


async def test_filter_selects_every_workflow_the_list_would_show(api: httpx.AsyncClient) -> None:
    one = await workflow(api, transform(n=1), "alpha one")
    two = await workflow(api, transform(n=1), "Alpha two")
    other = await workflow(api, transform(n=1), "beta")
    listed = (await api.get(f"{BASE}/workflows", params={"search": "alpha"})).json()
    assert {w["id"] for w in listed["items"]} == {one, two}

    body = {"action": "pause", "filter": {"search": "alpha", "is_active": True}}
    answer = (await api.post(BULK, json=body)).json()
    assert sorted(item["id"] for item in answer["results"]) == sorted([one, two])
    assert [await active(api, i) for i in (one, two, other)] == [False, False, True]
    # Now nothing active matches: an empty selection is no error and does nothing.
    empty = (await api.post(BULK, json=body)).json()
    assert empty == {"action": "pause", "done": 0, "failed": 0, "results": []}

    gone = (await api.post(BULK, json={"action": "delete", "filter": {"is_active": False}})).json()
    assert sorted(item["id"] for item in gone["results"]) == sorted([one, two])
    assert (await api.get(f"{BASE}/workflows/{one}")).status_code == 404
    assert await active(api, other) is True
    assert audited("workflow.deleted") == sorted([str(one), str(two)])


async def test_run_starts_one_execution_per_workflow(api: httpx.AsyncClient) -> None:
    a = await workflow(api, transform(doubled="{{ trigger.n * 2 }}"), "doubler")
    b = await workflow(api, transform(doubled="{{ trigger.n * 3 }}"), "tripler")
    paused = await workflow(api, transform(n=1), "resting")
    assert (await api.post(f"{BASE}/workflows/{paused}/pause")).status_code == 200

    body = {"workflow_ids": [a, paused, b, MISSING], "trigger_data": {"n": 7}}
    response = await api.post("/api/workflows/bulk/execute", json=body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["action"] == "run" and (answer["done"], answer["failed"]) == (2, 2)
    items = by_id(answer)
    assert items[paused]["code"] == "conflict" and "paused" in items[paused]["error"]
    assert items[MISSING]["code"] == "not_found"
    outputs = []
    for workflow_id in (a, b):
        done = await poll(api, items[workflow_id]["execution_id"], TERMINAL)
        assert done["workflow_id"] == workflow_id and done["status"] == "succeeded"
        outputs.append(done["steps"][0]["output"]["doubled"])
    assert outputs == [14, 21]
    assert audited("workflow.run") == sorted([str(a), str(b)])

    # `ids` is another name of workflow_ids; the orchestration path runs the same way.
    again = await api.post("/api/workflows/bulk/execute", json={"ids": [a], "trigger_data": {}})
    assert again.json()["done"] == 1
    third = (await api.post(BULK, json={"action": "run", "ids": [b]})).json()
    assert by_id(third)[b]["execution_id"] > items[b]["execution_id"]


async def test_export_returns_one_bundle_each_document_importable(
    api: httpx.AsyncClient,
) -> None:
    a = await workflow(api, transform(n=1), "first")
    b = await workflow(api, delay(1), "second")
    answer = (await api.post(BULK, json={"action": "export", "ids": [b, MISSING, a]})).json()
    assert (answer["done"], answer["failed"]) == (2, 1)
    bundle = answer["export"]
    assert bundle["flowdeck_export_bundle"] == 1
    assert [d["name"] for d in bundle["workflows"]] == ["second", "first"]  # the order asked
    assert audited("workflow.exported") == sorted([str(a), str(b)])
    imported = await api.post(f"{BASE}/workflows/import", json=bundle["workflows"][0])
    assert imported.status_code == 201, imported.text
    assert imported.json()["name"] == "second"


async def test_cancel_and_retry_executions(api: httpx.AsyncClient) -> None:
    slow = await workflow(api, delay(30), "slow")
    failing = await workflow(api, transform(doubled="{{ trigger.n * 2 }}"), "needs n")
    running = (await api.post(f"{BASE}/workflows/{slow}/execute")).json()["id"]
    failed = (await api.post(f"{BASE}/workflows/{failing}/execute")).json()["id"]
    await poll(api, running, {"running"})
    assert (await poll(api, failed, TERMINAL))["status"] == "failed"

    url = f"{BASE}/executions/bulk"
    answer = (await api.post(url, json={"action": "cancel", "ids": [running, failed]})).json()
    items = by_id(answer)
    assert items[running] == {"id": running, "ok": True, "name": "slow"}
    assert items[failed]["code"] == "conflict" and "already failed" in items[failed]["error"]
    assert (await poll(api, running, TERMINAL))["status"] == "cancelled"
    assert audited("execution.cancelled") == [str(running)]

    answer = (await api.post(url, json={"action": "retry", "ids": [failed, MISSING]})).json()
    items = by_id(answer)
    assert items[MISSING]["code"] == "not_found"
    retry = items[failed]
    assert retry["ok"] is True and retry["created"] is True and retry["name"] == "needs n"
    again = await poll(api, retry["execution_id"], TERMINAL)
    assert again["retry_of"] == failed and again["trigger_payload"] == {}
    assert audited("execution.retried") == [str(failed)]
    succeeded = (await api.post(f"{BASE}/workflows/{slow}/execute")).json()["id"]
    await api.post(f"{BASE}/executions/{succeeded}/cancel")
    retried = by_id((await api.post(url, json={"action": "retry", "ids": [succeeded]})).json())
    assert retried[succeeded]["ok"] is True  # a cancelled run may be retried too


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"action": "archive", "ids": [1]}, "action"),
        ({"ids": [1]}, "action"),
        ({"action": "pause", "ids": []}, "ids"),
        ({"action": "pause", "ids": list(range(1, 502))}, "ids"),
        ({"action": "pause", "ids": ["1"]}, "ids[0]"),
        ({"action": "pause", "ids": [1, 2.5]}, "ids[1]"),
        ({"action": "pause", "ids": [True]}, "ids[0]"),
        ({"action": "pause", "ids": [0]}, "ids[0]"),
        ({"action": "pause", "filter": {"name": "x"}}, "filter.name"),
        ({"action": "pause", "filter": {"is_active": "yes"}}, "filter.is_active"),
        ({"action": "pause", "ids": [1], "limit": 5}, "limit"),
        ({"action": "pause"}, ""),
        ({"action": "pause", "ids": [1], "filter": {}}, ""),
    ],
)
async def test_bad_bodies_are_422s_naming_the_key(
    api: httpx.AsyncClient, body: dict[str, Any], path: str
) -> None:
    assert path in problems(await api.post(BULK, json=body))


async def test_bad_bodies_of_the_other_paths(api: httpx.AsyncClient) -> None:
    execute = "/api/workflows/bulk/execute"
    assert "" in problems(await api.post(execute, json={"trigger_data": {}}))
    assert "trigger_data" in problems(await api.post(execute, json={"ids": [1], "trigger_data": 3}))
    url = f"{BASE}/executions/bulk"
    assert "action" in problems(await api.post(url, json={"action": "pause", "ids": [1]}))
    assert "ids" in problems(await api.post(url, json={"action": "cancel"}))
    # A whole number written as 2.0 is a whole number (JSON Schema says so too).
    answer = (await api.post(url, json={"action": "cancel", "ids": [2.0]})).json()
    assert answer["results"][0]["id"] == 2 and answer["results"][0]["code"] == "not_found"


async def test_run_reads_an_article_slug_as_one_run_does(api: httpx.AsyncClient) -> None:
    flow = await workflow(api, transform(n=1), "reader")
    url = "/api/workflows/bulk/execute"
    unknown = await api.post(url, json={"ids": [flow], "trigger_data": {"articleId": "nope-1"}})
    assert unknown.status_code == 404, unknown.text  # refused before any run starts
    assert "'nope-1'" in unknown.json()["error"]["message"]
    made = await api.post(f"{BASE}/articles", json={"title": "Article 123", "body": "Draft"})
    assert made.status_code == 201, made.text
    body = {"ids": [flow], "trigger_data": {"articleId": "article-123"}}
    started = by_id((await api.post(url, json=body)).json())[flow]
    run = await poll(api, started["execution_id"], TERMINAL)
    assert run["trigger_payload"] == {"articleId": "article-123", "article_id": made.json()["id"]}


async def test_a_filter_matching_more_than_500_is_refused_before_anything_is_done(
    api: httpx.AsyncClient,
) -> None:
    actions = [{"id": "calc", "type": "transform", "config": {"values": {"n": 1}}}]
    with session_scope() as session:  # rows as a create stores them, without 501 creates
        session.add_all([Workflow(name=f"many {i:03}", actions=actions) for i in range(501)])
    response = await api.post(BULK, json={"action": "pause", "filter": {"search": "many"}})
    assert response.status_code == 409, response.text
    assert "501 workflows match the filter" in response.json()["error"]["message"]
    listed = (await api.get(f"{BASE}/workflows", params={"is_active": False})).json()
    assert listed["total"] == 0
    narrower = {"action": "pause", "filter": {"search": "many 1"}}
    answer = (await api.post(BULK, json=narrower)).json()
    assert (answer["done"], answer["failed"]) == (100, 0)
