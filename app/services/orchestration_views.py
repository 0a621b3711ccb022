"""Reading orchestration runs: an orchestration's runs newest first, and one run with its calls.

A run's detail is readable while it runs: each call's row is written as the call starts and
ends (`orchestration_runs.record_call`). Runs recorded before migration 0005 have no call rows;
their calls are the `results` they kept.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.core.errors import InvalidInput, NotFound, Problem, ValidationFailed
from app.db.engine import get_engine
from app.db.models import Orchestration, OrchestrationCall, OrchestrationRun
from app.services.actor import Actor
from app.services.orchestrations import require_reader

RUN_STATUSES = ("running", "succeeded", "failed", "partial", "cancelled")
_OR = Orchestration.__table__  # type: ignore[attr-defined]
_RUN = OrchestrationRun.__table__  # type: ignore[attr-defined]
_CALL = OrchestrationCall.__table__  # type: ignore[attr-defined]
_SUMMARY = (
    _RUN.c.id,
    _RUN.c.orchestration_id,
    _OR.c.name.label("orchestration_name"),
    _RUN.c.orchestration_version,
    _RUN.c.status,
    _RUN.c.trigger,
    _RUN.c.started_at,
    _RUN.c.finished_at,
    _RUN.c.duration_ms,
    _RUN.c.error,
    _RUN.c.calls_total,
    _RUN.c.calls_done,
    _RUN.c.created_by,
    _RUN.c.execution_id,
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def run_summary(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "orchestration_id": row.orchestration_id,
        "orchestration_name": row.orchestration_name,
        "orchestration_version": row.orchestration_version,
        "status": row.status,
        "trigger": row.trigger,
        "started_at": _iso(row.started_at),
        "finished_at": _iso(row.finished_at),
        "duration_ms": row.duration_ms,
        "error": row.error,
        "calls_total": row.calls_total,
        "calls_done": row.calls_done,
        "created_by": row.created_by,
        "execution_id": row.execution_id,
    }


def get_run(actor: Actor, run_id: int) -> dict[str, Any]:
    """One run with every call's record, in the definition's order."""
    require_reader(actor)
    with get_engine().connect() as conn:
        row = conn.execute(
            sa.select(*_SUMMARY, _RUN.c.inputs, _RUN.c.results)
            .join(_OR, _OR.c.id == _RUN.c.orchestration_id)
            .where(_RUN.c.id == run_id)
        ).first()
        if row is None:
            raise NotFound(f"orchestration run {run_id} does not exist")
        calls = conn.execute(
            sa.select(_CALL.c.position, _CALL.c.call_id, _CALL.c.status, _CALL.c.record)
            .where(_CALL.c.run_id == run_id)
            .order_by(_CALL.c.position)
        ).all()
    if calls:
        records = [
            {**(c.record or {}), "id": c.call_id, "status": c.status, "position": c.position}
            for c in calls
        ]
    else:  # a run recorded before migration 0005: its results as kept, under `legacy`
        records = [_legacy(n, r) for n, r in enumerate(row.results or [])]
    return {**run_summary(row), "inputs": row.inputs or {}, "calls": records}


def _legacy(position: int, result: Any) -> dict[str, Any]:
    known = result if isinstance(result, dict) else {}
    return {
        "id": str(known.get("id") or f"#{position + 1}"),
        "status": str(known.get("status") or "unknown"),
        "position": position,
        "legacy": result,
    }


@dataclass(frozen=True)
class RunFilter:
    status: str | None = None
    trigger: str | None = None
    limit: int = 50
    cursor: str | None = None


def _decode_cursor(cursor: str) -> int:
    try:
        before = json.loads(base64.urlsafe_b64decode(cursor.encode()))["before"]
    except (ValueError, KeyError, TypeError):
        before = None
    if not isinstance(before, int) or isinstance(before, bool):
        raise InvalidInput("cursor is not valid; use next_cursor from the previous page")
    return before


def list_runs(actor: Actor, orchestration_id: int, flt: RunFilter | None = None) -> dict[str, Any]:
    """An orchestration's runs newest first, with an opaque cursor (walks an index)."""
    require_reader(actor)
    flt = flt or RunFilter()
    if flt.status and flt.status not in RUN_STATUSES:
        raise ValidationFailed([Problem("status", f"unknown status {flt.status!r}")])
    limit = min(max(1, flt.limit), 200)
    query = (
        sa.select(*_SUMMARY)
        .join(_OR, _OR.c.id == _RUN.c.orchestration_id)
        .where(_RUN.c.orchestration_id == orchestration_id)
    )
    if flt.status:
        query = query.where(_RUN.c.status == flt.status)
    if flt.trigger:
        query = query.where(_RUN.c.trigger == flt.trigger)
    if flt.cursor:
        query = query.where(_RUN.c.id < _decode_cursor(flt.cursor))
    with get_engine().connect() as conn:
        if conn.execute(sa.select(_OR.c.id).where(_OR.c.id == orchestration_id)).first() is None:
            raise NotFound(f"orchestration {orchestration_id} does not exist")
        rows = conn.execute(query.order_by(_RUN.c.id.desc()).limit(limit + 1)).all()
    items = [run_summary(r) for r in rows[:limit]]
    next_cursor = None
    if len(rows) > limit:
        token = json.dumps({"before": items[-1]["id"]}).encode()
        next_cursor = base64.urlsafe_b64encode(token).decode()
    return {"items": items, "next_cursor": next_cursor}
