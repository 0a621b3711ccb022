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


class OrchestrationRun(SQLModel, table=True):
    __tablename__ = "orchestration_run"
    __table_args__ = (sa.Index("ix_orch_run_started", "orchestration_id", "started_at"),)

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


class MetricSample(SQLModel, table=True):
    __tablename__ = "metric_sample"
    __table_args__ = (sa.Index("ix_metric_name_at", "name", "at"),)

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
