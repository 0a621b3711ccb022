"""Analytics rollups from execution rows: one code path for a run that ends and a rebuild.

`record_executions(conn, ids)` adds finished runs to `execution_hour`/`_day`, their steps to
`step_hour`/`_day` and their failures to `error_group`, in the caller's transaction (the one
that closed the runs, so a rollup never counts a run whose end was rolled back, and never
twice: callers pass only the runs their own conditional status write just closed).
`add_rollups(conn, since)` does the same for every finished run from `since` on (the
rebuild and the migration's backfill); the caller deletes the rows it replaces first.

What counts, per run (its hour: `started_at`, else `queued_at`, in UTC):
- `runs` and one of `succeeded`/`failed`/`cancelled`/`other` (interrupted);
- a duration (`timed`, `duration_ms_sum`, `d*`) for succeeded and failed runs only: a
  cancelled or interrupted run's duration says when someone stopped it;
- a queue wait (`waited`, `queue_wait_ms_sum`, `q*`) for runs that started;
- per step: `runs` if it succeeded, failed or was interrupted, `failures`, `skipped`,
  `retries` (attempts beyond the first), a duration for succeeded and failed steps;
- an error group per failed step, and per failed or interrupted run with an error and no
  failed step (`action_id` "").
Buckets are computed in SQL (a binary CASE on app.core.analytics.HIST_BOUNDS); error shapes in
Python (app.core.error_shapes).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.core.analytics import HIST_BUCKETS, floor_day, floor_hour
from app.core.error_shapes import shape, shape_hash
from app.db.models.analytics import (
    DURATION_COLUMNS,
    QUEUE_COLUMNS,
    error_group,
    execution_day,
    execution_hour,
    step_day,
    step_hour,
)
from app.engine.rollups_queries import (
    BATCH,
    EX,
    EXAMPLE_MAX,
    EXECUTION_COUNTS,
    STEP_COUNTS,
    Queries,
    dialect_sql,
    live_queries,
)


def _utc(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _with_histograms(
    counts: Iterable[Any], histograms: list[Iterator[Any]], width: int, names: list[tuple]
) -> Iterator[dict[str, Any]]:
    """Merge the ordered count rows with the ordered (key…, bucket, n) histogram rows.

    Every stream is ordered by the same key (workflow, hour[, action]); each histogram's keys
    are a subset of the counts' keys, so one pass over each joins them.
    """
    pending: list[Any] = [next(h, None) for h in histograms]
    for row in counts:
        key = tuple(row[:width])
        values = dict(zip(names[0], row[width:], strict=True))
        for i, stream in enumerate(histograms):
            columns = names[i + 1]
            hist = [0] * HIST_BUCKETS
            while pending[i] is not None and tuple(pending[i][:width]) == key:
                hist[int(pending[i][width])] += int(pending[i][width + 1])
                pending[i] = next(stream, None)
            values.update(zip(columns, hist, strict=True))
        yield {"key": key, **values}


def _execution_rows(
    conn: sa.Connection, q: Queries, params: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    counts = conn.execute(q.counts, params)
    durations = iter(conn.execute(q.durations, params))
    waits = iter(conn.execute(q.waits, params))
    names = [list(EXECUTION_COUNTS), list(DURATION_COLUMNS), list(QUEUE_COLUMNS)]
    for row in _with_histograms(counts, [durations, waits], 2, names):
        workflow_id, hour = row.pop("key")
        yield {"workflow_id": workflow_id, "hour": _utc(hour), **row}


def _step_rows(conn: sa.Connection, q: Queries, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
    counts = conn.execute(q.step_counts, params)
    durations = iter(conn.execute(q.step_durations, params))
    names = [list(STEP_COUNTS), list(DURATION_COLUMNS)]
    for row in _with_histograms(counts, [durations], 3, names):
        workflow_id, hour, action_id = row.pop("key")
        if row["runs"] or row["skipped"] or row["retries"]:
            yield {"workflow_id": workflow_id, "action_id": action_id, "hour": _utc(hour), **row}


def _insert(conn: sa.Connection, table: sa.Table) -> Any:
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


_UPSERTS: dict[tuple[str, str], Any] = {}


def _adding(conn: sa.Connection, table: sa.Table, keys: tuple[str, ...]) -> Any:
    """`INSERT … ON CONFLICT (keys) DO UPDATE SET n = n + excluded.n` for every other column
    (built once per dialect and table)."""
    cache_key = (conn.dialect.name, table.name)
    if cache_key not in _UPSERTS:
        statement = _insert(conn, table)
        adding = [c.name for c in table.c if c.name not in keys and c.name != "id"]
        _UPSERTS[cache_key] = statement.on_conflict_do_update(
            index_elements=list(keys),
            set_={name: table.c[name] + statement.excluded[name] for name in adding},
        )
    return _UPSERTS[cache_key]


def _add(conn: sa.Connection, table: sa.Table, keys: tuple[str, ...], rows: list[dict]) -> None:
    """Insert `rows`, adding every other value to the row already there for the same keys."""
    if not rows:
        return
    statement = _adding(conn, table, keys)
    for start in range(0, len(rows), BATCH):
        conn.execute(statement, rows[start : start + BATCH])


def _per_day(rows: list[dict], keys: tuple[str, ...], counts: tuple[str, ...]) -> list[dict]:
    days: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        day = floor_day(row["hour"])
        key = (*(row[k] for k in keys), day)
        into = days.get(key)
        if into is None:
            days[key] = {**{k: row[k] for k in keys}, "day": day, **{c: row[c] for c in counts}}
        else:
            for c in counts:
                into[c] += row[c]
    return list(days.values())


def _flush(conn: sa.Connection, runs: list[dict], steps: list[dict]) -> None:
    run_counts = (*EXECUTION_COUNTS, *DURATION_COLUMNS, *QUEUE_COLUMNS)
    step_counts = (*STEP_COUNTS, *DURATION_COLUMNS)
    _add(conn, execution_hour, ("workflow_id", "hour"), runs)
    _add(conn, execution_day, ("workflow_id", "day"), _per_day(runs, ("workflow_id",), run_counts))
    _add(conn, step_hour, ("workflow_id", "action_id", "hour"), steps)
    _add(
        conn,
        step_day,
        ("workflow_id", "action_id", "day"),
        _per_day(steps, ("workflow_id", "action_id"), step_counts),
    )


def _error_groups(conn: sa.Connection, q: Queries, params: dict[str, Any]) -> list[dict[str, Any]]:
    """Failures grouped by (workflow, action, shape, day), newest occurrence as the example."""
    groups: dict[tuple, dict[str, Any]] = {}
    for query in (q.failed_steps, q.failed_runs):
        for workflow_id, hour, action_id, execution_id, error, at in conn.execute(query, params):
            text = shape(error)
            day, seen = floor_day(_utc(hour)), _utc(at)
            key = (workflow_id, action_id, shape_hash(text), day)
            group = groups.get(key)
            if group is None:
                groups[key] = {
                    "workflow_id": workflow_id,
                    "action_id": action_id,
                    "shape_hash": key[2],
                    "day": day,
                    "shape": text,
                    "count": 1,
                    "first_seen": seen,
                    "last_seen": seen,
                    "example_execution_id": execution_id,
                    "example_error": (error or "")[:EXAMPLE_MAX],
                }
                continue
            group["count"] += 1
            group["first_seen"] = min(group["first_seen"], seen)
            if (seen, execution_id) >= (group["last_seen"], group["example_execution_id"]):
                group["last_seen"] = seen
                group["example_execution_id"] = execution_id
                group["example_error"] = (error or "")[:EXAMPLE_MAX]
    return list(groups.values())


def _error_upsert(conn: sa.Connection) -> Any:
    cache_key = (conn.dialect.name, error_group.name)
    if cache_key in _UPSERTS:
        return _UPSERTS[cache_key]
    statement = _insert(conn, error_group)
    new, old = statement.excluded, error_group.c
    newer = new.last_seen >= old.last_seen
    statement = statement.on_conflict_do_update(
        index_elements=["workflow_id", "action_id", "shape_hash", "day"],
        set_={
            "count": old.count + new.count,
            "first_seen": sa.case(
                (new.first_seen < old.first_seen, new.first_seen), else_=old.first_seen
            ),
            "last_seen": sa.case((newer, new.last_seen), else_=old.last_seen),
            "example_execution_id": sa.case(
                (newer, new.example_execution_id), else_=old.example_execution_id
            ),
            "example_error": sa.case((newer, new.example_error), else_=old.example_error),
        },
    )
    _UPSERTS[cache_key] = statement
    return statement


def _add_error_groups(conn: sa.Connection, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    statement = _error_upsert(conn)
    for start in range(0, len(rows), BATCH):
        conn.execute(statement, rows[start : start + BATCH])


def _record(conn: sa.Connection, q: Queries, params: dict[str, Any], batch: int) -> int:
    """Add the finished runs `q` selects to every rollup, `batch` rows a write; hours added."""
    hours = 0
    runs: list[dict] = []
    for row in _execution_rows(conn, q, params):
        runs.append(row)
        if len(runs) >= batch:
            hours += len(runs)
            _flush(conn, runs, [])
            runs = []
    hours += len(runs)
    _flush(conn, runs, [])
    steps: list[dict] = []
    for row in _step_rows(conn, q, params):
        steps.append(row)
        if len(steps) >= batch:
            _flush(conn, [], steps)
            steps = []
    _flush(conn, [], steps)
    _add_error_groups(conn, _error_groups(conn, q, params))
    return hours


def record_executions(conn: sa.Connection, execution_ids: list[int]) -> None:
    """Add these just-finished runs to the rollups, in the caller's transaction."""
    for execution_id in execution_ids:  # one at a time: several only at start-up recovery
        _record(conn, live_queries(conn), {"p_id": execution_id}, BATCH)


def add_rollups(conn: sa.Connection, since: datetime | None = None) -> int:
    """Add every finished run whose hour is from `since` (a UTC day start) on; hours added.

    The caller removes the rollup rows from that day on first (app.services.rollups.rebuild,
    the migration's backfill on empty tables)."""
    where: Any = sa.true()
    if since is not None:
        at = sa.func.coalesce(EX.c.started_at, EX.c.queued_at)
        where = at >= since
    # Hours are streamed and written a batch at a time: a rebuild never holds them all.
    return _record(conn, Queries(dialect_sql(conn), where), {}, BATCH)


def delete_rollups(conn: sa.Connection, since: datetime | None = None) -> None:
    """Remove every rollup row from the UTC day of `since` on (all of them for None)."""
    day = floor_day(since) if since is not None else None
    for table, column in (
        (execution_hour, "hour"),
        (execution_day, "day"),
        (step_hour, "hour"),
        (step_day, "day"),
        (error_group, "day"),
    ):
        statement = table.delete()
        if day is not None:
            statement = statement.where(table.c[column] >= day)
        conn.execute(statement)


__all__ = ["add_rollups", "delete_rollups", "floor_day", "floor_hour", "record_executions"]
