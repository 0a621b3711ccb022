"""The aggregate queries behind the analytics rollups (app.engine.rollups_sql), per dialect.

Each query groups finished runs (or their steps) by workflow and UTC hour (and action), in one
order, so that rollups_sql can merge the count rows with the histogram rows in one pass.
Histogram buckets are a binary CASE on app.core.analytics.HIST_BOUNDS.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from app.core.analytics import HIST_BOUNDS, HIST_BUCKETS
from app.db.models import Execution, ExecutionStep

EX = Execution.__table__  # type: ignore[attr-defined]
ST = ExecutionStep.__table__  # type: ignore[attr-defined]
FINAL = ("succeeded", "failed", "cancelled", "interrupted")
TIMED = ("succeeded", "failed")
STEP_RAN = ("succeeded", "failed", "interrupted")
EXAMPLE_MAX = 1000
EXECUTION_COUNTS = (
    "runs",
    "succeeded",
    "failed",
    "cancelled",
    "other",
    "timed",
    "duration_ms_sum",
    "waited",
    "queue_wait_ms_sum",
)
STEP_COUNTS = ("runs", "failures", "skipped", "retries", "timed", "duration_ms_sum")
BATCH = 2000


def _bucket(value: Any, lo: int = 0, hi: int = HIST_BUCKETS - 1) -> Any:
    """The histogram bucket of `value` as a nested CASE: log2(92) ≈ 7 comparisons a row."""
    if lo == hi:
        return sa.literal_column(str(lo))
    mid = (lo + hi + 1) // 2  # buckets lo..mid-1 are below HIST_BOUNDS[mid - 1]
    bound = sa.literal_column(repr(HIST_BOUNDS[mid - 1]))
    return sa.case((value < bound, _bucket(value, lo, mid - 1)), else_=_bucket(value, mid, hi))


def _one_of(column: Any, values: tuple[str, ...]) -> Any:
    """`column = a OR column = b …`: an IN list would be expanded at every execution."""
    return sa.or_(*(column == sa.literal_column(f"'{v}'") for v in values))


def _is(column: Any, *values: str) -> Any:
    return sa.case((_one_of(column, values), 1), else_=0)


class DialectSql:
    """The aggregate queries for one dialect (SQLite or PostgreSQL)."""

    def __init__(self, dialect: str) -> None:
        self.dialect = dialect
        at = sa.func.coalesce(EX.c.started_at, EX.c.queued_at)
        if dialect == "sqlite":
            self.hour = sa.func.strftime("%Y-%m-%d %H:00:00", at)

            # Whole seconds apart plus the stored microseconds (".ffffff" from character 20):
            # julianday() differences are only good to some 40 µs.
            def seconds(column: Any) -> Any:
                return sa.cast(sa.func.strftime("%s", column), sa.Integer)

            def fraction(column: Any) -> Any:
                return sa.cast(sa.func.substr(column, 20), sa.Float)

            started, queued = EX.c.started_at, EX.c.queued_at
            wait = (
                seconds(started) - seconds(queued) + fraction(started) - fraction(queued)
            ) * sa.literal_column("1000.0")
        else:
            self.hour = sa.func.date_trunc("hour", at)
            wait = sa.extract("epoch", EX.c.started_at - EX.c.queued_at) * 1000
        self.wait = sa.case((wait > 0, wait), else_=sa.literal_column("0.0"))
        self.timed = sa.and_(_one_of(EX.c.status, TIMED), EX.c.duration_ms.is_not(None))
        self.step_timed = sa.and_(_one_of(ST.c.status, TIMED), ST.c.duration_ms.is_not(None))

    def execution_counts(self, where: Any) -> sa.Select:
        waited = EX.c.started_at.is_not(None)
        return (
            sa.select(
                EX.c.workflow_id,
                self.hour.label("h"),
                sa.func.count(),
                *(sa.func.sum(_is(EX.c.status, s)) for s in ("succeeded", "failed", "cancelled")),
                sa.func.sum(_is(EX.c.status, "interrupted")),
                sa.func.sum(sa.case((self.timed, 1), else_=0)),
                sa.func.sum(sa.case((self.timed, EX.c.duration_ms), else_=0.0)),
                sa.func.sum(sa.case((waited, 1), else_=0)),
                sa.func.sum(sa.case((waited, self.wait), else_=0.0)),
            )
            .where(where)
            .group_by(EX.c.workflow_id, self.hour)
            .order_by(EX.c.workflow_id, self.hour)
        )

    def execution_histogram(self, where: Any, queue: bool) -> sa.Select:
        value = self.wait if queue else EX.c.duration_ms
        only = EX.c.started_at.is_not(None) if queue else self.timed
        bucket = _bucket(value)
        return (
            sa.select(EX.c.workflow_id, self.hour.label("h"), bucket.label("b"), sa.func.count())
            .where(where, only)
            .group_by(EX.c.workflow_id, self.hour, bucket)
            .order_by(EX.c.workflow_id, self.hour)
        )

    def step_counts(self, where: Any) -> sa.Select:
        retries = sa.case((ST.c.attempts > 1, ST.c.attempts - 1), else_=0)
        return (
            sa.select(
                EX.c.workflow_id,
                self.hour.label("h"),
                ST.c.action_id,
                sa.func.sum(_is(ST.c.status, *STEP_RAN)),
                sa.func.sum(_is(ST.c.status, "failed")),
                sa.func.sum(_is(ST.c.status, "skipped")),
                sa.func.sum(retries),
                sa.func.sum(sa.case((self.step_timed, 1), else_=0)),
                sa.func.sum(sa.case((self.step_timed, ST.c.duration_ms), else_=0.0)),
            )
            .select_from(ST.join(EX, EX.c.id == ST.c.execution_id))
            .where(where)
            .group_by(EX.c.workflow_id, self.hour, ST.c.action_id)
            .order_by(EX.c.workflow_id, self.hour, ST.c.action_id)
        )

    def step_histogram(self, where: Any) -> sa.Select:
        bucket = _bucket(ST.c.duration_ms)
        return (
            sa.select(
                EX.c.workflow_id, self.hour.label("h"), ST.c.action_id, bucket, sa.func.count()
            )
            .select_from(ST.join(EX, EX.c.id == ST.c.execution_id))
            .where(where, self.step_timed)
            .group_by(EX.c.workflow_id, self.hour, ST.c.action_id, bucket)
            .order_by(EX.c.workflow_id, self.hour, ST.c.action_id)
        )

    def failed_steps(self, where: Any) -> sa.Select:
        return (
            sa.select(
                EX.c.workflow_id,
                self.hour.label("h"),
                ST.c.action_id,
                EX.c.id,
                ST.c.error,
                sa.func.coalesce(ST.c.finished_at, EX.c.finished_at, EX.c.started_at),
            )
            .select_from(ST.join(EX, EX.c.id == ST.c.execution_id))
            .where(where, ST.c.status == "failed")
        )

    def failed_runs(self, where: Any) -> sa.Select:
        no_failed_step = ~sa.exists().where(ST.c.execution_id == EX.c.id, ST.c.status == "failed")
        return sa.select(
            EX.c.workflow_id,
            self.hour.label("h"),
            sa.literal(""),
            EX.c.id,
            EX.c.error,
            sa.func.coalesce(EX.c.finished_at, EX.c.started_at, EX.c.queued_at),
        ).where(
            where,
            _one_of(EX.c.status, ("failed", "interrupted")),
            EX.c.error.is_not(None),
            no_failed_step,
        )


_SQL: dict[str, DialectSql] = {}


def dialect_sql(conn: sa.Connection) -> DialectSql:
    name = conn.dialect.name
    if name not in _SQL:
        _SQL[name] = DialectSql(name)
    return _SQL[name]


class Queries:
    """The seven aggregate queries for one set of runs (`where`), built once: building one
    costs more than running it for a single run."""

    def __init__(self, sql: DialectSql, where: Any) -> None:
        where = sa.and_(where, _one_of(EX.c.status, FINAL))
        self.counts = sql.execution_counts(where)
        self.durations = sql.execution_histogram(where, queue=False)
        self.waits = sql.execution_histogram(where, queue=True)
        self.step_counts = sql.step_counts(where)
        self.step_durations = sql.step_histogram(where)
        self.failed_steps = sql.failed_steps(where)
        self.failed_runs = sql.failed_runs(where)


#: Per dialect: the queries for the run whose id is bound as `p_id` (the live path).
_LIVE: dict[str, Queries] = {}


def live_queries(conn: sa.Connection) -> Queries:
    name = conn.dialect.name
    if name not in _LIVE:
        _LIVE[name] = Queries(dialect_sql(conn), EX.c.id == sa.bindparam("p_id", type_=sa.Integer))
    return _LIVE[name]
