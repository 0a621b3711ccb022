"""Act on many workflows or executions at once: each item through its single-item service.

Activate, pause, run, export and delete go through the same functions as one at a time
(`workflows.set_active`, `executions.execute_workflow`, `workflow_transfer.export_workflow`,
`workflows.delete_workflow`), so the role check, the validation and the audit row of every item
are those of the single action. Cancel and retry of executions likewise
(`executions.cancel_execution`, `executions.request_retry`: a retry runs again with the same
trigger data, reusing the steps that had succeeded).

Every item gets its own answer: done, or failed with the reason (not found, not allowed, already
paused…); nothing is all-or-nothing. Each item is its own short transaction, run in a thread
(the event loop stays free); at most `MAX_ITEMS` items per request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import sqlalchemy as sa

from app.core.errors import Conflict, FlowdeckError, Problem, ValidationFailed
from app.db.engine import get_engine
from app.db.models import Execution, Workflow
from app.db.types import utcnow
from app.services import executions, workflow_transfer, workflows
from app.services.actor import Actor
from app.services.article_refs import with_article_id
from app.services.workflows import WorkflowFilter

log = logging.getLogger("flowdeck.bulk")

MAX_ITEMS = 500
WORKFLOW_ACTIONS = ("activate", "pause", "run", "export", "delete")
EXECUTION_ACTIONS = ("cancel", "retry")
WorkflowAction = Literal["activate", "pause", "run", "export", "delete"]
ExecutionAction = Literal["cancel", "retry"]

_WF = Workflow.__table__  # type: ignore[attr-defined]
_EX = Execution.__table__  # type: ignore[attr-defined]


@dataclass
class BulkResult:
    """What a bulk request did, item by item, in the order the ids were given."""

    action: str
    results: list[dict[str, Any]] = field(default_factory=list)
    export: dict[str, Any] | None = None

    @property
    def done(self) -> int:
        return sum(1 for r in self.results if r["ok"])

    @property
    def failed(self) -> int:
        return len(self.results) - self.done

    def as_dict(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "action": self.action,
            "done": self.done,
            "failed": self.failed,
            "results": self.results,
        }
        if self.export is not None:
            answer["export"] = self.export
        return answer


def unique_ids(ids: Iterable[int]) -> list[int]:
    """The ids in the order given, each once; more than `MAX_ITEMS` or none is a problem."""
    seen = list(dict.fromkeys(ids))
    if not seen:
        raise ValidationFailed([Problem("ids", "give at least one id")])
    if len(seen) > MAX_ITEMS:
        raise ValidationFailed([Problem("ids", f"at most {MAX_ITEMS} ids at once ({len(seen)})")])
    return seen


def failure(item_id: int, exc: BaseException, name: str | None = None) -> dict[str, Any]:
    """The report of an item that failed: a Flowdeck error says why in its own words."""
    if isinstance(exc, FlowdeckError):
        return {"id": item_id, "ok": False, "name": name, "code": exc.code, "error": exc.message}
    log.error("bulk item %s failed", item_id, exc_info=exc)
    return {
        "id": item_id,
        "ok": False,
        "name": name,
        "code": "internal_error",
        "error": "an unexpected error happened; see the log",
    }


async def _each(
    ids: list[int],
    names: dict[int, str],
    do: Callable[[int], Awaitable[dict[str, Any]]],
) -> list[dict[str, Any]]:
    """Run `do` for every id, one after the other; an error is that item's answer."""
    results = []
    for item_id in ids:
        try:
            extra = await do(item_id)
        except Exception as exc:  # noqa: BLE001 - every item is answered, whatever happened
            results.append(failure(item_id, exc, names.get(item_id)))
            continue
        results.append({"id": item_id, "ok": True, "name": names.get(item_id), **extra})
    return results


# -- workflows ------------------------------------------------------------------------------


def _workflow_names(ids: list[int]) -> dict[int, str]:
    with get_engine().connect() as conn:
        rows = conn.execute(sa.select(_WF.c.id, _WF.c.name).where(_WF.c.id.in_(ids))).all()
    return {row.id: row.name for row in rows}


def matching_ids(actor: Actor, flt: WorkflowFilter) -> list[int]:
    """The ids of every workflow the filter matches (as the list shows them); more than
    `MAX_ITEMS` is a `Conflict` asking for a narrower filter."""
    query = WorkflowFilter(
        search=flt.search,
        workflow_type=flt.workflow_type,
        trigger_type=flt.trigger_type,
        is_active=flt.is_active,
        sort=flt.sort,
        limit=MAX_ITEMS,
    )
    items, total = workflows.list_workflows(actor, query)
    if total > MAX_ITEMS:
        raise Conflict(
            f"{total} workflows match the filter; at most {MAX_ITEMS} at once, narrow it"
        )
    return [item["id"] for item in items]


