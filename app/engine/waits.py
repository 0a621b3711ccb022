"""Steps that wait without holding anything: recorded, resolved, woken.

An action that returns `Suspend` (a timer, a webhook call, an approval, a child run) has its
step written `waiting` with a `step_wait` row — and an `approval` row for an approval — in
one transaction (`record`). The run goes on with its other steps; once only waits are left
its task ends and the execution is `waiting`: no task, thread or slot is held, and a restart
changes nothing.

A wait ends through `resolve` (or `resolve_approval`, `resolve_child`, `wake_due`): in one
transaction the wait is `done`, its step ends (succeeded with the output, or failed), and a
`waiting` execution goes back to `queued`, where the engine picks it up like any other run and
goes on from the stored step states. An execution still running in this process is told
instead (`Engine.wait_resolved`). Every write here is conditional on the row still being
`pending`, so of two resolutions racing (a decision and a timeout) only the first counts.

These functions are synchronous: call them from a worker thread, never on the event loop.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.core.signatures import signed_token, token_value
from app.core.statuses import ExecutionStatus, StepStatus
from app.db.engine import get_engine
from app.db.settings import get_settings
from app.db.types import utcnow
from app.engine import statements as q
from app.engine.actions import Suspend
from app.engine.records import Masking
from app.engine.statements import AP as APPROVALS
from app.engine.statements import EX, ST
from app.engine.statements import SW as WAITS

log = logging.getLogger("flowdeck.engine")
_TOKEN_PURPOSE = "resume"


@dataclass(frozen=True)
class Recorded:
    wait_id: int
    approval_id: int | None


def record(
    *,
    execution_id: int,
    workflow_id: int,
    step_id: int,
    action_id: str,
    suspend: Suspend,
    started_at: datetime,
    rendered_input: Any,
    attempts: int,
    masking: Masking,
) -> Recorded:
    """The step → `waiting`, its `step_wait` row (and `approval` row), in one transaction."""
    now = utcnow()
    with get_engine().begin() as conn:
        done = conn.execute(
            q.STEP_WAITING,
            {
                "step_id": step_id,
                "p_started_at": started_at,
                "p_input": masking.value(rendered_input),
                "p_attempts": attempts,
            },
        )
        if done.rowcount != 1:
            raise RuntimeError(f"step {step_id} is not pending or running: it cannot wait")
        wait_id = conn.execute(
            WAITS.insert().values(
                execution_id=execution_id,
                step_id=step_id,
                action_id=action_id,
                kind=suspend.kind,
                status="pending",
                resume_at=suspend.resume_at,
                child_execution_id=suspend.child_execution_id,
                details=masking.value(suspend.details) or {},
                created_at=now,
            )
        ).inserted_primary_key[0]
        approval_id = None
        if suspend.approval is not None:
            approval_id = conn.execute(
                APPROVALS.insert().values(
                    execution_id=execution_id,
                    step_id=step_id,
                    workflow_id=workflow_id,
                    action_id=action_id,
                    message=str(suspend.approval.get("message") or "")[:5000],
                    approvers=list(suspend.approval.get("approvers") or []),
                    deadline=suspend.resume_at,
                    on_timeout=suspend.approval.get("on_timeout") or "reject",
                    status="pending",
                    created_at=now,
                )
            ).inserted_primary_key[0]
    return Recorded(wait_id, approval_id)


# -- resolving -----------------------------------------------------------------------------


class _NotPending(Exception):
    """Rolls back a resolution whose wait was resolved or cancelled meanwhile."""


def resolve(wait_id: int, *, output: Any = None, error: str | None = None) -> bool:
    """End a pending wait: its step succeeds with `output` (fails with `error`), the run goes
    on. False, and nothing written, if the wait is not pending any more."""
    try:
        with get_engine().begin() as conn:
            ended = _resolve_in(conn, wait_id, output, error)
    except _NotPending:
        return False
    _tell_engine(ended)
    return True


def resolve_approval(
    approval_id: int,
    *,
    decision: str,
    user_id: int | None,
    label: str,
    comment: str | None,
) -> bool:
    """Record a decision on a pending approval and end its step with it, in one transaction.

    The step's output (and so its branch): `{"branch": decision, "decision", "by", "user_id",
    "comment", "decided_at"}`. No permission check here: `app.services.approvals` decides who
    may call this. False, and nothing written, if the approval is not pending.
    """
    if decision not in ("approved", "rejected"):
        raise ValueError(f"an approval is approved or rejected, not {decision!r}")
    now = utcnow()
    try:
        with get_engine().begin() as conn:
            step_id = conn.execute(
                sa.select(APPROVALS.c.step_id).where(APPROVALS.c.id == approval_id)
            ).scalar()
            changed = conn.execute(
                APPROVALS.update()
                .where(APPROVALS.c.id == approval_id, APPROVALS.c.status == "pending")
                .values(
                    status=decision,
                    decided_by=user_id,
                    decided_by_label=label[:320],
                    comment=comment,
                    decided_at=now,
                )
            )
            if step_id is None or changed.rowcount != 1:
                raise _NotPending
            wait_id = conn.execute(
                sa.select(WAITS.c.id).where(WAITS.c.step_id == step_id)
            ).scalar_one()
            output = {
                "branch": decision,
                "decision": decision,
                "by": label,
                "user_id": user_id,
                "comment": comment,
                "decided_at": now.isoformat(),
            }
            ended = _resolve_in(conn, wait_id, output, None)
    except _NotPending:
        return False
    _tell_engine(ended)
    return True


def resolve_child(child_execution_id: int) -> bool:
    """End the parent's wait on a child run that has ended; False if it has not, or none waits.

    Called when the child ends and again when the parent's wait is recorded (a quick child may
    end first): whichever comes second finds both and resolves.
    """
    with get_engine().connect() as conn:
        status = conn.execute(sa.select(EX.c.status).where(EX.c.id == child_execution_id)).scalar()
        if status is None or not ExecutionStatus(status).is_terminal:
            return False
        wait_id = conn.execute(
            sa.select(WAITS.c.id).where(
                WAITS.c.child_execution_id == child_execution_id, WAITS.c.status == "pending"
            )
        ).scalar()
        if wait_id is None:
            return False
        steps = conn.execute(
            sa.select(ST.c.action_id, ST.c.output)
            .where(ST.c.execution_id == child_execution_id)
            .order_by(ST.c.position)
        ).all()
    output = {
        "execution_id": child_execution_id,
        "status": status,
        "steps": {action_id: value for action_id, value in steps},
    }
    error = None
    if status != ExecutionStatus.SUCCEEDED:
        error = f"sub-workflow execution {child_execution_id} ended {status}"
    return resolve(wait_id, output=output, error=error)


@dataclass(frozen=True)
class _Ended:
    """A resolved wait's step, for the engine and the `step.finished` event."""

    execution_id: int
    workflow_id: int
    step_id: int
    action_id: str
    status: StepStatus
    error: str | None
    requeued: bool


def _resolve_in(conn: sa.Connection, wait_id: int, output: Any, error: str | None) -> _Ended:
    """The writes of a resolution (the wait, its step, the run back to the queue)."""
    now = utcnow()
    settings = get_settings()
    masking = Masking(settings.secret_env_values, settings.max_step_data_bytes)
    stored = masking.value(output)
    changed = conn.execute(
        WAITS.update()
        .where(WAITS.c.id == wait_id, WAITS.c.status == "pending")
        .values(status="done", output=stored, error=masking.error(error), resolved_at=now)
    )
    if changed.rowcount != 1:
        raise _NotPending
    wait = conn.execute(
        sa.select(WAITS.c.execution_id, WAITS.c.step_id, WAITS.c.action_id).where(
            WAITS.c.id == wait_id
        )
    ).one()
    step = conn.execute(
        sa.select(ST.c.started_at, ST.c.attempts).where(ST.c.id == wait.step_id)
    ).one()
    status = StepStatus.FAILED if error else StepStatus.SUCCEEDED
    ended = conn.execute(
        q.STEP_FINISHED[status, False],
        {
            "step_id": wait.step_id,
            "p_finished_at": now,
            "p_output": stored,
            "p_error": masking.error(error),
            "p_skip_reason": None,
            "p_attempts": step.attempts,
            "p_started_at": step.started_at,
            "p_duration_ms": (now - step.started_at).total_seconds() * 1000
            if step.started_at
            else None,
        },
    )
    if ended.rowcount != 1:  # the step was cancelled with its execution
        raise _NotPending
    if status == StepStatus.SUCCEEDED:
        conn.execute(q.STEP_COMPLETED, {"p_execution_id": wait.execution_id})
    requeued = conn.execute(
        EX.update()
        .where(EX.c.id == wait.execution_id, EX.c.status == ExecutionStatus.WAITING)
        .values(status=ExecutionStatus.QUEUED)
    )
    workflow_id = conn.execute(
        sa.select(EX.c.workflow_id).where(EX.c.id == wait.execution_id)
    ).scalar_one()
    return _Ended(
        wait.execution_id,
        workflow_id,
        wait.step_id,
        wait.action_id,
        status,
        masking.error(error),
        requeued.rowcount == 1,
    )


def abandon(wait_id: int) -> None:
    """A pending wait that can no longer end its step (the step ended otherwise) is
    cancelled, so that the clock does not find it due again and again."""
    with get_engine().begin() as conn:
        conn.execute(
            WAITS.update()
            .where(WAITS.c.id == wait_id, WAITS.c.status == "pending")
            .values(status="cancelled", resolved_at=utcnow())
        )


def _tell_engine(ended: _Ended) -> None:
    """Announce the step's end (live views, alerts) and let the engine carry the run on."""
    from app.engine import runtime  # the engine module imports this one

    engine = runtime.current_or_none()
    if engine is None:
        return
    engine.events.publish_nowait(
        "step.finished",
        execution_id=ended.execution_id,
        workflow_id=ended.workflow_id,
        step_id=ended.step_id,
        action_id=ended.action_id,
        status=ended.status.value,
        error=ended.error,
    )
    engine.wait_resolved(ended.execution_id, requeued=ended.requeued)


# -- reading ---------------------------------------------------------------------------------


def resume_token(wait_id: int) -> str:
    """The token of a wait's resume URL (`/api/hooks/resume/<token>`), signed, not stored."""
    return signed_token(get_settings().secret_keys[0], _TOKEN_PURPOSE, str(wait_id))


def wait_of_token(token: str) -> int | None:
    """The wait a resume token names, or None for a forged or garbled one."""
    value = token_value(get_settings().secret_keys, _TOKEN_PURPOSE, token)
    return int(value) if value is not None and value.isdigit() else None


def waits_of(execution_id: int) -> list[dict[str, Any]]:
    """The execution's waits, oldest first, with their approval's id (for its detail)."""
    with get_engine().connect() as conn:
        rows = conn.execute(
            sa.select(WAITS, APPROVALS.c.id.label("approval_id"))
            .outerjoin(APPROVALS, APPROVALS.c.step_id == WAITS.c.step_id)
            .where(WAITS.c.execution_id == execution_id)
            .order_by(WAITS.c.id)
        ).mappings()
        return [
            {
                key: row[key]
                for key in (
                    "id",
                    "action_id",
                    "kind",
                    "status",
                    "resume_at",
                    "details",
                    "child_execution_id",
                    "approval_id",
                    "created_at",
                    "resolved_at",
                    "error",
                )
            }
            for row in rows
        ]
