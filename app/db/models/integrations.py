"""Integration connections, API orchestrations and the metrics the monitor action writes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db.types import fk_column, json_column, ts_column, utcnow


class Connection(SQLModel, table=True):
    """A credentialed link to a platform. Secrets are stored only as Fernet ciphertext."""

    __tablename__ = "connection"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    platform: str = Field(max_length=16, index=True)
    connection_type: str = Field(max_length=16)
    credentials_enc: str | None = Field(default=None)
    secret_hint: str = Field(default="", max_length=16)
    config: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    status: str = Field(default="unverified", max_length=16, index=True)
    verified_at: datetime | None = Field(default=None, sa_column=ts_column())
    verify_error: str | None = Field(default=None, max_length=2000)
    usage_count: int = 0
    last_used_at: datetime | None = Field(default=None, sa_column=ts_column())
    created_by: int | None = Field(
        default=None, sa_column=fk_column("user.id", ondelete="SET NULL")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))


class Orchestration(SQLModel, table=True):
    """A named set of outbound calls run as one unit (definition: `app.core.orchestration`).

    The definition's columns hold the last saved version (`OrchestrationVersion` keeps them
    all); the counters count finished runs: `successes` are succeeded and partial runs,
    `failures` failed and cancelled ones; `avg_ms` is their running average and `p95_ms` the
    95th percentile of the last `P95_WINDOW` finished runs, both updated as a run finishes.
    """

    __tablename__ = "orchestration"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, index=True)
    description: str = Field(default="", max_length=5000)
    mode: str = Field(default="sequential", max_length=16)
    calls: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column(list))
    retry: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    is_active: bool = True
    runs: int = 0
    last_run_at: datetime | None = Field(default=None, sa_column=ts_column())
    last_status: str | None = Field(default=None, max_length=16)
    created_by: int | None = Field(
        default=None, sa_column=fk_column("user.id", ondelete="SET NULL")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    # Migration 0005
    timeout_s: float = Field(default=300.0, sa_column_kwargs={"server_default": "300"})
    max_parallel: int = Field(default=8, sa_column_kwargs={"server_default": "8"})
    version: int = Field(default=1, sa_column_kwargs={"server_default": "1"})
    successes: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    failures: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    avg_ms: float = Field(default=0.0, sa_column_kwargs={"server_default": "0"})
    p95_ms: float | None = None
    last_run_id: int | None = None  # a plain number: runs are deleted with their orchestration


P95_WINDOW = 100


class OrchestrationVersion(SQLModel, table=True):
    """Every save of an orchestration: the full definition, a DeepDiff, the change in words."""

    __tablename__ = "orchestration_version"
    __table_args__ = (sa.UniqueConstraint("orchestration_id", "version_number"),)

    id: int | None = Field(default=None, primary_key=True)
    orchestration_id: int = Field(
        sa_column=fk_column("orchestration.id", ondelete="CASCADE", nullable=False, index=False)
    )
    version_number: int
    definition: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    diff: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    change_summary: list[str] = Field(default_factory=list, sa_column=json_column(list))
    change_description: str = Field(default="", max_length=2000)
    restored_from: int | None = None
    reason: str | None = Field(default=None, max_length=2000)
    created_by: int | None = Field(
        default=None, sa_column=fk_column("user.id", ondelete="SET NULL")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))


class OrchestrationRun(SQLModel, table=True):
    """One run: its inputs (secret-named keys masked), its outcome, and its calls.

    Runs before migration 0005 kept their call results in `results`; newer runs keep one
    `OrchestrationCall` row per call, written as each call starts and ends.
    """

    __tablename__ = "orchestration_run"
    __table_args__ = (
        sa.Index("ix_orch_run_started", "orchestration_id", "started_at"),
        sa.Index("ix_orch_run_newest", "orchestration_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    orchestration_id: int = Field(
        sa_column=fk_column("orchestration.id", ondelete="CASCADE", nullable=False, index=False)
    )
    status: str = Field(default="running", max_length=16, index=True)
    started_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=ts_column())
    duration_ms: float | None = None
    results: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column(list))
    error: str | None = Field(default=None, max_length=5000)
    # Migration 0005
    orchestration_version: int | None = None
    inputs: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON()))
    trigger: str = Field(
        default="manual", max_length=16, sa_column_kwargs={"server_default": "manual"}
    )
    created_by: int | None = Field(
        default=None, sa_column=fk_column("user.id", ondelete="SET NULL")
    )
    execution_id: int | None = Field(default=None, index=True)  # a workflow step's run
    calls_total: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    calls_done: int = Field(default=0, sa_column_kwargs={"server_default": "0"})


class OrchestrationCall(SQLModel, table=True):
    """One call of a run: its status, and its record (timings, attempts, masked exchange)."""

    __tablename__ = "orchestration_call"
    __table_args__ = (sa.UniqueConstraint("run_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(
        sa_column=fk_column("orchestration_run.id", ondelete="CASCADE", nullable=False, index=False)
    )
    position: int
    call_id: str = Field(max_length=64)
    status: str = Field(default="pending", max_length=16)
    record: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))


class MetricSample(SQLModel, table=True):
    __tablename__ = "metric_sample"
    __table_args__ = (
        sa.Index("ix_metric_name_at", "name", "at"),
        sa.Index("ix_metric_article_at", "article_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    name: str = Field(max_length=200)
    source: str = Field(default="", max_length=1000)
    value: float
    workflow_id: int | None = Field(
        default=None, sa_column=fk_column("workflow.id", ondelete="SET NULL")
    )
    execution_id: int | None = Field(
        default=None, sa_column=fk_column("execution.id", ondelete="SET NULL")
    )
    #: The article whose page the value is about (`monitor`'s named metrics), else None.
    article_id: int | None = Field(
        default=None, sa_column=fk_column("article.id", ondelete="CASCADE", index=False)
    )
