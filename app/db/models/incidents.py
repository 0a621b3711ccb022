"""Incidents: a small built-in record with a timeline (`app.core.incidents` has the rules)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from app.db.types import fk_column, json_column, ts_column, user_fk, utcnow


class Incident(SQLModel, table=True):
    __tablename__ = "incident"

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=300)
    description: str = Field(default="")
    severity: str = Field(default="high", max_length=16, index=True)
    status: str = Field(default="open", max_length=16, index=True)
    assignee: str | None = Field(default=None, max_length=320, index=True)
    #: Set by a workflow step so that its retry finds the incident it opened (unique).
    dedup_key: str | None = Field(default=None, max_length=200, unique=True, index=True)
    #: Entries `{at, kind, by, text, changes}`, oldest first (`core.incidents.appended`).
    timeline: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column(list))
    #: Connections mirrored to: `{connection_id, name, platform, ok, error}` per connection.
    mirrors: list[dict[str, Any]] = Field(default_factory=list, sa_column=json_column(list))
    workflow_id: int | None = Field(
        default=None, sa_column=fk_column("workflow.id", ondelete="SET NULL")
    )
    execution_id: int | None = Field(
        default=None, sa_column=fk_column("execution.id", ondelete="SET NULL")
    )
    created_by: int | None = Field(default=None, sa_column=user_fk())
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=ts_column(nullable=False, index=True)
    )
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    acknowledged_at: datetime | None = Field(default=None, sa_column=ts_column())
    resolved_at: datetime | None = Field(default=None, sa_column=ts_column())
