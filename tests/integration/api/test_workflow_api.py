"""The workflow REST API through the mounted app, with the real engine on a real SQLite file."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from app.api import create_api
from app.core.stats import percentile
from app.db.settings import get_settings
from app.engine.runner import Engine
from app.services import api_keys, users
from app.services.actor import SYSTEM, Actor

BASE = "/api/workflow-orchestration"


def original_example(url: str) -> dict[str, Any]:
    """The original document's createWorkflow example; its domain actions swapped for generic
    ones (publish/share/monitor arrive in a later issue), camelCase keys kept."""
    return {
        "name": "Auto Publish & Share",
        "description": "Automatically publish articles and share on social media",
        "workflowType": "custom",
        "trigger": {"type": "publish", "config": {"articleStatus": "READY_TO_PUBLISH"}},
        "actions": [
            {
                "id": "publish",
                "name": "Publish Article",
                "type": "transform",
                "config": {"values": {"article": "{{ trigger.article_id }}"}},
            },
            {
                "id": "share",
                "name": "Share on Social Media",
                "type": "api_call",
                "config": {
                    "method": "POST",
                    "url": f"{url}/share",
                    "json": {"platforms": ["twitter", "telegram", "linkedin"]},
                },
                "retry": {"strategy": "exponential", "maxAttempts": 3, "delayS": 0.01},
                "timeoutS": 10,
            },
            {
                "id": "monitor",
                "name": "Monitor Performance",
                "type": "delay",
                "config": {"seconds": 0},
                "continueOnError": True,
            },
        ],
        "priority": "high",
        "createdBy": "admin-user-id",
    }


def simple(name: str = "wf", **extra: Any) -> dict[str, Any]:
    actions = [{"id": "calc", "type": "transform", "config": {"values": {"n": "{{ trigger.n }}"}}}]
    return {"name": name, "trigger": {"type": "manual"}, "actions": actions, **extra}


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]
    return error


async def create(api: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    response = await api.post(f"{BASE}/workflows", json=body)
    assert response.status_code == 201, response.text
    return response.json()


async def test_create_with_the_original_camelcase_example(
    api: httpx.AsyncClient, member: Actor, http_server
) -> None:
    url, _ = http_server
    created = await create(api, original_example(url))
    assert "createdBy" not in created and "webhook_secret" not in created
    assert created["created_by"] == member.user_id
    assert created["workflow_type"] == "custom" and created["priority"] == "high"
    assert created["trigger"] == {
        "type": "publish",
        "config": {"article_status": "ready"},  # the original name, stored as ours
    }
    share = created["actions"][1]
    assert share["retry"]["max_attempts"] == 3 and share["retry"]["delay_s"] == 0.01
    assert share["timeout_s"] == 10 and share["config"]["json"]["platforms"][0] == "twitter"
    assert created["actions"][2]["continue_on_error"] is True
    assert created["webhook_url"] is None and created["version"] == 1

    fetched = (await api.get(f"{BASE}/workflows/{created['id']}")).json()
    definition = ("name", "description", "workflow_type", "priority", "trigger", "actions")
    assert {k: fetched[k] for k in definition} == {k: created[k] for k in definition}
    listed = (await api.get(f"{BASE}/workflows")).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == created["id"]


async def test_snake_case_body_and_partial_update(api: httpx.AsyncClient) -> None:
    created = await create(api, simple("snake", workflow_type="api", concurrency_limit=2))
    assert created["workflow_type"] == "api" and created["concurrency_limit"] == 2
    path = f"{BASE}/workflows/{created['id']}"
    changed = await api.put(path, json={"description": "now documented"})
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert body["description"] == "now documented" and body["version"] == 2
    assert body["actions"] == created["actions"] and body["concurrency_limit"] == 2
    camel = (await api.put(path, json={"concurrencyLimit": 3, "workflowType": "git"})).json()
    assert (camel["concurrency_limit"], camel["workflow_type"]) == (3, "git")
    assert (await api.get(path)).json()["version"] == 3


async def test_validation_errors_name_every_problem(api: httpx.AsyncClient) -> None:
    bad = {
        "name": "",
        "workflowType": "bogus",
        "trigger": {"type": "schedule", "config": {"cron": "61 * * * *"}},
        "actions": [
            {"id": "fetch", "type": "api_call", "config": {}},
            {"id": "wait", "type": "delay", "config": {"seconds": -1}},
            {"id": "mystery", "type": "nope"},
        ],
        "createdBy": "someone",
    }
    error = error_of(await api.post(f"{BASE}/workflows", json=bad), 422, "validation_failed")
    paths = {d["path"] for d in error["details"]}
    assert {
        "name",
        "workflow_type",
        "trigger.config.cron",
        "actions[0].config.url",
        "actions[1].config.seconds",
        "actions[2].type",
    } <= paths
    assert "actions[0].config.url" in error["message"]

    created = await create(api, simple())
    put = await api.put(
        f"{BASE}/workflows/{created['id']}",
        json={"actions": [{"id": "x", "type": "api_call", "config": {"url": "ftp://nope"}}]},
    )
    assert [d["path"] for d in error_of(put, 422, "validation_failed")["details"]] == [
        "actions[0].config.url"
    ]
    assert (await api.get(f"{BASE}/workflows/{created['id']}")).json()["version"] == 1

    missing = error_of(await api.post(f"{BASE}/workflows", json={}), 422, "validation_failed")
    assert {"name", "trigger", "actions"} <= {d["path"] for d in missing["details"]}
    not_json = await api.post(
        f"{BASE}/workflows", content=b"{nope", headers={"content-type": "application/json"}
    )
    error_of(not_json, 400, "bad_request")
    error_of(await api.post(f"{BASE}/workflows", json=[1, 2]), 422, "validation_failed")


async def test_keys_and_roles(api: httpx.AsyncClient, engine: Engine) -> None:
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as anonymous:
        response = await anonymous.get(f"{BASE}/workflows")
        error_of(response, 401, "unauthenticated")
        assert response.headers["www-authenticate"] == "Bearer"
        wrong = {"Authorization": "Bearer fdk_not-a-real-key"}
        error_of(await anonymous.get(f"{BASE}/stats", headers=wrong), 401, "unauthenticated")
        viewer = users.create_user(
            SYSTEM, email="viewer@example.com", role="viewer", password="viewer-password"
        )
        key, _ = api_keys.create_api_key(SYSTEM, user_id=viewer.id, name="read")
        as_viewer = {"Authorization": f"Bearer {key}"}
        denied = await anonymous.post(f"{BASE}/workflows", json=simple(), headers=as_viewer)
        assert "member" in error_of(denied, 403, "forbidden")["message"]
    assert (await api.get(f"{BASE}/workflows")).json()["total"] == 0


@pytest.mark.parametrize(
    ("method", "suffix"),
    [
        ("GET", ""),
        ("PUT", ""),
        ("DELETE", ""),
        ("POST", "/execute"),
        ("POST", "/pause"),
        ("POST", "/resume"),
        ("POST", "/duplicate"),
        ("GET", "/stats"),
    ],
)
async def test_unknown_workflow_is_404(api: httpx.AsyncClient, method: str, suffix: str) -> None:
    body = {"description": "x"} if method == "PUT" else None
    response = await api.request(method, f"{BASE}/workflows/424242{suffix}", json=body)
    assert "424242" in error_of(response, 404, "not_found")["message"]


async def test_list_filters_sorting_and_paging(api: httpx.AsyncClient) -> None:
    await create(api, simple("alpha report", workflow_type="n8n"))
    await create(api, simple("beta sync", workflow_type="zapier", is_active=False))
    hook = {"type": "webhook", "config": {"signature": "none"}}
    await create(api, {**simple("gamma report"), "trigger": hook})

    async def names(**params: Any) -> tuple[list[str], int]:
        response = await api.get(f"{BASE}/workflows", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        return [w["name"] for w in body["items"]], body["total"]

    assert await names() == (["alpha report", "beta sync", "gamma report"], 3)
    assert await names(search="report", sort="-name") == (["gamma report", "alpha report"], 2)
    assert await names(workflow_type="zapier") == (["beta sync"], 1)
    assert await names(trigger_type="webhook") == (["gamma report"], 1)
    assert await names(is_active="false") == (["beta sync"], 1)
    assert await names(limit=1, offset=1) == (["beta sync"], 3)
    bad = await api.get(f"{BASE}/workflows", params={"sort": "password"})
    assert error_of(bad, 422, "validation_failed")["details"][0]["path"] == "sort"


async def test_delete_pause_resume_duplicate(api: httpx.AsyncClient) -> None:
    created = await create(api, simple("original"))
    path = f"{BASE}/workflows/{created['id']}"
    paused = await api.post(f"{path}/pause")
    assert paused.status_code == 200 and paused.json()["is_active"] is False
    run = await api.post(f"{path}/execute")
    assert "paused" in error_of(run, 409, "conflict")["message"]
    assert (await api.post(f"{path}/resume")).json()["is_active"] is True
    assert (await api.post(f"{path}/execute", json={"payload": {"n": 1}})).status_code == 202

    copy = await api.post(f"{path}/duplicate")
    assert copy.status_code == 201, copy.text
    twin = copy.json()
    assert twin["id"] != created["id"] and twin["name"] == "original (copy)"
    assert twin["is_active"] is False and twin["actions"] == created["actions"]

    gone = await api.delete(f"{BASE}/workflows/{twin['id']}")
    assert gone.status_code == 204 and gone.content == b""
    error_of(await api.get(f"{BASE}/workflows/{twin['id']}"), 404, "not_found")


async def test_webhook_secret_is_shown_once(api: httpx.AsyncClient) -> None:
    body = {**simple("hooked"), "trigger": {"type": "webhook", "config": {"signature": "github"}}}
    created = await create(api, body)
    secret = created["webhook_secret"]
    assert isinstance(secret, str) and len(secret) >= 32
    assert created["webhook_url"].startswith(f"{get_settings().base_url}/api/hooks/")
    assert created["has_webhook_secret"] is True
    assert secret not in str(created["trigger"])

    path = f"{BASE}/workflows/{created['id']}"
    fetched = (await api.get(path)).json()
    assert "webhook_secret" not in fetched and secret not in (await api.get(path)).text
    assert fetched["webhook_url"] == created["webhook_url"]
    updated = (await api.put(path, json={"description": "still hooked"})).json()
    assert "webhook_secret" not in updated and updated["webhook_url"] == created["webhook_url"]
    listed = await api.get(f"{BASE}/workflows")
    assert secret not in listed.text

    own = {"type": "webhook", "config": {"signature": "flowdeck", "secret": "mine-0123456789"}}
    given = (await api.put(path, json={"trigger": own})).json()
    assert "webhook_secret" not in given and "mine-0123456789" not in str(given)
    twin = (await api.post(f"{path}/duplicate")).json()
    assert twin["webhook_secret"] and twin["webhook_url"] != created["webhook_url"]


async def test_stats_after_a_few_runs(api: httpx.AsyncClient, engine: Engine) -> None:
    wf = await create(api, simple("counted"))
    idle = await create(api, simple("idle", is_active=False))
    run = f"{BASE}/workflows/{wf['id']}/execute?wait=true"
    for payload in ({"n": 1}, {"n": 2}, {}, {"n": 3}):  # {} fails: trigger.n is undefined
        response = await api.post(run, json={"triggerType": "manual", "payload": payload})
        assert response.status_code == 200, response.text
    listed = (await api.get(f"{BASE}/executions", params={"workflow_id": wf["id"]})).json()
    durations = [e["duration_ms"] for e in listed["items"]]

    stats = (await api.get(f"{BASE}/workflows/{wf['id']}/stats")).json()
    assert (stats["runs"], stats["successes"], stats["failures"]) == (4, 3, 1)
    assert stats["success_rate"] == 0.75 and stats["runs_24h"] == 4
    counts = stats["status_counts_24h"]
    assert (counts["succeeded"], counts["failed"], counts["running"]) == (3, 1, 0)
    assert stats["success_rate_24h"] == 0.75 and stats["duration_sample"] == 4
    assert (stats["running_now"], stats["queued_now"]) == (0, 0)
    assert stats["p50_duration_ms"] == pytest.approx(percentile(durations, 50), abs=0.01)
    assert stats["p95_duration_ms"] == pytest.approx(percentile(durations, 95), abs=0.01)
    assert stats["avg_duration_ms"] == pytest.approx(sum(durations) / 4, abs=0.01)
    assert stats["last_status"] == "succeeded" and stats["last_run_at"]
    idle_stats = (await api.get(f"{BASE}/workflows/{idle['id']}/stats")).json()
    assert idle_stats["runs"] == 0 and idle_stats["success_rate"] is None
    assert idle_stats["p95_duration_ms"] is None

    slow = await create(
        api,
        {**simple("slow"), "actions": [{"id": "wait", "type": "delay", "config": {"seconds": 30}}]},
    )
    running = (await api.post(f"{BASE}/workflows/{slow['id']}/execute")).json()
    for _ in range(200):  # the run starts a moment after it is queued
        slow_stats = (await api.get(f"{BASE}/workflows/{slow['id']}/stats")).json()
        if slow_stats["running_now"]:
            break
        await asyncio.sleep(0.01)
    assert (slow_stats["running_now"], slow_stats["runs_24h"]) == (1, 1)
    overall = (await api.get(f"{BASE}/stats")).json()
    assert overall == {
        "total_workflows": 3,
        "active_workflows": 2,
        "executions_total": 4,
        "success_rate": 0.75,
        "executions_24h": 5,
        "succeeded_24h": 3,
        "failed_24h": 1,
        "success_rate_24h": 0.75,
        "running_now": 1,
        "queued_now": 0,
        "last_activity_at": overall["last_activity_at"],
        # The last 24 h per hour from the analytics rollups: the four finished runs.
        "p50_duration_ms_24h": overall["p50_duration_ms_24h"],
        "p95_duration_ms_24h": overall["p95_duration_ms_24h"],
        "p99_duration_ms_24h": overall["p99_duration_ms_24h"],
        "series_24h": overall["series_24h"],
    }
    assert sum(point["executions"] for point in overall["series_24h"]) == 4
    assert overall["p95_duration_ms_24h"] is not None
    assert overall["last_activity_at"] >= stats["last_run_at"]
    await api.post(f"{BASE}/executions/{running['id']}/cancel")
    after = (await api.get(f"{BASE}/stats")).json()
    assert after["running_now"] == 0 and after["executions_total"] == 5


async def test_openapi_documents_the_bodies(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/api/openapi.json")).json()
    create_body = spec["paths"][f"{BASE}/workflows"]["post"]["requestBody"]
    assert create_body["content"]["application/json"]["schema"]["$ref"].endswith("WorkflowCreate")
    schemas = spec["components"]["schemas"]
    assert schemas["WorkflowCreate"]["required"] == ["name", "trigger", "actions"]
    assert {"workflowType", "trigger", "actions"} <= set(schemas["WorkflowCreate"]["properties"])
    assert {"triggerType", "payload", "inputData", "triggerData"} == set(
        schemas["ExecuteBody"]["properties"]
    )  # the last two: other names of payload (the original documents')
    assert "ActionSpec" in schemas and "RetryPolicy" in schemas
