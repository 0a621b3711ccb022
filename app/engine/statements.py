"""The engine's SQL statements, built once: constructing one costs more than running it.

Every status write is conditional: its WHERE names the statuses the transition tables of
`app.core.statuses` allow to move to the new one (`_moving`), so an illegal move changes no
row, and of two writers racing for one row only the first wins. `store` runs these.
"""

from __future__ import annotations

from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import bindparam

from app.core.statuses import ExecutionStatus, StepStatus, check_transition, sources_of
from app.db.models import (
    Approval,
    Execution,
    ExecutionStep,
    StepAttempt,
    StepItem,
    StepWait,
    Workflow,
    WorkflowVersion,
)

EX = Execution.__table__
ST = ExecutionStep.__table__
AT = StepAttempt.__table__
WF = Workflow.__table__
WV = WorkflowVersion.__table__
SW = StepWait.__table__
SI = StepItem.__table__
AP = Approval.__table__

_Status = TypeVar("_Status", ExecutionStatus, StepStatus)

# Built once: constructing a statement and its cache key costs more than running it.
INSERT_STEPS = ST.insert().returning(ST.c.id, sort_by_parameter_order=True)


def _moving(column: sa.Column, target: _Status, *sources: _Status) -> sa.ColumnElement[bool]:
    """`column = <source> OR …`: the rows a write of `target` may change.

    Without `sources`, every status the table allows to move to `target`; with them, those
    (each checked against the table when the statement is built, at import). Equalities, not
    `IN`: an `IN` list is expanded at every execution, which doubles the cost of a write.
    """
    for source in sources:
        check_transition(source, target)
    return sa.or_(*(column == source for source in sources or sources_of(target)))


def check_move(source: ExecutionStatus, target: ExecutionStatus) -> sa.ColumnElement[bool]:
    """`execution.status = <source>`, once the table allows `source` → `target`."""
    return _moving(EX.c.status, target, source)


def _step_update(target: StepStatus, *columns: str) -> sa.Update:
    """`UPDATE execution_step SET status = <target>, <column> = :p_<column>, …
    WHERE id = :step_id AND status IN (<statuses that may move to target>)`."""
    return (
        ST.update()
        .where(ST.c.id == bindparam("step_id"), _moving(ST.c.status, target))
        .values({"status": target, **{name: bindparam(f"p_{name}") for name in columns}})
    )


