"""Control of a run: pause, resume, cancel, retry — one by one or as `{"action": …}`.

Members and admins may control runs, viewers may not (the check is in each function, so the
UI and the API meet the same wall). Pause and resume are the engine's (`Engine.pause`:
running steps finish, no new one starts; a waiting run is paused at once; `Engine.resume`
puts a paused run back in the queue); cancel and retry are `app.services.executions`'s own,
reused here. Each is audited. An action that does not apply to the run's status is a
`Conflict` that says why.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.core.errors import Conflict, NotFound, Problem, ValidationFailed
from app.core.statuses import ExecutionStatus
from app.db.engine import get_engine, session_scope
from app.db.models import Execution
from app.engine import runtime
from app.services import audit, executions
from app.services.actor import Actor

ACTIONS = ("pause", "resume", "cancel", "retry")
_PAUSABLE = (ExecutionStatus.RUNNING, ExecutionStatus.WAITING)
_EX = Execution.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Controlled:
    """What a control request led to: the execution (for a retry: the retry), and whether
    this request created it (a retry asked for again returns the unfinished one)."""

    action: str
    execution: dict[str, Any]
    created: bool = False


def _status(execution_id: int) -> ExecutionStatus:
    with get_engine().connect() as conn:
        status = conn.execute(sa.select(_EX.c.status).where(_EX.c.id == execution_id)).scalar()
    if status is None:
        raise NotFound(f"execution {execution_id} does not exist")
    return ExecutionStatus(status)


def _audit(actor: Actor, action: str, execution_id: int) -> None:
    with session_scope() as session:
        audit.record(session, actor, action, target_type="execution", target_id=execution_id)


async def pause(actor: Actor, execution_id: int) -> dict[str, Any]:
    """Pause a running or waiting run: running steps finish, no new step starts."""
    actor.require_member()
    status = await asyncio.to_thread(_status, execution_id)
    if status not in _PAUSABLE:
        raise Conflict(
            f"only running or waiting executions can be paused; execution {execution_id} "
            f"is {status}"
        )
    await runtime.current().pause(execution_id)
    await asyncio.to_thread(_audit, actor, "execution.paused", execution_id)
    return await asyncio.to_thread(executions.get_execution, actor, execution_id)


async def resume(actor: Actor, execution_id: int) -> dict[str, Any]:
    """Put a paused run back in the queue; it goes on from where it stopped."""
    actor.require_member()
    status = await asyncio.to_thread(_status, execution_id)
    # A run still finishing its steps after a pause is `running` (pausing): the engine
    # knows whether it was asked to pause, and refuses a resume if it was not.
    if status not in (ExecutionStatus.PAUSED, ExecutionStatus.RUNNING):
        raise Conflict(
            f"only paused executions can be resumed; execution {execution_id} is {status}"
        )
    await runtime.current().resume(execution_id)
    await asyncio.to_thread(_audit, actor, "execution.resumed", execution_id)
    return await asyncio.to_thread(executions.get_execution, actor, execution_id)


async def cancel(actor: Actor, execution_id: int) -> dict[str, Any]:
    """Cancel a queued, running, waiting or paused run (`executions.cancel_execution`)."""
    return await executions.cancel_execution(actor, execution_id)


async def retry(actor: Actor, execution_id: int) -> executions.Retry:
    """Retry a run that ended without succeeding (`executions.request_retry`)."""
    return await asyncio.to_thread(executions.request_retry, actor, execution_id)


def _action_of(data: Any) -> str:
    action = data.get("action") if isinstance(data, dict) else None
    if action not in ACTIONS:
        allowed = ", ".join(ACTIONS)
        shown = "missing" if action is None else repr(action)
        raise ValidationFailed([Problem("action", f"must be one of {allowed} ({shown})")])
    return action


async def control(actor: Actor, execution_id: int, data: Any) -> Controlled:
    """`{"action": "pause" | "resume" | "cancel" | "retry"}` on one execution."""
    actor.require_member()
    action = _action_of(data)
    if action == "retry":
        answer = await retry(actor, execution_id)
        return Controlled(action, answer.execution, answer.created)
    do = {"pause": pause, "resume": resume, "cancel": cancel}[action]
    return Controlled(action, await do(actor, execution_id))
