"""What an execution's detail shows of its waits and of its sub-workflow links.

`waits`: every wait of the run (`app.engine.waits.waits_of`), a pending webhook wait with its
`resume_url` for people who may run the workflow (members and admins): the URL is the
credential that resumes the step. `parent_execution_id` / `parent_step` / `depth`: where a
sub-workflow's run was started from; `children`: the runs its `sub_workflow` steps started
(`waited_children`: those it waits for, cancelled with it). `retries`: the runs that retried
this one (`retry_of` is its id; indexed, at most `RETRIES_SHOWN`, oldest first), each with its
status, so the page links both ways.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.core.statuses import ExecutionStatus, Role
from app.db.engine import get_engine
from app.db.models import Execution, StepWait, Workflow
from app.db.settings import get_settings
from app.engine import waits
from app.services.actor import Actor

_EX = Execution.__table__  # type: ignore[attr-defined]
_WF = Workflow.__table__  # type: ignore[attr-defined]
_SW = StepWait.__table__  # type: ignore[attr-defined]
_CHILDREN = (
    sa.select(
        _EX.c.id,
        _EX.c.workflow_id,
        _WF.c.name.label("workflow_name"),
        _EX.c.status,
        _EX.c.parent_step,
        _EX.c.queued_at,
        _EX.c.finished_at,
    )
    .outerjoin(_WF, _WF.c.id == _EX.c.workflow_id)
    .where(_EX.c.parent_execution_id == sa.bindparam("p_execution_id"))
    .order_by(_EX.c.id)
)

RETRIES_SHOWN = 20  # a run retried more often than this lists its first ones
_RETRIES = (
    sa.select(_EX.c.id, _EX.c.status)
    .where(_EX.c.retry_of == sa.bindparam("p_execution_id"))
    .order_by(_EX.c.id)
    .limit(RETRIES_SHOWN)
)


def retries_of(conn: sa.Connection, execution_id: int) -> list[dict[str, Any]]:
    """The runs that retried `execution_id` (`id`, `status`), oldest first, bounded."""
    rows = conn.execute(_RETRIES, {"p_execution_id": execution_id}).mappings()
    return [dict(row) for row in rows]


def resume_url(wait_id: int) -> str:
    return f"{get_settings().base_url}/api/hooks/resume/{waits.resume_token(wait_id)}"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def waits_shown(actor: Actor, execution_id: int) -> list[dict[str, Any]]:
    may_resume = actor.role in (Role.ADMIN, Role.MEMBER)
    shown = []
    for wait in waits.waits_of(execution_id):
        item = {key: _plain(value) for key, value in wait.items()}
        if may_resume and wait["kind"] == "webhook" and wait["status"] == "pending":
            item["resume_url"] = resume_url(wait["id"])
        shown.append(item)
    return shown


def links_of(conn: sa.Connection, actor: Actor, execution: Any) -> dict[str, Any]:
    """The detail's `parent_execution_id`, `parent_step`, `depth`, `children`, `retries` and
    `waits`."""
    children = conn.execute(_CHILDREN, {"p_execution_id": execution.id}).mappings()
    return {
        "parent_execution_id": execution.parent_execution_id,
        "parent_step": execution.parent_step,
        "depth": execution.depth,
        "children": [{key: _plain(value) for key, value in c.items()} for c in children],
        "retries": retries_of(conn, execution.id),
        "waits": waits_shown(actor, execution.id),
    }


def waited_children(execution_id: int) -> list[int]:
    """The unfinished child runs that `execution_id`'s `sub_workflow` steps waited for."""
    query = (
        sa.select(_EX.c.id)
        .join(_SW, _SW.c.child_execution_id == _EX.c.id)
        .where(
            _SW.c.execution_id == execution_id,
            _SW.c.kind == "child",
            _EX.c.status.not_in([s.value for s in ExecutionStatus if s.is_terminal]),
        )
        .order_by(_EX.c.id)
    )
    with get_engine().connect() as conn:
        return list(conn.execute(query).scalars())
