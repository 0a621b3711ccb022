"""Every endpoint line of original 004 sent as written, through HTTP with an API key (only the
placeholders filled in), each checked for what it says it does: versions saved, listed,
compared and rolled back; the change summary over the period; error statistics of a workflow
and of one action; the audit trail filtered by workflow, person, event types and dates; the
export filtered by workflow and dates (a date-only `end_date` includes that whole day)."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.db.engine import session_scope
from app.db.models import AuditEvent
from app.engine.runner import Engine
from tests.integration.api import original_requests as doc
from tests.integration.api.test_original_004_gets import admin_api  # noqa: F401 (fixture)
from tests.integration.api.test_original_examples import BASE, DIVIDER, created

ERROR_STATS = "GET /api/custom-workflows/{workflow_id}/error-stats?days=30"
ACTION_ERRORS = "GET /api/custom-workflows/{workflow_id}/actions/{action_name}/errors?days=7"
NEW_VERSION = "POST /api/custom-workflows/{workflow_id}/versions"
VERSIONS = "GET /api/custom-workflows/{workflow_id}/versions?limit=50"
VERSION = "GET /api/custom-workflows/{workflow_id}/versions/{version_number}"
ROLLBACK = "POST /api/custom-workflows/{workflow_id}/rollback"
COMPARE = "GET /api/custom-workflows/{workflow_id}/versions/compare?version_a=5&version_b=7"
CHANGES = "GET /api/custom-workflows/{workflow_id}/change-summary?days=30"
TRAIL = (
    "GET /api/audit/workflows?workflow_id={id}&user_id={id}"
    "&event_types=workflow_created,workflow_executed&start_date={iso}&end_date={iso}&limit=100"
)
EXPORT = "GET /api/audit/export?workflow_id={id}&start_date={iso}&end_date={iso}"
EXPORT_JS = "/api/audit/export?workflow_id=123&start_date=2025-01-01&end_date=2025-01-31"
JSON = {"content-type": "application/json"}


def line(text: str, *values: object) -> tuple[str, str]:
    """(method, target) of a line with its `{…}` placeholders filled in order."""
    method, _, target = text.partition(" ")
    for value in values:
        target = re.sub(r"\{[^}]*\}", str(value), target, count=1)
    assert "{" not in target, target
    return method, target


async def call(
    client: httpx.AsyncClient, text: str, *values: object, body: bytes | None = None
) -> httpx.Response:
    return await client.request(*line(text, *values), content=body, headers=JSON if body else None)


def _definition(step: str) -> dict[str, Any]:
    actions = [{"id": step, "type": "transform", "config": {"values": {"step": step}}}]
    return {"name": "Digest", "trigger": {"type": "manual"}, "actions": actions}


async def test_version_lines_as_written(api: httpx.AsyncClient) -> None:
    wf = (await created(api, "/workflows", _definition("v1")))["id"]
    for number in range(2, 8):
        body = doc.fill(doc.NEW_VERSION, workflow_data=_definition(f"v{number}"))
        saved = await call(api, NEW_VERSION, wf, body=body)
        assert saved.status_code == 201, saved.text
        assert saved.json()["version_number"] == number

    history = await call(api, VERSIONS, wf)
    assert history.status_code == 200, history.text
    assert [v["version_number"] for v in history.json()["items"]] == [7, 6, 5, 4, 3, 2, 1]
    five = await call(api, VERSION, wf, 5)
    assert five.status_code == 200 and five.json()["definition"]["actions"][0]["id"] == "v5"
    compared = await call(api, COMPARE, wf)
    assert compared.status_code == 200, compared.text
    assert compared.json()["summary"] and "v5" in str(compared.json()["diff"])

    done = await call(api, ROLLBACK, wf, body=doc.fill(doc.ROLLBACK))
    assert done.status_code == 200, done.text
    assert (done.json()["version"]["version_number"], done.json()["version"]["restored_from"]) == (
        8,
        5,
    )
    current = (await api.get(f"{BASE}/workflows/{wf}")).json()
    assert current["actions"][0]["id"] == "v5" and current["version"] == 8  # really restored

    summary = await call(api, CHANGES, wf)
    assert summary.status_code == 200, summary.text
    report = summary.json()
    assert report["total_changes"] == 8 and report["period"]["days"] == 30
    assert len(report["by_day"]) == 30 and report["by_day"][-1]["count"] == 8
    assert sum(d["count"] for d in report["by_day"]) == 8
    assert report["by_person"] == [
        {"user_id": (await api.get("/api/me")).json()["id"], "email": "member@example.com",
         "changes": 8}
    ]  # fmt: skip
    last = report["last_changes"][0]
    assert (last["version_number"], last["change_type"], last["restored_from"]) == (
        8,
        "rolled_back",
        5,
    )
    assert last["reason"] == "Previous version had bugs"
    assert report["last_changes"][1]["change_description"] == "Added new notification action"
    assert report["last_changes"][1]["change_summary"]  # what it changed, in words
    assert (await call(api, CHANGES, 999_999)).status_code == 404


async def test_error_stats_lines_as_written(api: httpx.AsyncClient, engine: Engine) -> None:
    wf = (await created(api, "/workflows", DIVIDER))["id"]
    for d in (1, 0, 0):
        run = await api.post(f"{BASE}/workflows/{wf}/execute", json={"payload": {"d": d}})
        assert run.status_code == 202, run.text
        await engine.drain()
    for _ in range(50):  # a run's end is written off the loop
        if (await api.get(f"{BASE}/workflows/{wf}")).json()["runs"] == 3:
            break
        await engine.drain()

    stats = await call(api, ERROR_STATS, wf)
    assert stats.status_code == 200, stats.text
    assert (stats.json()["total_executions"], stats.json()["total_failures"]) == (3, 2)
    assert stats.json()["by_action"][0]["action_id"] == "divide"
    errors = await call(api, ACTION_ERRORS, wf, "divide")
    assert errors.status_code == 200, errors.text
    assert errors.json()["failures"] == 2 and len(errors.json()["recent"]) == 2
    assert (await call(api, ACTION_ERRORS, wf, "nope")).json().get("failures", 0) == 0


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def test_audit_trail_line_as_written(
    api: httpx.AsyncClient,
    admin_api: httpx.AsyncClient,  # noqa: F811
    engine: Engine,
) -> None:
    me = (await api.get("/api/me")).json()["id"]
    before = datetime.now(UTC) - timedelta(seconds=1)
    wf = (await created(api, "/workflows", _definition("one")))["id"]
    other = (await created(api, "/workflows", _definition("two")))["id"]
    await api.put(f"{BASE}/workflows/{wf}", json=_definition("changed"))  # workflow.updated
    assert (await api.post(f"{BASE}/workflows/{wf}/execute")).status_code == 202
    await engine.drain()
    by_admin = (await created(admin_api, "/workflows", _definition("admins")))["id"]
    after = datetime.now(UTC) + timedelta(seconds=1)

    trail = await call(admin_api, TRAIL, wf, me, _iso(before), _iso(after))
    assert trail.status_code == 200, trail.text
    events = trail.json()["items"]
    assert [(e["action"], e["event_type"]) for e in events] == [
        ("workflow.run", "workflow_executed"),
        ("workflow.created", "workflow_created"),
    ]  # newest first; not the update, not the other workflows
    assert {e["target_id"] for e in events} == {str(wf)} and {e["actor_id"] for e in events} == {me}
    earlier = await call(admin_api, TRAIL, wf, me, _iso(before - timedelta(days=2)), _iso(before))
    assert earlier.status_code == 200 and earlier.json()["items"] == []

    # Several types, any person: the admin's creation of another workflow is found too.
    anyone = await admin_api.get(
        "/api/audit/workflows", params={"event_types": "workflow_created", "limit": 100}
    )
    assert {e["target_id"] for e in anyone.json()["items"]} == {str(wf), str(other), str(by_admin)}

    unknown = await admin_api.get(
        "/api/audit/workflows", params={"event_types": "workflow_created,workflow_exploded"}
    )
    assert unknown.status_code == 422
    details = unknown.json()["error"]["details"]
    assert details[0]["path"] == "event_types" and "workflow_exploded" in details[0]["message"]

    # A member sees only their own events; asking for someone else's is a 403.
    mine = await call(api, TRAIL, other, me, _iso(before), _iso(after))
    assert mine.status_code == 200 and len(mine.json()["items"]) == 1
    own = await api.get("/api/audit/workflows", params={"event_types": "workflow_created"})
    assert {e["actor_id"] for e in own.json()["items"]} == {me}
    assert str(by_admin) not in {e["target_id"] for e in own.json()["items"]}
    admin_id = (await admin_api.get("/api/me")).json()["id"]
    assert (await call(api, TRAIL, wf, admin_id, _iso(before), _iso(after))).status_code == 403


def _old_event(workflow_id: int, at: datetime) -> None:
    with session_scope() as session:
        session.add(
            AuditEvent(at=at, actor_type="user", actor_label="old@example.com",
                       action="workflow.updated", target_type="workflow",
                       target_id=str(workflow_id), details={"version": 2})
        )  # fmt: skip


def _rows(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.text)))


async def test_export_line_as_written_filters_by_workflow_and_dates(
    api: httpx.AsyncClient,
    admin_api: httpx.AsyncClient,  # noqa: F811
) -> None:
    wf = (await created(api, "/workflows", _definition("one")))["id"]
    other = (await created(api, "/workflows", _definition("two")))["id"]
    jan = datetime(2025, 1, 1, tzinfo=UTC)
    for workflow_id, moment in [
        (wf, jan - timedelta(seconds=1)),  # 2024-12-31 23:59:59: before
        (wf, jan),  # the first moment of the range
        (wf, jan + timedelta(days=30, hours=23, minutes=59)),  # 2025-01-31 23:59: included
        (wf, jan + timedelta(days=31)),  # 2025-02-01 00:00: after
        (other, jan + timedelta(days=10)),  # in range, another workflow
    ]:
        _old_event(workflow_id, moment)

    target = EXPORT_JS.replace("123", str(wf))  # the JS example, its workflow id filled in
    rows = _rows(await admin_api.get(target))
    assert [(r["target_id"], r["at"][:16]) for r in rows] == [
        (str(wf), "2025-01-31T23:59"),
        (str(wf), "2025-01-01T00:00"),
    ]
    today = datetime.now(UTC).date().isoformat()
    rows = _rows(await call(admin_api, EXPORT, wf, today, today))  # the line, dates of today
    assert [r["action"] for r in rows] == ["workflow.created"]
    both = _rows(await call(admin_api, EXPORT, other, "2025-01-01", today))
    assert sorted(r["action"] for r in both) == ["workflow.created", "workflow.updated"]
    assert (await admin_api.get(EXPORT_JS.replace("2025-01-31", "2025-02-31"))).status_code == 422
    assert (await api.get(target)).status_code == 403  # the export is for admins
