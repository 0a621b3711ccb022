"""Every status write of the store checks the transition table: an illegal move changes no row.

These call the store's functions directly on a real SQLite file, the way the runner does, to
reach the moves the runner itself never asks for.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import Conflict, InvalidInput
from app.core.statuses import ExecutionStatus as E
from app.core.statuses import StepStatus as S
from app.db.types import utcnow
from app.engine import store
from app.services import workflows
from app.services.actor import Actor

ACTIONS = [
    {"id": "one", "type": "transform", "config": {"values": {"n": 1}}},
    {"id": "two", "type": "transform", "config": {"values": {"n": 2}}},
]


def _claimed(member: Actor) -> dict[str, Any]:
    """A workflow of two steps and one run of it, claimed: running, both steps pending."""
    data = {"name": "guarded", "trigger": {"type": "manual"}, "actions": ACTIONS}
    workflow = workflows.create_workflow(member, data).workflow
    execution_id, _ = store.insert_execution(
        {
            "workflow_id": workflow["id"],
            "workflow_version": workflow["version"],
            "status": E.QUEUED,
            "trigger_type": "manual",
            "trigger_payload": {},
            "priority_rank": 1,
            "queued_at": utcnow(),
            "steps_completed": 0,
            "steps_total": 0,
        }
    )
    run = store.claim(execution_id)
    assert run is not None
    return run


def _rows(db: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(db / "flowdeck.db") as conn:
        return conn.execute(sql).fetchall()


def _steps(db: Path, execution_id: int) -> list[tuple]:
    return _rows(
        db,
        "SELECT status, output, error, finished_at, attempts FROM execution_step "
        f"WHERE execution_id = {execution_id} ORDER BY position",
    )


def _execution(db: Path, execution_id: int) -> list[tuple]:
    return _rows(
        db,
        "SELECT e.status, e.steps_completed, e.finished_at, w.runs, w.successes, w.failures "
        f"FROM execution e JOIN workflow w ON w.id = e.workflow_id WHERE e.id = {execution_id}",
    )


def test_succeeded_onto_a_cancelled_step_changes_nothing(db: Path, member: Actor) -> None:
    run = _claimed(member)
    step = run["step_ids"][0]
    store.step_finished(step, S.CANCELLED, started_at=utcnow(), error="cancelled")
    before = (
        _steps(db, run["id"]),
        _execution(db, run["id"]),
        _rows(db, "SELECT * FROM step_attempt"),
    )
    attempt = store.AttemptRecord(1, utcnow(), 1.0)

    with pytest.raises(Conflict, match=f"step {step} is cancelled: it cannot move to succeeded"):
        store.step_finished(
            step,
            S.SUCCEEDED,
            started_at=utcnow(),
            output={"late": True},
            attempts=[attempt],
            execution_id=run["id"],
        )
    # neither the step, nor the run's progress, nor its attempts moved
    after = (
        _steps(db, run["id"]),
        _execution(db, run["id"]),
        _rows(db, "SELECT * FROM step_attempt"),
    )
    assert after == before
    assert after[0][0][0] == "cancelled"


def test_a_finished_step_cannot_be_marked_running(db: Path, member: Actor) -> None:
    run = _claimed(member)
    step = run["step_ids"][1]
    store.step_finished(step, S.SKIPPED, started_at=None, skip_reason="branch not taken")
    with pytest.raises(Conflict, match="is skipped: it cannot move to running"):
        store.step_started(step, {"late": True}, utcnow())
    assert _steps(db, run["id"])[1][0] == "skipped"
    with pytest.raises(Conflict, match="does not exist"):
        store.step_started(10_000, None, utcnow())


def test_a_running_step_may_end_skipped_and_a_step_not_ended_pending(
    db: Path, member: Actor
) -> None:
    run = _claimed(member)
    step = run["step_ids"][0]
    store.step_started(step, {"n": 1}, utcnow())
    with pytest.raises(InvalidInput, match="pending is not how a step ends"):
        store.step_finished(step, S.PENDING, started_at=None)
    assert _steps(db, run["id"])[0][0] == "running"
    # an action that found nothing it could do ends its started step skipped (`Skip`)
    store.step_finished(step, S.SKIPPED, started_at=None, skip_reason="nothing to measure")
    assert _steps(db, run["id"])[0][0] == "skipped"
    with pytest.raises(Conflict, match="is skipped: it cannot move to succeeded"):
        store.step_finished(step, S.SUCCEEDED, started_at=None)


def test_finish_refuses_a_status_that_is_no_end_and_a_closed_run(db: Path, member: Actor) -> None:
    run = _claimed(member)
    started = run["started_at"] - timedelta(milliseconds=5)
    closing: dict[str, Any] = {"started_at": started, "steps_completed": 0, "error": None}
    with pytest.raises(InvalidInput, match="queued is not how an execution ends"):
        store.finish_execution(run["id"], run["workflow_id"], E.QUEUED, **closing, failed_step=None)
    assert _execution(db, run["id"])[0][0] == "running"

    store.finish_execution(run["id"], run["workflow_id"], E.CANCELLED, **closing, failed_step=None)
    closed = (_steps(db, run["id"]), _execution(db, run["id"]))
    assert [s[0] for s in closed[0]] == ["cancelled", "cancelled"]
    assert closed[1][0][0::3] == ("cancelled", 1)  # status, workflow runs
    # a second close (a racing writer) moves nothing: not the status, steps or counters
    store.finish_execution(run["id"], run["workflow_id"], E.SUCCEEDED, **closing, failed_step=None)
    assert (_steps(db, run["id"]), _execution(db, run["id"])) == closed
    assert store.cancel_queued(run["id"]) is False
    assert store.claim(run["id"]) is None


def test_a_failed_run_skips_its_pending_steps_and_cancels_a_running_one(
    db: Path, member: Actor
) -> None:
    """What a failed run leaves unfinished: never `running → skipped` ("not run" it did run)."""
    run = _claimed(member)
    store.step_started(run["step_ids"][0], None, utcnow())  # its end was never written
    store.finish_execution(
        run["id"],
        run["workflow_id"],
        E.FAILED,
        started_at=run["started_at"],
        steps_completed=0,
        error="step x failed",
        failed_step="x",
    )
    statuses = _rows(
        db,
        f"SELECT status, skip_reason FROM execution_step WHERE execution_id = {run['id']} "
        "ORDER BY position",
    )
    assert statuses == [("cancelled", None), ("skipped", "not run: step x failed")]


def test_recovery_interrupts_running_steps_and_leaves_waiting_runs(db: Path, member: Actor) -> None:
    crashed, waiting = _claimed(member), _claimed(member)
    store.step_finished(crashed["step_ids"][0], S.SUCCEEDED, started_at=utcnow(), output={})
    store.step_started(crashed["step_ids"][1], None, utcnow())
    # a run waiting on an approval (the engine does not write these yet: set by hand)
    with sqlite3.connect(db / "flowdeck.db") as conn:
        conn.execute(f"UPDATE execution SET status = 'waiting' WHERE id = {waiting['id']}")
        conn.execute(
            f"UPDATE execution_step SET status = 'waiting' WHERE id = {waiting['step_ids'][0]}"
        )

    assert store.recover_interrupted() == [crashed["id"]]

    steps = _steps(db, crashed["id"])
    assert [s[0] for s in steps] == ["succeeded", "interrupted"]
    assert "interrupted" in steps[1][2] and steps[1][3] is not None
    assert _execution(db, crashed["id"])[0][0] == "interrupted"
    assert _execution(db, waiting["id"])[0][0] == "waiting"
    assert [s[0] for s in _steps(db, waiting["id"])] == ["waiting", "pending"]
    assert store.recover_interrupted() == []  # nothing left running
