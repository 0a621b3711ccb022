"""The audit trail over REST: admin-only list and streamed export, and the one delete."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlmodel import func, select

from app.api import create_api
from app.db.engine import session_scope
from app.db.models import AuditEvent
from app.services import api_keys, users
from app.services.actor import SYSTEM

BASE = "/api/workflow-orchestration"


@pytest.fixture
async def admin_api(api: httpx.AsyncClient) -> AsyncIterator[httpx.AsyncClient]:
    """The API called with an admin's key (the `api` fixture is the member)."""
    admin = users.create_user(
        SYSTEM, email="admin@example.com", role="admin", password="admin-password-42"
    )
    key, _ = api_keys.create_api_key(SYSTEM, user_id=admin.id, name="audit")
    transport = httpx.ASGITransport(app=create_api())
    headers = {"Authorization": f"Bearer {key}", "User-Agent": "auditor/1.0"}
    async with httpx.AsyncClient(transport=transport, base_url="http://t", headers=headers) as c:
        yield c


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code
    return response.json()["error"]


def _count() -> int:
    with session_scope() as session:
        return session.exec(select(func.count()).select_from(AuditEvent)).one()


async def _activity(api: httpx.AsyncClient) -> int:
    made = (await api.post(f"{BASE}/articles", json={"title": "Audited"})).json()
    await api.put(f"{BASE}/articles/{made['id']}", json={"body": "changed"})
    await api.put(f"{BASE}/articles/{made['id']}", json={"body": "changed again"})
    return made["id"]


async def test_events_are_filtered_and_paged(api: httpx.AsyncClient, admin_api) -> None:
    aid = await _activity(api)
    params = {"target_type": "article", "target_id": aid, "limit": 2}
    first = await admin_api.get("/api/audit/events", params=params)
    assert first.status_code == 200, first.text
    page = first.json()
    assert [e["action"] for e in page["items"]] == ["article.updated", "article.updated"]
    assert page["items"][0]["ip"] == "127.0.0.1"
    assert page["items"][0]["actor_label"].startswith("member@example.com (API key")
    rest = await admin_api.get(
        "/api/audit/events", params={**params, "cursor": page["next_cursor"]}
    )
    assert [e["action"] for e in rest.json()["items"]] == ["article.created"]
    assert rest.json()["next_cursor"] is None

    by_action = await admin_api.get("/api/audit/events", params={"action": "api_key.*"})
    assert {e["action"] for e in by_action.json()["items"]} == {"api_key.created"}
    since = await admin_api.get("/api/audit/events", params={"since": "2999-01-01T00:00:00"})
    assert since.json()["items"] == []
    bad = await admin_api.get(
        "/api/audit/events", params={"since": "2024-02-01", "until": "2024-01-01"}
    )
    error_of(bad, 422, "validation_failed")
    error_of(
        await admin_api.get("/api/audit/events", params={"limit": 0}), 422, "validation_failed"
    )


async def test_export_streams_csv_and_json_attachments(api: httpx.AsyncClient, admin_api) -> None:
    aid = await _activity(api)
    params = {"target_type": "article", "target_id": aid}
    response = await admin_api.get("/api/audit/export", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith('.csv"')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["action"] for r in rows] == ["article.updated", "article.updated", "article.created"]

    as_json = await admin_api.get("/api/audit/export", params={**params, "format": "json"})
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.headers["content-disposition"].endswith('.json"')
    assert [e["target_id"] for e in json.loads(as_json.text)] == [str(aid)] * 3
    error_of(
        await admin_api.get("/api/audit/export", params={"format": "xml"}), 422, "validation_failed"
    )


async def test_odd_filters_are_filters_not_errors(api: httpx.AsyncClient, admin_api) -> None:
    """Found by the fuzzer: a superscript digit passed `isdigit` and broke `int`, and a time
    just before year 1 in UTC overflowed when converted; both were 500s."""
    await _activity(api)
    for params in (
        {"actor": "\u00b2"},
        {"actor": str(2**64)},
        {"since": "0001-01-01T00:00:00+00:01"},
        {"until": "9999-12-31T23:59:59-00:01"},
    ):
        for path in ("/api/audit/events", "/api/audit/export"):
            response = await admin_api.get(path, params=params)
            assert response.status_code == 200, (path, params, response.text)
    since_the_start = await admin_api.get(
        "/api/audit/events", params={"since": "0001-01-01T00:00:00+00:01"}
    )
    assert since_the_start.json()["items"], "every event is after the first instant"


async def test_a_member_is_refused_and_nothing_is_deleted(
    api: httpx.AsyncClient, admin_api: httpx.AsyncClient
) -> None:
    await _activity(api)
    before = _count()
    error_of(await api.get("/api/audit/events"), 403, "forbidden")
    error_of(await api.get("/api/audit/export"), 403, "forbidden")
    error_of(await api.post("/api/audit/prune", json={"older_than_days": 1}), 403, "forbidden")
    assert _count() == before
    # The only delete is by age; nothing here is older than a day, so nothing goes.
    pruned = await admin_api.post("/api/audit/prune", json={"olderThanDays": 1})
    assert pruned.status_code == 200 and pruned.json() == {"deleted": 0}
    assert _count() == before + 1  # the audit.pruned row
    error_of(await admin_api.post("/api/audit/prune", json={}), 422, "validation_failed")
    error_of(
        await admin_api.post("/api/audit/prune", json={"older_than_days": "all"}),
        422,
        "validation_failed",
    )
    for method in ("DELETE", "PUT", "PATCH"):
        response = await admin_api.request(method, "/api/audit/events")
        error_of(response, 405, "method_not_allowed")
    assert _count() == before + 1
