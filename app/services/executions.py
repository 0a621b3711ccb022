"""Execution use cases: run a workflow, cancel, retry from the failed step, read, list."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from app.core.config_models import trigger_config_models
from app.core.errors import Conflict, InvalidInput, NotFound, Problem, ValidationFailed
from app.core.statuses import ExecutionStatus
from app.db.engine import get_engine, session_scope
from app.db.models import Execution, ExecutionStep, StepAttempt, Workflow
from app.engine import runtime
from app.engine.bus import bus
from app.engine.runtime import start_run
from app.services import audit, execution_links, step_items
from app.services.actor import Actor

TRIGGER_TYPES = ("manual", "schedule", "webhook", "event", "publish")
#: What the executions list filters on: every registered trigger type, then runs that other
#: runs started (a sub-workflow's child, an "on failure" workflow).
LISTED_TRIGGERS = (*trigger_config_models, "sub_workflow", "on_failure")
#: What may be retried: a run that ended without succeeding (a cancelled one too: its
#: cancelled and skipped steps run again, the ones that succeeded are reused).
RETRYABLE = (ExecutionStatus.FAILED, ExecutionStatus.INTERRUPTED, ExecutionStatus.CANCELLED)

_EX = Execution.__table__  # type: ignore[attr-defined]
_ST = ExecutionStep.__table__  # type: ignore[attr-defined]
_AT = StepAttempt.__table__  # type: ignore[attr-defined]
_WF = Workflow.__table__  # type: ignore[attr-defined]
# What a run by hand needs of its workflow (read without loading its JSON columns).
_RUNNABLE = sa.select(_WF.c.id, _WF.c.name, _WF.c.is_active, _WF.c.version, _WF.c.priority).where(
    _WF.c.id == sa.bindparam("p_workflow_id")
)


async def execute_workflow(
    actor: Actor,
    workflow_id: int,
    *,
    payload: Any = None,
    trigger_type: str = "manual",
    wait_s: float | None = None,
) -> dict[str, Any]:
    """Run a workflow by hand (UI or API). With `wait_s`, wait for it to finish."""
    actor.require_member()
    if payload is not None and not isinstance(payload, dict):
        raise ValidationFailed([Problem("payload", "must be a JSON object")])
    if trigger_type not in TRIGGER_TYPES:
        allowed = ", ".join(TRIGGER_TYPES)
        raise ValidationFailed([Problem("triggerType", f"must be one of {allowed}")])
    # The reads and writes of starting a run block: they run in a thread, never on the loop.
    execution_id = await asyncio.to_thread(
        _start_by_hand, actor, workflow_id, trigger_type, payload
    )
    if wait_s:
        await wait_for_finish(execution_id, wait_s)
    return await asyncio.to_thread(get_execution, actor, execution_id)


def _start_by_hand(actor: Actor, workflow_id: int, trigger_type: str, payload: Any) -> int:
    with session_scope() as session:
        workflow = session.connection().execute(_RUNNABLE, {"p_workflow_id": workflow_id}).first()
        if workflow is None:
            raise NotFound(f"workflow {workflow_id} does not exist")
        if not workflow.is_active:
            raise Conflict(f"workflow {workflow.name!r} is paused; resume it to run it")
        audit.record(
            session,
            actor,
            "workflow.run",
            target_type="workflow",
            target_id=workflow_id,
            details={"trigger_type": trigger_type},
        )
    execution_id, _ = start_run(
        workflow, trigger_type=trigger_type, payload=payload, created_by=actor.user_id
    )
    return execution_id


async def wait_for_finish(execution_id: int, timeout_s: float) -> None:
    """Return when the execution is finished or `timeout_s` has passed."""
    async with bus.listen() as queue:
        if await asyncio.to_thread(_is_finished, execution_id):
            return
        try:
            async with asyncio.timeout(timeout_s):
                while True:
                    event = await queue.get()
                    if (
                        event.name == "execution.finished"
                        and event.data.get("execution_id") == execution_id
                    ):
                        return
        except TimeoutError:
            return


def _is_finished(execution_id: int) -> bool:
    with session_scope() as session:
        row = session.get(Execution, execution_id)
        return row is None or ExecutionStatus(row.status).is_terminal


async def cancel_execution(actor: Actor, execution_id: int) -> dict[str, Any]:
    actor.require_member()
    current = await asyncio.to_thread(get_execution, actor, execution_id)
    if ExecutionStatus(current["status"]).is_terminal:
        raise Conflict(f"execution {execution_id} is already {current['status']}")
    await runtime.current().cancel(execution_id)
    await asyncio.to_thread(_record_cancel, actor, execution_id)
    # Sub-workflow runs it was waiting for go with it (those it started without waiting stay).
    for child_id in await asyncio.to_thread(execution_links.waited_children, execution_id):
        with contextlib.suppress(Conflict):  # it ended meanwhile
            await cancel_execution(actor, child_id)
    return await asyncio.to_thread(get_execution, actor, execution_id)


def _record_cancel(actor: Actor, execution_id: int) -> None:
    with session_scope() as session:
        audit.record(
            session, actor, "execution.cancelled", target_type="execution", target_id=execution_id
        )


@dataclass(frozen=True)
class Retry:
    """A retry request's answer: the retry execution, and whether this request created it."""

    execution: dict[str, Any]
    created: bool


