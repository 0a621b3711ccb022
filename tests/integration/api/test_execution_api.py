"""Running workflows and reading, cancelling and retrying executions over REST, with the real
engine, a real SQLite file and a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from app.engine.runner import Engine

BASE = "/api/workflow-orchestration"
TERMINAL = {"succeeded", "failed", "cancelled", "interrupted"}


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


async def workflow(api: httpx.AsyncClient, actions: list[dict], name: str = "wf") -> int:
    body = {"name": name, "trigger": {"type": "manual"}, "actions": actions}
    response = await api.post(f"{BASE}/workflows", json=body)
    assert response.status_code == 201, response.text
    return response.json()["id"]


def transform(**values: Any) -> list[dict[str, Any]]:
    return [{"id": "calc", "type": "transform", "config": {"values": values}}]


def delay(seconds: float) -> list[dict[str, Any]]:
    return [
        {"id": "wait", "type": "delay", "config": {"seconds": seconds}},
        {"id": "after", "type": "transform", "config": {"values": {"done": True}}},
    ]


async def poll(api: httpx.AsyncClient, execution_id: int, until: set[str]) -> dict[str, Any]:
    """GET the execution until its status is in `until` (at most 10 s)."""
    async with asyncio.timeout(10):
        while True:
            response = await api.get(f"{BASE}/executions/{execution_id}")
            assert response.status_code == 200, response.text
            if response.json()["status"] in until:
                return response.json()
            await asyncio.sleep(0.02)


async def test_execute_answers_202_then_the_run_finishes(api: httpx.AsyncClient) -> None:
    wf = await workflow(api, transform(doubled="{{ trigger.n * 2 }}"))
    started = await api.post(f"{BASE}/workflows/{wf}/execute", json={"payload": {"n": 21}})
    assert started.status_code == 202, started.text
    body = started.json()
    assert body["workflow_id"] == wf and body["trigger_type"] == "manual"
    assert body["status"] in {"queued", "running", "succeeded"}
    done = await poll(api, body["id"], TERMINAL)
    assert done["status"] == "succeeded" and done["steps"][0]["output"] == {"doubled": 42}
    assert done["trigger_payload"] == {"n": 21}

    bare = await api.post(f"{BASE}/workflows/{wf}/execute")  # no body at all
    assert bare.status_code == 202
    assert (await poll(api, bare.json()["id"], TERMINAL))["status"] == "failed"


async def test_execute_with_wait_returns_the_finished_run(
    api: httpx.AsyncClient, http_server
) -> None:
    url, script = http_server
    script.answers = [(503, {"error": "busy"}), (201, {"id": 99})]
    wf = await workflow(
        api,
        [
            {
                "id": "post",
                "name": "Create item",
                "type": "api_call",
                "config": {
                    "method": "POST",
                    "url": f"{url}/items",
                    "json": {"sku": "{{ trigger.sku }}"},
                },
                "retry": {"strategy": "immediate", "max_attempts": 2},
            },
            {
                "id": "note",
                "type": "transform",
                "config": {"values": {"created": "{{ steps.post.output.body.id }}"}},
            },
        ],
    )
    response = await api.post(
        f"{BASE}/workflows/{wf}/execute",
        params={"wait": "true", "timeout": 10},
        json={"triggerType": "manual", "payload": {"sku": "A-1"}},
    )
    assert response.status_code == 200, response.text
    run = response.json()
    assert run["status"] == "succeeded" and run["error"] is None
    assert run["started_at"] and run["finished_at"] and run["duration_ms"] > 0
    assert run["steps_completed"] == run["steps_total"] == 2
    post, note = run["steps"]
    assert (post["action_id"], post["name"], post["type"]) == ("post", "Create item", "api_call")
    assert post["status"] == "succeeded" and post["output"]["status"] == 201
    assert post["output"]["body"] == {"id": 99} and post["input"]["json"] == {"sku": "A-1"}
    assert [a["number"] for a in post["attempts"]] == [1, 2]
    assert post["attempts"][0]["error"] and post["attempts"][1]["error"] is None
    assert set(post["attempts"][0]) >= {"number", "started_at", "duration_ms", "error"}
    assert note["output"] == {"created": 99}
    assert [json.loads(r["body"]) for r in script.requests] == [{"sku": "A-1"}] * 2


async def test_wait_times_out_with_202_and_bad_input_is_refused(api: httpx.AsyncClient) -> None:
    wf = await workflow(api, delay(5))
    path = f"{BASE}/workflows/{wf}/execute"
    slow = await api.post(path, params={"wait": "true", "timeout": 0.1})
    assert slow.status_code == 202 and slow.json()["status"] == "running"
    await api.post(f"{BASE}/executions/{slow.json()['id']}/cancel")

    for timeout in (0, 301):
        bad = await api.post(path, params={"wait": "true", "timeout": timeout})
        assert error_of(bad, 422, "validation_failed")["details"][0]["path"] == "timeout"
    kind = await api.post(path, json={"triggerType": "telepathy"})
    assert error_of(kind, 422, "validation_failed")["details"][0]["path"] == "triggerType"
    payload = await api.post(path, json={"payload": [1, 2]})
    assert error_of(payload, 422, "validation_failed")["details"][0]["path"] == "payload"
    error_of(await api.post(f"{BASE}/workflows/987654/execute"), 404, "not_found")


async def test_execute_paused_workflow_is_409(api: httpx.AsyncClient) -> None:
    wf = await workflow(api, transform(x=1))
    await api.put(f"{BASE}/workflows/{wf}", json={"isActive": False})
    error_of(await api.post(f"{BASE}/workflows/{wf}/execute"), 409, "conflict")


async def test_list_filters_and_cursor_pages(api: httpx.AsyncClient, engine: Engine) -> None:
    first = await workflow(api, transform(n="{{ trigger.n }}"), name="first")
    other = await workflow(api, transform(x=1), name="other")
    for payload in ({"n": 1}, {"n": 2}, {}, {"n": 4}, {"n": 5}):  # {} fails
        response = await api.post(f"{BASE}/workflows/{first}/execute", json={"payload": payload})
        assert response.status_code == 202
    for _ in range(2):
        assert (await api.post(f"{BASE}/workflows/{other}/execute")).status_code == 202
    await engine.drain()

    seen: list[int] = []
    pages = 0
    params: dict[str, Any] = {"workflow_id": first, "limit": 2}
    while True:
        page = (await api.get(f"{BASE}/executions", params=params)).json()
        pages += 1
        seen += [e["id"] for e in page["items"]]
        assert all(e["workflow_id"] == first for e in page["items"])
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]
    assert pages == 3 and len(seen) == 5 and len(set(seen)) == 5
    assert seen == sorted(seen, reverse=True)

    everything = (await api.get(f"{BASE}/executions", params={"limit": 200})).json()
    assert len(everything["items"]) == 7 and everything["next_cursor"] is None
    failed = (await api.get(f"{BASE}/executions", params={"status": "failed"})).json()["items"]
    assert [e["workflow_id"] for e in failed] == [first] and failed[0]["error"]
    manual = await api.get(f"{BASE}/executions", params={"trigger_type": "manual"})
    assert len(manual.json()["items"]) == 7

    now = datetime.now(UTC)
    hour = timedelta(hours=1)

    async def count(**params: str) -> int:
        response = await api.get(f"{BASE}/executions", params=params)
        assert response.status_code == 200, response.text
        return len(response.json()["items"])

    assert await count(since=(now - hour).isoformat()) == 7
    assert await count(since=(now + hour).isoformat()) == 0
    assert await count(until=(now - hour).isoformat()) == 0
    east = timezone(timedelta(hours=2))  # an explicit offset is honoured
    assert await count(until=(now + hour).astimezone(east).isoformat()) == 7
    assert await count(until=(now - hour).astimezone(east).isoformat()) == 0
    naive = (now - hour).replace(tzinfo=None).isoformat()  # no zone: taken as UTC
    assert await count(since=naive) == 7
    assert await count(since=(now + hour).replace(tzinfo=None).isoformat()) == 0

    bad_cursor = await api.get(f"{BASE}/executions", params={"cursor": "not-a-cursor"})
    assert "cursor" in error_of(bad_cursor, 400, "invalid_input")["message"]
    bad_status = await api.get(f"{BASE}/executions", params={"status": "exploded"})
    assert error_of(bad_status, 422, "validation_failed")["details"][0]["path"] == "status"
    bad_time = await api.get(f"{BASE}/executions", params={"since": "yesterday"})
    assert error_of(bad_time, 422, "validation_failed")["details"][0]["path"] == "since"


async def test_cancel_a_running_delay(api: httpx.AsyncClient) -> None:
    wf = await workflow(api, delay(30))
    started = (await api.post(f"{BASE}/workflows/{wf}/execute")).json()
    await poll(api, started["id"], {"running"})
    response = await api.post(f"{BASE}/executions/{started['id']}/cancel")
    assert response.status_code == 200, response.text
    cancelled = response.json()
    assert cancelled["status"] == "cancelled" and cancelled["finished_at"]
    assert [s["status"] for s in cancelled["steps"]] == ["cancelled", "cancelled"]
    again = await api.post(f"{BASE}/executions/{started['id']}/cancel")
    assert "cancelled" in error_of(again, 409, "conflict")["message"]
    # A cancelled run may be retried: its cancelled steps run again.
    retried = await api.post(f"{BASE}/executions/{started['id']}/retry")
    assert retried.status_code == 202, retried.text
    assert retried.json()["retry_of"] == started["id"]
    await api.post(f"{BASE}/executions/{retried.json()['id']}/cancel")


async def test_a_running_run_cannot_be_retried(api: httpx.AsyncClient) -> None:
    wf = await workflow(api, delay(30))
    started = (await api.post(f"{BASE}/workflows/{wf}/execute")).json()
    await poll(api, started["id"], {"running"})
    refused = await api.post(f"{BASE}/executions/{started['id']}/retry")
    assert "running" in error_of(refused, 409, "conflict")["message"]
    await api.post(f"{BASE}/executions/{started['id']}/cancel")


async def test_retry_a_failed_run_from_its_failed_step(api: httpx.AsyncClient, http_server) -> None:
    url, script = http_server
    script.answers = [(500, {"error": "down"})]
    wf = await workflow(
        api,
        [
            {"id": "make", "type": "transform", "config": {"values": {"item": "abc"}}},
            {
                "id": "send",
                "type": "api_call",
                "config": {
                    "method": "POST",
                    "url": f"{url}/send",
                    "json": {"i": "{{ steps.make.output.item }}"},
                },
            },
        ],
    )
    path = f"{BASE}/workflows/{wf}/execute?wait=true"
    failed = (await api.post(path)).json()
    assert failed["status"] == "failed" and failed["failed_step"] == "send"

    response = await api.post(f"{BASE}/executions/{failed['id']}/retry")
    assert response.status_code == 202, response.text
    retry = response.json()
    assert retry["retry_of"] == failed["id"] and retry["id"] != failed["id"]
    assert retry["workflow_id"] == wf
    done = await poll(api, retry["id"], TERMINAL)
    assert done["status"] == "succeeded" and done["retry_of"] == failed["id"]
    make = done["steps"][0]
    assert make["input"] == {"reused_from_execution": failed["id"]}
    assert [json.loads(r["body"]) for r in script.requests] == [{"i": "abc"}] * 2
    listed = (await api.get(f"{BASE}/executions", params={"workflow_id": wf})).json()["items"]
    reused = {item["id"]: item["steps_reused"] for item in listed}
    assert reused == {done["id"]: 1, failed["id"]: 0}  # the list marks the step taken over

    again = await api.post(f"{BASE}/executions/{done['id']}/retry")
    assert "succeeded" in error_of(again, 409, "conflict")["message"]


@pytest.mark.parametrize(
    ("method", "suffix"), [("GET", ""), ("POST", "/cancel"), ("POST", "/retry")]
)
async def test_unknown_execution_is_404(api: httpx.AsyncClient, method: str, suffix: str) -> None:
    response = await api.request(method, f"{BASE}/executions/555555{suffix}")
    assert "555555" in error_of(response, 404, "not_found")["message"]
