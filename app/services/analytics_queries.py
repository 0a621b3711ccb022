"""The SQL behind app.services.analytics: sums over the rollup tables, never over executions.

A chart of up to 2 days reads the `*_hour` tables, a longer one the `*_day` tables, so any
period reads at most a few thousand rollup rows however many runs there were. Histograms come
back as lists of 92 counts (app.core.analytics) for the caller to take percentiles from.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.core.analytics import HIST_BUCKETS, Period, floor_day
from app.db.models import Execution, ExecutionStep, Workflow
from app.db.models.analytics import (
    DURATION_COLUMNS,
    QUEUE_COLUMNS,
    error_group,
    execution_day,
    execution_hour,
    step_day,
    step_hour,
)

EX = Execution.__table__  # type: ignore[attr-defined]
ST = ExecutionStep.__table__  # type: ignore[attr-defined]
WF = Workflow.__table__  # type: ignore[attr-defined]
RUN_COUNTS = ("runs", "succeeded", "failed", "cancelled", "other", "timed", "duration_ms_sum",
              "waited", "queue_wait_ms_sum")  # fmt: skip
STEP_COUNTS = ("runs", "failures", "skipped", "retries", "timed", "duration_ms_sum")


def _tables(period: Period) -> tuple[sa.Table, sa.Table, str]:
    if period.granularity == "hour":
        return execution_hour, step_hour, "hour"
    return execution_day, step_day, "day"


def _sums(table: sa.Table, names: Sequence[str]) -> list[Any]:
    return [sa.func.coalesce(sa.func.sum(table.c[n]), 0).label(n) for n in names]


def _split(row: Any, counts: Sequence[str], queue: bool) -> dict[str, Any]:
    values = row._mapping
    out: dict[str, Any] = {n: values[n] for n in counts}
    out["d"] = [int(values[c]) for c in DURATION_COLUMNS]
    if queue:
        out["q"] = [int(values[c]) for c in QUEUE_COLUMNS]
    return out


def _in_period(table: sa.Table, column: str, period: Period) -> Any:
    return sa.and_(table.c[column] >= period.start, table.c[column] < period.end)


def run_series(
    conn: sa.Connection, period: Period, workflow_id: int | None = None
) -> dict[datetime, dict[str, Any]]:
    """Per bucket start: run counts and histograms (only the buckets that have runs)."""
    table, _, column = _tables(period)
    where = [_in_period(table, column, period)]
    if workflow_id is not None:
        where.append(table.c.workflow_id == workflow_id)
    query = (
        sa.select(
            table.c[column].label("bucket"),
            *_sums(table, (*RUN_COUNTS, *DURATION_COLUMNS, *QUEUE_COLUMNS)),
        )
        .where(*where)
        .group_by(table.c[column])
    )
    return {row.bucket: _split(row, RUN_COUNTS, queue=True) for row in conn.execute(query)}


def per_workflow(conn: sa.Connection, period: Period) -> list[dict[str, Any]]:
    """Per workflow with runs in the period: run counts and the duration histogram."""
    table, _, column = _tables(period)
    query = (
        sa.select(table.c.workflow_id, *_sums(table, (*RUN_COUNTS, *DURATION_COLUMNS)))
        .where(_in_period(table, column, period))
        .group_by(table.c.workflow_id)
    )
    return [
        {"workflow_id": row.workflow_id, **_split(row, RUN_COUNTS, queue=False)}
        for row in conn.execute(query)
    ]


def per_step(
    conn: sa.Connection,
    period: Period,
    workflow_ids: Sequence[int],
    action_id: str | None = None,
    histograms: bool = True,
) -> list[dict[str, Any]]:
    """Per (workflow, action) of these workflows: step counts (and duration histograms)."""
    _, table, column = _tables(period)
    where = [_in_period(table, column, period), table.c.workflow_id.in_(list(workflow_ids))]
    if action_id is not None:
        where.append(table.c.action_id == action_id)
    names = (*STEP_COUNTS, *DURATION_COLUMNS) if histograms else STEP_COUNTS
    query = (
        sa.select(table.c.workflow_id, table.c.action_id, *_sums(table, names))
        .where(*where)
        .group_by(table.c.workflow_id, table.c.action_id)
    )
    out = []
    for row in conn.execute(query):
        values = row._mapping
        item = {"workflow_id": row.workflow_id, "action_id": row.action_id}
        item.update({n: values[n] for n in STEP_COUNTS})
        if histograms:
            item["d"] = [int(values[c]) for c in DURATION_COLUMNS]
        out.append(item)
    return out


def error_rows(
    conn: sa.Connection,
    period: Period,
    workflow_ids: Sequence[int],
    action_id: str | None = None,
) -> list[dict[str, Any]]:
    """The error groups of these workflows on the period's UTC days (one row a day)."""
    where = [
        error_group.c.workflow_id.in_(list(workflow_ids)),
        error_group.c.day >= floor_day(period.start),
        error_group.c.day < period.end,
    ]
    if action_id is not None:
        where.append(error_group.c.action_id == action_id)
    query = sa.select(
        error_group.c.workflow_id,
        error_group.c.action_id,
        error_group.c.shape_hash,
        error_group.c.shape,
        error_group.c["count"],
        error_group.c.first_seen,
        error_group.c.last_seen,
        error_group.c.example_execution_id,
        error_group.c.example_error,
    ).where(*where)
    return [dict(row._mapping) for row in conn.execute(query)]


