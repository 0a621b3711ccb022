"""Run analytics rollups, error groups, and application settings.

The rollups are kept up to date as executions end (app.engine.rollups_sql) and can be rebuilt
from the rows (app.services.rollups). They carry fixed histogram columns (`d0..dN` for
durations, `q0..qN` for queue waits; bounds in app.core.analytics) so that SQL can add them up
over any period. They are plain tables rather than SQLModel classes: nothing reads them as
objects, and ~190 generated columns fit a `Table` far better than a class body.

`*_hour` rows hold one UTC hour (of the execution's `started_at`, else `queued_at`); `*_day`
rows the same numbers per UTC day, so that a 90-day chart adds up 90 rows per workflow rather
than 2,160. `error_group` counts failures per message shape and day; `action_id` "" is an
execution's own error (one no step of it reported).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.core.analytics import HIST_BUCKETS
from app.db.types import UTCDateTime, json_column, ts_column, user_fk, utcnow

DURATION_COLUMNS = tuple(f"d{i}" for i in range(HIST_BUCKETS))
QUEUE_COLUMNS = tuple(f"q{i}" for i in range(HIST_BUCKETS))


def _count(name: str) -> sa.Column:
    return sa.Column(name, sa.Integer, nullable=False, default=0, server_default="0")


def _total(name: str) -> sa.Column:
    return sa.Column(name, sa.Float, nullable=False, default=0.0, server_default="0")


def _workflow() -> sa.Column:
    return sa.Column(
        "workflow_id",
        sa.Integer,
        sa.ForeignKey("workflow.id", ondelete="CASCADE"),
        nullable=False,
    )


def _execution_rollup(name: str, period: str) -> sa.Table:
    return sa.Table(
        name,
        SQLModel.metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        _workflow(),
        sa.Column(period, UTCDateTime(), nullable=False),
        *(_count(c) for c in ("runs", "succeeded", "failed", "cancelled", "other")),
        _count("timed"),
        _total("duration_ms_sum"),
        _count("waited"),
        _total("queue_wait_ms_sum"),
        *(_count(c) for c in DURATION_COLUMNS),
        *(_count(c) for c in QUEUE_COLUMNS),
        sa.UniqueConstraint("workflow_id", period, name=f"uq_{name}"),
        sa.Index(f"ix_{name}_{period}", period),
    )


def _step_rollup(name: str, period: str) -> sa.Table:
    return sa.Table(
        name,
        SQLModel.metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        _workflow(),
        sa.Column("action_id", sa.String(64), nullable=False),
        sa.Column(period, UTCDateTime(), nullable=False),
        *(_count(c) for c in ("runs", "failures", "skipped", "retries", "timed")),
        _total("duration_ms_sum"),
        *(_count(c) for c in DURATION_COLUMNS),
        sa.UniqueConstraint("workflow_id", "action_id", period, name=f"uq_{name}"),
        sa.Index(f"ix_{name}_{period}", period),
    )


#: Per workflow and UTC hour: runs by outcome, duration and queue-wait sums and histograms.
#: `timed` runs had a duration, `waited` runs a start (their queue wait is counted).
execution_hour = _execution_rollup("execution_hour", "hour")
execution_day = _execution_rollup("execution_day", "day")
#: Per workflow, action and UTC hour: steps that ran (`runs`: succeeded, failed or
#: interrupted), `failures`, `skipped`, `retries` (attempts beyond the first), durations.
step_hour = _step_rollup("step_hour", "hour")
step_day = _step_rollup("step_day", "day")

#: Failures per (workflow, action, message shape, UTC day), with an example.
error_group = sa.Table(
    "error_group",
    SQLModel.metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    _workflow(),
    sa.Column("action_id", sa.String(64), nullable=False),
    sa.Column("shape_hash", sa.String(16), nullable=False),
    sa.Column("day", UTCDateTime(), nullable=False),
    sa.Column("shape", sa.String(500), nullable=False),
    _count("count"),
    sa.Column("first_seen", UTCDateTime(), nullable=False),
    sa.Column("last_seen", UTCDateTime(), nullable=False),
    # A plain number, no foreign key: the example may be pruned (the UI then says so).
    sa.Column("example_execution_id", sa.Integer, nullable=True),
    sa.Column("example_error", sa.String(1000), nullable=False, default=""),
    sa.UniqueConstraint("workflow_id", "action_id", "shape_hash", "day", name="uq_error_group"),
    sa.Index("ix_error_group_workflow_day", "workflow_id", "day"),
    sa.Index("ix_error_group_day", "day"),
)


class AppSetting(SQLModel, table=True):
    """One application-wide setting as JSON, by key (e.g. "retention")."""

    __tablename__ = "app_setting"

    key: str = Field(primary_key=True, max_length=64)
    value: Any = Field(default=None, sa_column=json_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    updated_by: int | None = Field(default=None, sa_column=user_fk())


__all__ = [
    "DURATION_COLUMNS",
    "QUEUE_COLUMNS",
    "AppSetting",
    "error_group",
    "execution_day",
    "execution_hour",
    "step_day",
    "step_hour",
]