def retry_key(execution_id: int, after: int | None) -> str:
    """The dedupe key of "the retry of `execution_id` made after its retry `after`".

    Requests that saw the same latest retry (or none) compute the same key, so the unique
    (workflow, dedupe_key) constraint lets exactly one of them insert: this holds across
    threads and processes, on SQLite and on PostgreSQL, with no lock in this process.
    """
    return f"retry:{execution_id}:after:{after or 0}"


def _latest_retry(session: Any, execution_id: int) -> sa.Row[Any] | None:
    return (
        session.connection()
        .execute(
            sa.select(_EX.c.id, _EX.c.status)
            .where(_EX.c.retry_of == execution_id)
            .order_by(_EX.c.id.desc())
            .limit(1)
        )
        .first()
    )


def request_retry(actor: Actor, execution_id: int) -> Retry:
    """Retry a failed, interrupted or cancelled execution from where it stopped, idempotently.

    While a retry of it is unfinished, asking again returns that retry (`created` False);
    two requests at the same moment get one retry. Once it has finished, a new retry is
    allowed. The retry reuses the outputs of the steps that had succeeded.
    """
    actor.require_member()
    with session_scope() as session:
        original = session.get(Execution, execution_id)
        if original is None:
            raise NotFound(f"execution {execution_id} does not exist")
        if original.status not in RETRYABLE:
            raise Conflict(
                f"only failed, interrupted or cancelled executions can be retried; "
                f"this one is {original.status}"
            )
        workflow = (
            session.connection().execute(_RUNNABLE, {"p_workflow_id": original.workflow_id}).first()
        )
        if workflow is None:
            raise NotFound("the workflow of this execution was deleted")
        latest = _latest_retry(session, execution_id)
        trigger_type, payload = original.trigger_type, original.trigger_payload
        version = original.workflow_version
    if latest is not None and not ExecutionStatus(latest.status).is_terminal:
        return Retry(get_execution(actor, latest.id), created=False)
    new_id, created = start_run(
        workflow,
        trigger_type=trigger_type,
        payload=payload,
        created_by=actor.user_id,
        retry_of=execution_id,
        workflow_version=version,
        dedupe_key=retry_key(execution_id, latest.id if latest else None),
    )
    if created:
        with session_scope() as session:
            audit.record(
                session,
                actor,
                "execution.retried",
                target_type="execution",
                target_id=execution_id,
                details={"retry": new_id},
            )
    return Retry(get_execution(actor, new_id), created=created)


def retry_execution(actor: Actor, execution_id: int) -> dict[str, Any]:
    """`request_retry`, for callers that only need the retry execution."""
    return request_retry(actor, execution_id).execution


# Built once: the detail is read after every run (API, UI, `?wait`), so it skips the ORM.
_DETAIL = (
    sa.select(_EX, _WF.c.name.label("workflow_name"))
    .join(_WF, _WF.c.id == _EX.c.workflow_id)
    .where(_EX.c.id == sa.bindparam("p_execution_id"))
)
_STEPS = (
    sa.select(_ST)
    .where(_ST.c.execution_id == sa.bindparam("p_execution_id"))
    .order_by(_ST.c.position)
)
_ATTEMPTS = (
    sa.select(_AT)
    .join(_ST, _ST.c.id == _AT.c.step_id)
    .where(_ST.c.execution_id == sa.bindparam("p_execution_id"))
    .order_by(_AT.c.step_id, _AT.c.number)
)


