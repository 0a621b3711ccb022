"""Storm collapsing through the real engine: a burst of failures is one message with a count,
and the next message after the window says how many were held back."""

from __future__ import annotations

import json

from sqlmodel import select

from app.alerts.delivery import AlertDispatcher
from app.db.engine import session_scope
from app.db.models import Alert, AlertDelivery
from app.engine.runner import Engine
from app.services import alerts
from app.services.actor import Actor
from tests.integration.alerts.conftest import Clock, failing_workflow, run
from tests.integration.alerts.counterparts import SLACK_HOOK, Counterparts


def _deliveries(alert_id: int) -> list[AlertDelivery]:
    with session_scope() as session:
        return list(
            session.exec(
                select(AlertDelivery)
                .where(AlertDelivery.alert_id == alert_id)
                .order_by(AlertDelivery.id)
            ).all()
        )


def _slack_texts(counterparts: Counterparts) -> list[str]:
    return [json.loads(r["body"])["text"] for r in counterparts.slack]


async def test_ten_failures_in_a_row_are_one_message_then_the_count_follows(
    engine: Engine,
    dispatcher: AlertDispatcher,
    member: Actor,
    counterparts: Counterparts,
    clock: Clock,
) -> None:
    wf = failing_workflow(member, counterparts.base_url)
    alert = alerts.create_alert(
        member,
        {"workflowId": wf, "alertType": "slack", "channel": counterparts.base_url + SLACK_HOOK,
         "events": ["workflow_fail"], "severity": "error"},
    )["id"]  # fmt: skip

    await run(member, engine, dispatcher, wf, times=10)
    assert len(counterparts.slack) == 1
    (first,) = _deliveries(alert)
    assert (first.status, first.occurrences, first.attempts) == ("delivered", 10, 1)
    with session_scope() as session:
        row = session.get(Alert, alert)
        assert row is not None
        assert (row.triggered_count, row.delivered_count, row.failed_count) == (10, 1, 0)

    clock.advance(59)  # still inside the window
    await run(member, engine, dispatcher, wf)
    assert len(counterparts.slack) == 1 and _deliveries(alert)[0].occurrences == 11

    clock.advance(2)  # the window is over: the next failure is sent, with the count
    (later,) = await run(member, engine, dispatcher, wf)
    first_text, second_text = _slack_texts(counterparts)
    assert "more" not in first_text
    assert "(and 10 more times in the minute after the previous alert)" in second_text
    assert f"/admin/executions/{later}" in second_text
    second = _deliveries(alert)[1]
    assert (second.occurrences, second.execution_id) == (1, later)
    assert "(and 10 more times" in second.message

    clock.advance(61)  # a lone failure after a quiet window mentions nothing
    await run(member, engine, dispatcher, wf)
    assert "more" not in _slack_texts(counterparts)[2]


async def test_storms_are_kept_apart_by_workflow_and_event(
    engine: Engine, dispatcher: AlertDispatcher, member: Actor, counterparts: Counterparts
) -> None:
    one = failing_workflow(member, counterparts.base_url, name="One")
    two = failing_workflow(member, counterparts.base_url, name="Two")
    alert = alerts.create_alert(
        member,
        {"alertType": "slack", "channel": counterparts.base_url + SLACK_HOOK,
         "events": ["workflow_fail", "step_fail"], "severity": "warning"},
    )["id"]  # fmt: skip
    await run(member, engine, dispatcher, one, times=3)
    await run(member, engine, dispatcher, two, times=2)
    seen = sorted((d.event, d.occurrences) for d in _deliveries(alert))
    assert seen == [("step_fail", 2), ("step_fail", 3), ("workflow_fail", 2), ("workflow_fail", 3)]
    assert len(counterparts.slack) == 4
