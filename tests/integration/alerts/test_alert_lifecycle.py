"""The dispatcher's life: started by Flowdeck's start-up, deliveries cut off by a stop are
failed (not left pending), and those a dead process left behind are closed at the next start."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from app.alerts.delivery import STOPPED, AlertDispatcher
from app.db.engine import session_scope
from app.db.models import AlertDelivery
from app.db.types import utcnow
from app.engine import runtime
from app.engine.bus import bus
from app.engine.runner import Engine
from app.lifespan import startup
from app.services import alerts, executions
from app.services.actor import Actor
from tests.integration.alerts.conftest import failing_workflow
from tests.integration.alerts.counterparts import SLACK_HOOK, Counterparts


def _statuses() -> list[tuple[str, str | None]]:
    with session_scope() as session:
        rows = session.exec(select(AlertDelivery).order_by(AlertDelivery.id)).all()
        return [(r.status, r.error) for r in rows]


def _slack(member: Actor, counterparts: Counterparts, wf: int) -> None:
    alerts.create_alert(
        member,
        {"workflowId": wf, "alertType": "slack", "channel": counterparts.base_url + SLACK_HOOK,
         "events": ["workflow_fail"], "severity": "error"},
    )  # fmt: skip


async def test_start_up_delivers_alerts_off_the_bus(
    db: Path, member: Actor, counterparts: Counterparts
) -> None:
    wf = failing_workflow(member, counterparts.base_url)
    _slack(member, counterparts, wf)
    async with startup():
        await executions.execute_workflow(member, wf)
        await runtime.current().drain()
        for _ in range(250):
            if _statuses() == [("delivered", None)]:
                break
            await asyncio.sleep(0.02)
    assert _statuses() == [("delivered", None)]
    assert len(counterparts.slack) == 1


async def test_a_stop_fails_what_it_cuts_off(
    engine: Engine, member: Actor, counterparts: Counterparts
) -> None:
    counterparts.delay_s = 1.0
    dispatcher = AlertDispatcher(bus)
    await dispatcher.start()
    wf = failing_workflow(member, counterparts.base_url)
    _slack(member, counterparts, wf)
    await executions.execute_workflow(member, wf)
    await engine.drain()
    await asyncio.sleep(0.1)
    await dispatcher.stop(grace_s=0.1)
    assert _statuses() == [("failed", STOPPED)]


async def test_start_closes_deliveries_a_dead_process_left_pending(
    db: Path, member: Actor, counterparts: Counterparts
) -> None:
    wf = failing_workflow(member, counterparts.base_url)
    _slack(member, counterparts, wf)
    now = utcnow()
    with session_scope() as session:
        for minutes in (20, 1):  # one long dead, one perhaps still in another worker's hands
            session.add(
                AlertDelivery(
                    alert_id=1, event="workflow_fail", created_at=now - timedelta(minutes=minutes)
                )
            )
    dispatcher = AlertDispatcher(bus)
    await dispatcher.start()
    await dispatcher.stop()
    assert _statuses() == [("failed", STOPPED), ("pending", None)]
