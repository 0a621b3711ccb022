"""The append-only audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db.types import json_column, ts_column, utcnow


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_target", "target_type", "target_id"),
        # Audit reports (app.services.audit_reports): range counts per action, actor, target.
        sa.Index("ix_audit_action_at", "action", "at"),
        sa.Index("ix_audit_actor_at", "actor_id", "at"),
        sa.Index("ix_audit_actor_action_at", "actor_id", "action", "at"),
        sa.Index("ix_audit_target_at", "target_type", "target_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False, index=True))
    actor_type: str = Field(default="system", max_length=16)
    actor_id: int | None = Field(default=None, index=True)
    actor_label: str = Field(default="", max_length=320, index=True)
    action: str = Field(max_length=64, index=True)
    target_type: str | None = Field(default=None, max_length=32)
    target_id: str | None = Field(default=None, max_length=64)
    ip: str | None = Field(default=None, max_length=64)
    user_agent: str | None = Field(default=None, max_length=300)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
