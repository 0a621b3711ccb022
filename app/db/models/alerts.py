"""Alerts, each delivery of one, and in-app notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from app.db.types import fk_column, json_column, ts_column, utcnow


class Alert(SQLModel, table=True):
    __tablename__ = "alert"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="", max_length=200)
    workflow_id: int | None = Field(
        default=None, sa_column=fk_column("workflow.id", ondelete="CASCADE")
    )
    alert_type: str = Field(max_length=16, index=True)
    channel: str = Field(default="", max_length=1000)
    connection_id: int | None = Field(
        default=None, sa_column=fk_column("connection.id", ondelete="SET NULL")
    )
    events: list[str] = Field(default_factory=list, sa_column=json_column(list))
    severity: str = Field(default="info", max_length=16)  # the label of what it sends
    min_severity: str | None = Field(default=None, max_length=16)  # None: every ticked event
    config: dict[str, Any] = Field(default_factory=dict, sa_column=json_column(dict))
    is_active: bool = Field(default=True, index=True)
    triggered_count: int = 0
    delivered_count: int = 0
    failed_count: int = 0
    last_triggered_at: datetime | None = Field(default=None, sa_column=ts_column())
    created_by: int | None = Field(
        default=None, sa_column=fk_column("user.id", ondelete="SET NULL")
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))


class AlertDelivery(SQLModel, table=True):
    __tablename__ = "alert_delivery"
    __table_args__ = (sa.Index("ix_alert_delivery_alert_created", "alert_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(
        sa_column=fk_column("alert.id", ondelete="CASCADE", nullable=False, index=False)
    )
    execution_id: int | None = Field(
        default=None, sa_column=fk_column("execution.id", ondelete="SET NULL")
    )
    event: str = Field(max_length=32)
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    occurrences: int = 1
    response_code: int | None = None
    latency_ms: float | None = None
    error: str | None = Field(default=None, max_length=2000)
    message: str = Field(default="", max_length=5000)
    created_at: datetime = Field(default_factory=utcnow, sa_column=ts_column(nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=ts_column())


class Notification(SQLModel, table=True):
    __tablename__ = "notification"
    __table_args__ = (sa.Index("ix_notification_user_read", "user_id", "read_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=fk_column("user.id", ondelete="CASCADE", nullable=False, index=False)
    )
    title: str = Field(max_length=300)
    body: str = Field(default="", max_length=5000)
    severity: str = Field(default="info", max_length=16)
    link: str | None = Field(default=None, max_length=500)
    execution_id: int | None = Field(
        default=None, sa_column=fk_column("execution.id", ondelete="SET NULL")
    )
    read_at: datetime | None = Field(default=None, sa_column=ts_column())
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=ts_column(nullable=False, index=True)
    )
