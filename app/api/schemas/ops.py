"""Connections, alerts and deliveries, notifications, the audit trail, the account, health."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from app.api.schemas import JsonObject, Num, Out, Time


class Connection(Out):
    id: int
    name: str
    platform: str
    connection_type: str
    config: JsonObject
    has_credentials: bool
    secret_hint: str = Field(description="`••••1234`: the last characters of the main secret")
    status: str
    verified_at: Time
    verify_error: str | None
    usage_count: int
    last_used_at: Time
    created_by: int | None
    created_at: Time
    updated_at: Time


class ConnectionList(Out):
    items: list[Connection]
    total: int


class Verification(Out):
    ok: bool
    message: str
    status_code: int | None
    elapsed_ms: Num | None


class VerifiedConnection(Connection):
    verification: Verification


class Alert(Out):
    id: int
    name: str
    workflow_id: int | None
    workflow_name: str | None
    alert_type: str
    channel: str
    channel_is_secret: bool
    connection_id: int | None
    events: list[str]
    severity: str = Field(description="The label of what it sends (colour, emoji, subject)")
    min_severity: str | None = Field(
        None, description="Events below it are held back; null: every ticked event is sent"
    )
    config: JsonObject
    has_signing_secret: bool
    is_active: bool
    triggered_count: int
    delivered_count: int
    failed_count: int
    last_triggered_at: Time
    created_by: int | None
    created_at: Time
    updated_at: Time


class SavedAlert(Alert):
    signing_secret: str | None = Field(
        None, description="Only when Flowdeck generated the signing secret: shown this once"
    )


class AlertList(Out):
    items: list[Alert]
    total: int


class Delivery(Out):
    id: int
    alert_id: int
    execution_id: int | None
    event: str
    status: str
    attempts: int
    occurrences: int
    response_code: int | None
    latency_ms: Num | None
    error: str | None
    message: Any
    created_at: Time
    delivered_at: Time


class TestDelivery(Delivery):
    ok: bool


class DeliveryPage(Out):
    items: list[Delivery]
    total: int
    limit: int
    offset: int


class Notification(Out):
    id: int
    title: str
    body: str
    severity: str
    link: str | None
    execution_id: int | None
    read: bool
    read_at: Time
    created_at: str


class NotificationPage(Out):
    items: list[Notification]
    total: int
    unread: int
    limit: int
    offset: int


class MarkedRead(Out):
    marked: int
    unread: int


class AuditEvent(Out):
    id: int
    at: str
    actor_type: str
    actor_id: int | None
    actor_label: str
    action: str
    target_type: str | None
    target_id: str | int | None
    ip: str | None
    user_agent: str | None
    details: Any


class AuditPage(Out):
    items: list[AuditEvent]
    next_cursor: int | None = Field(description="Pass as `cursor` for the next page")
    limit: int


class Me(Out):
    id: int | None
    email: str
    role: str
    api_key_id: int | None


class Health(Out):
    status: str = Field(description="`ok` or `degraded` (then the answer is a 503)")
    database: str
    scheduler: str
    secrets: str
    version: str
    role: str = Field(description="This process: `app` (web and engine) or `worker`")
    leader: str = Field(
        description="Who fires schedules: `this process`, `another` process, or `none`"
    )
    processes: dict[str, int] = Field(description="Live processes (with a lease) by role")
    queue_depth: int = Field(description="Runs waiting in the queue")


class WebhookDelivery(Out):
    execution_id: int
    status: str
    duplicate: bool
    retry_execution_id: int | None = Field(
        None, description="A replay of a failed or interrupted run: the retry's execution"
    )


class DeployDelivery(Out):
    """A deployment notification: the run it started (or its replay), or why it started none."""

    execution_id: int | None = None
    duplicate: bool = False
    ignored: str | None = Field(
        None, description="Why no run started (ping, an event or branch not followed)"
    )
