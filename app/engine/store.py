"""The engine's writes, as small SQL statements on the caller's thread.

The runner persists every state change (execution, step, attempt) the moment it happens.
Plain SQLAlchemy Core keeps each write to one short transaction (tens of microseconds on
SQLite in WAL mode), which is what lets a 40-step run finish in milliseconds.

Every status write is conditional (see `statements`): an illegal move changes no row, and
is refused with `Conflict` (a step) or logged (a run closed twice).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.errors import Conflict, InvalidInput
from app.core.leases import live_leases, runs_to_recover
from app.core.statuses import ExecutionStatus, StepStatus
from app.db.engine import get_engine
from app.db.types import utcnow
from app.engine import leases, rollups_sql
from app.engine import statements as q
from app.engine.leases import LE
from app.engine.statements import EX, ST, WF

log = logging.getLogger("flowdeck.engine")


@dataclass(frozen=True)
class AttemptRecord:
    number: int
    started_at: datetime
    duration_ms: float
    error: str | None = None
    failure_kind: str | None = None


def insert_execution(values: dict[str, Any]) -> tuple[int, bool]:
    """Insert a queued execution; returns (id, created). A duplicate returns the first id."""
    try:
        with get_engine().begin() as conn:
            return conn.execute(q.INSERT_EXECUTION, values).inserted_primary_key[0], True
    except IntegrityError:
        key = (
            EX.c.dedupe_key == values["dedupe_key"]
            if values.get("dedupe_key")
            else EX.c.scheduled_for == values.get("scheduled_for")
        )
        with get_engine().connect() as conn:
            existing = conn.execute(
                sa.select(EX.c.id).where(EX.c.workflow_id == values["workflow_id"], key)
            ).scalar()
        if existing is None:
            raise
        return existing, False


def queued_candidates(limit: int) -> list[tuple[int, int, int]]:
    """(execution id, workflow id, workflow concurrency limit) of waiting runs, in order."""
    with get_engine().connect() as conn:
        rows = conn.execute(q.QUEUED, {"p_limit": limit}).all()
    return [(r[0], r[1], r[2]) for r in rows]


def claim(execution_id: int) -> dict[str, Any] | None:
    """queued → running and the step rows, in one transaction; None if someone was faster.

    A run that went on after a wait or a pause finds its step rows there: `resumed` maps each
    step to its stored row (id, status, output, skip_reason), and nothing is inserted. The run
    also carries its workflow's encrypted webhook secret, masked in what it stores.
    """
    now = utcnow()
    with get_engine().begin() as conn:
        row = conn.execute(q.EXECUTION, {"p_execution_id": execution_id}).mappings().first()
        if row is None or row["status"] != ExecutionStatus.QUEUED:
            return None
        workflow_key = {"p_workflow_id": row["workflow_id"]}
        definition = conn.execute(
            q.DEFINITION, {**workflow_key, "p_version": row["workflow_version"]}
        ).scalar()
        workflow = conn.execute(q.WORKFLOW_NAME, workflow_key).first()
        if workflow is None:
            return None
        actions = (definition or {}).get("actions")
        if not actions:  # a run of a version that was never recorded: the current actions
            actions = conn.execute(q.WORKFLOW_ACTIONS, workflow_key).scalar() or []
        done = conn.execute(
            q.CLAIM,
            {
                "p_execution_id": execution_id,
                "p_started_at": now,
                "p_steps_total": len(actions),
                "p_lease_id": leases.current_id(),
            },
        )
        if done.rowcount != 1:
            return None
        resumed = None
        if row["started_at"] is not None:  # it ran before: a wait ended, or it was resumed
            resumed = {
                r.action_id: r._asdict()
                for r in conn.execute(q.STEPS_OF, {"p_execution_id": execution_id})
            }
        if resumed:
            step_ids = [resumed[spec["id"]]["id"] for spec in actions]
        else:
            step_ids = _insert_steps(conn, execution_id, actions)
    return {
        **row,
        "status": "running",
        "started_at": row["started_at"] or now,
        "resumed": resumed,
        "actions": actions,
        "step_ids": step_ids,
        "workflow_name": workflow.name,
        "webhook_secret_enc": workflow.webhook_secret_enc,
        "max_parallel": (definition or {}).get("max_parallel") or workflow.max_parallel,
    }


def _insert_steps(
    conn: sa.Connection, execution_id: int, actions: list[dict[str, Any]]
) -> list[int]:
    if not actions:
        return []
    rows = [
        {
            "execution_id": execution_id,
            "position": position,
            "action_id": spec["id"],
            "name": spec.get("name") or spec["id"],
            "type": spec["type"],
            "status": StepStatus.PENDING,
            "attempts": 0,
        }
        for position, spec in enumerate(actions)
    ]
    return list(conn.execute(q.INSERT_STEPS, rows).scalars())


def _refuse_step(conn: sa.Connection, step_id: int, target: StepStatus) -> None:
    """Raise for a step write that changed no row: say what the step is instead."""
    current = conn.execute(q.STEP_STATUS, {"step_id": step_id}).scalar()
    if current is None:
        raise Conflict(f"step {step_id} does not exist")
    raise Conflict(f"step {step_id} is {current}: it cannot move to {target}")


def step_started(step_id: int, rendered_input: Any, started_at: datetime) -> None:
    """pending (or waiting) → running; `Conflict` (nothing written) from any other status."""
    with get_engine().begin() as conn:
        done = conn.execute(
            q.STEP_STARTED,
            {
                "step_id": step_id,
                "p_started_at": started_at,
                "p_input": rendered_input,
                "p_lease_id": leases.current_id(),
            },
        )
        if done.rowcount != 1:
            _refuse_step(conn, step_id, StepStatus.RUNNING)


def step_finished(
    step_id: int,
    status: StepStatus,
    *,
    started_at: datetime | None,
    output: Any = None,
    error: str | None = None,
    skip_reason: str | None = None,
    attempts: list[AttemptRecord] | None = None,
    rendered_input: Any = None,
    execution_id: int | None = None,
) -> datetime:
    """Write the step's end, its attempts and the run's progress in one transaction.

    `rendered_input` None keeps what `step_started` wrote; `started_at` None (a skipped
    step) records no start. A move the transition table forbids (a cancelled step written
    succeeded) raises `Conflict` and writes nothing.
    """
    if status not in q.STEP_ENDS:
        raise InvalidInput(f"{status} is not how a step ends")
    now = utcnow()
    params = {
        "step_id": step_id,
        "p_finished_at": now,
        "p_output": output,
        "p_error": error,
        "p_skip_reason": skip_reason,
        "p_attempts": len(attempts or []),
        "p_started_at": started_at,
        "p_input": rendered_input,
        "p_duration_ms": (now - started_at).total_seconds() * 1000 if started_at else None,
    }
    with get_engine().begin() as conn:
        done = conn.execute(q.STEP_FINISHED[status, rendered_input is not None], params)
        if done.rowcount != 1:
            _refuse_step(conn, step_id, status)
        if execution_id is not None and status in (StepStatus.SUCCEEDED, StepStatus.SKIPPED):
            conn.execute(q.STEP_COMPLETED, {"p_execution_id": execution_id})
        if attempts:
            conn.execute(
                q.INSERT_ATTEMPTS,
                [
                    {
                        "step_id": step_id,
                        "number": a.number,
                        "started_at": a.started_at,
                        "duration_ms": a.duration_ms,
                        "error": a.error,
                        "failure_kind": a.failure_kind,
                    }
                    for a in attempts
                ],
            )
    return now


def finish_execution(
    execution_id: int,
    workflow_id: int,
    status: ExecutionStatus,
    *,
    started_at: datetime,
    steps_completed: int,
    error: str | None,
    failed_step: str | None,
) -> float:
    """Close the run, move the workflow's counters and add it to the analytics rollups, in
    one transaction. Returns ms.

    A run that is no longer open (another writer closed it) is left as it is, steps and
    counters included, and the refusal logged.
    """
    statement = q.FINISH.get(status)
    if statement is None:
        raise InvalidInput(f"{status} is not how an execution ends")
    now = utcnow()
    duration_ms = (now - started_at).total_seconds() * 1000
    key = {"p_execution_id": execution_id}
    with get_engine().begin() as conn:
        done = conn.execute(
            statement,
            {
                **key,
                "p_finished_at": now,
                "p_duration_ms": duration_ms,
                "p_steps_completed": steps_completed,
                "p_error": error,
                "p_failed_step": failed_step,
            },
        )
        if done.rowcount != 1:
            log.warning("execution %s is not open: not moved to %s", execution_id, status)
            return duration_ms
        if status == ExecutionStatus.FAILED:
            reason = f"not run: step {failed_step} failed"
            conn.execute(q.SKIP_PENDING, {**key, "p_skip_reason": reason})
        conn.execute(q.CANCEL_UNFINISHED, {**key, "p_finished_at": now})
        conn.execute(q.CANCEL_WAITS, {**key, "p_finished_at": now})
        conn.execute(q.CANCEL_APPROVALS, {**key, "p_finished_at": now})
        conn.execute(
            q.COUNT_RUN,
            {
                "p_workflow_id": workflow_id,
                "p_success": int(status == ExecutionStatus.SUCCEEDED),
                "p_failure": int(status == ExecutionStatus.FAILED),
                "p_duration_ms": duration_ms,
                "p_finished_at": now,
                "p_status": status,
            },
        )
        rollups_sql.record_executions(conn, [execution_id])
    return duration_ms


def cancel_queued(execution_id: int) -> bool:
    """queued → cancelled; False (nothing written) if it is not queued any more."""
    with get_engine().begin() as conn:
        done = conn.execute(
            q.CANCEL_QUEUED, {"p_execution_id": execution_id, "p_finished_at": utcnow()}
        )
        if done.rowcount == 1:
            rollups_sql.record_executions(conn, [execution_id])
    return done.rowcount == 1


def recover_interrupted(own_lease: str | None = None) -> list[int]:
    """Runs left `running` by a dead process become `interrupted`, so do their running steps;
    their pending and waiting steps (with their waits and approvals) and the pending items of
    their for_each steps are cancelled. Finished,
    waiting, paused and queued runs are untouched.

    A dead process is one whose lease ran out: the runs of a living process (and of this one,
    `own_lease`) are never touched (`app.core.leases.runs_to_recover`). Two processes
    recovering at once interrupt each run once: the write says which runs it changed.
    """
    now = utcnow()
    with get_engine().connect() as conn:
        running = conn.execute(sa.select(EX.c.id, EX.c.lease_id).where(q.RECOVER_WHERE)).all()
        if not running:
            return []
        held = dict(conn.execute(sa.select(LE.c.id, LE.c.expires_at)).all())
    chosen = runs_to_recover([(r[0], r[1]) for r in running], live_leases(held, now), own_lease)
    if not chosen:
        return []
    alive = sa.select(LE.c.id).where(LE.c.expires_at > now)  # checked again as it writes
    not_alive = sa.or_(EX.c.lease_id.is_(None), EX.c.lease_id.not_in(alive))
    with get_engine().begin() as conn:
        ids = list(
            conn.execute(
                EX.update()
                .where(EX.c.id.in_(chosen), q.RECOVER_WHERE, not_alive)
                .values(
                    status=ExecutionStatus.INTERRUPTED,
                    finished_at=now,
                    error="interrupted: Flowdeck stopped while this execution ran",
                )
                .returning(EX.c.id)
            ).scalars()
        )
        ids.sort()
        if not ids:
            return []
        conn.execute(
            ST.update()
            .where(ST.c.execution_id.in_(ids), q.RECOVER_STEP_RUNNING)
            .values(
                status=StepStatus.INTERRUPTED,
                finished_at=now,
                error="interrupted: Flowdeck stopped while this step ran",
            )
        )
        conn.execute(
            ST.update()
            .where(ST.c.execution_id.in_(ids), q.RECOVER_STEP_UNSTARTED)
            .values(status=StepStatus.CANCELLED)
        )
        conn.execute(q.RECOVER_ITEMS, {"p_ids": ids})
        for execution_id in ids:  # a step that waited in a run that was going on: cancelled
            key = {"p_execution_id": execution_id, "p_finished_at": now}
            conn.execute(q.CANCEL_WAITS, key)
            conn.execute(q.CANCEL_APPROVALS, key)
        # An interrupted run counts as a run, as it does when a graceful stop interrupts it
        # (`finish_execution`); its duration is unknown, so the average keeps its value.
        per_workflow = conn.execute(
            sa.select(EX.c.workflow_id, sa.func.count())
            .where(EX.c.id.in_(ids))
            .group_by(EX.c.workflow_id)
        ).all()
        for workflow_id, count in per_workflow:
            conn.execute(
                WF.update()
                .where(WF.c.id == workflow_id)
                .values(
                    runs=WF.c.runs + count,
                    last_run_at=now,
                    last_status=ExecutionStatus.INTERRUPTED,
                )
            )
        rollups_sql.record_executions(conn, ids)
    return ids


def step_results(execution_id: int) -> dict[str, tuple[str, Any]]:
    """Each step of `execution_id`: (status, stored output), for a retry to pick from.

    These are the stored outputs: masked, and capped. A step whose output was over
    FLOWDECK_MAX_STEP_DATA_BYTES hands its `{"_truncated": true, …}` marker to the retry, not
    the full value; running it again could repeat what it did (post, publish), so it is
    reused all the same, and a later template that reads a field of it fails, naming it.
    Which steps a retry reuses is the planner's call (`app.core.planner.reusable_steps`).
    """
    with get_engine().connect() as conn:
        rows = conn.execute(
            sa.select(ST.c.action_id, ST.c.status, ST.c.output)
            .where(ST.c.execution_id == execution_id)
            .order_by(ST.c.position)
        ).all()
    return {action_id: (str(status), output) for action_id, status, output in rows}
