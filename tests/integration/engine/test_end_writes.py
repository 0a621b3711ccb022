"""Step ends written in batches: few transactions for a quick run, refusals kept apart.

Commits are counted with SQLAlchemy's own event hook on the real engine (no patching).
"""

from __future__ import annotations

import asyncio
import logging

import pytest
import sqlalchemy as sa

from app.core.statuses import StepStatus
from app.db.engine import get_engine
from app.engine.end_writes import end_now, write
from app.engine.records import Masking
from app.engine.runner import Engine
from app.services import executions, workflows
from app.services.actor import Actor

MASKING = Masking((), 1_000_000)


def _chain(count: int) -> list[dict]:
    return [
        {"id": f"s{i}", "type": "transform", "config": {"values": {"i": i}}} for i in range(count)
    ]


async def test_a_quick_chain_writes_its_step_ends_in_a_few_transactions(
    engine: Engine, member: Actor
) -> None:
    wf = workflows.create_workflow(
        member, {"name": "chain", "trigger": {"type": "manual"}, "actions": _chain(40)}
    ).workflow["id"]
    commits: list[int] = []
    hook = lambda conn: commits.append(1)  # noqa: E731
    sa.event.listen(get_engine(), "commit", hook)
    try:
        started = await executions.execute_workflow(member, wf)
        await engine.drain()
    finally:
        sa.event.remove(get_engine(), "commit", hook)
    detail = executions.get_execution(member, started["id"])
    assert detail["status"] == "succeeded" and detail["steps_completed"] == 40
    assert all(step["status"] == "succeeded" for step in detail["steps"])
    assert all(len(step["attempts"]) == 1 for step in detail["steps"])
    # One transaction per step end would be 40 on their own (plus the run's own writes).
    assert len(commits) < 20, len(commits)


async def test_published_step_ends_are_already_written(engine: Engine, member: Actor) -> None:
    wf = workflows.create_workflow(
        member, {"name": "seen", "trigger": {"type": "manual"}, "actions": _chain(5)}
    ).workflow["id"]
    found: list[str] = []

    def on_step(event) -> None:
        with get_engine().connect() as conn:
            found.append(
                conn.execute(
                    sa.text("SELECT status FROM execution_step WHERE id = :i"),
                    {"i": event.data["step_id"]},
                ).scalar_one()
            )

    engine.events.subscribe("step.finished", on_step)
    try:
        await executions.execute_workflow(member, wf)
        await engine.drain()
        await asyncio.sleep(0.05)
    finally:
        engine.events.unsubscribe(on_step)
    assert found == ["succeeded"] * 5


def _steps_of_a_run(member: Actor) -> list[int]:
    wf = workflows.create_workflow(
        member, {"name": "rows", "trigger": {"type": "manual"}, "actions": _chain(2)}
    ).workflow["id"]
    with get_engine().begin() as conn:
        execution_id = conn.execute(
            sa.text(
                "INSERT INTO execution (workflow_id, workflow_version, status, trigger_type,"
                " trigger_payload, priority_rank, queued_at, steps_completed, steps_total, depth)"
                " VALUES (:w, 1, 'running', 'manual', '{}', 1, CURRENT_TIMESTAMP, 0, 2, 0)"
            ),
            {"w": wf},
        ).lastrowid
        for position, status in enumerate(("running", "cancelled")):
            conn.execute(
                sa.text(
                    "INSERT INTO execution_step (execution_id, position, action_id, name, type,"
                    " status, attempts) VALUES (:e, :p, :a, :a, 'transform', :s, 0)"
                ),
                {"e": execution_id, "p": position, "a": f"s{position}", "s": status},
            )
        return list(
            conn.execute(
                sa.text("SELECT id FROM execution_step WHERE execution_id = :e ORDER BY id"),
                {"e": execution_id},
            ).scalars()
        )


def test_a_refused_end_is_logged_and_the_others_are_written(
    member: Actor, caplog: pytest.LogCaptureFixture
) -> None:
    running, cancelled = _steps_of_a_run(member)
    ends = [
        end_now(step_id=step_id, status=StepStatus.SUCCEEDED, masking=MASKING, output={"n": 1})
        for step_id in (running, cancelled)
    ]
    with caplog.at_level(logging.ERROR, logger="flowdeck.engine"):
        write(ends)
    with get_engine().connect() as conn:
        rows = dict(
            conn.execute(
                sa.text("SELECT id, status FROM execution_step WHERE id IN (:a, :b)"),
                {"a": running, "b": cancelled},
            ).all()
        )
    assert rows == {running: "succeeded", cancelled: "cancelled"}
    assert f"step {cancelled} is cancelled: it cannot move to succeeded" in caplog.text