def get_execution(actor: Actor, execution_id: int) -> dict[str, Any]:
    """One execution with its steps and every attempt of each step."""
    actor.require_member()
    key = {"p_execution_id": execution_id}
    with get_engine().connect() as conn:
        execution = conn.execute(_DETAIL, key).first()
        if execution is None:
            raise NotFound(f"execution {execution_id} does not exist")
        steps = conn.execute(_STEPS, key).all()
        loops = step_items.summaries(conn, [s.id for s in steps if s.type == "for_each"])
        attempts: dict[int, list[dict[str, Any]]] = {}
        if steps:
            for a in conn.execute(_ATTEMPTS, key):
                attempts.setdefault(a.step_id, []).append(
                    {
                        "number": a.number,
                        "started_at": a.started_at.isoformat(),
                        "duration_ms": a.duration_ms,
                        "error": a.error,
                        "failure_kind": a.failure_kind,
                    }
                )
        links = execution_links.links_of(conn, actor, execution)
    return {
        **execution_summary(execution, execution.workflow_name),
        "trigger_payload": execution.trigger_payload,
        "steps": [
            {
                "id": s.id,
                "position": s.position,
                "action_id": s.action_id,
                "name": s.name,
                "type": s.type,
                "status": s.status,
                "input": s.input,
                "output": s.output,
                "error": s.error,
                "skip_reason": s.skip_reason,
                "started_at": _iso(s.started_at),
                "finished_at": _iso(s.finished_at),
                "duration_ms": s.duration_ms,
                "attempts": attempts.get(s.id, []),
                **({"items": loops[s.id]} if s.id in loops else {}),
            }
            for s in steps
        ],
        **links,
    }


def execution_summary(e: Execution | sa.Row[Any], workflow_name: str) -> dict[str, Any]:
    """The list fields of an execution (an ORM object or a Core row)."""
    return {
        "id": e.id,
        "workflow_id": e.workflow_id,
        "workflow_name": workflow_name,
        "workflow_version": e.workflow_version,
        "status": e.status,
        "trigger_type": e.trigger_type,
        "queued_at": _iso(e.queued_at),
        "started_at": _iso(e.started_at),
        "finished_at": _iso(e.finished_at),
        "duration_ms": e.duration_ms,
        "steps_completed": e.steps_completed,
        "steps_total": e.steps_total,
        "error": e.error,
        "failed_step": e.failed_step,
        "retry_of": e.retry_of,
        "scheduled_for": _iso(e.scheduled_for),
    }


#: How a step a retry took over from the run it retried is stored (`engine.steps.run_step`).
REUSED_MARK = '%"reused_from_execution"%'


def reused_counts(execution_ids: list[int]) -> dict[int, int]:
    """Per retry, how many of its steps were reused from the run it retried (succeeded there,
    not run again). One query over a page's retries, by the (execution_id, position) index;
    a retry whose step data retention removed counts none."""
    if not execution_ids:
        return {}
    query = (
        sa.select(ExecutionStep.execution_id, sa.func.count())
        .where(
            ExecutionStep.execution_id.in_(execution_ids),  # type: ignore[attr-defined]
            sa.cast(ExecutionStep.input, sa.Text).like(REUSED_MARK),
        )
        .group_by(ExecutionStep.execution_id)
    )
    with get_engine().connect() as conn:
        return {int(eid): int(count) for eid, count in conn.execute(query).all()}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


@dataclass(frozen=True)
class ExecutionFilter:
    workflow_id: int | None = None
    status: str | None = None
    trigger_type: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 50
    cursor: str | None = None


def _decode_cursor(cursor: str) -> int:
    try:
        return int(json.loads(base64.urlsafe_b64decode(cursor.encode()))["before"])
    except (ValueError, KeyError, TypeError):
        raise InvalidInput("cursor is not valid; use next_cursor from the previous page") from None


def list_executions(actor: Actor, flt: ExecutionFilter) -> dict[str, Any]:
    """Newest first, by id, with an opaque cursor: fast at any depth (it walks an index)."""
    actor.require_member()
    if flt.status and flt.status not in {s.value for s in ExecutionStatus}:
        raise ValidationFailed([Problem("status", f"unknown status {flt.status!r}")])
    limit = min(max(1, flt.limit), 200)
    query = select(Execution, Workflow.name).join(Workflow, Workflow.id == Execution.workflow_id)
    if flt.workflow_id is not None:
        query = query.where(Execution.workflow_id == flt.workflow_id)
    if flt.status:
        query = query.where(Execution.status == flt.status)
    if flt.trigger_type:
        query = query.where(Execution.trigger_type == flt.trigger_type)
    if flt.since:
        query = query.where(Execution.queued_at >= flt.since)
    if flt.until:
        query = query.where(Execution.queued_at < flt.until)
    if flt.cursor:
        query = query.where(Execution.id < _decode_cursor(flt.cursor))  # type: ignore[operator]
    with session_scope() as session:
        rows = session.exec(
            query.order_by(sa.desc(Execution.id)).limit(limit + 1)  # type: ignore[arg-type]
        ).all()
    items = [execution_summary(e, name) for e, name in rows[:limit]]
    reused = reused_counts([i["id"] for i in items if i["retry_of"]])
    for item in items:
        item["steps_reused"] = reused.get(item["id"], 0)
    next_cursor = None
    if len(rows) > limit:
        token = json.dumps({"before": items[-1]["id"]}).encode()
        next_cursor = base64.urlsafe_b64encode(token).decode()
    return {"items": items, "next_cursor": next_cursor}
