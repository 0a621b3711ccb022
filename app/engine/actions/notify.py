"""`notify`: send a message with a severity through an alert's channel or a connection.

With `alert`, the alert's own channel sends it (`app.alerts`: Slack blocks, Telegram HTML,
email, signed webhook or in-app notifications), recorded as an `AlertDelivery` of the event
`notify` like any other delivery. A paused alert, or a severity below the alert's minimum,
sends nothing and says so (the step succeeds: the alert's owner chose that). With
`connection`, the text goes out as `share` posts it (`[SEVERITY]` in front unless `info`).

Retrying is the step's retry policy: the delivery itself makes one attempt, so a failed one
fails the step with the failure kind the channel reported.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any, Literal

from pydantic import Field, model_validator

from app.alerts.messages import AlertMessage, execution_link
from app.alerts.records import Job, insert_delivery
from app.alerts.sending import deliver
from app.core.config_models import ActionConfig
from app.core.errors import NotFound
from app.core.retry import NO_RETRY
from app.core.statuses import Severity
from app.db.engine import session_scope
from app.db.models import Alert
from app.db.settings import get_settings
from app.db.types import utcnow
from app.engine.actions import StepContext, action
from app.engine.bus import bus
from app.engine.failures import ActionFailed
from app.engine.messaging import ConnectionRef, load, post_message
from app.integrations.credentials import record_use


class NotifyConfig(ActionConfig):
    """An alert (by id) or a connection (by id or name), the text and its severity."""

    alert: int | None = Field(None, ge=1)
    connection: ConnectionRef | None = None
    message: str = Field(min_length=1, max_length=4000)
    severity: Literal["info", "warning", "error", "critical"] = "info"
    title: str | None = Field(None, max_length=150)
    timeout_s: float = Field(30.0, gt=0, le=300)

    @model_validator(mode="after")
    def _one_way(self) -> NotifyConfig:
        if (self.alert is None) == (self.connection is None):
            raise ValueError("give exactly one of alert or connection")
        return self


def _message(step: StepContext, config: NotifyConfig) -> AlertMessage:
    workflow = step.context.get("workflow") or {}
    name = str(workflow.get("name") or f"#{step.workflow_id}")
    return AlertMessage(
        event="notify",
        severity=config.severity,
        title=config.title or f"{name}: {step.action_id}",
        summary=config.message,
        facts=(
            ("Severity", config.severity),
            ("Workflow", f"{name} (#{step.workflow_id})"),
            ("Execution", f"#{step.execution_id}"),
        ),
        link=execution_link(get_settings().base_url, step.execution_id),
        workflow_id=step.workflow_id,
        workflow_name=name,
        execution_id=step.execution_id,
        step=step.action_id,
        at=utcnow().isoformat(),
    )


def _open_delivery(alert_id: int, severity: str, message: AlertMessage) -> tuple[int | None, str]:
    """A pending delivery row, or None and why nothing should be sent."""
    with session_scope() as session:
        alert = session.get(Alert, alert_id)
        if alert is None:
            raise NotFound(f"alert {alert_id} does not exist")
        if not alert.is_active:
            return None, f"alert {alert_id} is paused"
        if alert.min_severity and Severity(severity) < alert.min_severity:
            return None, f"{severity} is below the alert's minimum severity {alert.min_severity}"
        return insert_delivery(session, alert_id, message, utcnow()), alert.alert_type


async def _through_alert(step: StepContext, config: NotifyConfig) -> dict[str, Any]:
    alert_id = config.alert or 0
    message = _message(step, config)
    delivery_id, note = await asyncio.to_thread(_open_delivery, alert_id, config.severity, message)
    output: dict[str, Any] = {"via": "alert", "alert_id": alert_id, "severity": config.severity}
    if delivery_id is None:
        return {**output, "delivered": False, "skipped": note}
    job = Job(delivery_id, alert_id, replace(message, delivery_id=delivery_id))
    result = await deliver(job, policy=NO_RETRY, publish=bus.publish_nowait, clock=utcnow)
    output |= {
        "channel": note,
        "delivery_id": delivery_id,
        "delivered": result.ok,
        "status": result.status_code,
        "error": result.error,
    }
    if not result.ok:
        raise ActionFailed(
            f"alert {alert_id} ({note}) could not deliver: {result.error}",
            kind=result.failure_kind or "error",
            output=output,
        )
    return output


async def _through_connection(step: StepContext, config: NotifyConfig) -> dict[str, Any]:
    conn = await load(config.connection or "")
    step.secrets.extend(v for v in conn.secret_values() if v not in step.secrets)
    text = (
        config.message
        if config.severity == "info"
        else (f"[{config.severity.upper()}] {config.message}")
    )
    data = {
        "severity": config.severity,
        "workflow_id": step.workflow_id,
        "execution_id": step.execution_id,
    }
    delivery = await post_message(conn, text, data, timeout_s=config.timeout_s)
    await asyncio.to_thread(record_use, conn.id)
    output = {
        "via": "connection",
        "connection": conn.name,
        "platform": conn.platform,
        "severity": config.severity,
        "delivered": delivery.ok,
        "status": delivery.status,
        "error": delivery.error,
    }
    if not delivery.ok:
        raise ActionFailed(
            f"{conn.name!r} could not deliver: {delivery.error}",
            kind=delivery.kind or "error",
            output=output,
        )
    return output


@action("notify", NotifyConfig, "Send a message through an alert's channel or a connection")
async def run(step: StepContext, config: NotifyConfig) -> dict[str, Any]:
    if config.alert is not None:
        return await _through_alert(step, config)
    return await _through_connection(step, config)