def _set_active(actor: Actor, workflow_id: int, active: bool) -> dict[str, Any]:
    current = workflows.get_workflow(actor, workflow_id)
    if current["is_active"] == active:
        state = "active" if active else "paused"
        raise Conflict(f"workflow {current['name']!r} is already {state}")
    workflows.set_active(actor, workflow_id, active)
    return {}


def _delete(actor: Actor, workflow_id: int) -> dict[str, Any]:
    workflows.delete_workflow(actor, workflow_id)
    return {}


async def bulk_workflows(
    actor: Actor,
    action: str,
    *,
    ids: Iterable[int] | None = None,
    flt: WorkflowFilter | None = None,
    trigger_data: dict[str, Any] | None = None,
) -> BulkResult:
    """`action` on the workflows `ids` (or every one `flt` matches), item by item."""
    actor.require_member()
    if action not in WORKFLOW_ACTIONS:
        allowed = ", ".join(WORKFLOW_ACTIONS)
        raise ValidationFailed([Problem("action", f"must be one of {allowed} ({action!r})")])
    if action == "run":  # an `articleId` slug names its article, as for one run
        trigger_data = await asyncio.to_thread(with_article_id, trigger_data, "trigger_data")
    if ids is None:
        chosen = await asyncio.to_thread(matching_ids, actor, flt or WorkflowFilter())
    else:
        chosen = unique_ids(ids)
    names = await asyncio.to_thread(_workflow_names, chosen) if chosen else {}
    result = BulkResult(action)
    documents: dict[int, dict[str, Any]] = {}

    async def run(workflow_id: int) -> dict[str, Any]:
        started = await executions.execute_workflow(actor, workflow_id, payload=trigger_data)
        return {"execution_id": started["id"]}

    async def export(workflow_id: int) -> dict[str, Any]:
        documents[workflow_id] = await asyncio.to_thread(
            workflow_transfer.export_workflow, actor, workflow_id
        )
        return {}

    async def in_thread(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
        return await asyncio.to_thread(fn, actor, *args)

    do: dict[str, Callable[[int], Awaitable[dict[str, Any]]]] = {
        "activate": lambda i: in_thread(_set_active, i, True),
        "pause": lambda i: in_thread(_set_active, i, False),
        "run": run,
        "export": export,
        "delete": lambda i: in_thread(_delete, i),
    }
    result.results = await _each(chosen, names, do[action])
    if action == "export":
        result.export = export_bundle([documents[i] for i in chosen if i in documents])
    return result


def export_bundle(documents: list[dict[str, Any]]) -> dict[str, Any]:
    """Several workflow exports in one file; each is a document `POST …/import` takes."""
    return {
        "flowdeck_export_bundle": 1,
        "exported_at": utcnow().isoformat(),
        "workflows": documents,
    }


# -- executions -----------------------------------------------------------------------------


def _execution_names(ids: list[int]) -> dict[int, str]:
    query = (
        sa.select(_EX.c.id, _WF.c.name)
        .join(_WF, _WF.c.id == _EX.c.workflow_id)
        .where(_EX.c.id.in_(ids))
    )
    with get_engine().connect() as conn:
        return {row.id: row.name for row in conn.execute(query).all()}


async def bulk_executions(actor: Actor, action: str, ids: Iterable[int]) -> BulkResult:
    """Cancel or retry the executions `ids`, item by item."""
    actor.require_member()
    if action not in EXECUTION_ACTIONS:
        allowed = ", ".join(EXECUTION_ACTIONS)
        raise ValidationFailed([Problem("action", f"must be one of {allowed} ({action!r})")])
    chosen = unique_ids(ids)
    names = await asyncio.to_thread(_execution_names, chosen)

    async def cancel(execution_id: int) -> dict[str, Any]:
        await executions.cancel_execution(actor, execution_id)
        return {}

    async def retry(execution_id: int) -> dict[str, Any]:
        answer = await asyncio.to_thread(executions.request_retry, actor, execution_id)
        return {"execution_id": answer.execution["id"], "created": answer.created}

    result = BulkResult(action)
    result.results = await _each(chosen, names, cancel if action == "cancel" else retry)
    return result
