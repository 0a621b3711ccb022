"""Reading a `for_each` step's items: a bounded summary for the execution detail, and pages.

A step holds up to 10,000 items, so the execution detail never carries them all: per
`for_each` step it gives the total, the counts by status and the first `FIRST_ITEMS` items
without their outputs (`summaries`). Every item, its output included, is reached a page at a
time (`list_step_items`), optionally only those of one status (`failed`, say).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.core.errors import NotFound, Problem, ValidationFailed
from app.core.for_each import ItemStatus
from app.db.engine import get_engine
from app.db.models import ExecutionStep, StepItem
from app.services.actor import Actor

FIRST_ITEMS = 200
MAX_PAGE = 500

_SI = StepItem.__table__  # type: ignore[attr-defined]
_ST = ExecutionStep.__table__  # type: ignore[attr-defined]
_LISTED = (
    _SI.c.position,
    _SI.c.status,
    _SI.c.attempts,
    _SI.c.error,
    _SI.c.started_at,
    _SI.c.duration_ms,
)


def _item(row: Any, with_output: bool = False) -> dict[str, Any]:
    item = {
        "index": row.position,
        "status": row.status,
        "attempts": row.attempts,
        "error": row.error,
        "started_at": _iso(row.started_at),
        "duration_ms": row.duration_ms,
    }
    if with_output:
        item["output"] = row.output
    return item


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def summaries(conn: sa.Connection, step_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Per step id: `{total, counts: {status: n}, items: [first 200], more}` (no outputs)."""
    if not step_ids:
        return {}
    found: dict[int, dict[str, Any]] = {
        step_id: {"total": 0, "counts": {}, "items": [], "more": False} for step_id in step_ids
    }
    counted = (
        sa.select(_SI.c.step_id, _SI.c.status, sa.func.count())
        .where(_SI.c.step_id.in_(step_ids))
        .group_by(_SI.c.step_id, _SI.c.status)
    )
    for step_id, status, count in conn.execute(counted):
        found[step_id]["counts"][status] = count
        found[step_id]["total"] += count
    for step_id, summary in found.items():
        first = conn.execute(
            sa.select(*_LISTED)
            .where(_SI.c.step_id == step_id)
            .order_by(_SI.c.position)
            .limit(FIRST_ITEMS)
        )
        summary["items"] = [_item(row) for row in first]
        summary["more"] = summary["total"] > len(summary["items"])
    return found


def list_step_items(
    actor: Actor,
    execution_id: int,
    action_id: str,
    *,
    status: ItemStatus | str | None = None,
    offset: int = 0,
    limit: int = 100,
) -> dict[str, Any]:
    """One page of a step's items in index order, outputs included."""
    actor.require_member()
    if status is not None and status not in set(ItemStatus):
        raise ValidationFailed([Problem("status", f"unknown status {status!r}")])
    limit = min(max(1, limit), MAX_PAGE)
    with get_engine().connect() as conn:
        step_id = conn.execute(
            sa.select(_ST.c.id).where(
                _ST.c.execution_id == execution_id, _ST.c.action_id == action_id
            )
        ).scalar()
        if step_id is None:
            raise NotFound(f"execution {execution_id} has no step {action_id!r}")
        where = [_SI.c.step_id == step_id]
        if status is not None:
            where.append(_SI.c.status == status)
        total = conn.execute(sa.select(sa.func.count()).where(*where)).scalar_one()
        rows = conn.execute(
            sa.select(*_LISTED, _SI.c.output)
            .where(*where)
            .order_by(_SI.c.position)
            .offset(offset)
            .limit(limit)
        )
        items = [_item(row, with_output=True) for row in rows]
    return {"items": items, "total": total, "offset": offset, "limit": limit}