FINISH_COLUMNS = (
    "started_at",
    "finished_at",
    "output",
    "error",
    "skip_reason",
    "attempts",
    "duration_ms",
)
STEP_STARTED = _step_update(StepStatus.RUNNING, "started_at", "input", "lease_id")
STEP_ENDS = tuple(status for status in StepStatus if status.is_terminal and sources_of(status))
#: (end status, whether the write replaces the input) → its statement
STEP_FINISHED = {
    (status, with_input): _step_update(status, *FINISH_COLUMNS, *(("input",) * with_input))
    for status in STEP_ENDS
    for with_input in (True, False)
}
STEP_WAITING = _step_update(StepStatus.WAITING, "started_at", "input", "attempts")
STEP_STATUS = sa.select(ST.c.status).where(ST.c.id == bindparam("step_id"))
INSERT_ATTEMPTS = AT.insert()
STEP_COMPLETED = (
    EX.update()
    .where(EX.c.id == bindparam("p_execution_id"))
    .values(steps_completed=EX.c.steps_completed + 1)
)
STEPS_COMPLETED = (
    EX.update()
    .where(EX.c.id == bindparam("p_execution_id"))
    .values(steps_completed=EX.c.steps_completed + bindparam("p_count", type_=sa.Integer))
)
INSERT_EXECUTION = EX.insert()
QUEUED = (
    sa.select(EX.c.id, EX.c.workflow_id, WF.c.concurrency_limit)
    .join(WF, WF.c.id == EX.c.workflow_id)
    .where(EX.c.status == ExecutionStatus.QUEUED)
    .order_by(EX.c.priority_rank.desc(), EX.c.queued_at, EX.c.id)
    .limit(bindparam("p_limit"))
)
EXECUTION = sa.select(EX).where(EX.c.id == bindparam("p_execution_id"))
DEFINITION = sa.select(WV.c.definition).where(
    WV.c.workflow_id == bindparam("p_workflow_id"),
    WV.c.version_number == bindparam("p_version"),
)
WORKFLOW_NAME = sa.select(WF.c.name, WF.c.webhook_secret_enc, WF.c.max_parallel).where(
    WF.c.id == bindparam("p_workflow_id")
)
WORKFLOW_ACTIONS = sa.select(WF.c.actions).where(WF.c.id == bindparam("p_workflow_id"))
CLAIM = (
    EX.update()
    .where(
        EX.c.id == bindparam("p_execution_id"),
        _moving(EX.c.status, ExecutionStatus.RUNNING, ExecutionStatus.QUEUED),
    )
    .values(
        status=ExecutionStatus.RUNNING,
        # A run that goes on after a wait or a pause keeps the time it first started.
        started_at=sa.func.coalesce(EX.c.started_at, bindparam("p_started_at")),
        steps_total=bindparam("p_steps_total"),
        lease_id=bindparam("p_lease_id"),  # the claiming process (app.engine.leases)
    )
)
STEPS_OF = (
    sa.select(
        ST.c.id,
        ST.c.action_id,
        ST.c.status,
        ST.c.output,
        ST.c.error,
        ST.c.skip_reason,
        ST.c.started_at,
    )
    .where(ST.c.execution_id == bindparam("p_execution_id"))
    .order_by(ST.c.position)
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


FINISH = {status: _finish(status) for status in ExecutionStatus if status.is_terminal}
OF_EXECUTION = ST.c.execution_id == bindparam("p_execution_id")
# A failed run's steps that never started are skipped ("not run: …"); whatever else is left
# unfinished (a step whose end could not be written, a wait) is cancelled.
SKIP_PENDING = (
    ST.update()
    .where(OF_EXECUTION, _moving(ST.c.status, StepStatus.SKIPPED, StepStatus.PENDING))
    .values(status=StepStatus.SKIPPED, skip_reason=bindparam("p_skip_reason"))
)
CANCEL_UNFINISHED = (
    ST.update()
    .where(OF_EXECUTION, _moving(ST.c.status, StepStatus.CANCELLED))
    .values(status=StepStatus.CANCELLED, finished_at=bindparam("p_finished_at"))
)
# An execution that ends, however, leaves nothing waiting: its waits and approvals are cancelled.
CANCEL_WAITS = (
    SW.update()
    .where(SW.c.execution_id == bindparam("p_execution_id"), SW.c.status == "pending")
    .values(status="cancelled", resolved_at=bindparam("p_finished_at"))
)
CANCEL_APPROVALS = (
    AP.update()
    .where(AP.c.execution_id == bindparam("p_execution_id"), AP.c.status == "pending")
    .values(status="cancelled", decided_at=bindparam("p_finished_at"))
)
CANCEL_QUEUED = (
    EX.update()
    .where(
        EX.c.id == bindparam("p_execution_id"),
        _moving(EX.c.status, ExecutionStatus.CANCELLED, ExecutionStatus.QUEUED),
    )
    .values(status=ExecutionStatus.CANCELLED, finished_at=bindparam("p_finished_at"))
)
# Crash recovery: what a dead process left running is interrupted; its unstarted (and
# waiting) steps are cancelled. Waiting and paused runs keep their status (nothing of
# theirs runs in a process).
RECOVER_WHERE = _moving(EX.c.status, ExecutionStatus.INTERRUPTED, ExecutionStatus.RUNNING)
RECOVER_STEP_RUNNING = _moving(ST.c.status, StepStatus.INTERRUPTED, StepStatus.RUNNING)
RECOVER_STEP_UNSTARTED = _moving(
    ST.c.status, StepStatus.CANCELLED, StepStatus.PENDING, StepStatus.WAITING
)
# A for_each step of such a run leaves no item pending either.
RECOVER_ITEMS = (
    SI.update()
    .where(
        SI.c.status == "pending",
        SI.c.step_id.in_(sa.select(ST.c.id).where(ST.c.execution_id.in_(bindparam("p_ids")))),
    )
    .values(status="cancelled")
)
COUNT_RUN = (
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
