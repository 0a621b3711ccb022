"""The `incident` trigger on the real engine and bus: incidents opened through the incident
service start the workflows waiting for that event (filter on the incident), and an incident a
workflow's own run opened does not start that workflow again."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.engine.runner import Engine
from app.engine.triggers.events import EventTriggers
from app.services import executions, incidents, workflows
from app.services.actor import Actor


@pytest.fixture
async def listening(db: Path, engine: Engine) -> AsyncIterator[EventTriggers]:
    triggers = EventTriggers()
    triggers.start()
    yield triggers
    triggers.stop()


async def _settle(engine: Engine, triggers: EventTriggers) -> None:
    for _ in range(4):  # an incident → a run → maybe another incident…
        await engine.drain()
        worker = triggers._worker  # the trigger's one thread: wait for what it was handed
        if worker is not None:
            worker.submit(lambda: None).result(timeout=10)
    await engine.drain()


def _runs(member: Actor, workflow_id: int) -> list[dict]:
    page = executions.list_executions(member, executions.ExecutionFilter(workflow_id=workflow_id))
    items = sorted(page["items"], key=lambda e: e["id"])
    return [executions.get_execution(member, e["id"]) for e in items]


def _workflow(member: Actor, name: str, config: dict, actions: list[dict]) -> int:
    data = {"name": name, "trigger": {"type": "incident", "config": config}, "actions": actions}
    return workflows.create_workflow(member, data).workflow["id"]


NOTE = [{"id": "note", "type": "transform", "config": {"values": {
    "line": "{{ trigger.event }}: {{ trigger.incident.title }} ({{ trigger.incident.severity }})"
}}}]  # fmt: skip


async def test_an_opened_incident_starts_the_workflows_whose_filter_matches(
    member: Actor, engine: Engine, listening: EventTriggers
) -> None:
    critical = _workflow(
        member, "page on-call", {"filter": "incident.severity == 'critical'"}, NOTE
    )
    resolved_only = _workflow(member, "post-mortem", {"events": ["resolved"]}, NOTE)
    opened = await incidents.create_incident(member, title="Checkout down", severity="critical")
    await incidents.create_incident(member, title="Slow search", severity="low")
    await _settle(engine, listening)
    [run] = _runs(member, critical)
    assert run["trigger_type"] == "incident" and run["status"] == "succeeded"
    assert run["trigger_payload"]["event"] == "opened"
    assert run["trigger_payload"]["incident"]["incident_id"] == opened["id"]
    assert run["steps"][0]["output"] == {"line": "opened: Checkout down (critical)"}
    assert _runs(member, resolved_only) == []
    await incidents.change_incident(member, opened["id"], kind="resolve", note="fixed")
    await _settle(engine, listening)
    [after] = _runs(member, resolved_only)
    assert after["trigger_payload"]["event"] == "resolved"


async def test_an_incident_its_own_run_opened_does_not_start_the_workflow_again(
    member: Actor, engine: Engine, listening: EventTriggers
) -> None:
    follow_up = [{"id": "open", "type": "incident_create", "config": {
        "title": "Follow-up of {{ trigger.incident.title }}", "severity": "low"}}]  # fmt: skip
    chained = _workflow(member, "follow up", {"events": ["opened"]}, follow_up)
    await incidents.create_incident(member, title="Disk full", severity="high")
    await _settle(engine, listening)
    runs = _runs(member, chained)
    assert [r["status"] for r in runs] == ["succeeded"]  # not again for its own incident
    titles = [i["title"] for i in incidents.list_incidents(member)["items"]]
    assert sorted(titles) == ["Disk full", "Follow-up of Disk full"]


def test_a_bad_filter_or_event_is_named_on_save(db: Path, member: Actor) -> None:
    from app.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as info:
        _workflow(member, "bad", {"events": ["closed"], "filter": "incident.severity =="}, NOTE)
    paths = {p.path for p in info.value.problems}
    assert paths == {"trigger.config.events[0]", "trigger.config.filter"}
