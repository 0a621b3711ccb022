"""Incidents over REST: open, list, read, change (fields and actions) as a member; every
problem named at once; a conflict is a 409; viewers are refused; audited; an `event` trigger
on `incident.opened` starts its workflow when an incident is opened over the API."""

from __future__ import annotations

import httpx
from sqlmodel import select

from app.api import create_api
from app.db.engine import session_scope
from app.db.models import Execution
from app.engine.runner import Engine
from app.engine.triggers.events import EventTriggers
from app.services import api_keys, audit_query, users, workflows
from app.services.actor import SYSTEM, Actor
from tests.integration.api.deployed import problems
from tests.integration.triggers.conftest import eventually

BASE = "/api/workflow-orchestration/incidents"


async def test_open_list_read_and_change_an_incident(api: httpx.AsyncClient) -> None:
    created = await api.post(
        BASE, json={"title": "Checkout errors", "severity": "medium", "assignee": "ana"}
    )
    assert created.status_code == 201, created.text
    incident = created.json()
    assert (incident["status"], incident["created"], incident["mirrored"]) == ("open", True, [])
    assert incident["url"] == f"/admin/incidents/{incident['id']}"

    escalated = await api.patch(f"{BASE}/{incident['id']}", json={"action": "escalate"})
    assert escalated.status_code == 200, escalated.text
    assert escalated.json()["severity"] == "high"
    assert escalated.json()["events"] == ["incident.escalated", "incident.updated"]

    edited = await api.patch(
        f"{BASE}/{incident['id']}", json={"title": "Checkout 500s", "note": "since 12:40"}
    )
    assert edited.json()["title"] == "Checkout 500s"
    resolved = await api.patch(
        f"{BASE}/{incident['id']}", json={"action": "resolve", "note": "rolled back"}
    )
    assert resolved.json()["status"] == "resolved" and resolved.json()["resolved_at"]

    page = (await api.get(BASE, params={"status": "resolved"})).json()
    assert page["total"] == 1 and "timeline" not in page["items"][0]
    assert (await api.get(BASE, params={"status": "active"})).json()["total"] == 0
    detail = (await api.get(f"{BASE}/{incident['id']}")).json()
    assert [e["kind"] for e in detail["timeline"]] == ["open", "escalate", "update", "resolve"]
    assert detail["timeline"][2]["text"] == "title changed: since 12:40"
    assert detail["timeline"][1]["by"] == "member@example.com (API key 1)"

    actions = [e["action"] for e in audit_query.list_events(SYSTEM, limit=50)["items"]]
    assert {"incident.created", "incident.escalate", "incident.update", "incident.resolve"} <= set(
        actions
    )


async def test_bad_input_is_named_and_a_conflict_is_409(api: httpx.AsyncClient) -> None:
    bad = await api.post(BASE, json={"title": "", "severity": "urgent", "assignee": "a" * 400})
    assert set(problems(bad)) >= {"title", "severity", "assignee"}
    assert (await api.get(BASE)).json()["total"] == 0  # nothing written
    wrong_mirror = await api.post(BASE, json={"title": "x", "mirror": ["no-such"]})
    assert wrong_mirror.status_code == 404
    assert (await api.get(BASE)).json()["total"] == 0

    incident = (await api.post(BASE, json={"title": "Disk full"})).json()
    await api.patch(f"{BASE}/{incident['id']}", json={"action": "resolve"})
    again = await api.patch(f"{BASE}/{incident['id']}", json={"action": "escalate"})
    assert again.status_code == 409 and "reopen it first" in again.text
    assert (await api.get(f"{BASE}/99999")).status_code == 404
    lowered = await api.patch(
        f"{BASE}/{incident['id']}", json={"action": "reopen", "status": "nonsense"}
    )
    assert lowered.status_code == 422


async def test_viewers_are_refused(api: httpx.AsyncClient) -> None:
    viewer = users.create_user(SYSTEM, email="viewer@example.com", role="viewer", password="v" * 12)
    key, _ = api_keys.create_api_key(SYSTEM, user_id=viewer.id, name="viewer")
    transport = httpx.ASGITransport(app=create_api())
    async with httpx.AsyncClient(
        transport=transport, base_url="http://t", headers={"Authorization": f"Bearer {key}"}
    ) as client:
        assert (await client.get(BASE)).status_code == 403
        assert (await client.post(BASE, json={"title": "x"})).status_code == 403


async def test_an_incident_opened_over_the_api_starts_an_event_workflow(
    api: httpx.AsyncClient, member: Actor, engine: Engine
) -> None:
    listening = EventTriggers()
    listening.start()
    try:
        wf = workflows.create_workflow(
            member,
            {"name": "page the team", "trigger": {"type": "event", "config": {
                "event": "incident.opened", "filter": "event.severity == 'critical'"}},
             "actions": [{"id": "note", "type": "incident_update", "config": {
                 "note": "paged {{ trigger.assignee }}"}}]},
        ).workflow  # fmt: skip
        await api.post(BASE, json={"title": "minor", "severity": "low"})
        incident = (
            await api.post(BASE, json={"title": "All down", "severity": "critical",
                                       "assignee": "bo"})
        ).json()  # fmt: skip

        def runs() -> list[Execution]:
            with session_scope() as session:
                query = select(Execution).where(Execution.workflow_id == wf["id"])
                return list(session.exec(query).all())

        await eventually(lambda: len(runs()) == 1, within=5)
        await engine.drain()
        [ran] = runs()
        assert ran.status == "succeeded" and ran.trigger_payload["incident_id"] == incident["id"]
        timeline = (await api.get(f"{BASE}/{incident['id']}")).json()["timeline"]
        assert timeline[-1]["text"] == "paged bo"
        assert timeline[-1]["by"] == f"workflow page the team, run #{ran.id}"
    finally:
        listening.stop()
