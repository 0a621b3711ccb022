"""The writes of runs that hold no task: a run suspended (waiting, paused), moved while it
is not running (waiting → paused, paused → queued), or read to be closed (a cancel).

Like `store`, plain SQLAlchemy Core on the caller's thread; every status write conditional.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.core.errors import Conflict, InvalidInput
from app.core.statuses import ExecutionStatus, StepStatus
from app.db.engine import get_engine
from app.engine import statements as q
from app.engine.statements import EX, WF


def suspend(
    execution_id: int, target: ExecutionStatus, waiting: list[int], steps_completed: int
) -> list[dict[str, Any]]:
    """running → `waiting` or `paused`: the run's task ends, nothing of it is held.

    Going to `waiting`, a wait of `waiting` (step ids) may have been resolved meanwhile (its
    step ended in the database while the run still had it waiting): then nothing is written
    and those steps' rows are returned for the run to take in and go on. The status write
    comes first, so a resolution committing at the same time either lands before (and is
    seen here) or after (and finds the run `waiting`, which it sends back to the queue).
    """
    with get_engine().begin() as conn:
        moved = conn.execute(
            EX.update()
            .where(EX.c.id == execution_id, EX.c.status == ExecutionStatus.RUNNING)
            .values(status=target, steps_completed=steps_completed)
        )
        if moved.rowcount != 1:
            raise Conflict(f"execution {execution_id} is not running: it cannot be {target}")
        if target != ExecutionStatus.WAITING or not waiting:
            return []
        ended = [
            r._asdict()
            for r in conn.execute(q.STEPS_OF, {"p_execution_id": execution_id})
            if r.id in waiting and r.status != StepStatus.WAITING
        ]
        if ended:
            conn.rollback()
        return ended


def ended_steps(execution_id: int, waiting: list[int]) -> list[dict[str, Any]]:
    """The rows of those `waiting` steps whose wait was resolved (they are not waiting now)."""
    with get_engine().connect() as conn:
        return [
            r._asdict()
            for r in conn.execute(q.STEPS_OF, {"p_execution_id": execution_id})
            if r.id in waiting and r.status != StepStatus.WAITING
        ]


def move_execution(execution_id: int, target: ExecutionStatus, source: ExecutionStatus) -> bool:
    """`source` → `target` (waiting → paused, paused → queued); False if it is not `source`."""
    if target not in (ExecutionStatus.PAUSED, ExecutionStatus.QUEUED):
        raise InvalidInput(f"{target} is not a move of a run that is not running")
    q_check = q.check_move(source, target)
    with get_engine().begin() as conn:
        done = conn.execute(
            EX.update().where(EX.c.id == execution_id, q_check).values(status=target)
        )
    return done.rowcount == 1


def open_run(execution_id: int) -> dict[str, Any] | None:
    """What closing a run that holds no task needs (a waiting or paused one), or None."""
    with get_engine().connect() as conn:
        row = conn.execute(
            sa.select(
                EX.c.id,
                EX.c.workflow_id,
                EX.c.status,
                EX.c.started_at,
                EX.c.steps_completed,
                EX.c.parent_execution_id,
                WF.c.name.label("workflow_name"),
            )
            .join(WF, WF.c.id == EX.c.workflow_id)
            .where(EX.c.id == execution_id)
        ).first()
    return row._asdict() if row is not None else None
