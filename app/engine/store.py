"""The engine's writes, as small SQL statements on the caller's thread.

The runner persists every state change (execution, step, attempt) the moment it happens.
Plain SQLAlchemy Core keeps each write to one short transaction (tens of microseconds on
SQLite in WAL mode), which is what lets a 40-step run finish in milliseconds.

Every status write is conditional: its WHERE names the statuses the transition tables of
`app.core.statuses` allow to move to the new one, so an illegal move changes no row (and is
refused with `Conflict`), and of two writers racing for one row only the first wins.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import bindparam
from sqlalchemy.exc import IntegrityError

from app.core.errors import Conflict, InvalidInput
from app.core.statuses import ExecutionStatus, StepStatus, check_transition, sources_of
from app.db.engine import get_engine
from app.db.models import Execution, ExecutionStep, StepAttempt, Workflow, WorkflowVersion
from app.db.types import utcnow

EX = Execution.__table__
ST = ExecutionStep.__table__
AT = StepAttempt.__table__
WF = Workflow.__table__
WV = WorkflowVersion.__table__

log = logging.getLogger("flowdeck.engine")
_Status = TypeVar("_Status", ExecutionStatus, StepStatus)

# Built once: constructing a statement and its cache key costs more than running it.
_INSERT_STEPS = ST.insert().returning(ST.c.id, sort_by_parameter_order=True)


def _moving(column: sa.Column, target: _Status, *sources: _Status) -> sa.ColumnElement[bool]:
    """`column IN (<sources>)`: the rows a write of `target` may change.

    Without `sources`, every status the table allows to move to `target`; with them, those
    (each checked against the table when the statement is built, at import).
    """
    for source in sources:
        check_transition(source, target)
    return column.in_(sources or sources_of(target))


def _step_update(target: StepStatus, *columns: str) -> sa.Update:
    """`UPDATE execution_step SET status = <target>, <column> = :p_<column>, …
    WHERE id = :step_id AND status IN (<statuses that may move to target>)`."""
    return (
        ST.update()
        .where(ST.c.id == bindparam("step_id"), _moving(ST.c.status, target))
        .values({"status": target, **{name: bindparam(f"p_{name}") for name in columns}})
    )


_FINISH_COLUMNS = (
    "started_at",
    "finished_at",
    "output",
    "error",
    "skip_reason",
    "attempts",
    "duration_ms",
)
_STEP_STARTED = _step_update(StepStatus.RUNNING, "started_at", "input")
_STEP_ENDS = tuple(status for status in StepStatus if status.is_terminal and sources_of(status))
#: (end status, whether the write replaces the input) → its statement
_STEP_FINISHED = {
    (status, with_input): _step_update(status, *_FINISH_COLUMNS, *(("input",) * with_input))
    for status in _STEP_ENDS
    for with_input in (True, False)
}
_STEP_STATUS = sa.select(ST.c.status).where(ST.c.id == bindparam("step_id"))
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
    .where(
        EX.c.id == bindparam("p_execution_id"),
        _moving(EX.c.status, ExecutionStatus.RUNNING, ExecutionStatus.QUEUED),
    )
    .values(
        status=ExecutionStatus.RUNNING,
        started_at=bindparam("p_started_at"),
        steps_total=bindparam("p_steps_total"),
    )
)


def _finish(target: ExecutionStatus) -> sa.Update:
    """Close a started run (any status the table lets move to `target` except `queued`)."""
    started = [s for s in sources_of(target) if s != ExecutionStatus.QUEUED]
    return (
        EX.update()
        .where(EX.c.id == bindparam("p_execution_id"), _moving(EX.c.status, target, *started))
        .values(
            status=target,
            finished_at=bindparam("p_finished_at"),
            duration_ms=bindparam("p_duration_ms"),
            steps_completed=bindparam("p_steps_completed"),
            error=bindparam("p_error"),
            failed_step=bindparam("p_failed_step"),
        )
    )


_FINISH = {status: _finish(status) for status in ExecutionStatus if status.is_terminal}
_OF_EXECUTION = ST.c.execution_id == bindparam("p_execution_id")
# A failed run's steps that never started are skipped ("not run: …"); whatever else is left
# unfinished (a step whose end could not be written, a wait) is cancelled.
_SKIP_PENDING = (
    ST.update()
    .where(_OF_EXECUTION, _moving(ST.c.status, StepStatus.SKIPPED, StepStatus.PENDING))
    .values(status=StepStatus.SKIPPED, skip_reason=bindparam("p_skip_reason"))
)
_CANCEL_UNFINISHED = (
    ST.update()
    .where(_OF_EXECUTION, _moving(ST.c.status, StepStatus.CANCELLED))
    .values(status=StepStatus.CANCELLED, finished_at=bindparam("p_finished_at"))
)
_CANCEL_QUEUED = (
    EX.update()
    .where(
        EX.c.id == bindparam("p_execution_id"),
        _moving(EX.c.status, ExecutionStatus.CANCELLED, ExecutionStatus.QUEUED),
    )
    .values(status=ExecutionStatus.CANCELLED, finished_at=bindparam("p_finished_at"))
)
# Crash recovery: what a dead process left running is interrupted; its unstarted steps are
# cancelled. Waiting and paused runs keep their status (nothing of theirs runs in a process).
_RECOVER_WHERE = _moving(EX.c.status, ExecutionStatus.INTERRUPTED, ExecutionStatus.RUNNING)
_RECOVER_STEP_RUNNING = _moving(ST.c.status, StepStatus.INTERRUPTED, StepStatus.RUNNING)
_RECOVER_STEP_PENDING = _moving(ST.c.status, StepStatus.CANCELLED, StepStatus.PENDING)
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


def _refuse_step(conn: sa.Connection, step_id: int, target: StepStatus) -> None:
    """Raise for a step write that changed no row: say what the step is instead."""
    current = conn.execute(_STEP_STATUS, {"step_id": step_id}).scalar()
    if current is None:
        raise Conflict(f"step {step_id} does not exist")
    raise Conflict(f"step {step_id} is {current}: it cannot move to {target}")


def step_started(step_id: int, rendered_input: Any, started_at: datetime) -> None:
    """pending (or waiting) → running; `Conflict` (nothing written) from any other status."""
    with get_engine().begin() as conn:
        done = conn.execute(
            _STEP_STARTED,
            {"step_id": step_id, "p_started_at": started_at, "p_input": rendered_input},
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
    if status not in _STEP_ENDS:
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
        done = conn.execute(_STEP_FINISHED[status, rendered_input is not None], params)
        if done.rowcount != 1:
            _refuse_step(conn, step_id, status)
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
    """Close the run and move the workflow's counters, in one transaction. Returns ms.

    A run that is no longer open (another writer closed it) is left as it is, steps and
    counters included, and the refusal logged.
    """
    statement = _FINISH.get(status)
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
            conn.execute(_SKIP_PENDING, {**key, "p_skip_reason": reason})
        conn.execute(_CANCEL_UNFINISHED, {**key, "p_finished_at": now})
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
    """queued → cancelled; False (nothing written) if it is not queued any more."""
    with get_engine().begin() as conn:
        done = conn.execute(
            _CANCEL_QUEUED, {"p_execution_id": execution_id, "p_finished_at": utcnow()}
        )
    return done.rowcount == 1


def recover_interrupted() -> list[int]:
    """Runs left `running` by a dead process become `interrupted`, so do their running steps;
    their pending steps are cancelled. Finished, waiting and queued rows are untouched."""
    now = utcnow()
    with get_engine().begin() as conn:
        ids = list(conn.execute(sa.select(EX.c.id).where(_RECOVER_WHERE)).scalars())
        if not ids:
            return []
        conn.execute(
            EX.update()
            .where(EX.c.id.in_(ids), _RECOVER_WHERE)
            .values(
                status=ExecutionStatus.INTERRUPTED,
                finished_at=now,
                error="interrupted: Flowdeck stopped while this execution ran",
            )
        )
        conn.execute(
            ST.update()
            .where(ST.c.execution_id.in_(ids), _RECOVER_STEP_RUNNING)
            .values(
                status=StepStatus.INTERRUPTED,
                finished_at=now,
                error="interrupted: Flowdeck stopped while this step ran",
            )
        )
        conn.execute(
            ST.update()
            .where(ST.c.execution_id.in_(ids), _RECOVER_STEP_PENDING)
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
