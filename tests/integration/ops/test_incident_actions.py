"""Incident steps on the real engine: open, assign, escalate, resolve; each announced on the
bus and mirrored to PagerDuty / Opsgenie stand-ins that check the documented shapes and auth;
a refused mirror fails the step and its retry sends only what was missed; no secret stored."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from app.engine.bus import Event, bus
from app.engine.runner import Engine
from app.services import incidents
from app.services.actor import Actor
from tests.integration.actions.action_helpers import run, stored_text
from tests.integration.ops.standins_incidents import (
    GENIE_KEY,
    ROUTING_KEY,
    OpsgenieStandIn,
    PagerDutyStandIn,
)

REF = "{{ steps.open.output.id }}"


@pytest.fixture
def announced() -> Iterator[list[Event]]:
    seen: list[Event] = []
    bus.subscribe("incident.", seen.append)
    yield seen
    bus.unsubscribe(seen.append)


def _steps(mirror: list[str]) -> list[dict]:
    return [
        {"id": "open", "type": "incident_create",
         "config": {"title": "{{ trigger.service }} is down", "severity": "high",
                    "description": "health check failed", "mirror": mirror}},
        {"id": "assign", "type": "incident_assign",
         "config": {"incident": REF, "assignee": "ana@example.com", "note": "on call"}},
        {"id": "escalate", "type": "incident_escalate", "config": {"incident": REF}},
        {"id": "resolve", "type": "incident_resolve",
         "config": {"incident": REF, "note": "restarted the primary"}},
    ]  # fmt: skip


async def test_a_run_opens_escalates_and_resolves_a_mirrored_incident(
    member: Actor,
    engine: Engine,
    mirrors: list[str],
    pagerduty: PagerDutyStandIn,
    opsgenie: OpsgenieStandIn,
    announced: list[Event],
) -> None:
    execution = await run(member, engine, _steps(mirrors), payload={"service": "billing-db"})

    assert execution["status"] == "succeeded", execution
    steps = {s["action_id"]: s for s in execution["steps"]}
    opened = steps["open"]["output"]
    assert opened["created"] is True and opened["title"] == "billing-db is down"
    assert steps["escalate"]["output"]["severity"] == "critical"
    assert steps["resolve"]["output"]["status"] == "resolved"

    incident = incidents.get_incident(member, opened["id"])
    assert (incident["status"], incident["severity"]) == ("resolved", "critical")
    assert incident["assignee"] == "ana@example.com"
    assert [e["kind"] for e in incident["timeline"]] == ["open", "assign", "escalate", "resolve"]
    assert incident["timeline"][3]["text"] == "status open → resolved: restarted the primary"
    assert incident["timeline"][0]["by"].endswith(f"run #{execution['id']}")
    assert [m["ok"] for m in incident["mirrors"]] == [True, True]

    key = f"flowdeck-incident-{opened['id']}"
    assert pagerduty.alerts[key]["events"] == ["trigger", "trigger", "resolve"]
    assert pagerduty.alerts[key]["severity"] == "critical"  # the escalation's trigger
    alert = opsgenie.alerts[key]
    assert (alert["status"], alert["priority"], alert["count"]) == ("closed", "P1", 1)
    assert alert["notes"] == ["assigned to ana@example.com: on call"]
    assert all(r.headers["authorization"] == f"GenieKey {GENIE_KEY}" for r in opsgenie.requests)

    names = [e.name for e in announced]
    assert names.count("incident.opened") == 1
    assert names.count("incident.escalated") == 1 and names.count("incident.resolved") == 1
    escalated = next(e for e in announced if e.name == "incident.escalated")
    assert escalated.data["incident_id"] == opened["id"]
    assert (escalated.data["previous_severity"], escalated.data["severity"]) == ("high", "critical")

    text = stored_text()
    assert ROUTING_KEY not in text and GENIE_KEY not in text


async def test_a_refused_mirror_fails_the_step_and_its_retry_sends_only_what_was_missed(
    member: Actor,
    engine: Engine,
    mirrors: list[str],
    pagerduty: PagerDutyStandIn,
    opsgenie: OpsgenieStandIn,
) -> None:
    pagerduty.then(500, {"status": "error", "message": "internal"})
    step = _steps(mirrors)[0]
    step["retry"] = {"strategy": "immediate", "max_attempts": 2}

    execution = await run(member, engine, [step], payload={"service": "api"})

    assert execution["status"] == "succeeded", execution
    [only] = execution["steps"]
    assert len(only["attempts"]) == 2
    assert "mirroring failed: PagerDuty answered 500" in only["attempts"][0]["error"]
    assert only["output"]["created"] is False  # the retry found the incident it opened
    listed = incidents.list_incidents(member)
    assert listed["total"] == 1
    incident = incidents.get_incident(member, listed["items"][0]["id"])
    mirror_entry = next(e for e in incident["timeline"] if e["kind"] == "mirror")
    assert "pd: open not mirrored: PagerDuty answered 500" in mirror_entry["text"]
    assert len(pagerduty.to("/v2/enqueue")) == 2  # the 500, then the retry
    assert len(opsgenie.to("/v2/alerts")) == 1  # Opsgenie had it: not sent again
    assert [m["ok"] for m in incident["mirrors"]] == [True, True]


async def test_a_bad_reference_or_a_wrong_connection_fails_clearly(
    member: Actor, engine: Engine, mirrors: list[str]
) -> None:
    execution = await run(
        member, engine, [{"id": "r", "type": "incident_resolve", "config": {"incident": 999}}]
    )
    assert execution["status"] == "failed"
    assert "incident 999 does not exist" in execution["steps"][0]["error"]

    missing = {"id": "open", "type": "incident_create",
               "config": {"title": "x", "mirror": ["nope"]}}  # fmt: skip
    execution = await run(member, engine, [missing])
    assert execution["status"] == "failed"
    assert "connection 'nope' does not exist" in execution["steps"][0]["error"]
    assert incidents.list_incidents(member)["total"] == 0  # nothing half-written


async def test_an_incident_triggered_workflow_escalates_the_incident_once(
    member: Actor, engine: Engine, announced: list[Event]
) -> None:
    """The Incident trigger's payload names the incident (`trigger.incident.incident_id`); the
    workflow's own escalation is announced with its workflow id, so it does not start itself
    again, while a person's later change does start it."""
    from sqlmodel import select

    from app.db.engine import session_scope
    from app.db.models import Execution
    from app.engine.triggers.events import EventTriggers
    from app.services import workflows
    from tests.integration.triggers.conftest import eventually

    listening = EventTriggers()
    listening.start()
    try:
        wf = workflows.create_workflow(member, {
            "name": "escalate on open", "trigger": {"type": "incident", "config": {
                "events": ["opened", "escalated"]}},
            "actions": [{"id": "up", "type": "incident_escalate",
                         "config": {"note": "paging {{ trigger.incident.assignee }}"}}],
        }).workflow["id"]  # fmt: skip

        def runs() -> list[Execution]:
            with session_scope() as session:
                return list(session.exec(select(Execution).where(Execution.workflow_id == wf)))

        opened = await incidents.create_incident(member, title="Queue backlog", severity="low",
                                                 assignee="bo")  # fmt: skip
        await eventually(lambda: len(runs()) == 1, within=5)
        await engine.drain()
        await asyncio.sleep(0.3)  # its own escalation must not start a second run
        await engine.drain()
        assert [r.status for r in runs()] == ["succeeded"]
        incident = incidents.get_incident(member, opened["id"])
        assert incident["severity"] == "medium"
        assert incident["timeline"][-1]["text"] == "severity low → medium: paging bo"
        own = next(e for e in announced if e.name == "incident.escalated")
        assert own.data["workflow_id"] == wf and own.data["opened_by_workflow_id"] is None

        await incidents.change_incident(member, opened["id"], kind="escalate")  # by a person
        await eventually(lambda: len(runs()) == 2, within=5)
        await engine.drain()
        assert incidents.get_incident(member, opened["id"])["severity"] == "critical"
    finally:
        listening.stop()
