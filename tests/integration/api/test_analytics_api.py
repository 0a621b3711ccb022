"""The analytics routes over REST with runs made by the real engine: answers, a custom
range, an unknown workflow (404), bounded `days` (422), a custom range that is not one (422),
a viewer may read, no key is a 401; the extended /stats carry percentiles and a 24 h series."""

from __future__ import annotations

import httpx

from app.api import create_api
from app.engine.runner import Engine
from app.services import api_keys, executions, workflows
from app.services.actor import SYSTEM, Actor
from app.services.users import create_user

WO = "/api/workflow-orchestration"


async def _failing_workflow(member: Actor, engine: Engine, url: str) -> int:
    data = {
        "name": "calls home",
        "trigger": {"type": "manual"},
        "actions": [{"id": "call", "type": "api_call", "config": {"url": f"{url}/x"}}],
    }
    wf = workflows.create_workflow(member, data).workflow["id"]
    for _ in range(2):
        await executions.execute_workflow(member, wf)
        await engine.drain()
    return wf


async def test_analytics_routes(
    api: httpx.AsyncClient, engine: Engine, member: Actor, http_server
) -> None:
    url, script = http_server
    script.answers = [(404, {}), (200, {"ok": True})]
    wf = await _failing_workflow(member, engine, url)
    for _ in range(50):  # the second run's end is written off the loop
        if workflows.get_workflow(member, wf)["runs"] == 2:
            break
        await engine.drain()

    response = await api.get("/api/analytics/workflows/overview", params={"days": 1})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["totals"]["executions"] == 2 and body["totals"]["failed"] == 1
    assert len(body["series"]) == 25
    assert body["most_failing"][0]["top_action_id"] == "call"

    response = await api.get(f"/api/analytics/workflows/{wf}/performance", params={"days": 30})
    assert response.status_code == 200, response.text
    perf = response.json()
    assert perf["workflow"]["name"] == "calls home" and perf["period"]["granularity"] == "day"
    assert perf["steps"][0]["action_id"] == "call" and perf["steps"][0]["failures"] == 1
    assert perf["errors"][0]["shape"] == "GET <url> answered 404"
    assert perf["errors"][0]["example_exists"] is True

    start, end = "2026-01-01T00:00:00", "2026-01-03T00:00:00"
    response = await api.get(
        f"/api/analytics/workflows/{wf}/performance", params={"start": start, "end": end}
    )
    assert response.status_code == 200, response.text
    assert response.json()["period"]["granularity"] == "hour"
    assert len(response.json()["series"]) == 48

    response = await api.get(f"{WO}/workflows/{wf}/error-stats", params={"days": 7})
    assert response.status_code == 200, response.text
    stats = response.json()
    assert (stats["total_executions"], stats["total_failures"]) == (2, 1)
    assert stats["by_action"] == [
        {"action_id": "call", "runs": 2, "failures": 1, "failure_rate": 0.5}
    ]
    response = await api.get(f"{WO}/workflows/{wf}/actions/call/errors")
    assert response.status_code == 200, response.text
    detail = response.json()
    assert detail["failures"] == 1 and len(detail["recent"]) == 1
    assert "404" in detail["recent"][0]["error"]


async def test_analytics_routes_refuse_bad_input(api: httpx.AsyncClient, db) -> None:
    missing = [
        "/api/analytics/workflows/999/performance",
        f"{WO}/workflows/999/error-stats",
        f"{WO}/workflows/999/actions/a/errors",
    ]
    for path in missing:
        response = await api.get(path)
        assert response.status_code == 404, (path, response.text)
    for days in (0, 367, "x"):
        response = await api.get("/api/analytics/workflows/overview", params={"days": days})
        assert response.status_code == 422, response.text
    wf = "/api/analytics/workflows/1/performance"
    assert (await api.get(wf, params={"start": "2026-01-01T00:00:00Z"})).status_code in (404, 422)
    response = await api.get(f"{WO}/workflows/1/actions/{'a' * 65}/errors")
    assert response.status_code == 422


async def test_a_viewer_reads_and_no_key_is_refused(db, engine: Engine) -> None:
    user = create_user(SYSTEM, email="viewer@example.com", role="viewer", password="v" * 12)
    key, _ = api_keys.create_api_key(SYSTEM, user_id=user.id or 0, name="tests")
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        assert (await client.get("/api/analytics/workflows/overview")).status_code == 401
        headers = {"Authorization": f"Bearer {key}"}
        response = await client.get("/api/analytics/workflows/overview", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["period"]["granularity"] == "day"


async def test_stats_carry_percentiles_and_the_last_24_hours(
    api: httpx.AsyncClient, engine: Engine, member: Actor, http_server
) -> None:
    url, script = http_server
    script.answers = [(200, {}), (200, {})]
    wf = await _failing_workflow(member, engine, url)
    for _ in range(50):
        if workflows.get_workflow(member, wf)["runs"] == 2:
            break
        await engine.drain()
    one = (await api.get(f"{WO}/workflows/{wf}/stats")).json()
    assert one["p99_duration_ms"] is not None and len(one["series_24h"]) == 25
    assert sum(p["succeeded"] for p in one["series_24h"]) == 2
    every = (await api.get(f"{WO}/stats")).json()
    assert every["p95_duration_ms_24h"] is not None
    assert sum(p["executions"] for p in every["series_24h"]) == 2
