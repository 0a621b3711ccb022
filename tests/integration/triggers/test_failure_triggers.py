"""Runs that a failure starts, on the real engine, bus, alert dispatcher and SQLite file: the
`alert` trigger (payload: the alert, the execution, the error) and a workflow's "on failure run
workflow X", each guarded against loops."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.alerts.delivery import AlertDispatcher
from app.engine.bus import bus
from app.engine.runner import Engine
from app.engine.triggers.failures import FailureTriggers
from app.services import alerts, executions, workflows
from app.services.actor import Actor

BROKEN = [{"id": "boom", "type": "transform", "config": {"values": {"x": "{{ trigger.no.x }}"}}}]
FINE = [{"id": "ok", "type": "transform", "config": {"values": {"x": 1}}}]


@pytest.fixture
async def followers(db: Path, engine: Engine) -> AsyncIterator[FailureTriggers]:
    dispatcher = AlertDispatcher(bus, max_concurrent=2)
    await dispatcher.start()
    triggers = FailureTriggers()
    triggers.start()

    async def settle() -> None:
        for _ in range(6):  # a failure → an alert → a run → maybe another failure…
            await engine.drain()
            await dispatcher.drain()
            await triggers.settle()
        await engine.drain()

    triggers.settle_all = settle  # type: ignore[attr-defined]
    yield triggers
    triggers.stop()
    await dispatcher.stop()


def _workflow(member: Actor, name: str, actions: list[dict], **extra) -> int:
    data = {"name": name, "trigger": {"type": "manual"}, "actions": actions, **extra}
    return workflows.create_workflow(member, data).workflow["id"]


def _runs(member: Actor, workflow_id: int) -> list[dict]:
    page = executions.list_executions(member, executions.ExecutionFilter(workflow_id=workflow_id))
    return sorted(page["items"], key=lambda e: e["id"])


async def test_an_alert_starts_its_workflow_with_the_alert_execution_and_error(
    member: Actor, followers: FailureTriggers
) -> None:
    alert = alerts.create_alert(member, {"alertType": "in_app", "events": ["workflow_fail"]})
    steps = [{"id": "note", "type": "transform", "config": {"values": {
        "said": "{{ trigger.alert.name }}: {{ trigger.execution.workflow_name }} failed at "
                "{{ trigger.error.step }}"}}}]  # fmt: skip
    handler = workflows.create_workflow(
        member,
        {"name": "handler", "trigger": {"type": "alert", "config": {"alert_id": alert["id"]}},
         "actions": steps},
    ).workflow["id"]  # fmt: skip
    broken = _workflow(member, "broken", BROKEN)
    failed = await executions.execute_workflow(member, broken)
    await followers.settle_all()  # type: ignore[attr-defined]
    [run] = _runs(member, handler)
    detail = executions.get_execution(member, run["id"])
    assert detail["status"] == "succeeded" and detail["trigger_type"] == "alert"
    payload = detail["trigger_payload"]
    assert payload["alert"]["id"] == alert["id"] and payload["alert"]["event"] == "workflow_fail"
    assert payload["execution"]["id"] == failed["id"]
    assert payload["execution"]["workflow_name"] == "broken"
    assert "no" in payload["error"]["message"] and payload["chain"] == [broken]
    assert detail["steps"][0]["output"]["said"] == f"{alert['name']}: broken failed at boom"


async def test_a_failing_alert_workflow_does_not_start_itself_again(
    member: Actor, followers: FailureTriggers
) -> None:
    alerts.create_alert(member, {"alertType": "in_app", "events": ["workflow_fail"]})
    handler = workflows.create_workflow(
        member, {"name": "fragile handler", "trigger": {"type": "alert"}, "actions": BROKEN}
    ).workflow["id"]
    broken = _workflow(member, "broken", BROKEN)
    await executions.execute_workflow(member, broken)
    await followers.settle_all()  # type: ignore[attr-defined]
    # the handler ran once for broken's failure; its own failure fired the alert again, which
    # it does not follow (a handler of every alert would otherwise run forever)
    assert [r["status"] for r in _runs(member, handler)] == ["failed"]
    assert len(_runs(member, broken)) == 1


async def test_on_failure_runs_the_named_workflow_and_stops_at_a_cycle(
    member: Actor, followers: FailureTriggers
) -> None:
    cleanup = _workflow(member, "cleanup", BROKEN)  # fails too
    broken = _workflow(member, "broken", BROKEN, on_failure_workflow_id=cleanup)
    # cleanup's own failure would run broken again: A → B → A is refused at B's failure
    workflows.update_workflow(member, cleanup, {"on_failure_workflow_id": broken})
    assert workflows.get_workflow(member, broken)["on_failure_workflow_id"] == cleanup
    failed = await executions.execute_workflow(member, broken)
    await followers.settle_all()  # type: ignore[attr-defined]
    [run] = _runs(member, cleanup)
    detail = executions.get_execution(member, run["id"])
    assert detail["trigger_type"] == "on_failure"
    payload = detail["trigger_payload"]
    assert payload["execution"]["id"] == failed["id"] and payload["workflow"]["name"] == "broken"
    assert payload["error"]["step"] == "boom" and payload["chain"] == [broken]
    assert len(_runs(member, broken)) == 1  # not started again by cleanup's failure


async def test_a_run_that_succeeds_starts_no_failure_workflow(
    member: Actor, followers: FailureTriggers
) -> None:
    cleanup = _workflow(member, "cleanup", FINE)
    fine = _workflow(member, "fine", FINE, on_failure_workflow_id=cleanup)
    await executions.execute_workflow(member, fine)
    await followers.settle_all()  # type: ignore[attr-defined]
    assert _runs(member, cleanup) == []


def test_on_failure_must_name_another_existing_workflow(db: Path, member: Actor) -> None:
    from app.core.errors import ValidationFailed

    own = _workflow(member, "own", FINE)
    for bad, why in ((own, "a workflow cannot handle its own failure"), (9999, "no such")):
        with pytest.raises(ValidationFailed) as info:
            workflows.update_workflow(member, own, {"on_failure_workflow_id": bad})
        assert (info.value.for_path("on_failure_workflow_id") or "").startswith(why)
    with pytest.raises(ValidationFailed) as info:
        workflows.update_workflow(member, own, {"onFailureWorkflowId": "x"})
    assert info.value.for_path("on_failure_workflow_id")
