"""Audit reports over REST (#16): each route per role, unknown ids, bounded `days`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.api import create_api
from app.services import api_keys, users
from app.services.actor import SYSTEM

BASE = "/api/workflow-orchestration"


@pytest.fixture
async def admin_api(api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The API called with an admin's key (the `api` fixture is the member)."""
    admin = users.create_user(
        SYSTEM, email="chief@example.com", role="admin", password="admin-password-42"
    )
    key, _ = api_keys.create_api_key(SYSTEM, user_id=admin.id, name="reports")
    transport = httpx.ASGITransport(app=create_api())
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        yield c


async def _me(client: httpx.AsyncClient) -> int:
    return (await client.get("/api/me")).json()["id"]


def _code(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


async def test_workflow_summary_for_admins_only(api, admin_api) -> None:
    body = {
        "name": "reported",
        "trigger": {"type": "manual"},
        "actions": [{"id": "calc", "type": "transform", "config": {"values": {"n": 1}}}],
    }
    wid = (await api.post(f"{BASE}/workflows", json=body)).json()["id"]
    await api.put(f"{BASE}/workflows/{wid}", json={"description": "edited"})
    # Waited for: `runs` counts executions that started, and a loaded machine starts late.
    params = {"wait": "true", "timeout": 60}
    ran = await api.post(f"{BASE}/workflows/{wid}/execute", json={}, params=params)
    assert ran.status_code == 200, ran.text

    # the member who wrote and ran it may not read it: it names everyone's changes and runs
    _code(await api.get(f"/api/audit/workflows/{wid}/summary"), 403, "forbidden")
    answer = await admin_api.get(f"/api/audit/workflows/{wid}/summary", params={"days": 7})
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["workflow_id"] == wid and summary["changes"] == 2
    assert summary["runs"] == 1 and summary["other_runs"] == 0
    (person,) = summary["by_actor"]
    assert person["actor_label"].startswith("member@example.com (API key")
    assert (person["changes"], person["runs"]) == (2, 1)
    assert [c["action"] for c in summary["last_changes"]] == [
        "workflow.updated",
        "workflow.created",
    ]
    assert (await admin_api.get(f"/api/audit/workflows/{wid}/summary")).json()["period"][
        "days"
    ] == 30
    _code(await admin_api.get("/api/audit/workflows/987654/summary"), 404, "not_found")
    for days in (0, 367, "week"):
        _code(
            await admin_api.get(f"/api/audit/workflows/{wid}/summary", params={"days": days}),
            422,
            "validation_failed",
        )


async def test_user_activity_own_for_members_any_for_admins(api, admin_api) -> None:
    member_id, admin_id = await _me(api), await _me(admin_api)
    await api.post(f"{BASE}/articles", json={"title": "Activity"})

    own = await api.get(f"/api/audit/users/{member_id}/activity", params={"days": 1})
    assert own.status_code == 200, own.text
    report = own.json()
    assert report["user"]["email"] == "member@example.com"
    assert {"action": "article.created", "count": 1} in report["by_action"]
    assert len(report["by_day"]) == 1 and report["recent"][0]["action"] == "article.created"

    by_admin = await admin_api.get(f"/api/audit/users/{member_id}/activity")
    assert by_admin.status_code == 200 and len(by_admin.json()["by_day"]) == 7
    _code(await api.get(f"/api/audit/users/{admin_id}/activity"), 403, "forbidden")
    _code(await api.get("/api/audit/users/987654/activity"), 403, "forbidden")
    _code(await admin_api.get("/api/audit/users/987654/activity"), 404, "not_found")
    _code(
        await api.get(f"/api/audit/users/{member_id}/activity", params={"days": 0}),
        422,
        "validation_failed",
    )


async def test_system_stats_for_admins_only(api, admin_api) -> None:
    await api.post(f"{BASE}/articles", json={"title": "Counted"})
    answer = await admin_api.get("/api/audit/system/stats", params={"days": 2})
    assert answer.status_code == 200, answer.text
    stats = answer.json()
    assert len(stats["by_day"]) == 2
    assert {"action": "article.created", "count": 1} in stats["by_type"]
    assert any(p["actor_label"] == "member@example.com" for p in stats["most_active"])
    assert set(stats["failed_logins"]) >= {"count", "by_day", "recent_ips", "recent"}
    _code(await api.get("/api/audit/system/stats"), 403, "forbidden")
    _code(
        await admin_api.get("/api/audit/system/stats", params={"days": 0}),
        422,
        "validation_failed",
    )
    anonymous = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_api()), base_url="http://t"
    )
    async with anonymous:
        assert (await anonymous.get("/api/audit/system/stats")).status_code == 401
