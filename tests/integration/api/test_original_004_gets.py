"""004's audit GET lines that Flowdeck serves, sent as written (only `{user_id}` filled in):
user activity and system statistics. (Its other lines — `/api/custom-workflows/…`, the
`/api/audit/workflows?…` trail and `/api/audit/export?workflow_id=…&start_date=…` — are in
test_original_paths_004.)"""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.api import create_api
from app.services import api_keys, users
from app.services.actor import SYSTEM
from tests.integration.api.test_original_examples import BASE

#: The lines of 004's "Audit & Compliance", as written.
USER_ACTIVITY = "GET /api/audit/users/{user_id}/activity?days=7"
SYSTEM_STATS = "GET /api/audit/system/stats?days=30"


@pytest.fixture
async def admin_api(api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    admin = users.create_user(
        SYSTEM, email="auditor-004@example.com", role="admin", password="admin-password-004"
    )
    key, _ = api_keys.create_api_key(SYSTEM, user_id=admin.id, name="004")
    transport = httpx.ASGITransport(app=create_api())
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        yield c


def _line(line: str, **values: object) -> tuple[str, str]:
    method, _, target = line.partition(" ")
    for name, value in values.items():
        target = target.replace("{" + name + "}", str(value))
    return method, target


async def test_004_user_activity_and_system_stats_as_written(
    api: httpx.AsyncClient, admin_api: httpx.AsyncClient
) -> None:
    step = {"id": "a", "type": "transform", "config": {"values": {"x": 1}}}
    body = {"name": "Audited", "trigger": {"type": "manual"}, "actions": [step]}
    assert (await api.post(f"{BASE}/workflows", json=body)).status_code == 201
    me = (await api.get("/api/me")).json()["id"]

    activity = await api.request(*_line(USER_ACTIVITY, user_id=me))
    assert activity.status_code == 200, activity.text
    assert "workflow.created" in activity.text

    stats = await admin_api.request(*_line(SYSTEM_STATS))
    assert stats.status_code == 200, stats.text
    assert "workflow.created" in stats.text
    assert (await api.request(*_line(SYSTEM_STATS))).status_code == 403  # admins only
