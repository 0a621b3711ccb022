"""The engine's writes, as small SQL statements on the caller's thread.

The runner persists every state change (execution, step, attempt) the moment it happens.
Plain SQLAlchemy Core keeps each write to one short transaction (tens of microseconds on
SQLite in WAL mode), which is what lets a 40-step run finish in milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError

from app.core.statuses import ExecutionStatus, StepStatus
from app.db.engine import get_engine
from app.db.models import Execution, ExecutionStep, StepAttempt, Workflow, WorkflowVersion
from app.db.types import utcnow

EX = Execution.__table__
ST = ExecutionStep.__table__
AT = StepAttempt.__table__
WF = Workflow.__table__
WV = WorkflowVersion.__table__

# Built once: constructing a statement and its cache key costs more than running it.
_INSERT_STEPS = ST.insert().returning(ST.c.id, sort_by_parameter_order=True)


def _step_update(*columns: str) -> sa.Update:
    """`UPDATE execution_step SET <column> = :p_<column>, … WHERE id = :step_id`."""
    return (
        ST.update()
        .where(ST.c.id == bindparam("step_id"))
        .values({name: bindparam(f"p_{name}") for name in columns})
    )


_FINISH_COLUMNS = (
    "status",
    "started_at",
    "finished_at",
    "output",
    "error",
    "skip_reason",
    "attempts",
    "duration_ms",
)
_STEP_STARTED = _step_update("status", "started_at", "input")
_STEP_FINISHED = _step_update(*_FINISH_COLUMNS, "input")
_STEP_FINISHED_KEEP_INPUT = _step_update(*_FINISH_COLUMNS)
_INSERT_ATTEMPTS = AT.insert()
_STEP_COMPLETED = (
    EX.update()
    .where(EX.c.id == bindparam("p_execution_id"))
    .values(steps_completed=EX.c.steps_completed + 1)
)
_INSERT_EXECUTION = EX.insert()
_QUEUED = (
    sa.select(EX.c.id, EX.c.workflow_id, WF.c.concurrency_limit)
    .join(WF, WF.c.id == EX.c.workflow_id)
    .where(EX.c.status == ExecutionStatus.QUEUED)
    .order_by(EX.c.priority_rank.desc(), EX.c.queued_at, EX.c.id)
    .limit(bindparam("p_limit"))
)
_EXECUTION = sa.select(EX).where(EX.c.id == bindparam("p_execution_id"))
_DEFINITION = sa.select(WV.c.definition).where(
    WV.c.workflow_id == bindparam("p_workflow_id"),
    WV.c.version_number == bindparam("p_version"),
)
_WORKFLOW_NAME = sa.select(WF.c.name, WF.c.webhook_secret_enc, WF.c.max_parallel).where(
    WF.c.id == bindparam("p_workflow_id")
)
_WORKFLOW_ACTIONS = sa.select(WF.c.actions).where(WF.c.id == bindparam("p_workflow_id"))
_CLAIM = (
    EX.update()
    .where(EX.c.id == bindparam("p_execution_id"), EX.c.status == ExecutionStatus.QUEUED)
    .values(
        status=ExecutionStatus.RUNNING,
        started_at=bindparam("p_started_at"),
        steps_total=bindparam("p_steps_total"),
    )
)
_FINISH = (
    EX.update()
    .where(EX.c.id == bindparam("p_execution_id"), EX.c.status == ExecutionStatus.RUNNING)
    .values(
        status=bindparam("p_status"),
        finished_at=bindparam("p_finished_at"),
        duration_ms=bindparam("p_duration_ms"),
        steps_completed=bindparam("p_steps_completed"),
        error=bindparam("p_error"),
        failed_step=bindparam("p_failed_step"),
    )
)
_UNFINISHED_STEPS = ST.update().where(
    ST.c.execution_id == bindparam("p_execution_id"),
    ST.c.status.in_([StepStatus.PENDING, StepStatus.RUNNING]),
)
_SKIP_UNFINISHED = _UNFINISHED_STEPS.values(
    status=StepStatus.SKIPPED, skip_reason=bindparam("p_skip_reason")
)
_CANCEL_UNFINISHED = _UNFINISHED_STEPS.values(
    status=StepStatus.CANCELLED, finished_at=bindparam("p_finished_at")
)
_COUNT_RUN = (
    WF.update()
    .where(WF.c.id == bindparam("p_workflow_id"))
    .values(
        runs=WF.c.runs + 1,
        successes=WF.c.successes + bindparam("p_success", type_=sa.Integer),
        failures=WF.c.failures + bindparam("p_failure", type_=sa.Integer),
        avg_duration_ms=WF.c.avg_duration_ms
        + (bindparam("p_duration_ms", type_=sa.Float) - WF.c.avg_duration_ms) / (WF.c.runs + 1),
        last_run_at=bindparam("p_finished_at"),
        last_status=bindparam("p_status"),
    )
)


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
            return conn.execute(_INSERT_EXECUTION, values).inserted_primary_key[0], True
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
        rows = conn.execute(_QUEUED, {"p_limit": limit}).all()
    return [(r[0], r[1], r[2]) for r in rows]


def claim(execution_id: int) -> dict[str, Any] | None:
    """queued → running and the step rows, in one transaction; None if someone was faster.

    The run also carries its workflow's encrypted webhook secret, masked in what it stores.
    """
    now = utcnow()
    with get_engine().begin() as conn:
        row = conn.execute(_EXECUTION, {"p_execution_id": execution_id}).mappings().first()
        if row is None or row["status"] != ExecutionStatus.QUEUED:
            return None
        workflow_key = {"p_workflow_id": row["workflow_id"]}
        definition = conn.execute(
            _DEFINITION, {**workflow_key, "p_version": row["workflow_version"]}
        ).scalar()
        workflow = conn.execute(_WORKFLOW_NAME, workflow_key).first()
        if workflow is None:
            return None
        actions = (definition or {}).get("actions")
        if not actions:  # a run of a version that was never recorded: the current actions
            actions = conn.execute(_WORKFLOW_ACTIONS, workflow_key).scalar() or []
        done = conn.execute(
            _CLAIM,
            {"p_execution_id": execution_id, "p_started_at": now, "p_steps_total": len(actions)},
        )
        if done.rowcount != 1:
            return None
        step_ids = (
            list(
                conn.execute(
                    _INSERT_STEPS,
                    [
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
                    ],
                ).scalars()
            )
            if actions
            else []
        )
    return {
        **row,
        "status": "running",
        "started_at": now,
        "actions": actions,
        "step_ids": step_ids,
        "workflow_name": workflow.name,
        "webhook_secret_enc": workflow.webhook_secret_enc,
        "max_parallel": (definition or {}).get("max_parallel") or workflow.max_parallel,
    }


def step_started(step_id: int, rendered_input: Any, started_at: datetime) -> None:
    with get_engine().begin() as conn:
        conn.execute(
            _STEP_STARTED,
            {
                "step_id": step_id,
                "p_status": StepStatus.RUNNING,
                "p_started_at": started_at,
                "p_input": rendered_input,
            },
        )


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
    step) records no start.
    """
    now = utcnow()
    params = {
        "step_id": step_id,
        "p_status": status,
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
        if rendered_input is None:
            conn.execute(_STEP_FINISHED_KEEP_INPUT, params)
        else:
            conn.execute(_STEP_FINISHED, params)
        if execution_id is not None and status in (StepStatus.SUCCEEDED, StepStatus.SKIPPED):
            conn.execute(_STEP_COMPLETED, {"p_execution_id": execution_id})
        if attempts:
            conn.execute(
                _INSERT_ATTEMPTS,
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
    """Close the run and move the workflow's counters, in one transaction. Returns ms."""
    now = utcnow()
    duration_ms = (now - started_at).total_seconds() * 1000
    key = {"p_execution_id": execution_id}
    with get_engine().begin() as conn:
        done = conn.execute(
            _FINISH,
            {
                **key,
                "p_status": status,
                "p_finished_at": now,
                "p_duration_ms": duration_ms,
                "p_steps_completed": steps_completed,
                "p_error": error,
                "p_failed_step": failed_step,
            },
        )
        if status == ExecutionStatus.FAILED:
            reason = f"not run: step {failed_step} failed"
            conn.execute(_SKIP_UNFINISHED, {**key, "p_skip_reason": reason})
        else:
            conn.execute(_CANCEL_UNFINISHED, {**key, "p_finished_at": now})
        if done.rowcount == 1:
            conn.execute(
                _COUNT_RUN,
                {
                    "p_workflow_id": workflow_id,
                    "p_success": int(status == ExecutionStatus.SUCCEEDED),
                    "p_failure": int(status == ExecutionStatus.FAILED),
                    "p_duration_ms": duration_ms,
                    "p_finished_at": now,
                    "p_status": status,
                },
            )
    return duration_ms


def cancel_queued(execution_id: int) -> bool:
    with get_engine().begin() as conn:
        done = conn.execute(
            EX.update()
            .where(EX.c.id == execution_id, EX.c.status == ExecutionStatus.QUEUED)
            .values(status=ExecutionStatus.CANCELLED, finished_at=utcnow())
        )
    return done.rowcount == 1


def recover_interrupted() -> list[int]:
    """Runs left `running` by a dead process become `interrupted`; finished rows untouched."""
    now = utcnow()
    with get_engine().begin() as conn:
        ids = list(
            conn.execute(sa.select(EX.c.id).where(EX.c.status == ExecutionStatus.RUNNING)).scalars()
        )
        if not ids:
            return []
        conn.execute(
            EX.update()
            .where(EX.c.id.in_(ids), EX.c.status == ExecutionStatus.RUNNING)
            .values(
                status=ExecutionStatus.INTERRUPTED,
                finished_at=now,
                error="interrupted: Flowdeck stopped while this execution ran",
            )
        )
        conn.execute(
            ST.update()
            .where(ST.c.execution_id.in_(ids), ST.c.status == StepStatus.RUNNING)
            .values(
                status=StepStatus.FAILED,
                finished_at=now,
                error="interrupted: Flowdeck stopped while this step ran",
            )
        )
        conn.execute(
            ST.update()
            .where(ST.c.execution_id.in_(ids), ST.c.status == StepStatus.PENDING)
            .values(status=StepStatus.CANCELLED)
        )
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
