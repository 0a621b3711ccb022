"""A rollback resyncs the schedule like any save (it goes through `update_workflow`)."""

from __future__ import annotations

from app.engine.scheduler import ScheduleClock
from app.services import workflow_history, workflows
from app.services.actor import Actor

ACTIONS = [{"id": "noop", "type": "transform", "config": {"values": {}}}]


async def test_rollback_moves_the_next_fire_time_back(clock: ScheduleClock, member: Actor) -> None:
    trigger = {"type": "schedule", "config": {"cron": "0 9 * * *", "timezone": "UTC"}}
    wf = workflows.create_workflow(
        member, {"name": "digest", "trigger": trigger, "actions": ACTIONS}
    ).workflow["id"]
    later = {"type": "schedule", "config": {"cron": "0 17 * * *", "timezone": "UTC"}}
    workflows.update_workflow(member, wf, {"trigger": later})
    await clock.settle()
    assert clock.next_fire_time(wf).hour == 17
    workflow_history.rollback(member, wf, 1, "the evening run clashes with backups")
    await clock.settle()
    assert clock.next_fire_time(wf).hour == 9