def failure_spans(
    conn: sa.Connection, period: Period, workflow_ids: Sequence[int]
) -> dict[int, tuple[datetime, datetime]]:
    """Per workflow: the first and last failure seen on the period's UTC days."""
    query = (
        sa.select(
            error_group.c.workflow_id,
            sa.func.min(error_group.c.first_seen).label("first"),
            sa.func.max(error_group.c.last_seen).label("last"),
        )
        .where(
            error_group.c.workflow_id.in_(list(workflow_ids)),
            error_group.c.day >= floor_day(period.start),
            error_group.c.day < period.end,
        )
        .group_by(error_group.c.workflow_id)
    )
    return {row.workflow_id: (row.first, row.last) for row in conn.execute(query)}


def existing_executions(conn: sa.Connection, ids: Sequence[int]) -> set[int]:
    if not ids:
        return set()
    return set(conn.execute(sa.select(EX.c.id).where(EX.c.id.in_(list(ids)))).scalars())


def names(conn: sa.Connection, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = conn.execute(sa.select(WF.c.id, WF.c.name).where(WF.c.id.in_(list(ids))))
    return {row.id: row.name for row in rows}


def recent_failures(
    conn: sa.Connection, workflow_id: int, action_id: str, since: datetime, limit: int = 20
) -> list[dict[str, Any]]:
    """The newest failed steps of one action of one workflow (ix_execution_step_action_status
    walks this action's failures newest first; each is checked against its run)."""
    query = (
        sa.select(
            ST.c.execution_id,
            sa.func.coalesce(ST.c.finished_at, EX.c.finished_at, EX.c.started_at).label("at"),
            ST.c.error,
        )
        .select_from(ST.join(EX, EX.c.id == ST.c.execution_id))
        .where(
            ST.c.action_id == action_id,
            ST.c.status == "failed",
            # Expressions, not bare columns: SQLite must not walk the workflow's runs by
            # (workflow_id, started_at) (100k runs for a busy one) but this action's failures
            # newest first, checking each run by its id, and stop at `limit`.
            EX.c.workflow_id + 0 == workflow_id,
            sa.func.coalesce(EX.c.started_at, EX.c.queued_at) >= since,
        )
        .order_by(ST.c.execution_id.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


assert len(DURATION_COLUMNS) == HIST_BUCKETS
